package store

// The one place for SQL that differs between PostgreSQL and SQLite.
//
// PostgreSQL runs many writers at READ COMMITTED, so the register locks the
// rows it is about to change and reads whole statements in a REPEATABLE READ
// snapshot. SQLite has one connection and BEGIN IMMEDIATE, so every
// transaction is already the only writer and sees one moment: the same
// statements there need no locks and no isolation level.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"copyhold/equity"
	"copyhold/labeling/event"
	"copyhold/labeling/sqldb"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// forUpdate locks selected rows on PostgreSQL; SQLite's single writer
// (BEGIN IMMEDIATE) already excludes everyone else.
func forUpdate(tx *gorm.DB) string {
	if sqldb.IsPostgres(tx) {
		return " FOR UPDATE"
	}
	return ""
}

// jsonObject is the dialect's function that builds a JSON object from key,
// value arguments.
func jsonObject(tx *gorm.DB) string {
	if sqldb.IsPostgres(tx) {
		return "json_build_object"
	}
	return "json_object"
}

// readTx runs fn in a read-only snapshot (REPEATABLE READ on PostgreSQL), so
// opening, lines and closing of a statement agree with each other.
func (s *Store) readTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	db := s.db.WithContext(ctx)
	if sqldb.IsPostgres(db) {
		return db.Transaction(fn, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	return db.Transaction(fn)
}

// rollLockKey is the advisory lock that makes one integrator at a time.
const rollLockKey = 0x636f7079686f6c64 // "copyhold"

// integrateLock makes tx the only integrator until it ends: a transaction
// advisory lock on PostgreSQL; SQLite's single writer already is one.
func integrateLock(tx *gorm.DB) error {
	if sqldb.IsPostgres(tx) {
		return tx.Exec("SELECT pg_advisory_xact_lock(?)", int64(rollLockKey)).Error
	}
	return nil
}

// insertTx inserts a ledger transaction under key (ON CONFLICT DO NOTHING)
// and returns its id, 0 when a unique constraint was already taken. On
// PostgreSQL its postings and its register queue entry go in the same
// statement (inserted true), one round trip instead of three; the postings
// of a distribution name their own transaction, so they are left to the
// caller, as are all of them on SQLite (inserted false).
func insertTx(tx *gorm.DB, key, hash string, t *equity.Transaction) (id int64, inserted bool, err error) {
	cols := `INSERT INTO equity_transactions (idempotency_key, body_hash, kind, model_id, reverses_id, resolves_id,
        rate_card_id, governance_id, actor_id, member_id, project_id, item_id, submission_id, review_id, reason, meta, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING RETURNING id`
	args := []any{key, hash, string(t.Kind), nz(t.ModelID), nz(t.ReversesID), nz(t.ResolvesID), nz(t.RateCardID), nz(t.GovernanceID),
		nz(t.ActorID), nz(t.MemberID), nz(t.Cause.ProjectID), nz(t.Cause.ItemID), nz(t.Cause.SubmissionID), nz(t.Cause.ReviewID),
		t.Reason, t.Meta, t.CreatedAt}
	together := sqldb.IsPostgres(tx) && len(t.Postings) > 0
	for _, p := range t.Postings {
		together = together && p.Account != placeholderDistribution
	}
	q := cols
	if together {
		args = append(args, t.CreatedAt) // the postings' created_at, before their VALUES
		vals := make([]string, len(t.Postings))
		for i, p := range t.Postings {
			vals[i] = "(CAST(? AS INTEGER), ?, ?, CAST(? AS BIGINT), ?)"
			args = append(args, p.Seq, p.Unit, p.Account, p.Amount, string(p.Category))
		}
		q = `WITH t AS (` + cols + `),
            p AS (INSERT INTO equity_postings (tx_id, seq, unit, account, amount, category, created_at)
                SELECT t.id, v.seq, v.unit, v.account, v.amount, v.category, ? FROM t,
                (VALUES ` + strings.Join(vals, ", ") + `) AS v (seq, unit, account, amount, category)),
            q AS (INSERT INTO equity_log_queue (kind, ref_id, created_at) SELECT 'tx', t.id, ? FROM t)
            SELECT id FROM t`
		args = append(args, t.CreatedAt) // the queue entry's
	}
	var ids []int64
	if err := tx.Raw(q, args...).Scan(&ids).Error; err != nil {
		return 0, false, fmt.Errorf("insert ledger transaction: %w", err)
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], together, nil
}

// oneStatement reports whether d can be written by writeAll: on PostgreSQL,
// when no check has to read between the balance lock and the update, nothing
// is written after the transaction row, and no posting names its own
// transaction.
func oneStatement(tx *gorm.DB, d *draft) bool {
	if !sqldb.IsPostgres(tx) || d.check != nil || d.afterInsert != nil || len(d.Postings) == 0 {
		return false
	}
	for _, p := range d.Postings {
		if p.Account == placeholderDistribution {
			return false
		}
	}
	return true
}

// writeAll writes d in one statement, one round trip: the transaction, its
// postings, its register queue entry and its events, then the balance rows,
// locked in sorted order (so they are held only until the commit that
// follows) and updated, unless one would fall short. Everything after the
// transaction row goes in only if that row did (no unique constraint was
// taken). The statement returns the locked balances as they stood, so that a
// shortfall is reported as write reports it; the caller then rolls back.
func writeAll(tx *gorm.DB, d *draft, key, hash string, keys []balKey, deltas map[balKey]int64) (equity.Transaction, error) {
	head, args, err := insertCTEs(tx, d, key, hash, " ON CONFLICT DO NOTHING")
	if err != nil {
		return equity.Transaction{}, err
	}
	bal, args := balanceValues(keys, deltas, args)
	if len(bal) == 0 {
		bal = append(bal, "(NULL, NULL, CAST(0 AS BIGINT), TRUE)")
	}
	q := head + `
    d (unit, account, delta, may_be_negative) AS (VALUES ` + strings.Join(bal, ", ") + `),
    l AS MATERIALIZED (SELECT b.unit, b.account, b.balance FROM equity_balances b
        WHERE (b.unit, b.account) IN (SELECT unit, account FROM d) AND EXISTS (SELECT 1 FROM t)
        ORDER BY b.unit, b.account FOR UPDATE),
    short AS (SELECT 1 FROM d LEFT JOIN l ON l.unit = d.unit AND l.account = d.account
        WHERE d.delta < 0 AND COALESCE(l.balance, 0) + d.delta < 0 AND NOT d.may_be_negative),
    u AS (UPDATE equity_balances b SET balance = b.balance + d.delta FROM l, d
        WHERE b.unit = l.unit AND b.account = l.account AND d.unit = l.unit AND d.account = l.account
          AND d.delta <> 0 AND NOT EXISTS (SELECT 1 FROM short)),
    n AS (INSERT INTO equity_balances (unit, account, balance)
        SELECT d.unit, d.account, d.delta FROM d
        WHERE d.unit IS NOT NULL AND d.delta <> 0 AND EXISTS (SELECT 1 FROM t) AND NOT EXISTS (SELECT 1 FROM short)
          AND NOT EXISTS (SELECT 1 FROM l WHERE l.unit = d.unit AND l.account = d.account)
        ON CONFLICT (unit, account) DO UPDATE SET balance = equity_balances.balance + excluded.balance)
    SELECT t.id, l.unit, l.account, l.balance FROM t LEFT JOIN l ON TRUE`
	rows, err := sqldb.Query(tx, q, args...)
	if err != nil {
		return equity.Transaction{}, fmt.Errorf("insert ledger transaction: %w", err)
	}
	current := make(map[balKey]int64, len(keys))
	var id int64
	for rows.Next() {
		var unit, account sql.NullString
		var balance sql.NullInt64
		if err := rows.Scan(&id, &unit, &account, &balance); err != nil {
			rows.Close()
			return equity.Transaction{}, fmt.Errorf("insert ledger transaction: %w", err)
		}
		if unit.Valid {
			current[balKey{unit.String, account.String}] = balance.Int64
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return equity.Transaction{}, fmt.Errorf("insert ledger transaction: %w", err)
	}
	if id == 0 {
		// A concurrent writer won a unique constraint; say which.
		if t, err := lostRace(tx, d, key, hash); err != nil || t.ID != 0 {
			return t, err
		}
		return equity.Transaction{}, fmt.Errorf("insert ledger transaction %q: conflict", key)
	}
	d.ID = id
	if _, err := afterBalances(tx, keys, deltas, current); err != nil {
		return equity.Transaction{}, err // nothing was updated: the statement saw the same shortfall
	}
	return d.Transaction, nil
}

// writeLater is writeAll for a draft whose id the caller drew beforehand
// (nextTxIDSQL, read with what the transaction needed): nothing comes back
// that the caller needs, so the statement goes out with the transaction's
// next statement or its COMMIT (sqldb.ExecLater), not in a round trip of its
// own. Refusals are the database's: a twin that won a unique constraint
// (lateFailure names it) or a balance that would fall below zero (the
// CHECK on equity_balances), and the whole transaction rolls back. The
// transaction row goes in first (the balance lock waits for it), so that a
// twin is refused by its constraint, not by the balance it has spent.
func writeLater(tx *gorm.DB, d *draft, key, hash string, keys []balKey, deltas map[balKey]int64) (equity.Transaction, error) {
	head, args, err := insertCTEs(tx, d, key, hash, "")
	if err != nil {
		return equity.Transaction{}, err
	}
	bal, args := balanceValues(keys, deltas, args)
	q := head + `
    d (unit, account, delta, may_be_negative) AS (VALUES ` + strings.Join(bal, ", ") + `),
    l AS MATERIALIZED (SELECT b.unit, b.account FROM equity_balances b
        WHERE (b.unit, b.account) IN (SELECT unit, account FROM d) AND EXISTS (SELECT 1 FROM t)
        ORDER BY b.unit, b.account FOR UPDATE),
    u AS (UPDATE equity_balances b SET balance = b.balance + d.delta FROM l, d
        WHERE b.unit = l.unit AND b.account = l.account AND d.unit = l.unit AND d.account = l.account AND d.delta <> 0)
    INSERT INTO equity_balances (unit, account, balance)
        SELECT d.unit, d.account, d.delta FROM d
        WHERE d.delta <> 0 AND NOT EXISTS (SELECT 1 FROM l WHERE l.unit = d.unit AND l.account = d.account)
        ON CONFLICT (unit, account) DO UPDATE SET balance = equity_balances.balance + excluded.balance`
	if err := sqldb.ExecLater(tx, lateFailure(key), q, args...); err != nil {
		return equity.Transaction{}, err
	}
	return d.Transaction, nil
}

// insertCTEs are the head of writeAll's and writeLater's statement: the
// transaction (its id d.ID when set, drawn by the database otherwise), its
// postings, its register queue entry and its events, as WITH t, p, q, e.
func insertCTEs(tx *gorm.DB, d *draft, key, hash, onConflict string) (string, []any, error) {
	t := &d.Transaction
	idCol, idVal := "", ""
	var args []any
	if t.ID != 0 {
		idCol, idVal = "id, ", "?, "
		args = append(args, t.ID)
	}
	args = append(args, key, hash, string(t.Kind), nz(t.ModelID), nz(t.ReversesID), nz(t.ResolvesID), nz(t.RateCardID), nz(t.GovernanceID),
		nz(t.ActorID), nz(t.MemberID), nz(t.Cause.ProjectID), nz(t.Cause.ItemID), nz(t.Cause.SubmissionID), nz(t.Cause.ReviewID),
		t.Reason, t.Meta, t.CreatedAt, t.CreatedAt)
	vals := make([]string, len(t.Postings))
	for i, p := range t.Postings {
		vals[i] = "(CAST(? AS INTEGER), ?, ?, CAST(? AS BIGINT), ?)"
		args = append(args, p.Seq, p.Unit, p.Account, p.Amount, string(p.Category))
	}
	args = append(args, t.CreatedAt)
	evCTE := ""
	if evs := d.entries(false); len(evs) > 0 {
		evSQL, evArgs, err := event.InsertFrom(tx, "t", []event.Field{{Key: "tx_id", SQL: "t.id"}}, evs...)
		if err != nil {
			return "", nil, err
		}
		evCTE = "\n    e AS (" + evSQL + "),"
		args = append(args, evArgs...)
	}
	q := `WITH t AS (INSERT INTO equity_transactions (` + idCol + `idempotency_key, body_hash, kind, model_id, reverses_id, resolves_id,
        rate_card_id, governance_id, actor_id, member_id, project_id, item_id, submission_id, review_id, reason, meta, created_at)
        VALUES (` + idVal + `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)` + onConflict + ` RETURNING id),
    p AS (INSERT INTO equity_postings (tx_id, seq, unit, account, amount, category, created_at)
        SELECT t.id, v.seq, v.unit, v.account, v.amount, v.category, CAST(? AS TIMESTAMPTZ) FROM t,
        (VALUES ` + strings.Join(vals, ", ") + `) AS v (seq, unit, account, amount, category)),
    q AS (INSERT INTO equity_log_queue (kind, ref_id, created_at) SELECT 'tx', t.id, CAST(? AS TIMESTAMPTZ) FROM t),` + evCTE
	return q, args, nil
}

// balanceValues are the VALUES rows of the balance deltas, in key order.
func balanceValues(keys []balKey, deltas map[balKey]int64, args []any) ([]string, []any) {
	bal := make([]string, 0, len(keys))
	for _, k := range keys {
		bal = append(bal, "(?, ?, CAST(? AS BIGINT), CAST(? AS BOOLEAN))")
		args = append(args, k.Unit, k.Account, deltas[k], equity.MayBeNegative(k.Account))
	}
	return bal, args
}

// nextTxIDSQL draws the id of a transaction about to be written, so that
// writeLater need not wait for it: PostgreSQL's sequence; on SQLite NULL,
// where writes go the ordinary way.
func nextTxIDSQL(tx *gorm.DB) string {
	if sqldb.IsPostgres(tx) {
		return "nextval('equity_transactions_id_seq')"
	}
	return "CAST(NULL AS BIGINT)"
}

// lateFailure turns what refused writeLater's statement into what write
// would have said: the credit already resolved or reversed by a twin that
// committed first, or a balance that would have fallen short. A twin under
// the same key stays a unique violation, which the caller's retry (InTx)
// answers as a replay.
func lateFailure(key string) func(error) error {
	return func(err error) error {
		var pg *pgconn.PgError
		if errors.As(err, &pg) {
			switch {
			case pg.Code == "23505" && pg.ConstraintName == "equity_transactions_resolves_id_key":
				return equity.ErrAlreadyResolved.With("the credit that %q resolves has already been resolved", key)
			case pg.Code == "23505" && pg.ConstraintName == "equity_transactions_reverses_id_key":
				return equity.ErrAlreadyReversed.With("the transaction that %q reverses has already been reversed", key)
			case pg.Code == "23514" && pg.TableName == "equity_balances":
				return equity.ErrInsufficient.With("%q would take a balance below zero", key)
			}
		}
		return fmt.Errorf("insert ledger transaction %q: %w", key, err)
	}
}

// verifyTx is readTx for verify. On PostgreSQL its snapshot is a transaction
// on a connection of its own, so that the stream can read its rows through
// pgx's own rows (rowsOf), without database/sql's per-value conversions.
func (s *Store) verifyTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if !sqldb.IsPostgres(s.db) {
		return s.readTx(ctx, fn)
	}
	return s.db.WithContext(ctx).Connection(func(tx *gorm.DB) error {
		if err := tx.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").Error; err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			tx.Exec("ROLLBACK")
			return err
		}
		return tx.Exec("COMMIT").Error
	})
}

// rowsOf runs the query q (with ? placeholders) in tx and hands its rows to
// fn: pgx's own rows when tx holds a PostgreSQL connection of its own
// (verifyTx), database/sql's otherwise.
func rowsOf(tx *gorm.DB, q string, args []any, fn func(rowScanner) error) error {
	if c, ok := tx.Statement.ConnPool.(*sql.Conn); ok && sqldb.IsPostgres(tx) {
		return c.Raw(func(dc any) error {
			pc, err := sqldb.PgxConn(tx.Statement.Context, dc)
			if err != nil {
				return fmt.Errorf("equity: %w", err)
			}
			rows, err := pc.Query(tx.Statement.Context, sqldb.Dollars(q), args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			if err := fn(rows); err != nil {
				return err
			}
			return rows.Err()
		})
	}
	rows, err := tx.Raw(q, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := fn(rows); err != nil {
		return err
	}
	return rows.Err()
}
