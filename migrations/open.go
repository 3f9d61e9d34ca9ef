package migrations

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"copyhold/labeling/sqldb"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Source says which database to open: PostgreSQL when URL is set,
// otherwise the embedded SQLite file in DataDir.
type Source struct {
	URL     string
	DataDir string
	// MaxConns caps the PostgreSQL pool; 0 means DefaultMaxConns().
	MaxConns int
}

// DefaultMaxConns is the PostgreSQL pool's default size: twice the cores
// this process may use, plus one, and at least 4 (the PostgreSQL wiki's
// rule for a database on a host like this one). More connections than the
// database has cores to run them only queue inside the server, where every
// extra backend makes each transaction dearer: on 2 cores 64 vest callers
// over 64 connections ran at 0.4 of the rate over 4 (docs/BENCHMARKS.md,
// "Court roll"). Callers beyond the pool wait in Go, which is cheap.
func DefaultMaxConns() int { return max(4, 2*runtime.GOMAXPROCS(0)+1) }

// Open connects and pings the database. It does not migrate.
func Open(ctx context.Context, src Source) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var db *gorm.DB
	var err error
	if src.URL != "" {
		pcfg, perr := pgx.ParseConfig(src.URL)
		if perr != nil {
			return nil, fmt.Errorf("database unreachable: %w", perr)
		}
		// Transactions send their BEGIN with their first statement
		// (sqldb.OpenPostgres): one round trip fewer on every one.
		db, err = gorm.Open(postgres.New(postgres.Config{DSN: src.URL, Conn: sqldb.OpenPostgres(*pcfg)}), cfg)
		if err != nil {
			return nil, fmt.Errorf("database unreachable: %w", err)
		}
		// After-commit hooks: the live layer's NOTIFY is sent after the
		// writing transaction commits, not inside it (labeling/event/notify.go).
		sqldb.TrackCommits(db)
		sqlDB, _ := db.DB()
		n := src.MaxConns
		if n <= 0 {
			n = DefaultMaxConns()
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		dir := src.DataDir
		if dir == "" {
			dir = "data"
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data folder: %w", err)
		}
		path := filepath.Join(dir, "copyhold.db")
		dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
			"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		db, err = gorm.Open(sqlite.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		// SQLite allows one writer at a time; a single connection makes that
		// explicit and turns lock contention into queueing instead of SQLITE_BUSY.
		sqlDB, _ := db.DB()
		sqlDB.SetMaxOpenConns(1)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	sqlDB, _ := db.DB()
	if err := sqlDB.PingContext(pctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("database unreachable: %w", err)
	}
	slog.Debug("database open", "dialect", db.Dialector.Name())
	return db, nil
}

// IsSQLite reports whether db is the embedded SQLite database.
func IsSQLite(db *gorm.DB) bool { return db.Dialector.Name() == "sqlite" }
