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
// leave retrying to the caller (sqldb.IsRetryable).
package store

import (
	"context"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// Store is the equity ledger on one database.
type Store struct {
	db    *gorm.DB
	clock sqldb.Clock
}

// New returns a ledger store on db (already migrated).
func New(db *gorm.DB) *Store { return &Store{db: db} }

// WithClock returns a copy of s whose transactions read time from c.
func (s *Store) WithClock(c sqldb.Clock) *Store {
	cp := *s
	cp.clock = c
	return &cp
}

// DB is the underlying database.
func (s *Store) DB() *gorm.DB { return s.db }

// inTx runs fn in its own transaction, retried by sqldb.InTx.
func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return sqldb.InTx(sqldb.WithClock(ctx, s.clock), s.db, fn)
}

// nz maps 0 to NULL for optional references.
func nz(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
