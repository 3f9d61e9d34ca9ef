package event_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/event/eventtest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// Retention deletes old events but keeps the audit trail.
func TestPruneEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		eventtest.Append(t, db, "test.old", "coop", nil, map[string]any{})
		eventtest.Append(t, db, "login.failure_burst", event.AuditScope, nil, map[string]any{})
		ctx := context.Background()
		events := event.NewStore(db)
		if n, err := events.Prune(ctx, time.Hour); err != nil || n != 0 {
			t.Fatalf("young events pruned: %d %v", n, err)
		}
		time.Sleep(5 * time.Millisecond)
		if n, err := events.Prune(ctx, time.Millisecond); err != nil || n != 1 {
			t.Fatalf("prune: %d %v", n, err)
		}
		if _, ok, _ := events.OldestDeliverableID(ctx); ok {
			t.Fatal("deliverable events left")
		}
		var audit int64
		db.Raw("SELECT COUNT(*) FROM events WHERE scope = 'audit'").Scan(&audit)
		if audit != 1 {
			t.Fatalf("audit rows: %d", audit)
		}
		if _, err := events.Prune(ctx, 0); err == nil {
			t.Fatal("a zero retention window was accepted")
		}
	})
}

// The readers the live layer uses see committed rows in id order.
func TestStoreReads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		events := event.NewStore(db)
		if id, err := events.LastID(ctx); err != nil || id != 0 {
			t.Fatalf("empty table: last id %d, %v", id, err)
		}
		if _, ok, err := events.OldestDeliverableID(ctx); ok || err != nil {
			t.Fatalf("empty table: oldest %v, %v", ok, err)
		}
		actor := int64(7)
		a := eventtest.Append(t, db, "test.a", event.CoopScope, &actor, map[string]any{"n": 1})
		b := eventtest.Append(t, db, "test.b", event.ProjectScope(3), nil, map[string]any{"n": 2})
		c := eventtest.Append(t, db, "test.c", event.CoopScope, nil, map[string]any{"n": 3})

		after, err := events.After(ctx, a, 10)
		if err != nil || len(after) != 2 || after[0].ID != b || after[1].ID != c {
			t.Fatalf("after %d: %+v %v", a, after, err)
		}
		lim, _ := events.After(ctx, 0, 1)
		var payload struct{ N int }
		if len(lim) != 1 || lim[0].ID != a || *lim[0].ActorID != actor || json.Unmarshal(lim[0].Payload, &payload) != nil || payload.N != 1 {
			t.Fatalf("after 0 limit 1: %+v", lim)
		}
		coop, err := events.InScope(ctx, event.CoopScope, 0, c, 10)
		if err != nil || len(coop) != 2 || coop[0].ID != a || coop[1].ID != c {
			t.Fatalf("coop scope: %+v %v", coop, err)
		}
		if upTo, _ := events.InScope(ctx, event.CoopScope, 0, b, 10); len(upTo) != 1 {
			t.Fatalf("coop scope up to %d: %+v", b, upTo)
		}
		byID, err := events.ByID(ctx, []int64{c, a, c + 100})
		if err != nil || len(byID) != 2 || byID[0].ID != a || byID[1].ID != c {
			t.Fatalf("by id: %+v %v", byID, err)
		}
		if id, _ := events.LastID(ctx); id != c {
			t.Fatalf("last id %d, want %d", id, c)
		}
		if id, ok, _ := events.OldestDeliverableID(ctx); !ok || id != a {
			t.Fatalf("oldest %d %v, want %d", id, ok, a)
		}
	})
}

// On SQLite ids commit in order and there is nothing to probe; on
// PostgreSQL the probe sees a transaction that holds an event id open.
func TestStoreGapProbe(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		events := event.NewStore(db)
		pg := db.Dialector.Name() == "postgres"
		if events.CommitsInOrder() == pg {
			t.Fatalf("CommitsInOrder on %s = %v", db.Dialector.Name(), events.CommitsInOrder())
		}
		if !pg {
			probe, err := events.GapProbe(ctx)
			if n, werr := events.WritersSince(ctx, probe); err != nil || werr != nil || n != 0 {
				t.Fatalf("sqlite probe: %d %v %v", n, err, werr)
			}
			return
		}
		tx := db.Begin()
		if err := event.Append(tx, "test.slow", event.CoopScope, nil, map[string]any{}); err != nil {
			t.Fatal(err)
		}
		probe, err := events.GapProbe(ctx)
		if err != nil || probe == "" {
			t.Fatalf("probe %q %v", probe, err)
		}
		if n, err := events.WritersSince(ctx, probe); err != nil || n != 1 {
			t.Fatalf("writers in flight: %d %v", n, err)
		}
		tx.Rollback()
		if n, err := events.WritersSince(ctx, probe); err != nil || n != 0 {
			t.Fatalf("writers after rollback: %d %v", n, err)
		}
	})
}

// Listen wakes its reader after a commit: by NOTIFY on PostgreSQL, by the
// insert hook on SQLite.
func TestListenWakesOnCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		wake, err := event.NewStore(db).Listen(ctx, "", log)
		if err != nil {
			t.Fatal(err)
		}
		if db.Dialector.Name() == "postgres" {
			select { // the first signal comes when the LISTEN is in place
			case <-wake:
			case <-time.After(10 * time.Second):
				t.Fatal("no signal after connecting")
			}
		}
		select {
		case <-wake:
			t.Fatal("woken before anything committed")
		case <-time.After(50 * time.Millisecond):
		}
		eventtest.Append(t, db, "test.wake", event.CoopScope, nil, map[string]any{})
		select {
		case <-wake:
		case <-time.After(10 * time.Second):
			t.Fatal("not woken by a commit")
		}
		if db.Dialector.Name() != "postgres" {
			return
		}
		// PostgreSQL: the wake-up follows the commit, never the insert, and a
		// rollback sends none.
		quiet := func(what string) {
			t.Helper()
			select {
			case <-wake:
				t.Fatalf("woken %s", what)
			case <-time.After(300 * time.Millisecond):
			}
		}
		tx := db.Begin()
		if err := event.Append(tx, "test.wake", event.CoopScope, nil, map[string]any{}); err != nil {
			t.Fatal(err)
		}
		quiet("before the commit")
		if err := tx.Commit().Error; err != nil {
			t.Fatal(err)
		}
		select {
		case <-wake:
		case <-time.After(10 * time.Second):
			t.Fatal("not woken after the commit")
		}
		tx = db.Begin()
		if err := event.Append(tx, "test.wake", event.CoopScope, nil, map[string]any{}); err != nil {
			t.Fatal(err)
		}
		tx.Rollback()
		quiet("by a rolled-back transaction")
	})
}
