package equity

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
)

// GenesisHash is the previous hash of the first log entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Log entry kinds: every ledger transaction and every governance change is
// one entry of the hash-chained register.
const (
	LogTx         = "tx"
	LogRateCard   = "rate_card"
	LogGovernance = "governance"
)

// ChainHash is SHA-256 over the previous hash and an entry's canonical
// bytes, hex-encoded.
func ChainHash(prev string, canonical []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil))
}

// Canonical bytes are JSON of fixed-order structs: integers as decimal
// strings, times as Unix microseconds (the precision both databases keep),
// postings in sequence order.
type canonPosting struct {
	Seq      int    `json:"seq"`
	Unit     string `json:"unit"`
	Account  string `json:"account"`
	Amount   string `json:"amount"`
	Category string `json:"category"`
}

type canonTx struct {
	Entry        string         `json:"entry"`
	ID           int64          `json:"id"`
	Key          string         `json:"key"`
	Kind         string         `json:"kind"`
	ModelID      int64          `json:"model_id"`
	ReversesID   int64          `json:"reverses_id"`
	ResolvesID   int64          `json:"resolves_id"`
	RateCardID   int64          `json:"rate_card_id"`
	GovernanceID int64          `json:"governance_id"`
	ActorID      int64          `json:"actor_id"`
	MemberID     int64          `json:"member_id"`
	ProjectID    int64          `json:"project_id"`
	ItemID       int64          `json:"item_id"`
	SubmissionID int64          `json:"submission_id"`
	ReviewID     int64          `json:"review_id"`
	Reason       string         `json:"reason"`
	Meta         string         `json:"meta"`
	CreatedAt    int64          `json:"created_at"`
	Postings     []canonPosting `json:"postings"`
}

// CanonicalTx is the bytes of a transaction that the chain hashes.
func CanonicalTx(t Transaction) []byte {
	ps := append([]Posting(nil), t.Postings...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].Seq < ps[j].Seq })
	c := canonTx{Entry: LogTx, ID: t.ID, Key: t.Key, Kind: string(t.Kind), ModelID: t.ModelID,
		ReversesID: t.ReversesID, ResolvesID: t.ResolvesID, RateCardID: t.RateCardID, GovernanceID: t.GovernanceID,
		ActorID: t.ActorID, MemberID: t.MemberID, ProjectID: t.Cause.ProjectID, ItemID: t.Cause.ItemID,
		SubmissionID: t.Cause.SubmissionID, ReviewID: t.Cause.ReviewID, Reason: t.Reason, Meta: t.Meta,
		CreatedAt: t.CreatedAt.UnixMicro(), Postings: make([]canonPosting, len(ps))}
	for i, p := range ps {
		c.Postings[i] = canonPosting{p.Seq, p.Unit, p.Account, strconv.FormatInt(p.Amount, 10), string(p.Category)}
	}
	b, _ := json.Marshal(c)
	return b
}

type canonRateCard struct {
	Entry                string      `json:"entry"`
	ID                   int64       `json:"id"`
	ProjectID            int64       `json:"project_id"`
	Version              int         `json:"version"`
	AnnotationAccepted   string      `json:"annotation_accepted"`
	Correction           string      `json:"correction"`
	ReviewDecision       string      `json:"review_decision"`
	CorrectionLabellerBP int         `json:"correction_labeller_bp"`
	Difficulty           [][2]string `json:"difficulty"`
	Reason               string      `json:"reason"`
	ActorID              int64       `json:"actor_id"`
	CreatedAt            int64       `json:"created_at"`
	ProposalID           int64       `json:"proposal_id,omitempty"` // versions made by a vote
}

// CanonicalRateCard is the bytes of a rate card version that the chain hashes.
func CanonicalRateCard(r RateCard) []byte {
	c := canonRateCard{Entry: LogRateCard, ID: r.ID, ProjectID: r.ProjectID, Version: r.Version,
		AnnotationAccepted: strconv.FormatInt(r.AnnotationAccepted, 10), Correction: strconv.FormatInt(r.Correction, 10),
		ReviewDecision: strconv.FormatInt(r.ReviewDecision, 10), CorrectionLabellerBP: r.CorrectionLabellerBP,
		Difficulty: [][2]string{}, Reason: r.Reason, ActorID: r.ActorID, CreatedAt: r.CreatedAt.UnixMicro(), ProposalID: r.ProposalID}
	names := make([]string, 0, len(r.Difficulty))
	for n := range r.Difficulty {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c.Difficulty = append(c.Difficulty, [2]string{n, strconv.Itoa(r.Difficulty[n])})
	}
	b, _ := json.Marshal(c)
	return b
}

type canonGovernance struct {
	Entry          string `json:"entry"`
	ID             int64  `json:"id"`
	Version        int    `json:"version"`
	TransferFeeBP  int    `json:"transfer_fee_bp"`
	HoldingCapBP   int    `json:"holding_cap_bp"`
	CapFloor       string `json:"cap_floor"`
	ReserveShareBP int    `json:"reserve_share_bp"`
	ExitRule       string `json:"exit_rule"`
	Reason         string `json:"reason"`
	ActorID        int64  `json:"actor_id"`
	CreatedAt      int64  `json:"created_at"`
	ProposalID     int64  `json:"proposal_id,omitempty"` // versions made by a vote
}

// CanonicalGovernance is the bytes of a governance version that the chain hashes.
func CanonicalGovernance(g Governance) []byte {
	b, _ := json.Marshal(canonGovernance{LogGovernance, g.ID, g.Version, g.TransferFeeBP, g.HoldingCapBP,
		strconv.FormatInt(g.CapFloor, 10), g.ReserveShareBP, string(g.ExitRule), g.Reason, g.ActorID, g.CreatedAt.UnixMicro(), g.ProposalID})
	return b
}
