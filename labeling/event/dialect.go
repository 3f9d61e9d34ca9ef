package event

// Everything in this package that differs between SQLite and PostgreSQL.

import (
	"context"

	"copyhold/labeling/sqldb"

	"gorm.io/driver/postgres"
)

// CommitsInOrder reports whether event ids become visible in id order.
// SQLite has a single writer, so a gap below a committed id (a rolled-back
// or deleted row) can never fill. On PostgreSQL BIGSERIAL ids are drawn
// before commit, so the transaction holding id 9 may commit after the one
// holding id 10: see GapProbe and WritersSince.
func (s *Store) CommitsInOrder() bool { return !sqldb.IsPostgres(s.db) }

// GapProbe reads the database clock, to be handed to WritersSince once the
// reader has seen a gap. On SQLite it returns "" (there is nothing to wait for).
func (s *Store) GapProbe(ctx context.Context) (string, error) {
	if !sqldb.IsPostgres(s.db) {
		return "", nil
	}
	var at string
	err := s.db.WithContext(ctx).Raw("SELECT clock_timestamp()::text").Scan(&at).Error
	return at, err
}

// WritersSince counts the other transactions, begun at or before probe,
// that still hold the row-exclusive lock an INSERT into this schema's events
// table takes (before it draws an id, until it commits or rolls back). When
// there are none, an id missing below a committed one was rolled back. The
// lock names this schema's table, so transactions elsewhere on the server do
// not hold the reader up. On SQLite it is always 0.
func (s *Store) WritersSince(ctx context.Context, probe string) (int64, error) {
	if !sqldb.IsPostgres(s.db) {
		return 0, nil
	}
	var n int64
	err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'relation' AND l.relation = to_regclass('events') AND l.mode = 'RowExclusiveLock'
  AND l.pid <> pg_backend_pid() AND (a.xact_start IS NULL OR a.xact_start <= CAST(? AS timestamptz))`, probe).Scan(&n).Error
	return n, err
}

// listenURL is the PostgreSQL URL the LISTEN connection dials when none is
// given: the store's own, and "" on SQLite, which has no NOTIFY.
func (s *Store) listenURL() string {
	if d, ok := s.db.Dialector.(*postgres.Dialector); ok && sqldb.IsPostgres(s.db) {
		return d.Config.DSN
	}
	return ""
}
