package migrations_test

import (
	"context"
	"testing"

	"copyhold/migrations"
	"copyhold/migrations/dbtest"
)

func TestUpFromEmptyThenNoop(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, err := migrations.Open(ctx, dbtest.Source(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { s, _ := db.DB(); s.Close() }()
			if any, err := migrations.Applied(ctx, db); err != nil || any {
				t.Fatalf("empty database: Applied = %v, %v; want false", any, err)
			}
			if err := migrations.Check(ctx, db); err != migrations.ErrOutdated {
				t.Fatalf("empty database: Check = %v, want ErrOutdated", err)
			}
			applied, err := migrations.Up(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) == 0 {
				t.Fatal("no migration applied on an empty database")
			}
			if any, err := migrations.Applied(ctx, db); err != nil || !any {
				t.Fatalf("after Up: Applied = %v, %v; want true", any, err)
			}
			again, err := migrations.Up(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if len(again) != 0 {
				t.Fatalf("second Up applied %v, want nothing", again)
			}
			if err := migrations.Check(ctx, db); err != nil {
				t.Fatalf("Check after Up: %v", err)
			}
			list, err := migrations.List(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range list {
				if !s.Applied {
					t.Errorf("migration %d not applied", s.Version)
				}
			}
		})
	}
}

// Both dialects must carry the same migration ids.
func TestSameIDsOnBothDialects(t *testing.T) {
	pg, err := migrations.Versions("postgres")
	if err != nil {
		t.Fatal(err)
	}
	lite, err := migrations.Versions("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) != len(lite) {
		t.Fatalf("postgres has %d migrations, sqlite %d", len(pg), len(lite))
	}
	for i := range pg {
		if pg[i] != lite[i] {
			t.Fatalf("migration %d: postgres %q, sqlite %q", i, pg[i], lite[i])
		}
	}
}
