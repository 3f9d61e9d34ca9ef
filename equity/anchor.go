package equity

import (
	"encoding/json"
	"time"
)

// Register entry kinds for what the co-op builds from the register: each
// dataset snapshot and each model release is itself an entry, so that the
// roll proves when it was made and what head of the register it recorded.
const (
	LogSnapshot = "snapshot"
	LogRelease  = "release"
)

// Anchor is a snapshot or release as the register records it.
type Anchor struct {
	Kind       string // LogSnapshot or LogRelease
	ID         int64
	ModelID    int64
	Version    string // a release's version ("" for a snapshot)
	Hash       string // the snapshot's content hash, or the release's hash
	LedgerSeq  int64  // the register head it recorded
	LedgerHead string
	CreatedAt  time.Time
}

type canonAnchor struct {
	Entry      string `json:"entry"`
	ID         int64  `json:"id"`
	ModelID    int64  `json:"model_id"`
	Version    string `json:"version,omitempty"`
	Hash       string `json:"hash"`
	LedgerSeq  int64  `json:"ledger_seq"`
	LedgerHead string `json:"ledger_head"`
	CreatedAt  int64  `json:"created_at"`
}

// CanonicalAnchor is the bytes of a snapshot or release entry.
func CanonicalAnchor(a Anchor) []byte {
	b, _ := json.Marshal(canonAnchor{a.Kind, a.ID, a.ModelID, a.Version, a.Hash, a.LedgerSeq, a.LedgerHead, a.CreatedAt.UnixMicro()})
	return b
}
