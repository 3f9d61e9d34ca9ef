package event

// Wake-ups for the live layer: the PostgreSQL LISTEN that hears every
// process's commits, and the in-process hook that does the same on SQLite.

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Channel is the PostgreSQL LISTEN/NOTIFY channel for committed events.
//
// On PostgreSQL the writing process sends the NOTIFY once the transaction
// that appended events has committed (notify.go), so a listener never hears
// about an event it cannot read yet. The notification carries only the
// schema: listeners re-read the events table. SQLite has no NOTIFY: see
// OnAppended.
const Channel = "copyhold_events"

// maxBackoff caps the delay between attempts to restore a lost LISTEN.
const maxBackoff = 10 * time.Second

// Listen starts the live layer's wake-up and returns it: a coalescing signal,
// carrying no data, that events may have committed. A lost or duplicated
// signal costs the reader one extra read or one fallback poll, never an
// event, because the events table stays the only source of truth.
//
// On PostgreSQL it LISTENs on Channel over one dedicated connection to url
// (the store's own URL when empty) until ctx ends. The connection is not
// from the pool: a pooled connection could be handed to someone else and
// lose the LISTEN. When it drops, Listen reconnects with capped exponential
// backoff (delivery rests on the reader's fallback poll meanwhile) and sends
// a signal after every (re)connect, because NOTIFYs sent while nobody
// listened are gone.
//
// On SQLite it hooks every event insert through the store's database
// (OnAppended); the hook stays registered, and stops signalling once ctx ends.
func (s *Store) Listen(ctx context.Context, url string, log *slog.Logger) (<-chan struct{}, error) {
	wake := make(chan struct{}, 1)
	poke := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	if s.CommitsInOrder() { // SQLite: one process, one writer
		name := fmt.Sprintf("copyhold:event_appended:%p", wake)
		err := onAppended(s.db, name, func() {
			if ctx.Err() == nil {
				poke()
			}
		})
		return wake, err
	}
	if url == "" {
		url = s.listenURL()
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("listen for events: %w", err)
	}
	cfg.RuntimeParams["application_name"] = "copyhold-listen"
	go listenLoop(ctx, cfg, poke, log)
	return wake, nil
}

func listenLoop(ctx context.Context, cfg *pgx.ConnConfig, poke func(), log *slog.Logger) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := listenOnce(ctx, cfg, poke)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			backoff = 100 * time.Millisecond
		}
		log.Warn("event listener lost its database connection; live delivery falls back to polling", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func listenOnce(ctx context.Context, cfg *pgx.ConnConfig, poke func()) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(cctx, cfg.Copy())
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// Installations (and test schemas) that share one database share the
	// channel; each NOTIFY names the schema whose events table it is for.
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{Channel}.Sanitize()); err != nil {
		return err
	}
	poke() // catch up on whatever committed while we were not listening
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Payload == "" || n.Payload == schema { // "": a process from before migration 00016
			poke()
		}
	}
}

// OnAppended calls fn after every event row inserted through db (or a
// session or transaction made from it), before that transaction commits. It
// is the in-process wake-up for the SQLite build, where there is no NOTIFY:
// db has a single connection, so a reader woken by fn queues behind the
// writing transaction and runs only once it has committed or rolled back.
// fn must not block.
func OnAppended(db *gorm.DB, fn func()) error {
	return onAppended(db, "copyhold:event_appended", fn)
}

func onAppended(db *gorm.DB, name string, fn func()) error {
	return db.Callback().Create().After("gorm:create").Register(name, func(tx *gorm.DB) {
		if tx.Error == nil && tx.Statement.Table == "events" {
			fn()
		}
	})
}
