package store

import (
	"context"
	"fmt"
	"strings"

	"copyhold/equity"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// Report is the result of verifying the whole ledger.
type Report struct {
	Entries  int64         `json:"entries"`
	Pending  int64         `json:"pending"` // committed, not yet on the log (the integrator's queue)
	Txs      int64         `json:"transactions"`
	HeadSeq  int64         `json:"head_seq"`
	HeadHash string        `json:"head_hash"`
	OK       bool          `json:"ok"`
	First    *equity.Break `json:"first_broken,omitempty"`
	// Tree is the court roll's part of the check (verify_roll.go).
	Tree *TreeReport `json:"tree,omitempty"`
}

// verifyChunk is how many log entries are read per round trip.
const verifyChunk = 5000

// Verify recomputes the hash chain from the stored rows (not from stored
// bytes: a changed amount changes the hash) and every invariant: each
// transaction balanced per unit, no negative balance except the sources and
// receivables, no units on a non-member account or a former member's vested
// account, stored balances equal to the sum of postings, and issued = held +
// pending + reserve (+ distribution + receivables) per unit. It streams the
// entries in chunks of log sequence numbers inside one snapshot
// (verify_stream.go), in memory bounded by a chunk.
func (s *Store) Verify(ctx context.Context) (Report, error) {
	return s.VerifyWith(ctx, VerifyOptions{})
}

// VerifyWith is Verify that also checks the court roll (verify_roll.go):
// the tree rebuilt from the entries against the stored hashes and every
// stored checkpoint, the heads recorded by snapshots and releases against
// the chain, and, with opts.Checkpoint, that the tree extends that checkpoint.
func (s *Store) VerifyWith(ctx context.Context, opts VerifyOptions) (Report, error) {
	var rep Report
	err := s.verifyTx(ctx, func(tx *gorm.DB) error {
		mm, err := labelstore.MembersActive(tx)
		if err != nil {
			return err
		}
		src, err := newEntrySource(tx)
		if err != nil {
			return err
		}
		v := equity.NewVerifier(mm)
		rt, err := newRollCheck(tx, opts)
		if err != nil {
			return err
		}
		var chained idSet // the transactions the log names
		if err := src.stream(ctx, tx, func(l logEntry, canon []byte, t *equity.Transaction) error {
			v.Entry(l.Seq, l.Kind, l.RefID, l.PrevHash, l.Hash, canon, t)
			if t != nil {
				chained.add(t.ID)
			}
			return rt.add(l, canon)
		}, rt.chunkDone); err != nil {
			return err
		}
		if err := walkQueue(ctx, tx, v, chained.add); err != nil {
			return err
		}
		var stored []equity.StoredBalance
		if err := tx.Raw("SELECT unit, account, balance FROM equity_balances").Scan(&stored).Error; err != nil {
			return err
		}
		// Every transaction must be on the chain or queued for it: as many
		// as the distinct ones the log and the queue name.
		var all int64
		if err := tx.Raw("SELECT COUNT(*) FROM equity_transactions").Scan(&all).Error; err != nil {
			return err
		}
		if unchained := all - chained.n; unchained > 0 {
			v.First = firstOf(v.First, equity.Break{Reason: fmt.Sprintf("%d transactions are not on the hash chain", unchained)})
		}
		// Every rule version made by a vote against its passing proposal.
		if b, err := src.votes.check(tx, src.govs, src.cards); err != nil {
			return err
		} else if b != nil {
			v.First = firstOf(v.First, *b)
		}
		// No member settled more entry fee than they owed.
		if reason, err := verifyEntryFees(tx); err != nil {
			return err
		} else if reason != "" {
			v.First = firstOf(v.First, equity.Break{Reason: reason})
		}
		h, err := head(tx)
		if err != nil {
			return err
		}
		v.Finish(stored, h.Seq, h.Hash)
		tree, rb, err := rt.finish(opts)
		if err != nil {
			return err
		}
		if rb != nil {
			v.First = firstOf(v.First, *rb)
		}
		rep = Report{Entries: v.Entries, Pending: v.Pending, Txs: v.Txs, HeadSeq: h.Seq, HeadHash: h.Hash, OK: v.First == nil, First: v.First, Tree: &tree}
		return nil
	})
	return rep, err
}

func firstOf(cur *equity.Break, b equity.Break) *equity.Break {
	if cur != nil {
		return cur
	}
	return &b
}

func idList(ids []int64) string {
	var sb strings.Builder
	for i, id := range ids {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprint(&sb, id)
	}
	return sb.String()
}
