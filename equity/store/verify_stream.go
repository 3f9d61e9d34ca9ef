package store

import (
	"context"
	"database/sql"

	"copyhold/equity"

	"gorm.io/gorm"
)

// streamChunk is how many log seqs verify reads per query.
const streamChunk = 20000

// streamQuery is the log joined to its transactions and their postings, in
// seq and posting order: one row per posting (one for an entry without any).
const streamQuery = `SELECT l.seq, l.kind, l.ref_id, l.prev_hash, l.hash,
    COALESCE(t.id, 0), COALESCE(t.idempotency_key, ''), COALESCE(t.kind, ''), COALESCE(t.model_id, 0),
    COALESCE(t.reverses_id, 0), COALESCE(t.resolves_id, 0), COALESCE(t.rate_card_id, 0), COALESCE(t.governance_id, 0),
    COALESCE(t.actor_id, 0), COALESCE(t.member_id, 0), COALESCE(t.project_id, 0), COALESCE(t.item_id, 0),
    COALESCE(t.submission_id, 0), COALESCE(t.review_id, 0), COALESCE(t.reason, ''), COALESCE(t.meta, ''), t.created_at,
    COALESCE(p.seq, 0), COALESCE(p.unit, ''), COALESCE(p.account, ''), COALESCE(p.amount, 0), COALESCE(p.category, '')
  FROM equity_log l
  LEFT JOIN equity_transactions t ON l.kind = 'tx' AND t.id = l.ref_id
  LEFT JOIN equity_postings p ON p.tx_id = t.id
  WHERE l.seq > ? AND l.seq <= ?
  ORDER BY l.seq, p.seq`

// stream is walk for verify: every entry in seq order, read with one joined
// query per streamChunk seqs (not per-chunk IN lists), scanned without
// reflection, transactions encoded by appendCanonicalTx. canon and t are
// reused: they are valid only during fn. chunkDone runs after each chunk,
// when no query is open. Memory is one chunk's rows at most.
func (s *entrySource) stream(ctx context.Context, tx *gorm.DB, fn func(l logEntry, canon []byte, t *equity.Transaction) error, chunkDone func() error) error {
	var last int64
	if err := tx.Raw("SELECT COALESCE(MAX(seq), 0) FROM equity_log").Row().Scan(&last); err != nil {
		return err
	}
	var (
		buf     []byte
		cur     logEntry
		t       equity.Transaction
		have    bool // cur holds an entry not yet passed to fn
		missing = []byte("missing")
	)
	flush := func() error {
		if !have {
			return nil
		}
		have = false
		var canon []byte
		var tp *equity.Transaction
		switch cur.Kind {
		case equity.LogTx:
			if t.ID == 0 {
				canon = missing
			} else {
				buf = appendCanonicalTx(buf[:0], &t)
				canon, tp = buf, &t
			}
		default:
			canon = s.canonical(cur)
		}
		return fn(cur, canon, tp)
	}
	for from := int64(0); from < last; from += streamChunk {
		rows, err := tx.Raw(streamQuery, from, from+streamChunk).Rows()
		if err != nil {
			return err
		}
		for rows.Next() {
			var l logEntry
			var r txRow
			var created sql.NullTime
			var p equity.Posting
			var cat string
			if err := rows.Scan(&l.Seq, &l.Kind, &l.RefID, &l.PrevHash, &l.Hash,
				&r.ID, &r.IdempotencyKey, &r.Kind, &r.ModelID, &r.ReversesID, &r.ResolvesID, &r.RateCardID, &r.GovernanceID,
				&r.ActorID, &r.MemberID, &r.ProjectID, &r.ItemID, &r.SubmissionID, &r.ReviewID, &r.Reason, &r.Meta, &created,
				&p.Seq, &p.Unit, &p.Account, &p.Amount, &cat); err != nil {
				rows.Close()
				return err
			}
			if !have || l.Seq != cur.Seq {
				if err := flush(); err != nil {
					rows.Close()
					return err
				}
				cur, have = l, true
				r.CreatedAt = created.Time
				ps := t.Postings[:0]
				t = r.tx()
				t.Postings = ps
			}
			if p.Seq != 0 {
				p.Category = equity.Category(cat)
				t.Postings = append(t.Postings, p)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		if err := chunkDone(); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// canonical is the bytes of a log entry that is not a transaction ("missing"
// when its row is gone), as walk builds them.
func (s *entrySource) canonical(l logEntry) []byte {
	switch l.Kind {
	case equity.LogRateCard:
		if c, ok := s.cardByID[l.RefID]; ok {
			return equity.CanonicalRateCard(c)
		}
		return []byte("missing")
	case equity.LogGovernance:
		if g, ok := s.govByID[l.RefID]; ok {
			return equity.CanonicalGovernance(g)
		}
		return []byte("missing")
	default: // collective rule's entries (verify_votes.go)
		return s.votes.canonical(l.Seq, l.Kind, l.RefID)
	}
}
