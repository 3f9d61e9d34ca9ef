package sqldb

// Hot statements without GORM's statement builder. GORM's Raw copies the
// SQL byte by byte to rewrite its ? placeholders and runs its callback
// chain on every call: on the ledger's multi-kilobyte statements that is a
// tenth of the client's CPU per action. Query rewrites a statement's
// placeholders once per distinct text and hands it to the transaction's
// own connection, with the same arguments GORM would pass.

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// rebound caches each statement's PostgreSQL text: the texts are built from a
// bounded set of shapes, so the cache stays small; past maxRebound texts
// (a caller inlining values) the rest are rewritten on every call.
var (
	rebound     sync.Map // string → string
	reboundSize atomic.Int64
)

const maxRebound = 4096

// Query runs q, whose parameters are ?, on tx (a transaction or the pool)
// with tx's context, like tx.Raw(q, args...).Rows() but without GORM's
// statement builder or callbacks. Arguments go to the driver as they are:
// plain values only (no gorm.Expr, no slices to expand).
//
// The statement is reported to the session's logger as GORM reports its own,
// so what watches GORM's log (slow statements, the statement-count tests)
// still sees it.
func Query(tx *gorm.DB, q string, args ...any) (*sql.Rows, error) {
	if IsPostgres(tx) {
		q = Dollars(q)
	}
	return query(tx, q, args)
}

// query runs q, in the dialect's placeholders already, on tx's connection
// and reports it to the session's logger.
func query(tx *gorm.DB, q string, args []any) (*sql.Rows, error) {
	ctx, begin := contextOf(tx), time.Now()
	rows, err := tx.Statement.ConnPool.QueryContext(ctx, q, args...)
	if tx.Logger != nil {
		tx.Logger.Trace(ctx, begin, func() (string, int64) { return q, -1 }, err)
	}
	return rows, err
}

func contextOf(tx *gorm.DB) context.Context {
	if tx.Statement != nil && tx.Statement.Context != nil {
		return tx.Statement.Context
	}
	return context.Background()
}

// Dollars numbers q's ? placeholders $1, $2, … as GORM's PostgreSQL dialect
// does (every ?, as GORM rewrites them: the statements keep ? out of their
// literals).
func Dollars(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	if reboundSize.Load() < maxRebound {
		if _, loaded := rebound.LoadOrStore(q, out); !loaded {
			reboundSize.Add(1)
		}
	}
	return out
}
