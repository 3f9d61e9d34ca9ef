package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"copyhold/labeling/sqldb"
	"copyhold/migrations/dbtest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// openCounted opens a one-connection pool on a fresh PostgreSQL schema,
// pipelined or plain pgx stdlib, counting its writes.
func openCounted(t *testing.T, pipelined bool) (*sql.DB, *atomic.Int64) {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("PostgreSQL only: set TEST_DATABASE_URL")
	}
	cfg, err := pgx.ParseConfig(dbtest.Source(t, dbtest.Postgres).URL)
	if err != nil {
		t.Fatal(err)
	}
	writes := new(atomic.Int64)
	dbtest.CountWrites(cfg, writes)
	var db *sql.DB
	if pipelined {
		db = sqldb.OpenPostgres(*cfg)
	} else {
		db = stdlib.OpenDB(*cfg)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	return db, writes
}

// A transaction's BEGIN goes with its first statement: one trip fewer than
// pgx's stdlib, and none at all for a transaction that sends nothing.
func TestPipelinedBeginSavesATrip(t *testing.T) {
	ctx := context.Background()
	// The third of three transactions, once the connection is open and the
	// statement prepared.
	trips := func(db *sql.DB, writes *atomic.Int64, fn func(tx *sql.Tx)) int64 {
		var n int64
		for range 3 {
			before := writes.Load()
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			fn(tx)
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			n = writes.Load() - before
		}
		return n
	}
	read := func(tx *sql.Tx) {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT $1::int + 1", 41).Scan(&n); err != nil || n != 42 {
			t.Fatalf("read: %d, %v", n, err)
		}
	}
	write := func(tx *sql.Tx) {
		if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE IF NOT EXISTS trip (n int)"); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO trip VALUES ($1)", 1); err != nil {
			t.Fatal(err)
		}
	}
	plain, plainWrites := openCounted(t, false)
	piped, pipedWrites := openCounted(t, true)
	for _, c := range []struct {
		name      string
		fn        func(*sql.Tx)
		plain, pp int64
	}{
		{"one read", read, 3, 2},            // BEGIN, read, COMMIT / BEGIN+read, COMMIT
		{"two writes", write, 4, 3},         // BEGIN, create, insert, COMMIT / BEGIN+create, insert, COMMIT
		{"nothing", func(*sql.Tx) {}, 2, 0}, // BEGIN, COMMIT / nothing
	} {
		if got := trips(plain, plainWrites, c.fn); got != c.plain {
			t.Errorf("%s: pgx stdlib made %d trips, want %d", c.name, got, c.plain)
		}
		if got := trips(piped, pipedWrites, c.fn); got != c.pp {
			t.Errorf("%s: pipelined made %d trips, want %d", c.name, got, c.pp)
		}
	}
}

// valueRow selects one value of each kind the stores read.
const valueRow = `SELECT CAST($1 AS BIGINT) AS i8, CAST(7 AS INTEGER) AS i4, CAST(3 AS SMALLINT) AS i2,
    CAST(1.5 AS DOUBLE PRECISION) AS f8, CAST(2.25 AS REAL) AS f4, CAST('12.340' AS NUMERIC) AS num,
    TRUE AS b, CAST('é ✓' AS TEXT) AS t, CAST('{"a": [1, "x"]}' AS JSONB) AS jb, CAST('{"b":2}' AS JSON) AS j,
    CAST('\x00ff10' AS BYTEA) AS by, CAST('2026-12-05 19:00:00.123456+00' AS TIMESTAMPTZ) AS ts,
    CAST('2026-12-05 19:00:00' AS TIMESTAMP) AS tsl, CAST('2026-12-05' AS DATE) AS d,
    ARRAY['a', 'b'] AS arr, CAST('5f0c1c3a-8a0e-4bb8-9a3c-1e6c9f1f2b3d' AS UUID) AS u,
    CAST(NULL AS TEXT) AS nul, CAST(42 AS OID) AS o`

func scanValues(t *testing.T, rows *sql.Rows) []any {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatalf("no row: %v", rows.Err())
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	out := []any{cols}
	for _, ct := range types {
		out = append(out, ct.DatabaseTypeName(), ct.ScanType().String())
	}
	return append(out, vals...)
}

