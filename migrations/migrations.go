// Package migrations holds the numbered SQL migrations for both dialects,
// embedded in the binary, and opens the database they describe.
//
// Every migration id exists for PostgreSQL and for SQLite; goose runs each
// one in its own transaction.
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// ErrOutdated means the schema lags behind the binary.
var ErrOutdated = errors.New("database schema is out of date: run `copyhold migrate up`")

func provider(db *gorm.DB) (*goose.Provider, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	dir, dialect := "postgres", goose.DialectPostgres
	if IsSQLite(db) {
		dir, dialect = "sqlite", goose.DialectSQLite3
	}
	sub, err := fs.Sub(files, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, sqlDB, sub, goose.WithDisableGlobalRegistry(true))
}

// Up applies every pending migration and returns the versions applied.
func Up(ctx context.Context, db *gorm.DB) ([]int64, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	var applied []int64
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// Status is one migration and whether it has been applied.
type Status struct {
	Version int64
	Name    string
	Applied bool
}

// List reports every known migration and whether it is applied.
func List(ctx context.Context, db *gorm.DB) ([]Status, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(st))
	for _, s := range st {
		out = append(out, Status{Version: s.Source.Version, Name: s.Source.Path, Applied: s.State == goose.StateApplied})
	}
	return out, nil
}

// Applied reports whether any migration has been applied, from the highest
// version recorded: one query, where List reads each migration's row.
func Applied(ctx context.Context, db *gorm.DB) (bool, error) {
	p, err := provider(db)
	if err != nil {
		return false, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	return v > 0, nil
}

// Check returns ErrOutdated when a migration is pending.
func Check(ctx context.Context, db *gorm.DB) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if pending {
		return ErrOutdated
	}
	return nil
}

// Versions lists the migration file names of one dialect folder, in order.
func Versions(dialect string) ([]string, error) {
	entries, err := fs.ReadDir(files, dialect)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, nil
}
