// Package event is the outbox: every state change appends its event row in the same transaction, and readers see only committed rows.
package event

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"copyhold/labeling/event/feed"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// Event is one committed state change (see feed.Event, which readers that
// must not link a database driver use under that name).
type Event = feed.Event

// CoopScope and AuditScope name the co-op feed and the audit trail.
const (
	CoopScope  = feed.CoopScope
	AuditScope = feed.AuditScope
)

// ProjectScope names a project's events.
func ProjectScope(id int64) string { return feed.ProjectScope(id) }

// ReviewScope names a project's review-queue events.
func ReviewScope(id int64) string { return feed.ReviewScope(id) }

// MemberScope names one member's own events.
func MemberScope(id int64) string { return feed.MemberScope(id) }

// eventRow maps the events table.
type eventRow struct {
	ID        int64 `gorm:"primaryKey"`
	Type      string
	Scope     string
	ActorID   *int64
	Payload   string
	CreatedAt time.Time
}

func (eventRow) TableName() string { return "events" }

// Entry is an event about to be appended.
type Entry struct {
	Type    string
	Scope   string
	Actor   *int64
	Payload any
}

// Append inserts an event row. Call it with the transaction that makes
// the change, so the event commits (or rolls back) with it.
func Append(tx *gorm.DB, typ, scope string, actor *int64, payload any) error {
	return AppendAll(tx, Entry{typ, scope, actor, payload})
}

// AppendAll inserts several event rows in one statement, in order.
func AppendAll(tx *gorm.DB, evs ...Entry) error {
	if len(evs) == 0 {
		return nil
	}
	now := time.Now().UTC()
	rows := make([]eventRow, len(evs))
	for i, ev := range evs {
		b, err := json.Marshal(ev.Payload)
		if err != nil {
			return fmt.Errorf("encode event %s: %w", ev.Type, err)
		}
		rows[i] = eventRow{Type: ev.Type, Scope: ev.Scope, ActorID: ev.Actor, Payload: string(b), CreatedAt: now}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("append event %s: %w", evs[0].Type, err)
	}
	notifyAfterCommit(tx)
	return nil
}

func toEvents(rows []eventRow) []Event {
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = Event{ID: r.ID, Type: r.Type, Scope: r.Scope, ActorID: r.ActorID, Payload: json.RawMessage(r.Payload), CreatedAt: r.CreatedAt}
	}
	return out
}

// InsertFrom is AppendAll for a caller that inserts its events inside a
// statement of its own, as one part of a WITH clause (PostgreSQL): it
// returns "INSERT INTO events … SELECT … FROM from, (VALUES …)", so the rows
// go in only when the relation from has a row, and each payload gets the
// members fields name, each valued by its SQL expression (evaluated over
// from), such as an id the same statement has just drawn (payload is JSONB
// there). Inside a transaction the wake-up is arranged as AppendAll
// arranges it; a statement that commits by itself (outside one) calls Wake
// once it has run, since a wake-up before would find nothing new.
func InsertFrom(tx *gorm.DB, from string, fields []Field, evs ...Entry) (string, []any, error) {
	if len(evs) == 0 {
		return "", nil, fmt.Errorf("append events: none given")
	}
	now := time.Now().UTC()
	vals := make([]string, len(evs))
	args := make([]any, 0, 1+5*len(evs))
	for i, ev := range evs {
		b, err := json.Marshal(ev.Payload)
		if err != nil || len(b) < 2 || b[0] != '{' {
			return "", nil, fmt.Errorf("encode event %s: want a JSON object (%v)", ev.Type, err)
		}
		vals[i] = "(?, ?, CAST(? AS BIGINT), ?, CAST(? AS TIMESTAMPTZ))"
		args = append(args, ev.Type, ev.Scope, ev.Actor, string(b), now)
	}
	keys := make([]any, len(fields)) // the keys' placeholders come first
	pairs := make([]string, len(fields))
	for i, f := range fields {
		keys[i], pairs[i] = f.Key, "CAST(? AS TEXT), "+f.SQL
	}
	args = append(keys, args...)
	q := `INSERT INTO events (type, scope, actor_id, payload, created_at)
        SELECT v.type, v.scope, v.actor_id, CAST(v.payload AS JSONB) || jsonb_build_object(` + strings.Join(pairs, ", ") + `), v.created_at
        FROM ` + from + `, (VALUES ` + strings.Join(vals, ", ") + `) AS v (type, scope, actor_id, payload, created_at)`
	if sqldb.InTransaction(tx) {
		notifyAfterCommit(tx)
	}
	return q, args, nil
}

// Field is a payload member that InsertFrom adds from SQL: its key and the
// expression that gives its value.
type Field struct{ Key, SQL string }

// Wake tells the live layer that a statement outside a transaction has
// committed events (see InsertFrom).
func Wake(db *gorm.DB) { notifyAfterCommit(db) }
