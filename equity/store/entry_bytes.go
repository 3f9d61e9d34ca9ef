package store

import (
	"context"
	"database/sql"
	"fmt"

	"copyhold/equity"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// queued is one row of equity_log_queue: an entry committed with its work,
// waiting for the integrator to give it its place.
type queued struct {
	Entry int64
	Kind  string
	RefID int64
}

// queuedBytes rebuilds the canonical bytes of each queued entry from the
// rows it names, loading only those rows. A missing row is an error: the
// integrator stops rather than put anything but the tables' bytes on the roll.
func queuedBytes(tx *gorm.DB, qs []queued) ([][]byte, error) {
	ids := map[string][]int64{}
	for _, q := range qs {
		ids[q.Kind] = append(ids[q.Kind], q.RefID)
	}
	txs, err := loadTxs(tx, ids[equity.LogTx])
	if err != nil {
		return nil, err
	}
	cards := map[int64]equity.RateCard{}
	if len(ids[equity.LogRateCard]) > 0 {
		cs, err := rateCards(tx, "id IN ?", ids[equity.LogRateCard])
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			cards[c.ID] = c
		}
	}
	govs := map[int64]equity.Governance{}
	if len(ids[equity.LogGovernance]) > 0 {
		gs, err := governanceHistory(tx)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			govs[g.ID] = g
		}
	}
	var votes *voteEntries
	anchors := map[string]map[int64][]byte{}
	out := make([][]byte, len(qs))
	for i, q := range qs {
		var b []byte
		switch q.Kind {
		case equity.LogTx:
			if t, ok := txs[q.RefID]; ok {
				b = equity.CanonicalTx(*t)
			}
		case equity.LogRateCard:
			if c, ok := cards[q.RefID]; ok {
				b = equity.CanonicalRateCard(c)
			}
		case equity.LogGovernance:
			if g, ok := govs[q.RefID]; ok {
				b = equity.CanonicalGovernance(g)
			}
		case equity.LogSnapshot, equity.LogRelease:
			if anchors[q.Kind] == nil {
				if anchors[q.Kind], err = anchorBytes(tx, q.Kind, ids[q.Kind]); err != nil {
					return nil, err
				}
			}
			b = anchors[q.Kind][q.RefID]
		default: // collective rule's entries: few, so loaded whole when present
			if votes == nil {
				if votes, err = loadVoteEntries(tx); err != nil {
					return nil, err
				}
			}
			if c := votes.canonical(0, q.Kind, q.RefID); string(c) != "missing" && !isUnknownKind(c) {
				b = c
			}
		}
		if b == nil {
			return nil, fmt.Errorf("register entry %d (%s %d): the row it names is missing", q.Entry, q.Kind, q.RefID)
		}
		out[i] = b
	}
	return out, nil
}

func isUnknownKind(b []byte) bool {
	const p = "unknown entry kind "
	return len(b) >= len(p) && string(b[:len(p)]) == p
}

// loadTxs loads ledger transactions with their postings by id.
func loadTxs(tx *gorm.DB, ids []int64) (map[int64]*equity.Transaction, error) {
	txs := make(map[int64]*equity.Transaction, len(ids))
	if len(ids) == 0 {
		return txs, nil
	}
	in := idList(ids)
	rows, err := tx.Raw("SELECT " + txColumns + " FROM equity_transactions t WHERE t.id IN (" + in + ")").Rows()
	if err != nil {
		return nil, err
	}
	if err := scanTxRows(rows, func(r txRow) {
		t := r.tx()
		txs[r.ID] = &t
	}); err != nil {
		return nil, err
	}
	prows, err := tx.Raw("SELECT tx_id, seq, unit, account, amount, category FROM equity_postings WHERE tx_id IN (" + in + ") ORDER BY tx_id, seq").Rows()
	if err != nil {
		return nil, err
	}
	return txs, scanPostings(prows, txs)
}

// anchorBytes are the canonical bytes of snapshots or releases by id.
func anchorBytes(tx *gorm.DB, kind string, ids []int64) (map[int64][]byte, error) {
	rows, err := labelstore.Anchors(tx, kind, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		out[r.ID] = equity.CanonicalAnchor(equity.Anchor{Kind: kind, ID: r.ID, ModelID: r.ModelID, Version: r.Version,
			Hash: r.Hash, LedgerSeq: r.LedgerSeq, LedgerHead: r.LedgerHead, CreatedAt: r.CreatedAt})
	}
	return out, nil
}

// walkQueue feeds v the queued entries in queue order, after the log: an
// entry in the queue and on the log at once, or a queued transaction whose
// row is gone, is a break.
func walkQueue(ctx context.Context, tx *gorm.DB, v *equity.Verifier, queuedTx func(id int64)) error {
	var twice int64
	if err := tx.Raw(`SELECT COUNT(*) FROM equity_log_queue q JOIN equity_log l ON l.kind = q.kind AND l.ref_id = q.ref_id`).Scan(&twice).Error; err != nil {
		return err
	}
	if twice > 0 {
		v.First = firstOf(v.First, equity.Break{Reason: fmt.Sprintf("%d queued entries are already on the log", twice)})
	}
	after := int64(0)
	for {
		var qs []queued
		if err := tx.Raw("SELECT entry, kind, ref_id FROM equity_log_queue WHERE entry > ? ORDER BY entry LIMIT ?", after, verifyChunk).Scan(&qs).Error; err != nil {
			return err
		}
		if len(qs) == 0 {
			return nil
		}
		var ids []int64
		for _, q := range qs {
			if q.Kind == equity.LogTx {
				ids = append(ids, q.RefID)
			}
		}
		txs, err := loadTxs(tx, ids)
		if err != nil {
			return err
		}
		for _, q := range qs {
			var t *equity.Transaction
			if q.Kind == equity.LogTx {
				if t = txs[q.RefID]; t == nil {
					v.First = firstOf(v.First, equity.Break{Kind: q.Kind, RefID: q.RefID, Reason: fmt.Sprintf("queued entry %d names transaction %d, which is missing", q.Entry, q.RefID)})
					continue
				}
			}
			if t != nil {
				queuedTx(t.ID)
			}
			v.Queued(q.Kind, q.RefID, t)
		}
		after = qs[len(qs)-1].Entry
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// scanPostings reads (tx_id, seq, unit, account, amount, category) rows in
// order and appends each posting to its transaction in txs (others are
// skipped); it closes rows.
func scanPostings(rows *sql.Rows, txs map[int64]*equity.Transaction) error {
	defer rows.Close()
	return scanPostingRows(rows, txs)
}

// scanPostingRows is scanPostings over either kind of rows; the caller
// closes them.
func scanPostingRows(rows rowScanner, txs map[int64]*equity.Transaction) error {
	var last int64
	var t *equity.Transaction
	for rows.Next() {
		var id int64
		var p equity.Posting
		var cat string
		if err := rows.Scan(&id, &p.Seq, &p.Unit, &p.Account, &p.Amount, &cat); err != nil {
			return err
		}
		if id != last || t == nil { // rows of one transaction come together
			t, last = txs[id], id
		}
		if t != nil {
			p.Category = equity.Category(cat)
			t.Postings = append(t.Postings, p)
		}
	}
	return rows.Err()
}
