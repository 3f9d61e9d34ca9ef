package server

import (
	"context"
	"copyhold/labeling/event"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// Fanout is the seam that tells a Hub "events may have committed; read the
// table". It carries no event data: the events table is the only source of
// truth and the hub its only reader, so a lost or duplicated wake-up costs at
// most one extra read or one fallback poll interval, never an event.
//
// Two implementations live here: LocalFanout for the single-process SQLite
// build, and PGFanout, a LISTEN on PostgreSQL that crosses instances. A NATS
// subject or a Redis pub/sub channel would fit behind the same interface if
// the co-op ever runs instances that do not share a database connection.
type Fanout interface {
	// Wake receives a (coalesced) signal after events committed.
	Wake() <-chan struct{}
	// Run delivers wake-ups until ctx ends. The hub runs it.
	Run(ctx context.Context)
}

// LocalFanout is an in-process wake-up: Poke is non-blocking and coalesces.
type LocalFanout struct{ ch chan struct{} }

// NewLocalFanout returns a LocalFanout.
func NewLocalFanout() *LocalFanout { return &LocalFanout{ch: make(chan struct{}, 1)} }

// Poke signals the hub. Safe from any goroutine, never blocks.
func (f *LocalFanout) Poke() {
	select {
	case f.ch <- struct{}{}:
	default:
	}
}

func (f *LocalFanout) Wake() <-chan struct{}   { return f.ch }
func (f *LocalFanout) Run(ctx context.Context) { <-ctx.Done() }

// PGFanout LISTENs on event.Channel over one dedicated connection
// (not from the pool: a pooled connection could be handed to someone else
// and lose the LISTEN). Writers NOTIFY inside their transaction, so the wake
// arrives only after commit, from any process on the database. When the
// connection drops, it reconnects with capped exponential backoff; delivery
// then rests on the hub's fallback poll, and a wake is sent right after every
// (re)connect because NOTIFYs sent while nobody listened are gone.
type PGFanout struct {
	url  string
	log  *slog.Logger
	wake *LocalFanout
	// MaxBackoff caps the reconnect delay (default 10 s).
	MaxBackoff time.Duration
}

// NewPGFanout listens on the PostgreSQL database at url.
func NewPGFanout(url string, log *slog.Logger) *PGFanout {
	return &PGFanout{url: url, log: log, wake: NewLocalFanout(), MaxBackoff: 10 * time.Second}
}

func (f *PGFanout) Wake() <-chan struct{} { return f.wake.Wake() }

func (f *PGFanout) Run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := f.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			backoff = 100 * time.Millisecond
		}
		f.log.Warn("event listener lost its database connection; live delivery falls back to polling", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, f.MaxBackoff)
	}
}

func (f *PGFanout) listen(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	cfg, err := pgx.ParseConfig(f.url)
	if err != nil {
		cancel()
		return err
	}
	cfg.RuntimeParams["application_name"] = "copyhold-listen"
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{event.Channel}.Sanitize()); err != nil {
		return err
	}
	f.wake.Poke() // catch up on whatever committed while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		f.wake.Poke()
	}
}

// FanoutFor picks the fanout for db: a LISTEN on url (default: db's own DSN)
// for PostgreSQL, or an in-process hook on every event insert for SQLite.
func FanoutFor(db *gorm.DB, url string, log *slog.Logger) (Fanout, error) {
	if db.Dialector.Name() == "postgres" {
		if url == "" {
			if d, ok := db.Dialector.(*postgres.Dialector); ok {
				url = d.Config.DSN
			}
		}
		return NewPGFanout(url, log), nil
	}
	f := NewLocalFanout()
	if err := event.OnAppended(db, f.Poke); err != nil {
		return nil, err
	}
	return f, nil
}
