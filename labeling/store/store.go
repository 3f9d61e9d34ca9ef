// Package store is the labelling domain's SQL: one store per subdomain, sharing one handle, clock and ledger.
package store

import (
	"context"
	"copyhold/labeling/sqldb"
	"time"

	"gorm.io/gorm"
)

// base is what every store shares: the handle, the clock and the ledger.
type base struct {
	db       *gorm.DB
	now      sqldb.Clock
	ledger   Ledger
	register Register
}

// Stores are the labelling stores on one database, built by New.
type Stores struct {
	Members  *Members  // members, roles, sessions, tokens, invites
	Projects *Projects // models, projects, project members, progress, items and imports
	Leases   *Leases   // claims, heartbeats, releases, skips, drafts, submissions, my work
	Reviews  *Reviews  // review settings, the reviewer queue, decisions, disputes
	Quality  *Quality  // consensus, labeller quality, agreement
	Datasets *Datasets // snapshots, releases, evaluations, personal data export
	// Wellbeing holds member preferences (keys, categories, budget), the
	// co-op's wellbeing settings, breaks, "this affected me" and its sums.
	Wellbeing *Wellbeing
	// Ledger passes outcomes to the Ledger (WithLedger) in a service's transaction.
	Ledger *LedgerHooks

	base base
}

// Members is the store of members, roles, sessions, API tokens and invites.
type Members struct{ base }

// Projects is the store of models, projects, project members, progress,
// items and imports.
type Projects struct{ base }

// Leases is the store of the labelling work itself: claims, leases
// (heartbeat, release, skip, draft), submissions, a member's own work and
// the sensitive-item cap.
type Leases struct{ base }

// Reviews is the store of review settings, the reviewer queue, decisions
// and disputes.
type Reviews struct{ base }

// Quality is the store of consensus, labeller quality and agreement.
type Quality struct{ base }

// Datasets is the store of snapshots, exports, releases, evaluations and
// the personal data export.
type Datasets struct {
	base
	members  *Members
	projects *Projects
}

// New returns the stores on db, on the system clock, reporting to no ledger.
func New(db *gorm.DB) *Stores {
	return build(base{db: db, now: sqldb.SystemClock, ledger: noLedger{}, register: noRegister{}})
}

func build(b base) *Stores {
	s := &Stores{base: b, Members: &Members{b}, Projects: &Projects{b}, Leases: &Leases{b},
		Reviews: &Reviews{b}, Quality: &Quality{b}, Wellbeing: &Wellbeing{b}, Ledger: &LedgerHooks{b}}
	s.Datasets = &Datasets{base: b, members: s.Members, projects: s.Projects}
	return s
}

// WithClock returns a copy of s that reads time from now (tests use it to expire leases).
func (s *Stores) WithClock(now func() time.Time) *Stores {
	b := s.base
	b.now = sqldb.Clock(now)
	return build(b)
}

// WithLedger returns a copy of s that reports to l.
func (s *Stores) WithLedger(l Ledger) *Stores {
	b := s.base
	b.ledger = l
	return build(b)
}

// WithRegister returns a copy of s that reads the register through r.
func (s *Stores) WithRegister(r Register) *Stores {
	b := s.base
	b.register = r
	return build(b)
}

// DB exposes the handle for wiring and health checks.
func (s *Stores) DB() *gorm.DB { return s.base.db }

// Tx is a transaction begun by Stores.InTx. A service passes it to the store
// methods that take one, so that a workflow's statements, the events they
// write and the ledger's postings commit (or roll back) together. It hides
// the handle: only the stores run SQL.
type Tx struct{ db *gorm.DB }

// Now is the transaction's time: the clock of the stores that began it.
func (t Tx) Now() time.Time { return sqldb.Now(t.db) }

// InTx runs fn in one transaction on the stores' clock, retried as a whole
// after a deadlock, serialization failure or unique violation (sqldb.InTx),
// so fn must not keep state from an earlier attempt.
func (s *Stores) InTx(ctx context.Context, fn func(tx Tx) error) error {
	return s.base.inTx(ctx, func(db *gorm.DB) error { return fn(Tx{db: db}) })
}

// clock is the store's time, in the microseconds both databases keep.
func (s *base) clock() time.Time { return s.now.Now() }

// inTx runs fn in a transaction (retried by sqldb.InTx) that carries the
// store's clock, so the ledger's postings inside it read the same time.
func (s *base) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return sqldb.InTx(sqldb.WithClock(ctx, s.now), s.db, fn)
}
