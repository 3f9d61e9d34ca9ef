package migrations_test

import (
	"context"
	"testing"

	"copyhold/migrations"
	"copyhold/migrations/dbtest"
)

// Migration 00008 widens the register's entry kinds; on SQLite it rebuilds
// equity_log. The entries already there stay, and so does append-only.
func TestCollectiveRuleMigrationKeepsTheRegister(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) { upgrade(t, d) })
	}
}

func upgrade(t *testing.T, d dbtest.Dialect) {
	ctx := context.Background()
	db, err := migrations.Open(ctx, dbtest.Source(t, d))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s, _ := db.DB(); s.Close() }()
	if err := migrations.UpTo(ctx, db, 7); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO equity_log (seq, kind, ref_id, prev_hash, hash, created_at) VALUES (1, 'governance', 1, 'g', 'h', CURRENT_TIMESTAMP)`).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO equity_log (seq, kind, ref_id, prev_hash, hash, created_at) VALUES (2, 'tally', 1, 'h', 'i', CURRENT_TIMESTAMP)`).Error; err == nil {
		t.Fatal("a tally entry before migration 8")
	}
	if _, err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM equity_log WHERE seq = 1 AND kind = 'governance' AND hash = 'h'").Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("the entry before the migration: %d %v", n, err)
	}
	if err := db.Exec(`INSERT INTO equity_log (seq, kind, ref_id, prev_hash, hash, created_at) VALUES (2, 'tally', 1, 'h', 'i', CURRENT_TIMESTAMP)`).Error; err != nil {
		t.Fatalf("a tally entry after migration 8: %v", err)
	}
	if err := db.Exec(`INSERT INTO equity_log (seq, kind, ref_id, prev_hash, hash, created_at) VALUES (3, 'bogus', 1, 'i', 'j', CURRENT_TIMESTAMP)`).Error; err == nil {
		t.Fatal("an unknown entry kind was accepted")
	}
	if err := db.Exec("UPDATE equity_log SET hash = 'x' WHERE seq = 1").Error; err == nil {
		t.Fatal("the rebuilt log accepts UPDATE")
	}
	if err := db.Exec("DELETE FROM equity_log WHERE seq = 1").Error; err == nil {
		t.Fatal("the rebuilt log accepts DELETE")
	}
}
