package sqldb_test

import (
	"encoding/json"
	"testing"
	"time"

	"copyhold/labeling/sqldb"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// QueryNamed answers what Raw answers for the same @name statement, on both
// databases: a name used twice, names ended by each of GORM's enders, an @
// that is no parameter; and it declines (ok false, nothing run) what GORM
// would bind differently.
func TestQueryNamed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		at := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)
		named := map[string]any{"a": int64(40), "b": 2, "s": "übung", "at": at, "unused": true}
		q := `SELECT CAST(@a AS INTEGER) + CAST(@b AS INTEGER) AS n,
    CAST(@s AS TEXT) || '@' || CAST(@s AS TEXT) AS s,
    CASE WHEN CAST(@a AS INTEGER) = 40 THEN 'yes' ELSE 'no' END AS again`
		type out struct {
			N     int64
			S     string
			Again string
		}
		var got, want []out
		rows, ok, err := sqldb.QueryNamed(db, q, named)
		if !ok || err != nil {
			t.Fatalf("QueryNamed: ok %v, %v", ok, err)
		}
		for rows.Next() {
			var o out
			if err := rows.Scan(&o.N, &o.S, &o.Again); err != nil {
				t.Fatal(err)
			}
			got = append(got, o)
		}
		rows.Close()
		if err := db.Raw(q, named).Scan(&want).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != want[0] || got[0] != (out{42, "übung@übung", "yes"}) {
			t.Fatalf("QueryNamed %+v, Raw %+v", got, want)
		}
		// A time goes to the driver as it is.
		rows, ok, err = sqldb.QueryNamed(db, `SELECT CAST(@at AS TEXT) AS t, 1 AS one`, named)
		if !ok || err != nil {
			t.Fatalf("time: ok %v, %v", ok, err)
		}
		rows.Close()
		for _, c := range []struct {
			name  string
			q     string
			named map[string]any
		}{
			{"a name not given", `SELECT CAST(@a AS INTEGER) + CAST(@missing AS INTEGER)`, named},
			{"a ? beside the names", `SELECT CAST(@a AS INTEGER) WHERE 1 = ?`, named},
			{"a slice, which GORM expands", `SELECT 1 WHERE 1 IN @ids`, map[string]any{"ids": []int64{1, 2}}},
			{"a map value", `SELECT CAST(@m AS TEXT)`, map[string]any{"m": map[string]any{"k": 1}}},
			{"a struct value", `SELECT CAST(@v AS TEXT)`, map[string]any{"v": struct{ X int }{1}}},
			{"JSON, a []byte GORM's way", `SELECT CAST(@j AS TEXT)`, map[string]any{"j": json.RawMessage(`{}`)}},
		} {
			if rows, ok, err := sqldb.QueryNamed(db, c.q, c.named); ok || rows != nil || err != nil {
				t.Errorf("%s: ok %v, rows %v, err %v; want it left to GORM", c.name, ok, rows != nil, err)
			}
		}
	})
}

// The statement text each dialect gets is the one GORM's builder makes: a
// parameter per occurrence, names ended where GORM ends them.
func TestQueryNamedText(t *testing.T) {
	var l dbtest.StatementLog
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := l.Session(db)
		q := "SELECT CAST(@x AS INTEGER), CAST(@y AS INTEGER)\n  WHERE CAST(@x AS INTEGER) = 1 OR (CAST(@y AS INTEGER) = 2);"
		rows, ok, err := sqldb.QueryNamed(s, q, map[string]any{"x": 1, "y": 2})
		if !ok || err != nil {
			t.Fatalf("ok %v, %v", ok, err)
		}
		rows.Close()
		sqls := l.SQL()
		want := "SELECT CAST(? AS INTEGER), CAST(? AS INTEGER)\n  WHERE CAST(? AS INTEGER) = 1 OR (CAST(? AS INTEGER) = 2);"
		if sqldb.IsPostgres(db) {
			want = "SELECT CAST($1 AS INTEGER), CAST($2 AS INTEGER)\n  WHERE CAST($3 AS INTEGER) = 1 OR (CAST($4 AS INTEGER) = 2);"
		}
		if len(sqls) == 0 || sqls[len(sqls)-1] != want {
			t.Fatalf("sent %q, want %q", sqls, want)
		}
		// GORM's own text for the same statement, and for @s that are no
		// parameter (in literals, @@, @a@b, PostgreSQL's @>).
		qs := []string{q, `SELECT '@@x' AS a, 'mail@x.org' AS b, '@y@x' AS c, CAST(@x AS INTEGER) AS d;`,
			"SELECT CAST(CAST(@x AS INTEGER) AS TEXT) || '@'"}
		if sqldb.IsPostgres(db) {
			qs = append(qs, `SELECT CAST('{"a":1}' AS JSONB) @> CAST(@j AS JSONB), CAST(@x AS INTEGER)`)
		}
		for _, q := range qs {
			named := map[string]any{"x": 1, "y": 2, "j": `{"a":1}`}
			rows, ok, err := sqldb.QueryNamed(s, q, named)
			if !ok || err != nil {
				t.Fatalf("%s: ok %v, %v", q, ok, err)
			}
			rows.Close()
			sqls := l.SQL()
			gormSQL := s.Session(&gorm.Session{DryRun: true}).Raw(q, named).Statement.SQL.String()
			if got := sqls[len(sqls)-1]; got != gormSQL {
				t.Fatalf("QueryNamed sent %q, GORM builds %q", got, gormSQL)
			}
		}
	})
}
