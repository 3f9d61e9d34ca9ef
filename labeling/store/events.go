// Package store keeps the labelling domain in SQL through GORM, on
// PostgreSQL or SQLite. Dialect-specific SQL lives in dialect.go.
package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"copyhold/labeling"

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

// NewEvent is an event about to be appended.
type NewEvent struct {
	Type    string
	Scope   string
	Actor   *int64
	Payload any
}

// AppendEvent inserts an event row. Call it with the transaction that makes
// the change, so the event commits (or rolls back) with it.
func AppendEvent(tx *gorm.DB, typ, scope string, actor *int64, payload any) error {
	return AppendEvents(tx, NewEvent{typ, scope, actor, payload})
}

// AppendEvents inserts several event rows in one statement, in order.
func AppendEvents(tx *gorm.DB, evs ...NewEvent) error {
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

// EventsAfter returns committed events with a sequence above after, oldest first.
func EventsAfter(ctx context.Context, db *gorm.DB, after int64, limit int) ([]labeling.Event, error) {
	var rows []eventRow
	if err := db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]labeling.Event, len(rows))
	for i, r := range rows {
		out[i] = labeling.Event{ID: r.ID, Type: r.Type, Scope: r.Scope, ActorID: r.ActorID, Payload: json.RawMessage(r.Payload), CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// ProjectScope and friends name event scopes.
func ProjectScope(id int64) string { return fmt.Sprintf("project:%d", id) }
func ReviewScope(id int64) string  { return fmt.Sprintf("review:%d", id) }
func MemberScope(id int64) string  { return fmt.Sprintf("member:%d", id) }

const CoopScope = "coop"
