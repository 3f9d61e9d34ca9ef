package dbtest

import (
	"context"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"copyhold/labeling/sqldb"
	"copyhold/migrations"

	"github.com/jackc/pgx/v5"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// StatementLog is a GORM logger that records the SQL a session sends.
type StatementLog struct {
	mu   sync.Mutex
	sqls []string
}

// Session returns db logging its statements to l.
func (l *StatementLog) Session(db *gorm.DB) *gorm.DB {
	return db.Session(&gorm.Session{Logger: l})
}

// SQL is what was sent so far, in order.
func (l *StatementLog) SQL() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.sqls...)
}

func (l *StatementLog) LogMode(logger.LogLevel) logger.Interface { return l }
func (l *StatementLog) Info(context.Context, string, ...any)     {}
func (l *StatementLog) Warn(context.Context, string, ...any)     {}
func (l *StatementLog) Error(context.Context, string, ...any)    {}

func (l *StatementLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	s, _ := fc()
	l.mu.Lock()
	l.sqls = append(l.sqls, s)
	l.mu.Unlock()
}

// CountWrites makes every connection opened with cfg add its socket writes
// to n: each write is one trip to the server, since pgx sends what it has
// buffered in one write per exchange.
func CountWrites(cfg *pgx.ConnConfig, n *atomic.Int64) {
	var d net.Dialer
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countedConn{c, n}, nil
	}
}

type countedConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countedConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// OpenCounted returns a migrated PostgreSQL database for this test, opened
// as migrations.Open opens it (the application's driver) but on one
// connection whose socket writes n counts (CountWrites): round trips made
// exact. Skipped without TEST_DATABASE_URL.
func OpenCounted(t testing.TB) (db *gorm.DB, n *atomic.Int64) {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("PostgreSQL only: set TEST_DATABASE_URL")
	}
	src := Source(t, Postgres)
	plain, err := migrations.Open(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Up(context.Background(), plain); err != nil {
		t.Fatal(err)
	}
	if sqlDB, err := plain.DB(); err == nil {
		sqlDB.Close()
	}
	cfg, err := pgx.ParseConfig(src.URL)
	if err != nil {
		t.Fatal(err)
	}
	n = new(atomic.Int64)
	CountWrites(cfg, n)
	sqlDB := sqldb.OpenPostgres(*cfg)
	sqlDB.SetMaxOpenConns(1)
	t.Cleanup(func() { sqlDB.Close() })
	db, err = gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{Logger: logger.Discard,
		SkipDefaultTransaction: true, NowFunc: func() time.Time { return time.Now().UTC() }})
	if err != nil {
		t.Fatal(err)
	}
	return db, n
}
