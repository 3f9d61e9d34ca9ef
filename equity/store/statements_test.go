package store_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"copyhold/equity"
	"copyhold/equity/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// One vest (pending → vested, with the reviewer's credit) sends a fixed,
// small number of statements: on PostgreSQL one read and one write (the
// register's queue row replaced the chain head's lock and hash; the balance
// rows are locked and updated inside the write), on SQLite one read and the
// write's parts (docs/BENCHMARKS.md). A change that adds a round trip to
// every vest fails here until the limit is raised on purpose.
func TestVestStatements(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 4)
		sub, _ := f.submit(f.members[0])
		var l dbtest.StatementLog
		var before int64
		must(t, db.Raw("SELECT MAX(id) FROM events").Scan(&before).Error)
		var vest equity.Transaction
		err := l.Session(db).Transaction(func(tx *gorm.DB) error {
			var err error
			vest, err = store.Vest(tx, store.Decision{SubmissionID: sub, ReviewID: sub, ReviewerID: f.members[1]})
			return err
		})
		must(t, err)
		// Its events, written in the same statement on PostgreSQL, name it.
		var evs []struct {
			Type, Scope, Payload string
		}
		must(t, db.Raw("SELECT type, scope, CAST(payload AS TEXT) AS payload FROM events WHERE id > ? ORDER BY id", before).Scan(&evs).Error)
		want := []string{"equity.vested member:" + itoa(f.members[0]), "equity.credited member:" + itoa(f.members[1]), "equity.register_changed coop"}
		if len(evs) != len(want) {
			t.Fatalf("vest wrote %d events, want %d: %+v", len(evs), len(want), evs)
		}
		for i, ev := range evs {
			var p map[string]any
			must(t, json.Unmarshal([]byte(ev.Payload), &p))
			if got := ev.Type + " " + ev.Scope; got != want[i] || p["tx_id"] != float64(vest.ID) || p["kind"] != "vest" {
				t.Fatalf("event %d: %s %v, want %s with tx_id %d and kind vest", i, got, p, want[i], vest.ID)
			}
		}
		limit := 2 // PostgreSQL: one read (resolveReads), then the whole write in one statement (writeAll)
		if db.Dialector.Name() != "postgres" {
			limit = 8
		}
		if os.Getenv("PRINT_SQL") != "" {
			t.Log(strings.Join(l.SQL(), ";\n"))
		}
		if sqls := l.SQL(); len(sqls) > limit {
			t.Fatalf("%d statements for one vest, want at most %d:\n%s", len(sqls), limit, strings.Join(sqls, "\n"))
		}
		f.verify()
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// On PostgreSQL a pending credit and its vesting each take two round trips
// in a transaction of their own: BEGIN with the read, then the write with
// the COMMIT (it waits for nothing: its id was drawn by the read). The
// notifier then sends one NOTIFY for the commit's events, from its own
// goroutine on the same (only) connection, so each count waits for that
// third write and then for quiet. What was written is all there, balanced,
// and entered on the register.
func TestCreditAndVestRoundTrips(t *testing.T) {
	db, writes := dbtest.OpenCounted(t)
	f := newFixture(t, db, 4)
	const want = 2 + 1 // round trips, and the NOTIFY
	// count is the writes since before, once at least want were made and
	// nothing more was sent for a while.
	count := func(before int64) int64 {
		for deadline := time.Now().Add(5 * time.Second); writes.Load()-before < want && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		for n := writes.Load(); ; {
			time.Sleep(200 * time.Millisecond)
			m := writes.Load()
			if m == n {
				return n - before
			}
			n = m
		}
	}
	for round := range 3 { // the third, once the statements are prepared
		before := writes.Load()
		sub, credit := f.submit(f.members[0])
		credited := count(before)
		before = writes.Load()
		vest := f.vest(sub, f.members[1])
		vested := count(before)
		if round == 2 && (credited != want || vested != want) {
			t.Fatalf("a credit made %d writes and a vest %d, want %d each (two round trips and a NOTIFY)", credited, vested, want)
		}
		for _, tx := range []equity.Transaction{credit, vest} {
			stored, err := store.Transaction(db, tx.ID)
			if err != nil || stored.Key != tx.Key || len(stored.Postings) != len(tx.Postings) {
				t.Fatalf("transaction %d (%s): stored %+v, %v", tx.ID, tx.Key, stored, err)
			}
		}
	}
	f.verify()
}
