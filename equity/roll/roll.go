// Package roll is the court roll as a transparency log: leaf bytes, checkpoints, keys, proofs and tiles.
//
// Leaf i is the register entry with seq i+1. The tree is the RFC 6962 Merkle
// tree of golang.org/x/mod/sumdb/tlog; a checkpoint is a C2SP tlog-checkpoint
// signed as a golang.org/x/mod/sumdb/note with Ed25519 (docs/LEDGER.md).
package roll

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Hash is a tree hash (SHA-256).
type Hash = tlog.Hash

// HashReader reads stored hashes by their storage index (tlog.StoredHashIndex).
type HashReader = tlog.HashReader

// TileHeight is the C2SP tlog-tiles height: 256 hashes per tile.
const TileHeight = 8

// LeafPrefix starts every leaf's bytes.
const LeafPrefix = "copyhold-register-entry/v1\n"

// Leaf is the bytes of a register entry as a leaf of the tree: the prefix, a
// line naming its kind and ref id, then the canonical bytes the chain hashes.
func Leaf(kind string, refID int64, canonical []byte) []byte {
	b := make([]byte, 0, len(LeafPrefix)+len(kind)+24+len(canonical))
	b = append(b, LeafPrefix...)
	b = append(b, kind...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, refID, 10)
	b = append(b, '\n')
	return append(b, canonical...)
}

// LeafHash is the RFC 6962 leaf hash: SHA-256(0x00 ‖ leaf).
func LeafHash(leaf []byte) Hash { return tlog.RecordHash(leaf) }

// Signed is a stored signed checkpoint.
type Signed struct {
	Size      int64
	Root      Hash
	Note      string // the signed note text
	CreatedAt time.Time
}

// Entry is a leaf of the tree: the register entry with seq Index+1.
type Entry struct {
	Index    int64
	Kind     string
	RefID    int64
	Leaf     []byte
	LeafHash Hash
}

// Checkpoint is the body of a C2SP tlog-checkpoint.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   Hash
}

// Text is the checkpoint body: origin, size and base64 root, one per line.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ErrCheckpoint is a malformed checkpoint body.
var ErrCheckpoint = errors.New("roll: malformed checkpoint")

// ParseCheckpoint reads a checkpoint body (extension lines are ignored).
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return Checkpoint{}, ErrCheckpoint
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return Checkpoint{}, ErrCheckpoint
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, ErrCheckpoint
	}
	c := Checkpoint{Origin: lines[0], Size: n}
	copy(c.Root[:], root)
	return c, nil
}

// Sign returns the signed note of c.
func Sign(c Checkpoint, s note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: c.Text()}, s)
}

// Open verifies a signed checkpoint with the verifier key vkey and returns its body.
func Open(msg []byte, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("roll: verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("roll: checkpoint signature: %w", err)
	}
	return ParseCheckpoint(n.Text)
}

// Key is a loaded signing key.
type Key struct {
	Signer   note.Signer
	Verifier string // the verifier key to publish: name+hash+base64
}

// Origin returns the checkpoint origin for a co-op host or name; empty gives
// copyhold.local/register.
func Origin(host string) string {
	host = strings.TrimSpace(host)
	if host == "" || strings.ContainsAny(host, "+ \t\n/") {
		return "copyhold.local/register"
	}
	return "copyhold/" + host + "/register"
}

// GenerateKey returns a new private key text (PRIVATE+KEY+name+…) named name.
func GenerateKey(name string) (string, error) {
	skey, _, err := note.GenerateKey(rand.Reader, name)
	return skey, err
}

// ParseKey loads a private key text and derives its verifier key.
func ParseKey(skey string) (Key, error) {
	skey = strings.TrimSpace(skey)
	s, err := note.NewSigner(skey)
	if err != nil {
		return Key{}, fmt.Errorf("roll: not a note private key: %w", err)
	}
	parts := strings.SplitN(skey, "+", 5) // PRIVATE+KEY+name+hash+key
	raw, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	if len(parts) != 5 || err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return Key{}, errors.New("roll: not an Ed25519 note private key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return Key{}, err
	}
	return Key{Signer: s, Verifier: vkey}, nil
}

