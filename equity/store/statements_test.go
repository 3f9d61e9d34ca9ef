package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

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
// small number of statements: the register's queue insert replaced the
// chain head's lock and hash, and the reads that the path repeated are one
// statement each (docs/BENCHMARKS.md). A change that adds a round trip to
// every vest fails here until the limit is raised on purpose.
func TestVestStatements(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 4)
		sub, _ := f.submit(f.members[0])
		var l statementLog
		err := counted(db, &l).Transaction(func(tx *gorm.DB) error {
			_, err := store.Vest(tx, store.Decision{SubmissionID: sub, ReviewID: sub, ReviewerID: f.members[1]})
			return err
		})
		must(t, err)
		limit := 8 // PostgreSQL: the transaction, its postings and its queue entry are one statement
		if db.Dialector.Name() != "postgres" {
			limit = 10
		}
		if len(l.sqls) > limit {
			t.Fatalf("%d statements for one vest, want at most %d:\n%s", len(l.sqls), limit, strings.Join(l.sqls, "\n"))
		}
		f.verify()
	})
}
