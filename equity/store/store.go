// Package store keeps the equity ledger in SQL through GORM, on PostgreSQL
// or SQLite (docs/LEDGER.md).
//
// The write path, for every ledger transaction (post below):
//
//  1. the idempotency key is looked up first: the same key with the same
//     body returns the stored transaction, with another body it is a conflict;
//  2. the postings are built from the current state (rate card, governance);
//  3. the balance rows they touch are locked FOR UPDATE in sorted
//     (unit, account) order, so two writers never wait on each other in a
//     cycle; the issuance and revenue accounts have no row at all (their
//     balance is derived), so the busiest account is never a lock;
//  4. every limit is checked against the locked balances (no negative
//     balance, holding cap) before anything is written, so a refusal leaves
//     the caller's transaction untouched;
//  5. the transaction row is inserted with ON CONFLICT DO NOTHING: unique
//     idempotency key, reverses_id and resolves_id settle races between
//     concurrent writers without aborting the surrounding transaction;
//  6. balances, postings and the event row are written;
//  7. last, the entry is appended to the hash chain under the single head row.
//
// PostgreSQL runs at READ COMMITTED; whole-transaction retries on 40001 and
// 40P01 happen in the Store methods that own their transaction. The tx-level
// functions (CreditPending, Vest, …) run inside the caller's transaction and
// leave retrying to the caller (IsRetryable).
package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// Store is the equity ledger on one database.
type Store struct {
	db *gorm.DB
}

// New returns a ledger store on db (already migrated).
func New(db *gorm.DB) *Store { return &Store{db: db} }

// DB is the underlying database.
func (s *Store) DB() *gorm.DB { return s.db }

const maxAttempts = 10

// inTx runs fn in its own transaction, again from the start after a
// serialization failure or deadlock.
func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		err = s.db.WithContext(ctx).Transaction(fn)
		if err == nil || !IsRetryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * time.Millisecond)
	}
	return err
}

// IsRetryable reports errors after which the whole transaction should be
// run again: a serialization failure or a deadlock on PostgreSQL.
func IsRetryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	return false
}

func isPostgres(tx *gorm.DB) bool { return tx.Dialector.Name() == "postgres" }

// forUpdate locks selected rows on PostgreSQL; SQLite's single writer
// (BEGIN IMMEDIATE) already excludes everyone else.
func forUpdate(tx *gorm.DB) string {
	if isPostgres(tx) {
		return " FOR UPDATE"
	}
	return ""
}

// now is the ledger clock, truncated to the microseconds both databases keep
// (the hash chain covers created_at).
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// nz maps 0 to NULL for optional references.
func nz(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
