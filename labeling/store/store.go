package store

import (
	"time"

	"gorm.io/gorm"
)

// Store is the SQL side of the labelling domain.
type Store struct {
	db     *gorm.DB
	now    func() time.Time
	ledger Ledger
}

// New returns a Store on db.
func New(db *gorm.DB) *Store {
	return &Store{db: db, now: func() time.Time { return time.Now().UTC() }, ledger: noLedger{}}
}

// WithClock returns a copy of s that reads time from now (tests use it to expire leases).
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	return &c
}

// DB exposes the handle for wiring and health checks.
func (s *Store) DB() *gorm.DB { return s.db }
