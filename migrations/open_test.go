package migrations_test

import (
	"context"
	"os"
	"testing"

	"copyhold/migrations"
	"copyhold/migrations/dbtest"
)

// The PostgreSQL pool holds at most Source.MaxConns connections, and
// DefaultMaxConns when it is 0; a URL that cannot be parsed is refused.
func TestOpenSizesThePool(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("PostgreSQL only: set TEST_DATABASE_URL")
	}
	url := dbtest.Source(t, dbtest.Postgres).URL
	for _, c := range []struct{ set, want int }{{0, migrations.DefaultMaxConns()}, {3, 3}} {
		db, err := migrations.Open(context.Background(), migrations.Source{URL: url, MaxConns: c.set})
		if err != nil {
			t.Fatal(err)
		}
		sqlDB, _ := db.DB()
		if got := sqlDB.Stats().MaxOpenConnections; got != c.want {
			t.Errorf("MaxConns %d: pool of %d, want %d", c.set, got, c.want)
		}
		sqlDB.Close()
	}
	if n := migrations.DefaultMaxConns(); n < 4 {
		t.Errorf("DefaultMaxConns() = %d, want at least 4", n)
	}
	if _, err := migrations.Open(context.Background(), migrations.Source{URL: "postgres://%zz"}); err == nil {
		t.Error("a malformed URL opened")
	}
}
