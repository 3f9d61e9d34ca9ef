package sqldb

// PostgreSQL transactions whose BEGIN travels with their first statement.
//
// database/sql sends BEGIN when a transaction starts and waits for its
// answer before the first statement can go: a round trip that carries no
// work, on every transaction. Pipelined wraps pgx's database/sql connector
// so that BeginTx only remembers the BEGIN, and the transaction's first
// statement sends both in one write through the extended protocol's
// pipeline (a pgconn batch: Parse/Bind/Execute of BEGIN, Bind/Execute of the
// prepared statement, one Sync), reading both answers after one round trip.
// Everything after the first statement, and every statement outside a
// transaction (but those marked GenericPlan, generic.go), is pgx's stdlib
// driver unchanged.
//
// The first statement's rows come back in the formats pgx's stdlib asks for
// (binary for the fixed-width types it lists, text for the rest) and are
// converted to the same database/sql values, so a scan cannot tell which path
// a row took. A transaction that sends nothing sends no BEGIN and no COMMIT.

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// maxPipelined bounds the statements one connection prepares for this path;
// past it a transaction's BEGIN goes on its own, as before.
const maxPipelined = 256

// readBuffer is how much one read from the server's socket may take: pgx reads
// at most 8 KiB at a time, about twenty rows of a snapshot export, one system
// call each.
const readBuffer = 128 << 10

// OpenPostgres opens a database/sql pool on cfg whose transactions pipeline
// their BEGIN.
func OpenPostgres(cfg pgx.ConnConfig) *sql.DB {
	cfg.BuildFrontend = func(r io.Reader, w io.Writer) *pgproto3.Frontend {
		return pgproto3.NewFrontend(bufio.NewReaderSize(r, readBuffer), w)
	}
	return sql.OpenDB(pipelined{stdlib.GetConnector(cfg)})
}

// pipelined is a driver.Connector whose connections pipeline BEGIN.
type pipelined struct{ inner driver.Connector }

func (p pipelined) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := p.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := c.(*stdlib.Conn)
	if !ok {
		return c, nil
	}
	return &pipeConn{Conn: sc, stmts: map[string]*pgconn.StatementDescription{}}, nil
}

func (p pipelined) Driver() driver.Driver { return p.inner.Driver() }

// pipeConn is one connection: pgx's stdlib connection and the BEGIN it owes.
type pipeConn struct {
	*stdlib.Conn
	begin string  // the BEGIN of the open transaction, not yet sent ("": none owed)
	later []later // statements ExecLater deferred, not yet sent (later.go)
	inTx  bool
	stmts map[string]*pgconn.StatementDescription
	seq   int
	eqb   pgx.ExtendedQueryBuilder
}

// PgxConn is the pgx connection under a driver connection that sql.Conn.Raw
// hands over (this package's, or pgx's stdlib's), with any BEGIN it owes sent
// first, so that pgx's own API runs inside the transaction.
func PgxConn(ctx context.Context, dc any) (*pgx.Conn, error) {
	switch c := dc.(type) {
	case *pipeConn:
		if err := c.flush(ctx); err != nil {
			return nil, err
		}
		return c.Conn.Conn(), nil
	case *stdlib.Conn:
		return c.Conn(), nil
	}
	return nil, fmt.Errorf("not a pgx connection: %T", dc)
}

func (c *pipeConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx remembers the BEGIN; the first statement sends it.
func (c *pipeConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.Conn.Conn().IsClosed() {
		return nil, driver.ErrBadConn
	}
	q, err := beginSQL(opts)
	if err != nil {
		return nil, err
	}
	c.begin, c.later, c.inTx = q, nil, true
	return &pipeTx{c: c, ctx: ctx}, nil
}

// beginSQL is the BEGIN for opts, as pgx's stdlib maps them.
func beginSQL(opts driver.TxOptions) (string, error) {
	q := "begin"
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault:
	case sql.LevelReadUncommitted:
		q += " isolation level read uncommitted"
	case sql.LevelReadCommitted:
		q += " isolation level read committed"
	case sql.LevelRepeatableRead, sql.LevelSnapshot:
		q += " isolation level repeatable read"
	case sql.LevelSerializable:
		q += " isolation level serializable"
	default:
		return "", fmt.Errorf("unsupported isolation: %v", opts.Isolation)
	}
	if opts.ReadOnly {
		q += " read only"
	}
	return q, nil
}

