package store_test

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"copyhold/equity"
	"copyhold/equity/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// statementLog records the SQL a session sends.
type statementLog struct {
	logger.Interface
	mu   sync.Mutex
	sqls []string
}

func (l *statementLog) LogMode(logger.LogLevel) logger.Interface { return l }

func (l *statementLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	s, _ := fc()
	l.mu.Lock()
	l.sqls = append(l.sqls, s)
	l.mu.Unlock()
}

// counted returns a session on db that records its statements in l.
func counted(db *gorm.DB, l *statementLog) *gorm.DB {
	l.Interface = logger.Discard
	return db.Session(&gorm.Session{Logger: l})
}

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
		var l statementLog
		var before int64
		must(t, db.Raw("SELECT MAX(id) FROM events").Scan(&before).Error)
		var vest equity.Transaction
		err := counted(db, &l).Transaction(func(tx *gorm.DB) error {
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
			t.Log(strings.Join(l.sqls, ";\n"))
		}
		if len(l.sqls) > limit {
			t.Fatalf("%d statements for one vest, want at most %d:\n%s", len(l.sqls), limit, strings.Join(l.sqls, "\n"))
		}
		f.verify()
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
