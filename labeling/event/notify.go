package event

// Live delivery plumbing: the PostgreSQL NOTIFY that wakes every process's
// websocket hub when events commit, the in-process hook that does the same on
// SQLite, the probes the hub uses to decide whether a gap in event ids is a
// transaction still in flight, and event retention.

import (
	"context"
	"copyhold/labeling/sqldb"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Channel is the PostgreSQL LISTEN/NOTIFY channel for committed events.
const Channel = "copyhold_events"

// On PostgreSQL the NOTIFY that wakes every hub is queued by a statement
// trigger on events (migration 00007), inside the writing transaction:
// PostgreSQL delivers it only if, and when, the transaction commits, so a
// listener never hears about an event it cannot read yet. The notification
// carries nothing: listeners re-read the events table. SQLite has no NOTIFY:
// see OnAppended.

// OnAppended calls fn after every event row inserted through db (or a
// session or transaction made from it), before that transaction commits. It
// is the in-process wake-up for the SQLite build, where there is no NOTIFY:
// db has a single connection, so a reader woken by fn queues behind the
// writing transaction and runs only once it has committed or rolled back.
// fn must not block.
func OnAppended(db *gorm.DB, fn func()) error {
	return db.Callback().Create().After("gorm:create").Register("copyhold:event_appended", func(tx *gorm.DB) {
		if tx.Error == nil && tx.Statement.Table == "events" {
			fn()
		}
	})
}

// GapProbeTime returns the database clock and true on PostgreSQL, or false
// on SQLite, where one writer at a time means a gap below a committed id can
// never fill. The hub takes it once it has seen a gap.
func GapProbeTime(ctx context.Context, db *gorm.DB) (string, bool, error) {
	if !sqldb.IsPostgres(db) {
		return "", false, nil
	}
	var at string
	err := db.WithContext(ctx).Raw("SELECT clock_timestamp()::text").Scan(&at).Error
	return at, err == nil, err
}

// WritersSince counts the other transactions, begun at or before at,
// that still hold the row-exclusive lock an INSERT into this schema's events
// table takes (before it draws an id, until it commits or rolls back). When
// there are none, an id missing below a committed one was rolled back. The
// lock names this schema's table, so transactions elsewhere on the server do
// not hold the hub up.
func WritersSince(ctx context.Context, db *gorm.DB, at string) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'relation' AND l.relation = to_regclass('events') AND l.mode = 'RowExclusiveLock'
  AND l.pid <> pg_backend_pid() AND (a.xact_start IS NULL OR a.xact_start <= CAST(? AS timestamptz))`, at).Scan(&n).Error
	return n, err
}

// InScope returns committed events of one scope with after < id <= upTo,
// oldest first: what a resuming websocket client missed.
func InScope(ctx context.Context, db *gorm.DB, scope string, after, upTo int64, limit int) ([]Event, error) {
	var rows []eventRow
	err := db.WithContext(ctx).Where("scope = ? AND id > ? AND id <= ?", scope, after, upTo).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	return toEvents(rows), nil
}

// ByID returns those of ids that exist now, oldest first. The hub uses
// it to notice an id it gave up on that committed late.
func ByID(ctx context.Context, db *gorm.DB, ids []int64) ([]Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []eventRow
	if err := db.WithContext(ctx).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return toEvents(rows), nil
}

// LastID is the highest event id committed so far (0 for none).
func LastID(ctx context.Context, db *gorm.DB) (int64, error) {
	var id *int64
	if err := db.WithContext(ctx).Raw("SELECT MAX(id) FROM events").Scan(&id).Error; err != nil {
		return 0, err
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// OldestDeliverableID is the lowest retained event id outside the audit
// scope, and false when there is none. A client resuming from a sequence
// below it minus one may have missed pruned events.
func OldestDeliverableID(ctx context.Context, db *gorm.DB) (int64, bool, error) {
	var ids []int64
	err := db.WithContext(ctx).Raw("SELECT id FROM events WHERE scope <> ? ORDER BY id LIMIT 1", AuditScope).Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		return 0, false, err
	}
	return ids[0], true, nil
}

// AuditScope events are kept for the record and never delivered live.
const AuditScope = "audit"

// Prune deletes delivered-event history older than olderThan, in
// batches so neither database holds a long lock. Audit events stay. The
// events table is the live-delivery outbox and resume window, not the
// ledger: ledger history lives in its own hash-chained log, so pruning loses
// no ledger data. It returns how many rows went.
func Prune(ctx context.Context, db *gorm.DB, olderThan time.Duration) (int64, error) {
	if olderThan <= 0 {
		return 0, errors.New("prune events: the retention window must be positive")
	}
	cutoff := time.Now().UTC().Add(-olderThan)
	var total int64
	for {
		res := db.WithContext(ctx).Exec(`DELETE FROM events WHERE id IN (
    SELECT id FROM events WHERE created_at < ? AND scope <> ? ORDER BY id LIMIT 5000)`, cutoff, AuditScope)
		if res.Error != nil {
			return total, fmt.Errorf("prune events: %w", res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < 5000 {
			return total, nil
		}
	}
}

func toEvents(rows []eventRow) []Event {
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = Event{ID: r.ID, Type: r.Type, Scope: r.Scope, ActorID: r.ActorID, Payload: []byte(r.Payload), CreatedAt: r.CreatedAt}
	}
	return out
}
