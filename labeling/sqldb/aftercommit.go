package sqldb

// After-commit hooks: work that must happen only once a transaction has
// committed, and outside it, such as waking other processes (event.notify).
// GORM has no commit callback, so TrackCommits puts a thin wrapper around
// the connection pool whose transactions run their hooks after a successful
// COMMIT.

import (
	"context"
	"database/sql"
	"sync"

	"gorm.io/gorm"
)

// TrackCommits makes AfterCommit work for db (opened, not yet shared): the
// transactions that db begins from now on run their hooks once they commit.
func TrackCommits(db *gorm.DB) {
	if p, ok := db.ConnPool.(*sql.DB); ok {
		db.ConnPool = trackedDB{p}
		db.Statement.ConnPool = db.ConnPool
	}
}

// AfterCommit runs fn once tx's transaction has committed; never if it rolls
// back. Outside a transaction the statement has already committed, and on a
// pool that TrackCommits did not wrap there is no commit to wait for, so fn
// runs at once. fn runs on the committing goroutine and must not block.
func AfterCommit(tx *gorm.DB, fn func()) {
	if t, ok := tx.Statement.ConnPool.(*trackedTx); ok {
		t.mu.Lock()
		t.after = append(t.after, fn)
		t.mu.Unlock()
		return
	}
	fn()
}

// AfterCommitOnce is AfterCommit for a hook that one run covers however many
// times the transaction asks for it: only the first fn registered under key
// (comparable) in tx's transaction runs. Outside a transaction fn runs at once.
func AfterCommitOnce(tx *gorm.DB, key any, fn func()) {
	if t, ok := tx.Statement.ConnPool.(*trackedTx); ok {
		t.mu.Lock()
		if t.once == nil {
			t.once = map[any]bool{}
		}
		if !t.once[key] {
			t.once[key] = true
			t.after = append(t.after, fn)
		}
		t.mu.Unlock()
		return
	}
	fn()
}

// trackedDB is the pool: a *sql.DB whose BeginTx returns a trackedTx.
type trackedDB struct{ *sql.DB }

// BeginTx makes GORM a gorm.ConnPoolBeginner instead of a TxBeginner.
func (d trackedDB) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	tx, err := d.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &trackedTx{Tx: tx, db: d.DB}, nil
}

// GetDBConn keeps gorm.DB.DB() working.
func (d trackedDB) GetDBConn() (*sql.DB, error) { return d.DB, nil }

// trackedTx is a transaction with hooks to run after it commits.
type trackedTx struct {
	*sql.Tx
	db    *sql.DB
	mu    sync.Mutex
	after []func()
	once  map[any]bool // AfterCommitOnce's keys
}

// Commit commits, then runs the hooks if it succeeded.
func (t *trackedTx) Commit() error {
	if err := t.Tx.Commit(); err != nil {
		return err
	}
	t.mu.Lock()
	after := t.after
	t.after = nil
	t.mu.Unlock()
	for _, fn := range after {
		fn()
	}
	return nil
}

// GetDBConn keeps gorm.DB.DB() working inside a transaction.
func (t *trackedTx) GetDBConn() (*sql.DB, error) { return t.db, nil }

// InTransaction says whether statements on tx run inside a transaction
// (false: each commits by itself).
func InTransaction(tx *gorm.DB) bool {
	_, ok := tx.Statement.ConnPool.(gorm.TxCommitter)
	return ok
}
