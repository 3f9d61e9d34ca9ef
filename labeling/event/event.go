// Package event is the outbox: every state change appends its event row in the same transaction, and readers see only committed rows.
package event

import (
	"encoding/json"
	"fmt"
	"time"

	"copyhold/labeling/event/feed"

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
	return nil
}

func toEvents(rows []eventRow) []Event {
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = Event{ID: r.ID, Type: r.Type, Scope: r.Scope, ActorID: r.ActorID, Payload: json.RawMessage(r.Payload), CreatedAt: r.CreatedAt}
	}
	return out
}
