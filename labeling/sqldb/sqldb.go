// Package sqldb is the database plumbing every store shares: the one
// transaction-with-retry helper, the one clock, and the dialect test.
package sqldb

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// MaxAttempts bounds whole-transaction retries.
const MaxAttempts = 10

// ErrRace marks a transaction that lost a race it can only detect by a
// changed row count; InTx runs it again.
var ErrRace = errors.New("concurrent change; retry")

// InTx runs fn in a transaction on db, again from the start (after a short,
// growing pause) when it fails with a retryable error: a lost race, a unique
// violation from a concurrent insert (the retry sees the winner's row), a
// deadlock or a serialization failure. fn must have no effects outside the
// transaction.
func InTx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	var err error
	for attempt := 0; attempt < MaxAttempts; attempt++ {
		err = db.WithContext(ctx).Transaction(fn)
		if err == nil || !IsRetryable(err) || ctx.Err() != nil {
			return err
		}
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * time.Millisecond)
		}
	}
	return err
}

// IsRetryable reports errors after which re-running the whole transaction is
// the right answer (see InTx).
func IsRetryable(err error) bool {
	if errors.Is(err, ErrRace) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505", "40P01", "40001":
			return true
		}
		return false
	}
	return IsUniqueViolation(err)
}

// IsUniqueViolation recognises a unique-constraint error on either database.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	// The pure-Go SQLite driver reports SQLITE_CONSTRAINT_UNIQUE in the text.
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// IsPostgres tells the two dialects apart; only each store's dialect file
// should need it.
func IsPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// Clock is the program's one source of time. Times are UTC and truncated to
// the microseconds that both databases keep, so a value read back equals the
// value written (the register's hashes cover them).
type Clock func() time.Time

// SystemClock reads the wall clock.
func SystemClock() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Now reads c, or the wall clock when c is nil.
func (c Clock) Now() time.Time {
	if c == nil {
		return SystemClock()
	}
	return c().UTC().Truncate(time.Microsecond)
}

type clockKey struct{}

// WithClock returns ctx carrying c, so that every store working inside a
// transaction begun with ctx reads the same clock (see Now).
func WithClock(ctx context.Context, c Clock) context.Context {
	if c == nil {
		return ctx
	}
	return context.WithValue(ctx, clockKey{}, c)
}

// Now is the time for a write in tx: the clock its transaction was begun
// with (WithClock), else the wall clock. One transaction, one clock.
func Now(tx *gorm.DB) time.Time {
	if tx != nil && tx.Statement != nil && tx.Statement.Context != nil {
		if c, ok := tx.Statement.Context.Value(clockKey{}).(Clock); ok {
			return c.Now()
		}
	}
	return SystemClock()
}
