// Package dbtest gives each test a fresh, migrated database: a SQLite file in
// the test's temp folder, and a schema of its own on the PostgreSQL server
// named by TEST_DATABASE_URL.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"copyhold/migrations"

	"gorm.io/gorm"
)

// Dialect names a database kind under test.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Each runs fn once per dialect as a subtest. PostgreSQL is skipped only when
// TEST_DATABASE_URL is unset and COPYHOLD_REQUIRE_POSTGRES is not; otherwise
// a missing server fails the test.
func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a migrated database of dialect d that is removed when the test ends.
func Open(t testing.TB, d Dialect) *gorm.DB {
	t.Helper()
	src := Source(t, d)
	db, err := migrations.Open(context.Background(), src)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	if _, err := migrations.Up(context.Background(), db); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// Source returns an empty, unmigrated database of dialect d for this test.
func Source(t testing.TB, d Dialect) migrations.Source {
	t.Helper()
	if d == SQLite {
		return migrations.Source{DataDir: t.TempDir()}
	}
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("COPYHOLD_REQUIRE_POSTGRES") != "" {
			t.Fatal("TEST_DATABASE_URL is not set but COPYHOLD_REQUIRE_POSTGRES is: PostgreSQL must be tested")
		}
		t.Skip("PostgreSQL not tested: TEST_DATABASE_URL is not set")
	}
	schema := "t_" + randomHex(8)
	admin, err := migrations.Open(context.Background(), migrations.Source{URL: base})
	if err != nil {
		t.Fatalf("connect to TEST_DATABASE_URL: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	sqlAdmin, _ := admin.DB()
	sqlAdmin.SetMaxOpenConns(1)
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		sqlAdmin.Close()
	})
	return migrations.Source{URL: WithSearchPath(base, schema)}
}

// WithSearchPath returns a PostgreSQL URL whose connections use schema.
func WithSearchPath(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
