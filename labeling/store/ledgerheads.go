package store

import (
	"strconv"
	"time"

	"gorm.io/gorm"
)

// LedgerHead is a register head recorded by a snapshot or a release.
type LedgerHead struct {
	What string // "snapshot 3", "release 2"
	Seq  int64
	Head string
}

// LedgerHeads lists every register head that snapshots and releases
// recorded, in tx (the register's verify checks them against the chain).
func LedgerHeads(tx *gorm.DB) ([]LedgerHead, error) {
	var rows []struct {
		Kind       string
		ID         int64
		LedgerSeq  int64
		LedgerHead string
	}
	if err := tx.Raw(`SELECT 'snapshot' AS kind, id, ledger_seq, ledger_head FROM snapshots WHERE ledger_head <> ''
        UNION ALL SELECT 'release' AS kind, id, ledger_seq, ledger_head FROM releases WHERE ledger_head <> ''`).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]LedgerHead, len(rows))
	for i, r := range rows {
		out[i] = LedgerHead{What: r.Kind + " " + strconv.FormatInt(r.ID, 10), Seq: r.LedgerSeq, Head: r.LedgerHead}
	}
	return out, nil
}

// AnchorRow is a snapshot or release as the register's entry for it reads it.
type AnchorRow struct {
	ID         int64
	ModelID    int64
	Version    string
	Hash       string
	LedgerSeq  int64
	LedgerHead string
	CreatedAt  time.Time
}

// Anchors loads snapshots (kind "snapshot") or releases ("release") by id
// (nil: all of them), in tx, for the register's entries.
func Anchors(tx *gorm.DB, kind string, ids []int64) ([]AnchorRow, error) {
	var rows []AnchorRow
	q := "SELECT id, model_id, '' AS version, hash, ledger_seq, ledger_head, created_at FROM snapshots"
	if kind == "release" {
		q = "SELECT id, model_id, version, hash, ledger_seq, ledger_head, created_at FROM releases"
	}
	var args []any
	if ids != nil {
		if len(ids) == 0 {
			return rows, nil
		}
		q += " WHERE id IN ?"
		args = append(args, ids)
	}
	err := tx.Raw(q, args...).Scan(&rows).Error
	return rows, err
}