// flush sends what the connection owes (BEGIN, deferred statements) on
// its own.
func (c *pipeConn) flush(ctx context.Context) error {
	if len(c.later) == 0 {
		if c.begin == "" {
			return nil
		}
		q := c.begin
		c.begin = ""
		_, err := c.Conn.Conn().Exec(ctx, q)
		return err
	}
	var b pgconn.Batch
	o := c.owed(&b)
	ctx, tracer := c.traceStart(ctx, o, "", nil)
	mrr := c.Conn.Conn().PgConn().ExecBatch(ctx, &b)
	if err := c.readOwed(mrr, o); err != nil {
		return c.traced(ctx, tracer, err)
	}
	return mrr.Close()
}

func (c *pipeConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	return c.Conn.PrepareContext(ctx, q)
}

func (c *pipeConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

// ResetSession forgets a BEGIN owed (database/sql has ended the
// transaction by now) and lets pgx check the connection.
func (c *pipeConn) ResetSession(ctx context.Context) error {
	c.begin, c.later, c.inTx = "", nil, false
	return c.Conn.ResetSession(ctx)
}

// statement is q prepared on this connection for the pipelined path (nil:
// the connection has prepared its share).
func (c *pipeConn) statement(ctx context.Context, q string) (*pgconn.StatementDescription, error) {
	if sd, ok := c.stmts[q]; ok {
		return sd, nil
	}
	if len(c.stmts) >= maxPipelined {
		return nil, nil
	}
	c.seq++
	sd, err := c.Conn.Conn().Prepare(ctx, "copyhold_first_"+strconv.Itoa(c.seq), q)
	if err != nil {
		return nil, err
	}
	c.stmts[q] = sd
	return sd, nil
}

// forget drops q's prepared statement after an error that may mean the
// server no longer has it or its plan is stale (a schema change).
func (c *pipeConn) forget(q string, err error) {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && (pg.Code == "0A000" || pg.Code == "26000") {
		delete(c.stmts, q)
	}
}

// send pipelines what the connection owes (BEGIN, deferred statements)
// with q, when q can go that way: one statement, prepared; setup ("": none)
// goes between them (genericPlanSQL). It returns the batch's reader
// positioned on q's result, or nil when q must go the ordinary way (what was
// owed then sent on its own, setup not at all).
func (c *pipeConn) send(ctx context.Context, q string, args []driver.NamedValue, setup string) (*pgconn.MultiResultReader, error) {
	sd, err := c.statement(ctx, q)
	if err != nil || sd == nil {
		// Several statements, a parse error, or the connection's share
		// spent: what is owed alone, then pgx as usual (an error then comes
		// from inside the transaction, as it always did).
		return nil, c.flush(ctx)
	}
	values, err := c.bind(sd, args)
	if err != nil {
		return nil, err
	}
	for i, f := range sd.Fields {
		c.eqb.ResultFormats[i] = resultFormat(f.DataTypeOID)
	}
	var b pgconn.Batch
	o := c.owed(&b)
	if o.setup = setup; setup != "" {
		b.ExecParams(setup, nil, nil, nil, nil)
	}
	b.ExecStatement(sd, c.eqb.ParamValues, c.eqb.ParamFormats, c.eqb.ResultFormats)
	ctx, tracer := c.traceStart(ctx, o, q, values)
	mrr := c.Conn.Conn().PgConn().ExecBatch(ctx, &b)
	if err := c.readOwed(mrr, o); err != nil {
		return nil, c.traced(ctx, tracer, err)
	}
	if !mrr.NextResult() {
		err := closedWithout(mrr, "the statement")
		c.forget(q, err)
		return nil, c.traced(ctx, tracer, err)
	}
	c.traced(ctx, tracer, nil)
	return mrr, nil
}

// bind encodes args for sd into the connection's query builder.
func (c *pipeConn) bind(sd *pgconn.StatementDescription, args []driver.NamedValue) ([]any, error) {
	values := make([]any, len(args))
	for i, a := range args {
		values[i] = a.Value
	}
	return values, c.eqb.Build(c.Conn.Conn().TypeMap(), sd, values)
}

// traceStart tells a tracer configured on the connection
// (pgx.ConnConfig.Tracer) of what was owed and of q ("": none), as it hears
// of everything pgx sends; traced ends q's trace.
func (c *pipeConn) traceStart(ctx context.Context, o owed, q string, args []any) (context.Context, pgx.QueryTracer) {
	conn := c.Conn.Conn()
	tracer, _ := conn.Config().Tracer.(pgx.QueryTracer)
	if tracer == nil {
		return ctx, nil
	}
	if o.begin != "" {
		tracer.TraceQueryEnd(tracer.TraceQueryStart(ctx, conn, pgx.TraceQueryStartData{SQL: o.begin}), conn, pgx.TraceQueryEndData{})
	}
	for _, l := range o.later {
		tracer.TraceQueryEnd(tracer.TraceQueryStart(ctx, conn, pgx.TraceQueryStartData{SQL: l.q, Args: l.args}), conn, pgx.TraceQueryEndData{})
	}
	if o.setup != "" {
		tracer.TraceQueryEnd(tracer.TraceQueryStart(ctx, conn, pgx.TraceQueryStartData{SQL: o.setup}), conn, pgx.TraceQueryEndData{})
	}
	if q == "" {
		return ctx, nil
	}
	return tracer.TraceQueryStart(ctx, conn, pgx.TraceQueryStartData{SQL: q, Args: args}), tracer
}

// traced ends the statement's trace, if any, with err, and returns err.
func (c *pipeConn) traced(ctx context.Context, tracer pgx.QueryTracer, err error) error {
	if tracer != nil {
		tracer.TraceQueryEnd(ctx, c.Conn.Conn(), pgx.TraceQueryEndData{Err: err})
	}
	return err
}

// closedWithout closes a batch that ended early and says why.
func closedWithout(mrr *pgconn.MultiResultReader, what string) error {
	if err := mrr.Close(); err != nil {
		return err
	}
	return fmt.Errorf("sqldb: no result for %s", what)
}

func (c *pipeConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	setup := ""
	if !c.inTx && isGenericPlan(ctx) {
		setup = genericPlanSQL // outside a transaction nothing is owed: the batch is the two
	} else if c.begin == "" && len(c.later) == 0 {
		return c.Conn.QueryContext(ctx, q, args)
	}
	mrr, err := c.send(ctx, q, args, setup)
	if err != nil {
		return nil, err
	}
	if mrr == nil {
		return c.Conn.QueryContext(ctx, q, args)
	}
	r := &pipeRows{mrr: mrr, rr: mrr.ResultReader(), m: c.Conn.Conn().TypeMap(), first: true}
	// Read the first row now, as pgx's stdlib does, so that the
	// statement's error is QueryContext's.
	if r.more = r.rr.NextRow(); !r.more {
		if _, err := r.rr.Close(); err != nil {
			mrr.Close()
			c.forget(q, err)
			return nil, err
		}
	}
	return r, nil
}

func (c *pipeConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if fail, ok := ctx.Value(laterKey{}).(func(error) error); ok && c.inTx {
		if deferred, err := c.deferExec(ctx, q, args, fail); deferred || err != nil {
			return driver.ResultNoRows, err
		}
	}
	if c.begin == "" && len(c.later) == 0 {
		return c.Conn.ExecContext(ctx, q, args)
	}
	if len(c.later) > 0 && len(args) == 0 {
		if err := c.flush(ctx); err != nil {
			return nil, err
		}
		return c.Conn.ExecContext(ctx, q, args)
	}
	if len(args) == 0 {
		// pgx sends an Exec without arguments by the simple protocol, which
		// takes several statements: BEGIN goes at their head.
		ctx, tracer := c.traceStart(ctx, owed{begin: c.begin}, q, nil)
		results, err := c.Conn.Conn().PgConn().Exec(ctx, c.begin+"; "+q).ReadAll()
		c.begin = ""
		c.traced(ctx, tracer, err)
		if err != nil {
			return nil, err
		}
		for _, r := range results {
			if r.Err != nil {
				return nil, r.Err
			}
		}
		return driver.RowsAffected(results[len(results)-1].CommandTag.RowsAffected()), nil
	}
	mrr, err := c.send(ctx, q, args, "")
	if err != nil {
		return nil, err
	}
	if mrr == nil {
		return c.Conn.ExecContext(ctx, q, args)
	}
	tag, err := mrr.ResultReader().Close()
	if cerr := mrr.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		c.forget(q, err)
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

// pipeTx ends a transaction whose BEGIN may never have been sent.
type pipeTx struct {
	c   *pipeConn
	ctx context.Context
}

func (t *pipeTx) Commit() error {
	c := t.c
	c.inTx = false
	if len(c.later) > 0 {
		return c.commitLater(t.ctx)
	}
	if c.begin != "" { // nothing was sent: nothing to commit
		c.begin = ""
		return nil
	}
	tag, err := c.Conn.Conn().Exec(t.ctx, "commit")
	if err != nil {
		return err
	}
	if tag.String() == "ROLLBACK" { // the transaction had failed
		return pgx.ErrTxCommitRollback
	}
	return nil
}

func (t *pipeTx) Rollback() error {
	c := t.c
	c.inTx, c.later = false, nil // deferred statements are never sent
	if c.begin != "" {
		c.begin = ""
		return nil
	}
	_, err := c.Conn.Conn().Exec(t.ctx, "rollback")
	return err
}

// binaryResults are the types pgx's stdlib reads in binary; the rest come
// as text.
var binaryResults = map[uint32]bool{
	pgtype.BoolOID: true, pgtype.ByteaOID: true, pgtype.CIDOID: true, pgtype.DateOID: true,
	pgtype.Float4OID: true, pgtype.Float8OID: true, pgtype.Int2OID: true, pgtype.Int4OID: true,
	pgtype.Int8OID: true, pgtype.OIDOID: true, pgtype.TimestampOID: true, pgtype.TimestamptzOID: true,
	pgtype.XIDOID: true,
}

func resultFormat(oid uint32) int16 {
	if binaryResults[oid] {
		return pgtype.BinaryFormatCode
	}
	return pgtype.TextFormatCode
}

// pipeRows are the first statement's rows, as database/sql values.
type pipeRows struct {
	mrr         *pgconn.MultiResultReader
	rr          *pgconn.ResultReader
	m           *pgtype.Map
	conv        []func([]byte) (driver.Value, error)
	first, more bool // the row read ahead by QueryContext
	closed      bool
}

func (r *pipeRows) Columns() []string {
	fds := r.rr.FieldDescriptions()
	names := make([]string, len(fds))
	for i, fd := range fds {
		names[i] = fd.Name
	}
	return names
}

func (r *pipeRows) Next(dest []driver.Value) error {
	if r.first {
		r.first = false
	} else {
		r.more = r.rr.NextRow()
	}
	if !r.more {
		if _, err := r.rr.Close(); err != nil {
			return err
		}
		return io.EOF
	}
	if r.conv == nil {
		for _, fd := range r.rr.FieldDescriptions() {
			r.conv = append(r.conv, converter(r.m, fd))
		}
	}
	for i, raw := range r.rr.Values() {
		if raw == nil {
			dest[i] = nil
			continue
		}
		v, err := r.conv[i](raw)
		if err != nil {
			return fmt.Errorf("convert field %d failed: %w", i, err)
		}
		dest[i] = v
	}
	return nil
}

func (r *pipeRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	_, err := r.rr.Close()
	if cerr := r.mrr.Close(); err == nil {
		err = cerr
	}
	return err
}

// ColumnTypeDatabaseTypeName names a column's type as pgx's stdlib does.
func (r *pipeRows) ColumnTypeDatabaseTypeName(i int) string {
	oid := r.rr.FieldDescriptions()[i].DataTypeOID
	if t, ok := r.m.TypeForOID(oid); ok {
		return strings.ToUpper(t.Name)
	}
	return strconv.FormatInt(int64(oid), 10)
}

// ColumnTypeScanType is the Go type a column scans into, as pgx's stdlib says.
func (r *pipeRows) ColumnTypeScanType(i int) reflect.Type {
	switch r.rr.FieldDescriptions()[i].DataTypeOID {
	case pgtype.Float8OID, pgtype.NumericOID:
		return reflect.TypeFor[float64]()
	case pgtype.Float4OID:
		return reflect.TypeFor[float32]()
	case pgtype.Int8OID:
		return reflect.TypeFor[int64]()
	case pgtype.Int4OID:
		return reflect.TypeFor[int32]()
	case pgtype.Int2OID:
		return reflect.TypeFor[int16]()
	case pgtype.BoolOID:
		return reflect.TypeFor[bool]()
	case pgtype.DateOID, pgtype.TimestampOID, pgtype.TimestamptzOID:
		return reflect.TypeFor[time.Time]()
	case pgtype.ByteaOID:
		return reflect.TypeFor[[]byte]()
	}
	return reflect.TypeFor[string]()
}

// converter turns one column's wire bytes into the database/sql value pgx's
// stdlib gives for its type: bool, []byte, int64, float64, time.Time, or
// the text.
func converter(m *pgtype.Map, fd pgconn.FieldDescription) func([]byte) (driver.Value, error) {
	oid, format := fd.DataTypeOID, fd.Format
	switch oid {
	case pgtype.BoolOID:
		return scanAs[bool](m, oid, format, func(v bool) (driver.Value, error) { return v, nil })
	case pgtype.ByteaOID, pgtype.JSONOID, pgtype.JSONBOID, pgtype.XMLOID:
		return scanAs[[]byte](m, oid, format, func(v []byte) (driver.Value, error) { return v, nil })
	case pgtype.Int2OID:
		return scanAs[int16](m, oid, format, func(v int16) (driver.Value, error) { return int64(v), nil })
	case pgtype.Int4OID:
		return scanAs[int32](m, oid, format, func(v int32) (driver.Value, error) { return int64(v), nil })
	case pgtype.Int8OID:
		return scanAs[int64](m, oid, format, func(v int64) (driver.Value, error) { return v, nil })
	case pgtype.Float4OID:
		return scanAs[float32](m, oid, format, func(v float32) (driver.Value, error) { return float64(v), nil })
	case pgtype.Float8OID:
		return scanAs[float64](m, oid, format, func(v float64) (driver.Value, error) { return v, nil })
	case pgtype.DateOID:
		return scanAs[pgtype.Date](m, oid, format, func(v pgtype.Date) (driver.Value, error) { return v.Value() })
	case pgtype.TimestampOID:
		return scanAs[pgtype.Timestamp](m, oid, format, func(v pgtype.Timestamp) (driver.Value, error) { return v.Value() })
	case pgtype.TimestamptzOID:
		return scanAs[pgtype.Timestamptz](m, oid, format, func(v pgtype.Timestamptz) (driver.Value, error) { return v.Value() })
	case pgtype.CIDOID, pgtype.OIDOID, pgtype.XIDOID:
		return scanAs[pgtype.Uint32](m, oid, format, func(v pgtype.Uint32) (driver.Value, error) { return v.Value() })
	}
	return scanAs[string](m, oid, format, func(v string) (driver.Value, error) { return v, nil })
}

// scanAs decodes into a T with the type map's plan for the column, then
// makes the value.
func scanAs[T any](m *pgtype.Map, oid uint32, format int16, value func(T) (driver.Value, error)) func([]byte) (driver.Value, error) {
	var d T
	plan := m.PlanScan(oid, format, &d)
	return func(src []byte) (driver.Value, error) {
		var v T
		if err := plan.Scan(src, &v); err != nil {
			return nil, err
		}
		return value(v)
	}
}