// The first statement's rows (read through the pipeline) are the same
// database/sql values, column names and column types as any later
// statement's (read by pgx's stdlib).
func TestPipelinedValuesMatchStdlib(t *testing.T) {
	db, _ := openCounted(t, true)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := tx.QueryContext(ctx, valueRow, int64(1)<<40)
	if err != nil {
		t.Fatal(err)
	}
	first := scanValues(t, rows)
	rows, err = tx.QueryContext(ctx, valueRow, int64(1)<<40)
	if err != nil {
		t.Fatal(err)
	}
	second := scanValues(t, rows)
	if !reflect.DeepEqual(first, second) {
		t.Fatalf("first statement's row differs from the second's:\n first %#v\nsecond %#v", first, second)
	}
	if v := first[len(first)-2]; v != nil {
		t.Fatalf("NULL read as %#v", v)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Several rows, and none.
	for _, n := range []int{0, 3} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := tx.QueryContext(ctx, "SELECT g FROM generate_series(1, $1) g", n)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for rows.Next() {
			var g int
			if err := rows.Scan(&g); err != nil {
				t.Fatal(err)
			}
			got = append(got, g)
		}
		if rows.Err() != nil || len(got) != n {
			t.Fatalf("generate_series(1, %d): %v, %v", n, got, rows.Err())
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

// The BEGIN carries the transaction's options; errors behave as in a
// transaction begun on its own: a failed first statement aborts it, a
// bad one (it cannot be prepared) too, COMMIT of an aborted transaction is
// an error, and the connection is fit for the next one.
func TestPipelinedTransactionSemantics(t *testing.T) {
	db, _ := openCounted(t, true)
	ctx := context.Background()

	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var iso, ro string
	if err := tx.QueryRowContext(ctx, "SELECT current_setting($1), current_setting('transaction_read_only')", "transaction_isolation").Scan(&iso, &ro); err != nil {
		t.Fatal(err)
	}
	if iso != "repeatable read" || ro != "on" {
		t.Fatalf("first statement ran with isolation %q, read only %q", iso, ro)
	}
	tx.Rollback()

	if _, err := db.ExecContext(ctx, "CREATE TABLE pt (n INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	aborted := func(tx *sql.Tx) {
		t.Helper()
		var n int
		err := tx.QueryRowContext(ctx, "SELECT $1::int", 1).Scan(&n)
		var pg *pgconn.PgError
		if !errors.As(err, &pg) || pg.Code != "25P02" {
			t.Fatalf("after a failed statement: %v, want 25P02 (transaction aborted)", err)
		}
	}
	for _, first := range []string{
		"INSERT INTO pt VALUES ($1 / 0)",        // fails when run
		"INSERT INTO no_such_table VALUES ($1)", // fails when prepared
	} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, first, 1); err == nil {
			t.Fatalf("%s: no error", first)
		}
		aborted(tx)
		if err := tx.Commit(); err == nil {
			t.Fatalf("%s: COMMIT of an aborted transaction answered no error", first)
		}
	}

	// A rolled-back first write is gone; a committed one stays; several
	// statements without arguments go as one.
	tx, err = db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO pt VALUES (1); INSERT INTO pt VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	tx, err = db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := tx.ExecContext(ctx, "INSERT INTO pt SELECT g FROM generate_series($1::int, 5) g", 3); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 3 {
		t.Fatalf("rows affected %d, want 3", n)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var count, sum int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*), SUM(n) FROM pt").Scan(&count, &sum); err != nil || count != 3 || sum != 12 {
		t.Fatalf("table holds %d rows summing %d (%v), want 3 rows 3+4+5", count, sum, err)
	}

	// A unique violation on the first statement is the error callers retry.
	tx, err = db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO pt VALUES ($1)", 3)
	if !sqldb.IsUniqueViolation(err) || !sqldb.IsRetryable(err) {
		t.Fatalf("duplicate key on the first statement: %v", err)
	}
	tx.Rollback()

	// pgx's own API through Raw runs inside the transaction: the BEGIN
	// owed is sent first.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx2, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ctx = ctx2
	tx, err = conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = conn.Raw(func(dc any) error {
		pc, err := sqldb.PgxConn(ctx, dc)
		if err != nil {
			return err
		}
		if s := pc.PgConn().TxStatus(); s != 'T' {
			return fmt.Errorf("pgx connection in state %q, want T (in a transaction)", s)
		}
		_, err = pc.Exec(ctx, "INSERT INTO pt VALUES (9)")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	conn.Close() // the pool's one connection
	var nine int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pt WHERE n = 9").Scan(&nine); err != nil || nine != 0 {
		t.Fatalf("the rolled-back insert through pgx: %d rows, %v", nine, err)
	}
}

// A schema change that invalidates a pipelined statement fails it once (as
// pgx's own statement cache does); the connection then prepares it afresh.
func TestPipelinedStatementAfterSchemaChange(t *testing.T) {
	db, _ := openCounted(t, true)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE sc (a INTEGER)"); err != nil {
		t.Fatal(err)
	}
	first := func() error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		rows, err := tx.QueryContext(ctx, "SELECT * FROM sc WHERE a > $1", 0)
		if err != nil {
			return err
		}
		return rows.Close()
	}
	if err := first(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "ALTER TABLE sc ADD COLUMN b TEXT"); err != nil {
		t.Fatal(err)
	}
	errs := 0
	for range 3 {
		if err := first(); err != nil {
			errs++
		}
	}
	t.Logf("%d of 3 failed", errs)
	if errs > 1 {
		t.Fatalf("%d of 3 transactions failed after the schema change, want at most 1", errs)
	}
}
