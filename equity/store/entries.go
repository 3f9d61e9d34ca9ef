package store

import (
	"context"

	"copyhold/equity"

	"gorm.io/gorm"
)

// logEntry is one row of equity_log.
type logEntry struct {
	Seq      int64
	Kind     string
	RefID    int64
	PrevHash string
	Hash     string
}

// entrySource rebuilds the canonical bytes of log entries from their rows
// (the bytes the chain hashes, and the tree's leaves).
type entrySource struct {
	cards    []equity.RateCard
	govs     []equity.Governance
	cardByID map[int64]equity.RateCard
	govByID  map[int64]equity.Governance
	votes    *voteEntries
	anchors  map[string]map[int64][]byte // snapshots and releases (few)
}

func newEntrySource(tx *gorm.DB) (*entrySource, error) {
	s := &entrySource{cardByID: map[int64]equity.RateCard{}, govByID: map[int64]equity.Governance{}}
	var err error
	if s.cards, err = rateCards(tx, "1 = 1"); err != nil {
		return nil, err
	}
	for _, c := range s.cards {
		s.cardByID[c.ID] = c
	}
	if s.govs, err = governanceHistory(tx); err != nil {
		return nil, err
	}
	for _, g := range s.govs {
		s.govByID[g.ID] = g
	}
	if s.votes, err = loadVoteEntries(tx); err != nil {
		return nil, err
	}
	s.anchors = map[string]map[int64][]byte{}
	for _, kind := range []string{equity.LogSnapshot, equity.LogRelease} {
		if s.anchors[kind], err = anchorBytes(tx, kind, nil); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// walk calls fn for the entries with seq > from in seq order, at most limit
// of them (0: all), reading in chunks. A missing referenced row gives the
// bytes "missing".
func (s *entrySource) walk(ctx context.Context, tx *gorm.DB, from, limit int64, fn func(l logEntry, canon []byte, t *equity.Transaction) error) error {
	done := int64(0)
	for {
		chunk := int64(verifyChunk)
		if limit > 0 && limit-done < chunk {
			chunk = limit - done
		}
		if chunk <= 0 {
			break
		}
		var logs []logEntry
		if err := tx.Raw("SELECT seq, kind, ref_id, prev_hash, hash FROM equity_log WHERE seq > ? ORDER BY seq LIMIT ?", from, chunk).Scan(&logs).Error; err != nil {
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
			if err := scanPostings(prow, txs); err != nil {
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
					if err := fn(l, []byte("missing"), nil); err != nil {
						return err
					}
					continue
				}
				canon = equity.CanonicalTx(*t)
			default:
				canon = s.canonical(l)
			}
			if err := fn(l, canon, t); err != nil {
				return err
			}
		}
		from = logs[len(logs)-1].Seq
		done += int64(len(logs))
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
