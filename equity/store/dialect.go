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