// InclusionProof proves leaf index is in the tree of size n.
func InclusionProof(index, n int64, r HashReader) ([]Hash, error) {
	return tlog.ProveRecord(n, index, r)
}

// CheckInclusion checks an inclusion proof of leafHash at index against the root of size n.
func CheckInclusion(proof []Hash, n int64, root Hash, index int64, leafHash Hash) error {
	return tlog.CheckRecord(tlog.RecordProof(proof), n, root, index, leafHash)
}

// ConsistencyProof proves the tree of size from is a prefix of the tree of size to.
func ConsistencyProof(from, to int64, r HashReader) ([]Hash, error) {
	if from == 0 || from == to {
		return []Hash{}, nil
	}
	return tlog.ProveTree(to, from, r)
}

// CheckConsistency checks that the tree (to, newRoot) extends (from, oldRoot).
func CheckConsistency(proof []Hash, to int64, newRoot Hash, from int64, oldRoot Hash) error {
	if from == 0 {
		return nil
	}
	if from == to {
		if oldRoot != newRoot || len(proof) != 0 {
			return errors.New("roll: same size, different roots")
		}
		return nil
	}
	return tlog.CheckTree(tlog.TreeProof(proof), to, newRoot, from, oldRoot)
}

// ErrTilePath is a malformed tile path.
var ErrTilePath = errors.New("roll: malformed tile path")

// ParseTile reads a C2SP tlog-tiles hash tile path, "<L>/<N>[.p/<W>]" after
// "tile/" (height 8, N in groups of three digits, x-prefixed but the last).
func ParseTile(p string) (tlog.Tile, error) {
	if strings.HasPrefix(p, "data/") || strings.HasPrefix(p, "entries/") {
		return tlog.Tile{}, ErrTilePath
	}
	t, err := tlog.ParseTilePath("tile/8/" + p)
	if err != nil || t.L < 0 || t.L > 7 || t.Path() != "tile/8/"+p {
		return tlog.Tile{}, ErrTilePath
	}
	return t, nil
}

// TileWithin reports whether the tile's hashes all exist in a tree of size n.
func TileWithin(t tlog.Tile, n int64) bool {
	// The tile's last hash is at level 8·L, index N·256+W-1; it covers leaves
	// up to (N·256+W)·256^L.
	end := t.N*256 + int64(t.W)
	for i := 0; i < t.L; i++ {
		if end > n {
			return false
		}
		end *= 256
	}
	return end <= n
}

// TilePath is the C2SP path of t after "tile/".
func TilePath(t tlog.Tile) string { return strings.TrimPrefix(t.Path(), "tile/8/") }

// ReadTile returns the bytes of a hash tile.
func ReadTile(t tlog.Tile, r HashReader) ([]byte, error) { return tlog.ReadTileData(t, r) }

// StoredHashes returns the hashes to store for leaf n, given the earlier ones.
func StoredHashes(n int64, leaf []byte, r HashReader) ([]Hash, error) {
	return tlog.StoredHashes(n, leaf, r)
}

// StoredHashIndex is the storage index of the hash at level and index n.
func StoredHashIndex(level int, n int64) int64 { return tlog.StoredHashIndex(level, n) }

// StoredHashCount is how many hashes a tree of n leaves stores.
func StoredHashCount(n int64) int64 { return tlog.StoredHashCount(n) }

// TreeHash is the root of the tree of size n.
func TreeHash(n int64, r HashReader) (Hash, error) { return tlog.TreeHash(n, r) }

// MemoryHashes is an in-memory hash store (for verify and tests).
type MemoryHashes []Hash

// ReadHashes implements HashReader.
func (m MemoryHashes) ReadHashes(idx []int64) ([]Hash, error) {
	out := make([]Hash, len(idx))
	for i, x := range idx {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("roll: hash %d not stored", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

// Append adds a leaf to the memory tree.
func (m *MemoryHashes) Append(n int64, leaf []byte) error {
	hs, err := tlog.StoredHashes(n, leaf, *m)
	if err != nil {
		return err
	}
	*m = append(*m, hs...)
	return nil
}

// SplitStoredHashIndex is the level and index of a stored hash.
func SplitStoredHashIndex(i int64) (level int, n int64) { return tlog.SplitStoredHashIndex(i) }
