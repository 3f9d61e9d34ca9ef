package store

import (
	"database/sql"
	"fmt"
	"strings"

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
	// Witnesses are the trusted witnesses' verifier keys: every stored
	// cosignature by one of them must verify for its stored checkpoint.
	// Cosignatures by other keys are counted as unchecked.
	Witnesses []string
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
	// Cosignatures is how many stored witness cosignatures were checked;
	// CosignaturesUnchecked is how many are by keys not in Witnesses.
	Cosignatures          int `json:"cosignatures_checked"`
	CosignaturesUnchecked int `json:"cosignatures_unchecked"`
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

// bounds is what narrows the first entry that differs from a checkpoint:
// stored checkpoints whose root matches the rebuilt tree (lower bounds) or
// does not (upper bounds). When the register's key may have signed a fork,
// a matching stored checkpoint proves nothing unless a trusted witness
// cosigned it; a witness's cosignature that no longer verifies for the
// stored checkpoint of its size is an upper bound (that tree changed).
type bounds struct {
	stored    []StoredCheckpoint
	witnessed map[int64]bool // a trusted cosignature verifies
	broken    map[int64]bool // a trusted cosignature does not verify
}

// firstDiffering narrows where the tree stops matching a checkpoint of size
// n: after the largest trusted checkpoint below n whose root still matches
// the rebuilt tree, up to the smallest one that does not. trustStored says
// whether a stored checkpoint alone is trusted (the key signed nothing
// else); otherwise only witnessed ones count as lower bounds.
func (rc *rollCheck) firstDiffering(b bounds, n int64, what string, trustStored bool) equity.Break {
	lo, hi := int64(0), n
	for _, c := range b.stored {
		if c.Size >= n || c.Size > rc.edge.n {
			continue
		}
		match := rc.root(c.Size) == c.Root
		switch {
		case match && !b.broken[c.Size] && (trustStored || b.witnessed[c.Size]) && c.Size > lo:
			lo = c.Size
		case (!match || b.broken[c.Size]) && c.Size < hi:
			hi = c.Size
		}
	}
	if lo >= hi { // contradictory evidence: fall back to the whole range
		lo, hi = 0, n
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
	bd, cosigBreaks, err := rc.cosignatures(rc.tx, stored, opts, &rep)
	if err != nil {
		return rep, nil, err
	}
	// The saved checkpoint first: its break names the entry that differs.
	rc.checkSaved(bd, &rep, fail)
	for _, br := range cosigBreaks {
		fail(br)
	}
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
			fail(rc.firstDiffering(bd, c.Size, what, true))
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
	return rep, first, nil
}

// checkSaved checks that the current tree extends the saved checkpoint. The
// tree is rebuilt here, so its root at the saved size is what a consistency
// proof would check against.
func (rc *rollCheck) checkSaved(b bounds, rep *TreeReport, fail func(equity.Break)) {
	cp := rc.saved
	if cp == nil {
		return
	}
	n := rc.edge.n
	what := fmt.Sprintf("saved checkpoint of size %d", cp.Size)
	switch {
	case cp.Size > n:
		fail(rc.entry(n, fmt.Sprintf("%s: the log has only %d entries (entries were dropped or the head rolled back)", what, n)))
	case cp.Size > 0 && rc.root(cp.Size) != cp.Root:
		fail(rc.savedDiffers(b, *cp, what))
	default:
		size := cp.Size
		rep.Extends = &size
	}
}

// savedDiffers explains a saved checkpoint that the tree does not extend.
// When every stored checkpoint matches the rebuilt tree, the register's key
// signed two trees that do not extend one another: a fork, made with the
// real key, so the stored checkpoints alone cannot narrow the entry.
func (rc *rollCheck) savedDiffers(b bounds, cp roll.Checkpoint, what string) equity.Break {
	var latest int64 = -1
	for _, c := range b.stored {
		if c.Size > rc.edge.n || rc.root(c.Size) != c.Root {
			return rc.firstDiffering(b, cp.Size, what, true)
		}
		latest = c.Size
	}
	br := rc.firstDiffering(b, cp.Size, what, false)
	if latest >= 0 {
		br.Reason = fmt.Sprintf("FORK: the register's key signed both the %s and the stored checkpoint of size %d, "+
			"which does not extend it (keep both: together they prove the fork); %s", what, latest, strings.TrimPrefix(br.Reason, what+": "))
	}
	return br
}

// cosignatures checks every stored witness cosignature by a trusted witness
// against the stored checkpoint of its size.
func (rc *rollCheck) cosignatures(tx *gorm.DB, stored []StoredCheckpoint, opts VerifyOptions, rep *TreeReport) (bounds, []equity.Break, error) {
	var breaks []equity.Break
	fail := func(br equity.Break) { breaks = append(breaks, br) }
	b := bounds{stored: stored, witnessed: map[int64]bool{}, broken: map[int64]bool{}}
	trusted := map[string]bool{}
	for _, w := range opts.Witnesses {
		trusted[strings.TrimSpace(w)] = true
	}
	bySize := make(map[int64]StoredCheckpoint, len(stored))
	for _, c := range stored {
		bySize[c.Size] = c
	}
	var rows []struct {
		Size    int64
		Witness string
		Line    string
	}
	if err := tx.Raw("SELECT size, witness, line FROM equity_roll_cosignatures ORDER BY size, witness").Scan(&rows).Error; err != nil {
		return b, nil, err
	}
	for _, r := range rows {
		if !trusted[r.Witness] {
			rep.CosignaturesUnchecked++
			continue
		}
		rep.Cosignatures++
		name, _, _ := strings.Cut(r.Witness, "+")
		c, ok := bySize[r.Size]
		if !ok {
			b.broken[r.Size] = true
			fail(equity.Break{Reason: fmt.Sprintf("witness %s cosigned a checkpoint of size %d, which is no longer stored (checkpoints were removed)", name, r.Size)})
			continue
		}
		cp, _, err := roll.OpenCosigned([]byte(c.Note+r.Line), "", []string{r.Witness})
		if err != nil || cp.Size != c.Size || cp.Root != c.Root {
			b.broken[r.Size] = true
			fail(equity.Break{Reason: fmt.Sprintf("witness %s's cosignature does not verify for the stored checkpoint of size %d: "+
				"the checkpoint was re-signed after the witness saw it (a fork), or the cosignature was altered", name, r.Size)})
			continue
		}
		b.witnessed[r.Size] = true
	}
	return b, breaks, nil
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
