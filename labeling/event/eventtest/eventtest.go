// Package eventtest appends events for tests of the readers of the event outbox.
package eventtest

import (
	"context"
	"testing"

	"copyhold/labeling/event"

	"gorm.io/gorm"
)

// Append commits one event and returns its seq.
func Append(t testing.TB, db *gorm.DB, typ, scope string, actor *int64, payload any) int64 {
	t.Helper()
	if err := db.Transaction(func(tx *gorm.DB) error {
		return event.Append(tx, typ, scope, actor, payload)
	}); err != nil {
		t.Fatal(err)
	}
	id, err := event.NewStore(db).LastID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}
