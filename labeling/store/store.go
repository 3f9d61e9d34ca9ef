package store

import (
	"context"
	"copyhold/labeling/sqldb"
	"time"

	"gorm.io/gorm"
)

// Store is the SQL side of the labelling domain.
type Store struct {
	db       *gorm.DB
	now      sqldb.Clock
	ledger   Ledger
	register Register
}

// New returns a Store on db.
func New(db *gorm.DB) *Store {
	return &Store{db: db, now: sqldb.SystemClock, ledger: noLedger{}, register: noRegister{}}
}

// WithClock returns a copy of s that reads time from now (tests use it to expire leases).
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = sqldb.Clock(now)
	return &c
}

// clock is the store's time, in the microseconds both databases keep.
func (s *Store) clock() time.Time { return s.now.Now() }

// inTx runs fn in a transaction (retried by sqldb.InTx) that carries the
// store's clock, so the ledger's postings inside it read the same time.
func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return sqldb.InTx(sqldb.WithClock(ctx, s.now), s.db, fn)
}

// DB exposes the handle for wiring and health checks.
func (s *Store) DB() *gorm.DB { return s.db }
