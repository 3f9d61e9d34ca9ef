package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
	"testing"

	"copyhold/labeling/sqldb"
	"copyhold/migrations/dbtest"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

var errTaken = errors.New("taken")

// taken is a fail function: a unique violation is errTaken.
func taken(err error) error {
	if sqldb.IsUniqueViolation(err) {
		return errTaken
	}
	return err
}

func countRows(t *testing.T, db *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// On both databases a deferred write is seen by the statements after it,
// commits with its transaction, and its failure fails the transaction
// (as fail says) and stores nothing of it.
func TestExecLater(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := db.Exec("CREATE TABLE later_t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)").Error; err != nil {
			t.Fatal(err)
		}
		ins := "INSERT INTO later_t (k, n) VALUES (?, ?)"
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := sqldb.ExecLater(tx, taken, ins, "a", 1); err != nil {
				return err
			}
			if got := countRows(t, tx, "later_t"); got != 1 {
				t.Errorf("the next statement saw %d rows, want the deferred one", got)
			}
			return sqldb.ExecLater(tx, taken, ins, "b", 2) // goes with the COMMIT
		})
		if err != nil || countRows(t, db, "later_t") != 2 {
			t.Fatalf("commit: %v, %d rows", err, countRows(t, db, "later_t"))
		}
		// A failing deferred write fails the commit through fail, and the
		// whole transaction is rolled back.
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(ins, "c", 3).Error; err != nil {
				return err
			}
			return sqldb.ExecLater(tx, taken, ins, "a", 9)
		})
		if !errors.Is(err, errTaken) || countRows(t, db, "later_t") != 2 {
			t.Fatalf("a duplicate at commit: %v, %d rows (want errTaken, 2 rows)", err, countRows(t, db, "later_t"))
		}
		// ...or the statement after it, which does not run.
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := sqldb.ExecLater(tx, taken, ins, "b", 9); err != nil {
				return err
			}
			return tx.Exec(ins, "d", 4).Error
		})
		if !errors.Is(err, errTaken) || countRows(t, db, "later_t") != 2 {
			t.Fatalf("a duplicate before a statement: %v, %d rows (want errTaken, 2 rows)", err, countRows(t, db, "later_t"))
		}
		// A rolled-back transaction never sends it.
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := sqldb.ExecLater(tx, taken, ins, "e", 5); err != nil {
				return err
			}
			return errTaken
		})
		if !errors.Is(err, errTaken) || countRows(t, db, "later_t") != 2 {
			t.Fatalf("rollback: %v, %d rows", err, countRows(t, db, "later_t"))
		}
		// Outside a transaction it runs at once.
		if err := sqldb.ExecLater(db, taken, ins, "f", 6); err != nil || countRows(t, db, "later_t") != 3 {
			t.Fatalf("outside a transaction: %v, %d rows", err, countRows(t, db, "later_t"))
		}
		if err := sqldb.ExecLater(db, taken, ins, "f", 6); !errors.Is(err, errTaken) {
			t.Fatalf("a duplicate outside a transaction: %v, want errTaken", err)
		}
	})
}

// On PostgreSQL a deferred write costs no round trip of its own: it goes
// with the next statement or with the COMMIT, and a failed one leaves the
// connection ready for the next transaction.
func TestExecLaterSavesATrip(t *testing.T) {
	sqlDB, writes := openCounted(t, true)
	db, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("CREATE TABLE later_t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	ins := "INSERT INTO later_t (k, n) VALUES (?, ?)"
	trips := func(fn func(tx *gorm.DB) error) (int64, error) {
		before := writes.Load()
		err := db.Transaction(fn)
		return writes.Load() - before, err
	}
	read := func(tx *gorm.DB) {
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM later_t WHERE n > ?", 0).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range []struct {
		name  string
		fn    func(tx *gorm.DB, k string) error
		trips int64
	}{
		// BEGIN+read, write+COMMIT, where a plain write would take three.
		{"read, then write", func(tx *gorm.DB, k string) error { read(tx); return sqldb.ExecLater(tx, nil, ins, k, 1) }, 2},
		// BEGIN+write+read, COMMIT.
		{"write, then read", func(tx *gorm.DB, k string) error {
			if err := sqldb.ExecLater(tx, nil, ins, k, 1); err != nil {
				return err
			}
			read(tx)
			return nil
		}, 2},
		// BEGIN+write+write+COMMIT.
		{"two writes", func(tx *gorm.DB, k string) error {
			if err := sqldb.ExecLater(tx, nil, ins, k, 1); err != nil {
				return err
			}
			return sqldb.ExecLater(tx, nil, ins, k+"'", 1)
		}, 1},
	} {
		var got int64
		for round := range 3 { // the third, once the statements are prepared
			n, err := trips(func(tx *gorm.DB) error { return c.fn(tx, string(rune('a'+i))+string(rune('0'+round))) })
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got = n
		}
		if got != c.trips {
			t.Errorf("%s: %d round trips, want %d", c.name, got, c.trips)
		}
	}
	// A failure at commit: one trip for the batch, one for the ROLLBACK,
	// and the connection (the pool's only one) is usable at once.
	n, err := trips(func(tx *gorm.DB) error { return sqldb.ExecLater(tx, taken, ins, "a0", 1) })
	if !errors.Is(err, errTaken) || n != 2 {
		t.Fatalf("a duplicate at commit: %v after %d trips, want errTaken after 2", err, n)
	}
	if _, err := trips(func(tx *gorm.DB) error { read(tx); return nil }); err != nil {
		t.Fatalf("the next transaction: %v", err)
	}
	var status atomic.Value
	conn, err := sqlDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Raw(func(dc any) error {
		pc, err := sqldb.PgxConn(context.Background(), dc)
		if err == nil {
			status.Store(pc.PgConn().TxStatus())
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	conn.Close() // the pool's one connection
	if s := status.Load().(byte); s != 'I' {
		t.Fatalf("the connection is in state %q after a failed deferred write, want idle", s)
	}
	var rows int64
	if err := sqlDB.QueryRow("SELECT COUNT(*) FROM later_t").Scan(&rows); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	if rows != 12 {
		t.Fatalf("%d rows, want 12", rows)
	}
}
