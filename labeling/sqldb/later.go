package sqldb

// Statements whose answer a transaction does not wait for. A write whose
// only outcome is success or failure (no rows, no count the caller reads)
// need not cost a round trip of its own: ExecLater queues it on the
// connection, and it goes in the same write as whatever the transaction
// sends next (its next statement, or its COMMIT), in the extended
// protocol's pipeline. Its error, if it fails, is the error of that next
// statement or of the commit, passed through the caller's fail function
// first; the statements behind it in the pipeline are not run, and the
// transaction is rolled back. A rolled-back transaction never sends what it
// had queued.

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// ExecLater runs q, whose parameters are ?, on tx like Query, for a write
// whose answer the caller does not need: on PostgreSQL, inside a
// transaction opened by OpenPostgres's driver, it is only queued, and it
// travels with the transaction's next statement or its COMMIT. Its error
// then comes from that statement or from the commit, as fail(err). fail
// (nil: the error as it is) turns a database error into what the caller
// would have returned. Elsewhere (SQLite, outside a transaction, another
// driver) q runs now, and its error is fail(err) at once.
func ExecLater(tx *gorm.DB, fail func(error) error, q string, args ...any) error {
	if fail == nil {
		fail = func(err error) error { return err }
	}
	ctx, begin := contextOf(tx), time.Now()
	if IsPostgres(tx) {
		q = Dollars(q)
		ctx = context.WithValue(ctx, laterKey{}, fail)
	}
	_, err := tx.Statement.ConnPool.ExecContext(ctx, q, args...)
	if err != nil {
		err = fail(err)
	}
	if tx.Logger != nil {
		tx.Logger.Trace(ctx, begin, func() (string, int64) { return q, -1 }, err)
	}
	return err
}

// laterKey marks an ExecContext as ExecLater's; its value is the fail function.
type laterKey struct{}

// later is one deferred statement, its parameters encoded.
type later struct {
	q       string
	sd      *pgconn.StatementDescription
	params  [][]byte
	formats []int16
	args    []any // for a tracer
	fail    func(error) error
}

// owed is what a batch carries ahead of its own statement: what the
// connection owed (BEGIN, deferred statements), then the statement's own
// setup, if any (genericPlanSQL).
type owed struct {
	begin string
	later []later
	setup string
}

// deferExec queues q on the open transaction when it can go pipelined (one
// statement, prepared); false when q must run now.
func (c *pipeConn) deferExec(ctx context.Context, q string, args []driver.NamedValue, fail func(error) error) (bool, error) {
	sd, err := c.statement(ctx, q)
	if err != nil || sd == nil {
		return false, nil // it runs now, and says why
	}
	values, err := c.bind(sd, args)
	if err != nil {
		return true, err // ExecLater passes it through fail
	}
	l := later{q: q, sd: sd, args: values, fail: fail,
		params: make([][]byte, len(c.eqb.ParamValues)), formats: append([]int16(nil), c.eqb.ParamFormats...)}
	for i, v := range c.eqb.ParamValues {
		if v != nil {
			l.params[i] = append([]byte{}, v...)
		}
	}
	c.later = append(c.later, l)
	return true, nil
}

// owed puts what the connection owes at the head of b and forgets it.
func (c *pipeConn) owed(b *pgconn.Batch) owed {
	o := owed{begin: c.begin, later: c.later}
	if o.begin != "" {
		b.ExecParams(o.begin, nil, nil, nil, nil)
	}
	for _, l := range o.later {
		b.ExecStatement(l.sd, l.params, l.formats, nil)
	}
	c.begin, c.later = "", nil
	return o
}

// readOwed reads the answers to what o put at the head of a batch. On an
// error the batch is closed and the error is the failing statement's.
func (c *pipeConn) readOwed(mrr *pgconn.MultiResultReader, o owed) error {
	if o.begin != "" {
		if !mrr.NextResult() {
			return closedWithout(mrr, "BEGIN")
		}
		if _, err := mrr.ResultReader().Close(); err != nil {
			mrr.Close()
			return err
		}
	}
	for _, l := range o.later {
		var err error
		if !mrr.NextResult() {
			err = closedWithout(mrr, "a deferred statement")
		} else if _, err = mrr.ResultReader().Close(); err != nil {
			mrr.Close()
		}
		if err != nil {
			c.forget(l.q, err)
			return l.fail(err)
		}
	}
	if o.setup != "" {
		if !mrr.NextResult() {
			return closedWithout(mrr, o.setup)
		}
		if _, err := mrr.ResultReader().Close(); err != nil {
			mrr.Close()
			return err
		}
	}
	return nil
}

// commitLater sends the deferred statements and COMMIT in one batch. When
// one fails, the COMMIT is not run: the transaction is rolled back and the
// statement's error returned.
func (c *pipeConn) commitLater(ctx context.Context) error {
	var b pgconn.Batch
	o := c.owed(&b)
	b.ExecParams("commit", nil, nil, nil, nil)
	ctx, tracer := c.traceStart(ctx, o, "commit", nil)
	pc := c.Conn.Conn().PgConn()
	mrr := pc.ExecBatch(ctx, &b)
	if err := c.readOwed(mrr, o); err != nil {
		if pc.TxStatus() != 'I' {
			if _, rerr := c.Conn.Conn().Exec(ctx, "rollback"); rerr != nil {
				err = fmt.Errorf("%w (and the rollback failed: %v)", err, rerr)
			}
		}
		return c.traced(ctx, tracer, err)
	}
	if !mrr.NextResult() {
		return c.traced(ctx, tracer, closedWithout(mrr, "COMMIT"))
	}
	tag, err := mrr.ResultReader().Close()
	if cerr := mrr.Close(); err == nil {
		err = cerr
	}
	if err == nil && tag.String() == "ROLLBACK" { // the transaction had failed
		err = pgx.ErrTxCommitRollback
	}
	return c.traced(ctx, tracer, err)
}
