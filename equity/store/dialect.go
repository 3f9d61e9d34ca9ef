package store

// The one place for SQL that differs between PostgreSQL and SQLite.
//
// PostgreSQL runs many writers at READ COMMITTED, so the register locks the
// rows it is about to change and reads whole statements in a REPEATABLE READ
// snapshot. SQLite has one connection and BEGIN IMMEDIATE, so every
// transaction is already the only writer and sees one moment: the same
// statements there need no locks and no isolation level.

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"copyhold/equity"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// forUpdate locks selected rows on PostgreSQL; SQLite's single writer
// (BEGIN IMMEDIATE) already excludes everyone else.
func forUpdate(tx *gorm.DB) string {
	if sqldb.IsPostgres(tx) {
		return " FOR UPDATE"
	}
	return ""
}

// readTx runs fn in a read-only snapshot (REPEATABLE READ on PostgreSQL), so
// opening, lines and closing of a statement agree with each other.
func (s *Store) readTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	db := s.db.WithContext(ctx)
	if sqldb.IsPostgres(db) {
		return db.Transaction(fn, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	return db.Transaction(fn)
}

// rollLockKey is the advisory lock that makes one integrator at a time.
const rollLockKey = 0x636f7079686f6c64 // "copyhold"

// integrateLock makes tx the only integrator until it ends: a transaction
// advisory lock on PostgreSQL; SQLite's single writer already is one.
func integrateLock(tx *gorm.DB) error {
	if sqldb.IsPostgres(tx) {
		return tx.Exec("SELECT pg_advisory_xact_lock(?)", int64(rollLockKey)).Error
	}
	return nil
}

// insertTx inserts a ledger transaction under key (ON CONFLICT DO NOTHING)
// and returns its id, 0 when a unique constraint was already taken. On
// PostgreSQL its postings and its register queue entry go in the same
// statement (inserted true), one round trip instead of three; the postings
// of a distribution name their own transaction, so they are left to the
// caller, as are all of them on SQLite (inserted false).
func insertTx(tx *gorm.DB, key, hash string, t *equity.Transaction) (id int64, inserted bool, err error) {
	cols := `INSERT INTO equity_transactions (idempotency_key, body_hash, kind, model_id, reverses_id, resolves_id,
        rate_card_id, governance_id, actor_id, member_id, project_id, item_id, submission_id, review_id, reason, meta, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING RETURNING id`
	args := []any{key, hash, string(t.Kind), nz(t.ModelID), nz(t.ReversesID), nz(t.ResolvesID), nz(t.RateCardID), nz(t.GovernanceID),
		nz(t.ActorID), nz(t.MemberID), nz(t.Cause.ProjectID), nz(t.Cause.ItemID), nz(t.Cause.SubmissionID), nz(t.Cause.ReviewID),
		t.Reason, t.Meta, t.CreatedAt}
	together := sqldb.IsPostgres(tx) && len(t.Postings) > 0
	for _, p := range t.Postings {
		together = together && p.Account != placeholderDistribution
	}
	q := cols
	if together {
		args = append(args, t.CreatedAt) // the postings' created_at, before their VALUES
		vals := make([]string, len(t.Postings))
		for i, p := range t.Postings {
			vals[i] = "(CAST(? AS INTEGER), ?, ?, CAST(? AS BIGINT), ?)"
			args = append(args, p.Seq, p.Unit, p.Account, p.Amount, string(p.Category))
		}
		q = `WITH t AS (` + cols + `),
            p AS (INSERT INTO equity_postings (tx_id, seq, unit, account, amount, category, created_at)
                SELECT t.id, v.seq, v.unit, v.account, v.amount, v.category, ? FROM t,
                (VALUES ` + strings.Join(vals, ", ") + `) AS v (seq, unit, account, amount, category)),
            q AS (INSERT INTO equity_log_queue (kind, ref_id, created_at) SELECT 'tx', t.id, ? FROM t)
            SELECT id FROM t`
		args = append(args, t.CreatedAt) // the queue entry's
	}
	var ids []int64
	if err := tx.Raw(q, args...).Scan(&ids).Error; err != nil {
		return 0, false, fmt.Errorf("insert ledger transaction: %w", err)
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], together, nil
}
