package sqldb_test

import (
	"context"
	"database/sql"
	"testing"

	"copyhold/labeling/sqldb"
)

// A statement marked GenericPlan, outside a transaction, runs with
// plan_cache_mode forced to the generic plan, in the same write and the same
// implicit transaction as the set_config that forces it: no round trip more,
// and the setting is gone for the next statement. Inside a transaction the
// mark does nothing (the setting would outlive the statement).
func TestGenericPlan(t *testing.T) {
	db, writes := openCounted(t, true)
	ctx := context.Background()
	mode := func(ctx context.Context, q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) (string, int64) {
		before := writes.Load()
		var m string
		var n int
		if err := q.QueryRowContext(ctx, "SELECT current_setting('plan_cache_mode'), $1::int + 1", 41).Scan(&m, &n); err != nil || n != 42 {
			t.Fatalf("read: %q %d, %v", m, n, err)
		}
		return m, writes.Load() - before
	}
	mode(ctx, db) // the connection opened and the statement prepared
	mode(sqldb.GenericPlan(ctx), db)
	if m, trips := mode(ctx, db); m != "auto" || trips != 1 {
		t.Errorf("unmarked: plan_cache_mode %q in %d trips, want auto in 1", m, trips)
	}
	if m, trips := mode(sqldb.GenericPlan(ctx), db); m != "force_generic_plan" || trips != 1 {
		t.Errorf("marked: plan_cache_mode %q in %d trips, want force_generic_plan in 1", m, trips)
	}
	if m, _ := mode(ctx, db); m != "auto" {
		t.Errorf("after a marked statement: plan_cache_mode %q, want auto", m)
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for range 2 { // with the BEGIN, then on its own
		if m, _ := mode(sqldb.GenericPlan(ctx), tx); m != "auto" {
			t.Errorf("marked, in a transaction: plan_cache_mode %q, want auto", m)
		}
	}
}
