package store

import (
	"strconv"

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
