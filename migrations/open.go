package migrations

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"copyhold/labeling/sqldb"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Source says which database to open: PostgreSQL when URL is set,
// otherwise the embedded SQLite file in DataDir.
type Source struct {
	URL     string
	DataDir string
}

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
		db, err = gorm.Open(postgres.Open(src.URL), cfg)
		if err != nil {
			return nil, fmt.Errorf("database unreachable: %w", err)
		}
		// After-commit hooks: the live layer's NOTIFY is sent after the
		// writing transaction commits, not inside it (labeling/event/notify.go).
		sqldb.TrackCommits(db)
		sqlDB, _ := db.DB()
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(16)
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
