package store

import (
	"database/sql"
	"fmt"

	"copyhold/equity"
	"copyhold/equity/roll"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// VerifyOptions are what verify checks the court roll against.
type VerifyOptions struct {
	// VerifierKey checks the stored checkpoints' signatures ("" leaves them
	// unchecked, and TreeReport says so).
	VerifierKey string
	// Checkpoint is a saved signed checkpoint (a member's or a witness's)
	// that the current tree must extend; it needs VerifierKey.
	Checkpoint []byte
}

// TreeReport is the court roll's part of a verify report.
type TreeReport struct {
	Leaves            int64  `json:"leaves"`
	Root              string `json:"root"`
	Integrated        int64  `json:"integrated"` // the latest checkpoint's size
	Checkpoints       int    `json:"checkpoints"`
	SignaturesChecked bool   `json:"signatures_checked"`
	RecordedHeads     int    `json:"recorded_heads"`
	Extends           *int64 `json:"extends_checkpoint,omitempty"` // the --checkpoint size proved
}

// rollCheck rebuilds the tree while verify walks the entries, in bounded
// memory: it keeps the tree's right edge (treeEdge), the roots at the sizes
// that checkpoints name, and the rebuilt hashes of the current chunk, which
// chunkDone compares with the stored ones and drops.
type rollCheck struct {
	tx      *gorm.DB
	edge    treeEdge
	stored  []StoredCheckpoint // every stored checkpoint, in size order
	saved   *roll.Checkpoint   // opts.Checkpoint, opened
	roots   map[int64]roll.Hash
	heads   []labelstore.LedgerHead
	chainAt map[int64]string // chain hash at the seqs heads recorded

	base      int64       // storage index of pending[0]
	pending   []roll.Hash // rebuilt hashes not yet compared
	hashCount int64       // stored hashes read
	firstBad  int64       // the first stored hash that differs (-1: none)
}

func newRollCheck(tx *gorm.DB, opts VerifyOptions) (*rollCheck, error) {
	heads, err := labelstore.LedgerHeads(tx)
	if err != nil {
		return nil, err
	}
	rc := &rollCheck{tx: tx, firstBad: -1, heads: heads, chainAt: map[int64]string{}, roots: map[int64]roll.Hash{}}
	for _, h := range heads {
		rc.chainAt[h.Seq] = ""
	}
	var rows []checkpointRow
	if err := tx.Raw("SELECT size, root, note, created_at FROM equity_roll_checkpoints ORDER BY size").Scan(&rows).Error; err != nil {
		return nil, err
	}
	rc.stored = make([]StoredCheckpoint, len(rows))
	for i, r := range rows {
		rc.stored[i] = r.stored()
		rc.roots[r.Size] = roll.Hash{}
	}
	if opts.Checkpoint != nil {
		if opts.VerifierKey == "" {
			return nil, fmt.Errorf("checking a saved checkpoint needs the verifier key")
		}
		cp, err := roll.Open(opts.Checkpoint, opts.VerifierKey)
		if err != nil {
			return nil, fmt.Errorf("saved checkpoint: %w", err)
		}
		rc.saved = &cp
		rc.roots[cp.Size] = roll.Hash{}
	}
	return rc, nil
}

func (rc *rollCheck) add(l logEntry, canon []byte) error {
	if _, ok := rc.chainAt[l.Seq]; ok {
		rc.chainAt[l.Seq] = l.Hash
	}
	hs, err := rc.edge.append(roll.Leaf(l.Kind, l.RefID, canon))
	if err != nil {
		return err
	}
	rc.pending = append(rc.pending, hs...)
	if _, ok := rc.roots[rc.edge.n]; ok {
		if rc.roots[rc.edge.n], err = roll.TreeHash(rc.edge.n, &rc.edge); err != nil {
			return err
		}
	}
	return nil
}

// chunkDone compares the hashes rebuilt since the last call with the stored
// ones of the same leaves (read with the chunk by stream).
func (rc *rollCheck) chunkDone(stored []storedHash) error {
	end := rc.base + int64(len(rc.pending))
	for _, h := range stored {
		rc.hashCount++
		if rc.firstBad < 0 && (h.Idx < rc.base || h.Idx >= end || string(rc.pending[h.Idx-rc.base][:]) != string(h.Hash)) {
			rc.firstBad = h.Idx
		}
	}
	rc.base, rc.pending = end, rc.pending[:0]
	return nil
}

func (rc *rollCheck) hashDiffers(idx int64) equity.Break {
	_, leaf := splitFirstLeaf(idx)
	return rc.entry(leaf, fmt.Sprintf("stored tree hash %d differs from the tree rebuilt from the entries", idx))
}

// entry names leaf i as a break.
func (rc *rollCheck) entry(i int64, reason string) equity.Break {
	b := equity.Break{Seq: i + 1, Reason: reason}
	if i >= 0 && i < rc.edge.n {
		var refs []struct {
			Kind  string
			RefID int64
		}
		if rc.tx.Raw("SELECT kind, ref_id FROM equity_log WHERE seq = ?", i+1).Scan(&refs).Error == nil && len(refs) == 1 {
			b.Kind, b.RefID = refs[0].Kind, refs[0].RefID
		}
	}
	return b
}

// root is the rebuilt tree's root at size n: the final size or one that
// newRollCheck asked for.
func (rc *rollCheck) root(n int64) roll.Hash {
	if n == 0 || n == rc.edge.n {
		h, _ := roll.TreeHash(n, &rc.edge)
		return h
	}
	return rc.roots[n]
}

// treeEdge is the right edge of a tree: the last stored hash of each level,
// which is every hash that tlog.StoredHashes needs to append the next leaf
// (the left siblings of the subtrees it completes) and that tlog.TreeHash
// needs for the root (the maximal complete subtrees).
type treeEdge struct {
	n    int64 // leaves
	last [64]roll.Hash
}

// ReadHashes implements roll.HashReader for the hashes on the edge.
func (e *treeEdge) ReadHashes(idx []int64) ([]roll.Hash, error) {
	out := make([]roll.Hash, len(idx))
	for i, x := range idx {
		level, k := roll.SplitStoredHashIndex(x)
		if level >= len(e.last) || k != e.n>>level-1 {
			return nil, fmt.Errorf("roll: hash %d is not on the tree's edge", x)
		}
		out[i] = e.last[level]
	}
	return out, nil
}

// append adds a leaf and returns the hashes to store for it (level i of the
// result is the hash at level i, index (n+1)>>i - 1).
func (e *treeEdge) append(leaf []byte) ([]roll.Hash, error) {
	hs, err := roll.StoredHashes(e.n, leaf, e)
	if err != nil {
		return nil, err
	}
	copy(e.last[:], hs)
	e.n++
	return hs, nil
}

// firstDiffering narrows where the tree stops matching a checkpoint of size
// n: after the largest stored checkpoint (signed, so the operator made it
// then) below n whose root still matches the rebuilt tree.
func (rc *rollCheck) firstDiffering(stored []StoredCheckpoint, n int64, what string) equity.Break {
	lo := int64(0)
	for _, c := range stored {
		if c.Size < n && c.Size <= rc.edge.n && c.Size > lo && rc.root(c.Size) == c.Root {
			lo = c.Size
		}
	}
	hi := n
	for _, c := range stored {
		if c.Size > lo && c.Size < hi && c.Size <= rc.edge.n && rc.root(c.Size) != c.Root {
			hi = c.Size
		}
	}
	if hi == lo+1 {
		return rc.entry(lo, fmt.Sprintf("%s: the entry differs from the one the checkpoint of size %d signed (rewritten history)", what, n))
	}
	return rc.entry(lo, fmt.Sprintf("%s: the first entry that differs is among seq %d..%d (rewritten history)", what, lo+1, hi))
}

// finish checks the stored hashes, the stored checkpoints, the recorded
// heads and the saved checkpoint; it returns the first problem.
func (rc *rollCheck) finish(opts VerifyOptions) (TreeReport, *equity.Break, error) {
	n := rc.edge.n
	rep := TreeReport{Leaves: n, Root: rc.root(n).String(), RecordedHeads: len(rc.heads), SignaturesChecked: opts.VerifierKey != ""}
	var first *equity.Break
	fail := func(b equity.Break) {
		if first == nil {
			first = &b
		}
	}
	stored := rc.stored
	rep.Checkpoints = len(stored)
	// 1. Every stored checkpoint: signed by the key, its body its row, its
	// root the rebuilt tree's at its size.
	for _, c := range stored {
		rep.Integrated = max(rep.Integrated, c.Size)
		what := fmt.Sprintf("stored checkpoint of size %d", c.Size)
		if opts.VerifierKey != "" {
			body, err := roll.Open([]byte(c.Note), opts.VerifierKey)
			if err != nil {
				fail(equity.Break{Reason: fmt.Sprintf("%s: %v", what, err)})
				continue
			}
			if body.Size != c.Size || body.Root != c.Root {
				fail(equity.Break{Reason: what + ": the signed note does not match its row"})
				continue
			}
		}
		if c.Size > n {
			fail(rc.entry(n, fmt.Sprintf("%s: the log has only %d entries (entries were dropped)", what, n)))
			continue
		}
		if rc.root(c.Size) != c.Root {
			fail(rc.firstDiffering(stored, c.Size, what))
		}
	}
	// 2. The stored hashes equal the rebuilt ones (chunkDone compared those
	// up to the rebuilt tree's end; any beyond it differ), exactly as many
	// as the integrated tree needs.
	if rc.firstBad >= 0 {
		fail(rc.hashDiffers(rc.firstBad))
	}
	var extra struct {
		First sql.NullInt64
		Count int64
	}
	if err := rc.tx.Raw("SELECT MIN(idx) AS first, COUNT(*) AS count FROM equity_roll_hashes WHERE idx >= ?", rc.base).Scan(&extra).Error; err != nil {
		return rep, nil, err
	}
	if extra.First.Valid {
		fail(rc.hashDiffers(extra.First.Int64))
	}
	want := roll.StoredHashCount(min(rep.Integrated, n))
	if count := rc.hashCount + extra.Count; count != want && rep.Integrated <= n {
		fail(equity.Break{Reason: fmt.Sprintf("%d stored tree hashes, the tree of %d entries has %d", count, rep.Integrated, want)})
	}
	// 3. Every head a snapshot or release recorded is the chain at its seq.
	for _, h := range rc.heads {
		got := rc.chainAt[h.Seq]
		switch {
		case h.Seq == 0 && h.Head == equity.GenesisHash:
		case h.Seq > n:
			fail(rc.entry(n, fmt.Sprintf("%s recorded the register at entry %d, but the log ends at %d (entries were dropped)", h.What, h.Seq, n)))
		case got != h.Head:
			fail(rc.entry(h.Seq-1, fmt.Sprintf("%s recorded head %s at entry %d; the chain there is %s (rewritten history)", h.What, short12(h.Head), h.Seq, short12(got))))
		}
	}
	// 4. The saved checkpoint: the current tree extends it. The tree is
	// rebuilt here, so its root at the saved size is what a consistency
	// proof would check against.
	if cp := rc.saved; cp != nil {
		what := fmt.Sprintf("saved checkpoint of size %d", cp.Size)
		switch {
		case cp.Size > n:
			fail(rc.entry(n, fmt.Sprintf("%s: the log has only %d entries (entries were dropped or the head rolled back)", what, n)))
		case cp.Size > 0 && rc.root(cp.Size) != cp.Root:
			fail(rc.firstDiffering(stored, cp.Size, what))
		default:
			size := cp.Size
			rep.Extends = &size
		}
	}
	return rep, first, nil
}

// splitFirstLeaf is the first leaf a stored hash covers.
func splitFirstLeaf(idx int64) (level int, leaf int64) {
	level, n := roll.SplitStoredHashIndex(idx)
	return level, n << level
}

func short12(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
