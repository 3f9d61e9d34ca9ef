// Package event is the outbox: every state change appends its event row in
// the same transaction, and readers (the live layer) see only committed rows.
package event

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

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

// After returns committed events with a sequence above after, oldest first.
func After(ctx context.Context, db *gorm.DB, after int64, limit int) ([]Event, error) {
	var rows []eventRow
	if err := db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = Event{ID: r.ID, Type: r.Type, Scope: r.Scope, ActorID: r.ActorID, Payload: json.RawMessage(r.Payload), CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// ProjectScope and friends name event scopes.
func ProjectScope(id int64) string { return fmt.Sprintf("project:%d", id) }
func ReviewScope(id int64) string  { return fmt.Sprintf("review:%d", id) }
func MemberScope(id int64) string  { return fmt.Sprintf("member:%d", id) }

const CoopScope = "coop"

// Event is one committed state change. Scope says who may see it:
// "coop", "project:<id>", "review:<project id>" or "member:<id>".
type Event struct {
	ID        int64           `json:"seq"`
	Type      string          `json:"type"`
	Scope     string          `json:"scope"`
	ActorID   *int64          `json:"actor_id,omitempty"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"at"`
}
