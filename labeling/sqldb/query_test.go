package sqldb_test

import (
	"strings"
	"testing"

	"copyhold/labeling/sqldb"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func TestDollars(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT 1":                        "SELECT 1",
		"SELECT ?":                        "SELECT $1",
		"WHERE a = ? AND b IN (?, ?)":     "WHERE a = $1 AND b IN ($2, $3)",
		strings.Repeat("?,", 11) + "?":    "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12",
		"SELECT 'é' || ? -- ünïcode text": "SELECT 'é' || $1 -- ünïcode text",
	} {
		for range 2 { // the second answer comes from the cache
			if got := sqldb.Dollars(in); got != want {
				t.Fatalf("Dollars(%q) = %q, want %q", in, got, want)
			}
		}
	}
}

// Query answers what Raw answers, in and out of a transaction, on both
// databases, and tells the session's logger; a bad statement is an error.
func TestQuery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		var l dbtest.StatementLog
		s := l.Session(db)
		q := `SELECT CAST(? AS INTEGER) + CAST(? AS INTEGER) AS n, CAST(? AS TEXT) AS s`
		read := func(tx *gorm.DB) (int64, string) {
			rows, err := sqldb.Query(tx, q, 40, 2, "übung")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var n int64
			var str string
			if !rows.Next() {
				t.Fatalf("no row: %v", rows.Err())
			}
			if err := rows.Scan(&n, &str); err != nil {
				t.Fatal(err)
			}
			return n, str
		}
		if n, str := read(s); n != 42 || str != "übung" {
			t.Fatalf("outside a transaction: %d %q", n, str)
		}
		err := s.Transaction(func(tx *gorm.DB) error {
			if n, str := read(tx); n != 42 || str != "übung" {
				t.Fatalf("in a transaction: %d %q", n, str)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if sqls := l.SQL(); len(sqls) != 2 || !strings.Contains(sqls[0], "CAST(") {
			t.Fatalf("the logger heard %q, want the two statements", sqls)
		}
		if _, err := sqldb.Query(s, `SELECT no_such_column FROM no_such_table WHERE x = ?`, 1); err == nil {
			t.Fatal("a bad statement answered no error")
		}
	})
}
