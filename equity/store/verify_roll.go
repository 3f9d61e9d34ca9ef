package store

import (
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

type leafRef struct {
	kind  string
	refID int64
}

// rollCheck rebuilds the tree while verify walks the entries.
type rollCheck struct {
	mem     roll.MemoryHashes
	leaves  []leafRef
	heads   []labelstore.LedgerHead
	chainAt map[int64]string // chain hash at the seqs heads recorded
}

func newRollCheck(tx *gorm.DB) (*rollCheck, error) {
	heads, err := labelstore.LedgerHeads(tx)
	if err != nil {
		return nil, err
	}
	rc := &rollCheck{heads: heads, chainAt: map[int64]string{}}
	for _, h := range heads {
		rc.chainAt[h.Seq] = ""
	}
	return rc, nil
}

func (rc *rollCheck) add(l logEntry, canon []byte) error {
	if _, ok := rc.chainAt[l.Seq]; ok {
		rc.chainAt[l.Seq] = l.Hash
	}
	if err := rc.mem.Append(int64(len(rc.leaves)), roll.Leaf(l.Kind, l.RefID, canon)); err != nil {
		return err
	}
	rc.leaves = append(rc.leaves, leafRef{l.Kind, l.RefID})
	return nil
}

// entry names leaf i as a break.
func (rc *rollCheck) entry(i int64, reason string) equity.Break {
	b := equity.Break{Seq: i + 1, Reason: reason}
	if i >= 0 && i < int64(len(rc.leaves)) {
		b.Kind, b.RefID = rc.leaves[i].kind, rc.leaves[i].refID
	}
	return b
}

func (rc *rollCheck) root(n int64) roll.Hash {
	h, _ := roll.TreeHash(n, rc.mem)
	return h
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
		if c.Size >= n || c.Size > int64(len(rc.leaves)) {
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
func (rc *rollCheck) finish(tx *gorm.DB, opts VerifyOptions) (TreeReport, *equity.Break, error) {
	n := int64(len(rc.leaves))
	rep := TreeReport{Leaves: n, Root: rc.root(n).String(), RecordedHeads: len(rc.heads), SignaturesChecked: opts.VerifierKey != ""}
	var first *equity.Break
	fail := func(b equity.Break) {
		if first == nil {
			first = &b
		}
	}
	var rows []checkpointRow
	if err := tx.Raw("SELECT size, root, note, created_at FROM equity_roll_checkpoints ORDER BY size").Scan(&rows).Error; err != nil {
		return rep, nil, err
	}
	stored := make([]StoredCheckpoint, len(rows))
	for i, r := range rows {
		stored[i] = r.stored()
	}
	rep.Checkpoints = len(stored)
	b, cosigBreaks, err := rc.cosignatures(tx, stored, opts, &rep)
	if err != nil {
		return rep, nil, err
	}
	// The saved checkpoint first: its break names the entry that differs.
	if err := rc.checkSaved(b, opts, &rep, fail); err != nil {
		return rep, nil, err
	}
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
			fail(rc.firstDiffering(b, c.Size, what, true))
		}
	}
	// 2. The stored hashes equal the rebuilt ones, exactly as many as the
	// integrated tree needs.
	want := roll.StoredHashCount(min(rep.Integrated, n))
	var from int64 = -1
	var count int64
	for {
		var hs []struct {
			Idx  int64
			Hash []byte
		}
		if err := tx.Raw("SELECT idx, hash FROM equity_roll_hashes WHERE idx > ? ORDER BY idx LIMIT ?", from, verifyChunk).Scan(&hs).Error; err != nil {
			return rep, nil, err
		}
		if len(hs) == 0 {
			break
		}
		for _, h := range hs {
			count++
			if h.Idx >= int64(len(rc.mem)) || string(rc.mem[h.Idx][:]) != string(h.Hash) {
				_, leaf := splitFirstLeaf(h.Idx)
				fail(rc.entry(leaf, fmt.Sprintf("stored tree hash %d differs from the tree rebuilt from the entries", h.Idx)))
			}
		}
		from = hs[len(hs)-1].Idx
	}
	if count != want && rep.Integrated <= n {
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

// checkSaved checks that the current tree extends the saved checkpoint.
func (rc *rollCheck) checkSaved(b bounds, opts VerifyOptions, rep *TreeReport, fail func(equity.Break)) error {
	n := int64(len(rc.leaves))
	if opts.Checkpoint != nil {
		if opts.VerifierKey == "" {
			return fmt.Errorf("checking a saved checkpoint needs the verifier key")
		}
		cp, err := roll.Open(opts.Checkpoint, opts.VerifierKey)
		if err != nil {
			return fmt.Errorf("saved checkpoint: %w", err)
		}
		what := fmt.Sprintf("saved checkpoint of size %d", cp.Size)
		switch {
		case cp.Size > n:
			fail(rc.entry(n, fmt.Sprintf("%s: the log has only %d entries (entries were dropped or the head rolled back)", what, n)))
		default:
			proof, err := roll.ConsistencyProof(cp.Size, n, rc.mem)
			if err != nil {
				return err
			}
			if roll.CheckConsistency(proof, n, rc.root(n), cp.Size, cp.Root) != nil {
				fail(rc.savedDiffers(b, cp, what))
			} else {
				size := cp.Size
				rep.Extends = &size
			}
		}
	}
	return nil
}

// savedDiffers explains a saved checkpoint that the tree does not extend.
// When every stored checkpoint matches the rebuilt tree, the register's key
// signed two trees that do not extend one another: a fork, made with the
// real key, so the stored checkpoints alone cannot narrow the entry.
func (rc *rollCheck) savedDiffers(b bounds, cp roll.Checkpoint, what string) equity.Break {
	var latest int64 = -1
	for _, c := range b.stored {
		if c.Size > int64(len(rc.leaves)) || rc.root(c.Size) != c.Root {
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
