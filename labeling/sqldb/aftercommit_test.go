package sqldb_test

import (
	"errors"
	"testing"

	"copyhold/labeling/sqldb"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// AfterCommit's hooks run once the transaction commits, never on rollback,
// and at once outside a transaction; GORM's DB() still finds the pool.
func TestAfterCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		tracked := db.Dialector.Name() == "postgres" // migrations.Open tracks PostgreSQL pools
		ran := 0
		err := db.Transaction(func(tx *gorm.DB) error {
			if _, err := tx.DB(); err != nil {
				t.Fatalf("DB() inside a transaction: %v", err)
			}
			sqldb.AfterCommit(tx, func() { ran++ })
			if tracked && ran != 0 {
				t.Fatal("hook ran before the commit")
			}
			return tx.Exec("SELECT 1").Error
		})
		if err != nil || ran != 1 {
			t.Fatalf("after commit: ran %d times, err %v", ran, err)
		}
		ran = 0
		err = db.Transaction(func(tx *gorm.DB) error {
			sqldb.AfterCommit(tx, func() { ran++ })
			return errors.New("roll back")
		})
		if err == nil || tracked && ran != 0 {
			t.Fatalf("after rollback: ran %d times, err %v", ran, err)
		}
		ran = 0
		sqldb.AfterCommit(db, func() { ran++ })
		if ran != 1 {
			t.Fatalf("outside a transaction: ran %d times", ran)
		}
		if _, err := db.DB(); err != nil {
			t.Fatalf("DB(): %v", err)
		}
	})
}

// AfterCommitOnce runs one hook per key and transaction, however often the
// transaction asks; each transaction asks afresh.
func TestAfterCommitOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		tracked := db.Dialector.Name() == "postgres"
		a, b := 0, 0
		for range 2 {
			err := db.Transaction(func(tx *gorm.DB) error {
				for range 3 {
					sqldb.AfterCommitOnce(tx, "a", func() { a++ })
				}
				sqldb.AfterCommitOnce(tx, "b", func() { b++ })
				return tx.Exec("SELECT 1").Error
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if want := 2; tracked && (a != want || b != want) {
			t.Fatalf("two transactions: a ran %d times, b %d, want %d each", a, b, want)
		}
		if !tracked && (a != 6 || b != 2) { // untracked: every hook runs at once
			t.Fatalf("untracked: a ran %d times, b %d", a, b)
		}
	})
}
