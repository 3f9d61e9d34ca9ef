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
	Txs      int64         `json:"transactions"`
	HeadSeq  int64         `json:"head_seq"`
	HeadHash string        `json:"head_hash"`
	OK       bool          `json:"ok"`
	First    *equity.Break `json:"first_broken,omitempty"`
}

// verifyChunk is how many log entries are read per round trip.
const verifyChunk = 5000

// Verify recomputes the hash chain from the stored rows (not from stored
// bytes: a changed amount changes the hash) and every invariant: each
// transaction balanced per unit, no negative balance except the sources and
// receivables, no units on a non-member account or a former member's vested
// account, stored balances equal to the sum of postings, and issued = held +
// pending + reserve (+ distribution + receivables) per unit. It reads in
// chunks of log sequence numbers inside one snapshot.
func (s *Store) Verify(ctx context.Context) (Report, error) {
	var rep Report
	err := s.readTx(ctx, func(tx *gorm.DB) error {
		mm, err := labelstore.MembersActive(tx)
		if err != nil {
			return err
		}
		cards, err := rateCards(tx, "1 = 1")
		if err != nil {
			return err
		}
		cardByID := map[int64]equity.RateCard{}
		for _, c := range cards {
			cardByID[c.ID] = c
		}
		govs, err := governanceHistory(tx)
		if err != nil {
			return err
		}
		govByID := map[int64]equity.Governance{}
		for _, g := range govs {
			govByID[g.ID] = g
		}
		votes, err := loadVoteEntries(tx)
		if err != nil {
			return err
		}
		v := equity.NewVerifier(mm)
		var from int64
		for {
			var logs []struct {
				Seq      int64
				Kind     string
				RefID    int64
				PrevHash string
				Hash     string
			}
			if err := tx.Raw("SELECT seq, kind, ref_id, prev_hash, hash FROM equity_log WHERE seq > ? ORDER BY seq LIMIT ?", from, verifyChunk).Scan(&logs).Error; err != nil {
				return err
			}
			if len(logs) == 0 {
				break
			}
			var txIDs []int64
			for _, l := range logs {
				if l.Kind == equity.LogTx {
					txIDs = append(txIDs, l.RefID)
				}
			}
			txs := map[int64]*equity.Transaction{}
			if len(txIDs) > 0 {
				in := idList(txIDs)
				trows, err := tx.Raw("SELECT " + txColumns + " FROM equity_transactions t WHERE t.id IN (" + in + ")").Rows()
				if err != nil {
					return err
				}
				if err := scanTxRows(trows, func(r txRow) {
					t := r.tx()
					txs[r.ID] = &t
				}); err != nil {
					return err
				}
				prow, err := tx.Raw("SELECT tx_id, seq, unit, account, amount, category FROM equity_postings WHERE tx_id IN (" + in + ") ORDER BY tx_id, seq").Rows()
				if err != nil {
					return err
				}
				for prow.Next() {
					var id int64
					var p equity.Posting
					var cat string
					if err := prow.Scan(&id, &p.Seq, &p.Unit, &p.Account, &p.Amount, &cat); err != nil {
						prow.Close()
						return err
					}
					p.Category = equity.Category(cat)
					if t := txs[id]; t != nil {
						t.Postings = append(t.Postings, p)
					}
				}
				prow.Close()
				if err := prow.Err(); err != nil {
					return err
				}
			}
			for _, l := range logs {
				var canon []byte
				var t *equity.Transaction
				switch l.Kind {
				case equity.LogTx:
					t = txs[l.RefID]
					if t == nil {
						v.Entry(l.Seq, l.Kind, l.RefID, l.PrevHash, l.Hash, []byte("missing"), nil)
						continue
					}
					canon = equity.CanonicalTx(*t)
				case equity.LogRateCard:
					c, ok := cardByID[l.RefID]
					if !ok {
						canon = []byte("missing")
					} else {
						canon = equity.CanonicalRateCard(c)
					}
				case equity.LogGovernance:
					g, ok := govByID[l.RefID]
					if !ok {
						canon = []byte("missing")
					} else {
						canon = equity.CanonicalGovernance(g)
					}
				default: // collective rule's entries (verify_votes.go)
					canon = votes.canonical(l.Seq, l.Kind, l.RefID)
				}
				v.Entry(l.Seq, l.Kind, l.RefID, l.PrevHash, l.Hash, canon, t)
			}
			from = logs[len(logs)-1].Seq
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var stored []equity.StoredBalance
		if err := tx.Raw("SELECT unit, account, balance FROM equity_balances").Scan(&stored).Error; err != nil {
			return err
		}
		// Every transaction must be on the chain.
		var unchained int64
		if err := tx.Raw("SELECT COUNT(*) FROM equity_transactions t WHERE NOT EXISTS (SELECT 1 FROM equity_log l WHERE l.kind = 'tx' AND l.ref_id = t.id)").Scan(&unchained).Error; err != nil {
			return err
		}
		if unchained > 0 {
			v.First = firstOf(v.First, equity.Break{Reason: fmt.Sprintf("%d transactions are not on the hash chain", unchained)})
		}
		// Every rule version made by a vote against its passing proposal.
		if b, err := votes.check(tx, govs, cards); err != nil {
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
		rep = Report{Entries: v.Entries, Txs: v.Txs, HeadSeq: h.Seq, HeadHash: h.Hash, OK: v.OK(), First: v.First}
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
