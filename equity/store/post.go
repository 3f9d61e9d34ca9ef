package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"copyhold/equity"
	"copyhold/labeling/event"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// ledgerEvent is an events-table row written with the transaction.
type ledgerEvent struct {
	typ, scope string
	payload    map[string]any
}

// draft is a transaction about to be posted.
type draft struct {
	equity.Transaction // ID: drawn by the read before the write (nextTxIDSQL), or 0
	// check runs with the new balances of every account the postings touch
	// (rows locked) before anything is written.
	check func(tx *gorm.DB, after map[balKey]int64) error
	// afterInsert runs once the transaction row exists (for side tables).
	afterInsert func(tx *gorm.DB, t *equity.Transaction) error
	events      []ledgerEvent
}

type balKey struct{ Unit, Account string }

// placeholderDistribution is replaced by distribution:<tx id> once the id is known.
const placeholderDistribution = "distribution:0"

func bodyHash(body any) string {
	b, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// post writes a transaction under key. body is what the caller asked for
// (its hash decides idempotency); build makes the draft when the key is new.
func post(tx *gorm.DB, key string, body any, build func() (*draft, error)) (equity.Transaction, error) {
	hash := bodyHash(body)
	if t, found, err := existing(tx, key, hash); err != nil || found {
		return t, err
	}
	return write(tx, key, hash, build)
}

// write builds and writes a transaction whose key the caller has found
// unused (post, or a caller that read the key with what else it needed).
func write(tx *gorm.DB, key, hash string, build func() (*draft, error)) (equity.Transaction, error) {
	d, err := build()
	if err != nil {
		return equity.Transaction{}, err
	}
	if d == nil {
		return equity.Transaction{}, nil
	}
	d.Key = key
	for i := range d.Postings {
		d.Postings[i].Seq = i + 1
	}
	if err := equity.CheckBalanced(d.Postings); err != nil {
		return equity.Transaction{}, fmt.Errorf("equity: internal: %w", err)
	}

	deltas := map[balKey]int64{}
	for _, p := range d.Postings {
		if equity.IsSource(p.Account) || p.Account == placeholderDistribution {
			continue
		}
		deltas[balKey{p.Unit, p.Account}] += p.Amount
	}
	keys := make([]balKey, 0, len(deltas))
	for k := range deltas {
		keys = append(keys, k)
	}
	sortKeys(keys)

	d.CreatedAt = sqldb.Now(tx)
	if oneStatement(tx, d) {
		if d.ID != 0 && len(keys) > 0 { // an id drawn beforehand: nothing to wait for
			return writeLater(tx, d, key, hash, keys, deltas)
		}
		return writeAll(tx, d, key, hash, keys, deltas)
	}
	d.ID = 0 // the database draws it
	id, inserted, err := insertTx(tx, key, hash, &d.Transaction)
	if err != nil {
		return equity.Transaction{}, err
	}
	if id == 0 {
		// A concurrent writer won a unique constraint; say which.
		if t, err := lostRace(tx, d, key, hash); err != nil || t.ID != 0 {
			return t, err
		}
		return equity.Transaction{}, fmt.Errorf("insert ledger transaction %q: conflict", key)
	}
	d.ID = id
	for i := range d.Postings {
		if d.Postings[i].Account == placeholderDistribution {
			d.Postings[i].Account = equity.Distribution(d.ID)
		}
	}

	if !inserted {
		if err := insertPostings(tx, &d.Transaction); err != nil {
			return equity.Transaction{}, err
		}
		if err := appendLog(tx, equity.LogTx, d.ID); err != nil {
			return equity.Transaction{}, err
		}
	}
	if d.afterInsert != nil {
		if err := d.afterInsert(tx, &d.Transaction); err != nil {
			return equity.Transaction{}, err
		}
	}
	if err := event.AppendAll(tx, d.entries(true)...); err != nil {
		return equity.Transaction{}, err
	}
	// The balances last: their row locks are held only from here to the
	// commit. A concurrent twin (same key, reversal or resolution) has
	// already been refused by the insert's unique constraints, so a shortfall
	// here is a real one; the caller rolls everything back.
	current, err := lockBalances(tx, keys)
	if err != nil {
		return equity.Transaction{}, err
	}
	after, err := afterBalances(tx, keys, deltas, current)
	if err != nil {
		return equity.Transaction{}, err
	}
	if d.check != nil {
		if err := d.check(tx, after); err != nil {
			return equity.Transaction{}, err
		}
	}
	if err := applyBalances(tx, keys, deltas, current); err != nil {
		return equity.Transaction{}, err
	}
	return d.Transaction, nil
}

// entries are the draft's events for the events table, and the register's
// own: withID puts the transaction's id in each payload (writeAll's
// statement adds it instead, as it draws the id).
func (d *draft) entries(withID bool) []event.Entry {
	var actor *int64
	if d.ActorID != 0 {
		a := d.ActorID
		actor = &a
	}
	evs := make([]event.Entry, 0, len(d.events)+1)
	for _, ev := range d.events {
		p := map[string]any{"kind": d.Kind, "model_id": d.ModelID}
		for k, v := range ev.payload {
			p[k] = v
		}
		evs = append(evs, event.Entry{Type: ev.typ, Scope: ev.scope, Actor: actor, Payload: p})
	}
	// The public register changed: say so to every member, without saying
	// whose holding moved (members may hold under a pseudonym).
	if d.ModelID != 0 {
		evs = append(evs, event.Entry{Type: "equity.register_changed", Scope: event.CoopScope,
			Payload: map[string]any{"model_id": d.ModelID, "kind": d.Kind}})
	}
	if withID {
		for _, ev := range evs {
			ev.Payload.(map[string]any)["tx_id"] = d.ID
		}
	}
	return evs
}

// afterBalances adds the deltas to the current balances, refusing a
// shortfall: an account that may not go negative would.
func afterBalances(tx *gorm.DB, keys []balKey, deltas, current map[balKey]int64) (map[balKey]int64, error) {
	after := make(map[balKey]int64, len(keys))
	for _, k := range keys {
		nb := current[k] + deltas[k]
		after[k] = nb
		if deltas[k] < 0 && nb < 0 && !equity.MayBeNegative(k.Account) {
			return nil, equity.ErrInsufficient.With("%s holds %s %s, %s needed", k.Account,
				equity.Format(current[k], scaleOf(tx, k.Unit)), k.Unit, equity.Format(-deltas[k], scaleOf(tx, k.Unit)))
		}
	}
	return after, nil
}

// lostRace explains a refusal caused by a concurrent twin that committed
// first: the same key (a replay), or the same reversal or resolution.
func lostRace(tx *gorm.DB, d *draft, key, hash string) (equity.Transaction, error) {
	if t, found, err := existing(tx, key, hash); err != nil || found {
		return t, err
	}
	var n int64
	if d.ReversesID != 0 {
		if err := tx.Raw("SELECT COUNT(*) FROM equity_transactions WHERE reverses_id = ?", d.ReversesID).Scan(&n).Error; err != nil {
			return equity.Transaction{}, err
		}
		if n > 0 {
			return equity.Transaction{}, equity.ErrAlreadyReversed.With("transaction %d has already been reversed", d.ReversesID)
		}
	}
	if d.ResolvesID != 0 {
		if err := tx.Raw("SELECT COUNT(*) FROM equity_transactions WHERE resolves_id = ?", d.ResolvesID).Scan(&n).Error; err != nil {
			return equity.Transaction{}, err
		}
		if n > 0 {
			return equity.Transaction{}, equity.ErrAlreadyResolved
		}
	}
	return equity.Transaction{}, nil
}

func sortKeys(keys []balKey) {
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Unit != keys[j].Unit {
			return keys[i].Unit < keys[j].Unit
		}
		return keys[i].Account < keys[j].Account
	})
}

// lockBalances reads (and on PostgreSQL locks, in the given sorted order)
// the balance rows of keys; missing rows read as zero.
func lockBalances(tx *gorm.DB, keys []balKey) (map[balKey]int64, error) {
	out := make(map[balKey]int64, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	var conds []string
	var args []any
	for _, k := range keys {
		conds = append(conds, "(unit = ? AND account = ?)")
		args = append(args, k.Unit, k.Account)
	}
	var rows []struct {
		Unit, Account string
		Balance       int64
	}
	q := "SELECT unit, account, balance FROM equity_balances WHERE " + strings.Join(conds, " OR ") +
		" ORDER BY unit, account" + forUpdate(tx)
	if err := tx.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("lock balances: %w", err)
	}
	for _, r := range rows {
		out[balKey{r.Unit, r.Account}] = r.Balance
	}
	return out, nil
}

// applyBalances adds the deltas: one UPDATE for the rows that exist (locked
// above), one upsert for new ones. (An upsert of a negative delta onto an
// existing row would trip the CHECK on the proposed row before the conflict.)
func applyBalances(tx *gorm.DB, keys []balKey, deltas map[balKey]int64, exists map[balKey]int64) error {
	var upd, ins []string
	var updArgs, insArgs []any
	for _, k := range keys {
		d := deltas[k]
		if d == 0 {
			continue
		}
		if _, ok := exists[k]; ok {
			if len(upd) == 0 {
				upd = append(upd, "SELECT ? AS unit, ? AS account, CAST(? AS BIGINT) AS delta")
			} else {
				upd = append(upd, "SELECT ?, ?, ?")
			}
			updArgs = append(updArgs, k.Unit, k.Account, d)
		} else {
			ins = append(ins, "(?, ?, ?)")
			insArgs = append(insArgs, k.Unit, k.Account, d)
		}
	}
	if len(upd) > 0 {
		if err := tx.Exec(`UPDATE equity_balances SET balance = equity_balances.balance + v.delta
            FROM (`+strings.Join(upd, " UNION ALL ")+`) AS v WHERE equity_balances.unit = v.unit AND equity_balances.account = v.account`,
			updArgs...).Error; err != nil {
			return fmt.Errorf("update balances: %w", err)
		}
	}
	if len(ins) > 0 {
		if err := tx.Exec(`INSERT INTO equity_balances (unit, account, balance) VALUES `+strings.Join(ins, ", ")+`
            ON CONFLICT (unit, account) DO UPDATE SET balance = equity_balances.balance + excluded.balance`, insArgs...).Error; err != nil {
			return fmt.Errorf("insert balances: %w", err)
		}
	}
	return nil
}

func insertPostings(tx *gorm.DB, t *equity.Transaction) error {
	vals := make([]string, 0, len(t.Postings))
	args := make([]any, 0, 7*len(t.Postings))
	for _, p := range t.Postings {
		vals = append(vals, "(?, ?, ?, ?, ?, ?, ?)")
		args = append(args, t.ID, p.Seq, p.Unit, p.Account, p.Amount, string(p.Category), t.CreatedAt)
	}
	q := "INSERT INTO equity_postings (tx_id, seq, unit, account, amount, category, created_at) VALUES " + strings.Join(vals, ", ")
	if err := tx.Exec(q, args...).Error; err != nil {
		return fmt.Errorf("insert postings: %w", err)
	}
	return nil
}

// appendLog puts one entry on the register: it commits into the queue with
// the caller's transaction, with no lock beyond the row it inserts. The
// integrator (roll_integrate.go) later gives it its place in the log and the
// tree. canonical is not stored: like verify, the integrator rebuilds each
// entry's bytes from the rows it names, so what enters the tree is what the
// tables hold.
func appendLog(tx *gorm.DB, kind string, refID int64) error {
	if err := tx.Exec("INSERT INTO equity_log_queue (kind, ref_id, created_at) VALUES (?, ?, ?)", kind, refID, sqldb.Now(tx)).Error; err != nil {
		return fmt.Errorf("queue register entry: %w", err)
	}
	return nil
}

// ---- reading transactions ----

const txColumns = `t.id, t.idempotency_key, t.body_hash, t.kind, COALESCE(t.model_id, 0) AS model_id,
    COALESCE(t.reverses_id, 0) AS reverses_id, COALESCE(t.resolves_id, 0) AS resolves_id,
    COALESCE(t.rate_card_id, 0) AS rate_card_id, COALESCE(t.governance_id, 0) AS governance_id,
    COALESCE(t.actor_id, 0) AS actor_id, COALESCE(t.member_id, 0) AS member_id,
    COALESCE(t.project_id, 0) AS project_id, COALESCE(t.item_id, 0) AS item_id,
    COALESCE(t.submission_id, 0) AS submission_id, COALESCE(t.review_id, 0) AS review_id,
    t.reason, t.meta, t.created_at`

type txRow struct {
	ID             int64
	IdempotencyKey string
	BodyHash       string
	Kind           string
	ModelID        int64
	ReversesID     int64
	ResolvesID     int64
	RateCardID     int64
	GovernanceID   int64
	ActorID        int64
	MemberID       int64
	ProjectID      int64
	ItemID         int64
	SubmissionID   int64
	ReviewID       int64
	Reason         string
	Meta           string
	CreatedAt      time.Time
}

// scanTxRows reads txColumns rows without GORM's reflection: verify reads
// every transaction, and this is its hot loop.
func scanTxRows(rows *sql.Rows, fn func(txRow)) error {
	defer rows.Close()
	return scanTxs(rows, fn)
}

// rowScanner is what scanning needs of *sql.Rows and of pgx.Rows (rowsOf).
type rowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// scanTxs is scanTxRows over either kind of rows; the caller closes them.
func scanTxs(rows rowScanner, fn func(txRow)) error {
	for rows.Next() {
		var r txRow
		if err := rows.Scan(&r.ID, &r.IdempotencyKey, &r.BodyHash, &r.Kind, &r.ModelID, &r.ReversesID, &r.ResolvesID,
			&r.RateCardID, &r.GovernanceID, &r.ActorID, &r.MemberID, &r.ProjectID, &r.ItemID, &r.SubmissionID,
			&r.ReviewID, &r.Reason, &r.Meta, &r.CreatedAt); err != nil {
			return err
		}
		fn(r)
	}
	return rows.Err()
}

func (r txRow) tx() equity.Transaction {
	return equity.Transaction{ID: r.ID, Key: r.IdempotencyKey, Kind: equity.TxKind(r.Kind), ModelID: r.ModelID,
		ReversesID: r.ReversesID, ResolvesID: r.ResolvesID, RateCardID: r.RateCardID, GovernanceID: r.GovernanceID,
		ActorID: r.ActorID, MemberID: r.MemberID, Reason: r.Reason, Meta: r.Meta, CreatedAt: r.CreatedAt.UTC(),
		Cause: equity.Cause{ProjectID: r.ProjectID, ItemID: r.ItemID, SubmissionID: r.SubmissionID, ReviewID: r.ReviewID}}
}

type postingRow struct {
	TxID     int64
	Seq      int
	Unit     string
	Account  string
	Amount   int64
	Category string
}

func loadTx(tx *gorm.DB, where string, args ...any) (equity.Transaction, bool, string, error) {
	var rows []txRow
	if err := tx.Raw("SELECT "+txColumns+" FROM equity_transactions t WHERE "+where, args...).Scan(&rows).Error; err != nil {
		return equity.Transaction{}, false, "", fmt.Errorf("load ledger transaction: %w", err)
	}
	if len(rows) == 0 {
		return equity.Transaction{}, false, "", nil
	}
	t := rows[0].tx()
	var ps []postingRow
	if err := tx.Raw("SELECT tx_id, seq, unit, account, amount, category FROM equity_postings WHERE tx_id = ? ORDER BY seq", t.ID).Scan(&ps).Error; err != nil {
		return equity.Transaction{}, false, "", fmt.Errorf("load postings: %w", err)
	}
	for _, p := range ps {
		t.Postings = append(t.Postings, equity.Posting{Seq: p.Seq, Unit: p.Unit, Account: p.Account, Amount: p.Amount, Category: equity.Category(p.Category)})
	}
	return t, true, rows[0].BodyHash, nil
}

// existing returns the transaction stored under key: the same body hash is
// an idempotent replay, another one a conflict.
func existing(tx *gorm.DB, key, hash string) (equity.Transaction, bool, error) {
	t, found, h, err := loadTx(tx, "t.idempotency_key = ?", key)
	if err != nil || !found {
		return t, false, err
	}
	if h != hash {
		return equity.Transaction{}, true, equity.ErrIdempotency.With("idempotency key %q was already used with a different request", key)
	}
	t.Existing = true
	return t, true, nil
}

// Transaction loads a ledger transaction by id.
func Transaction(tx *gorm.DB, id int64) (equity.Transaction, error) {
	t, found, _, err := loadTx(tx, "t.id = ?", id)
	if err == nil && !found {
		err = equity.ErrUnknownTx
	}
	return t, err
}

// scaleOf is the scale of a unit (model units: 6; currencies as registered).
func scaleOf(tx *gorm.DB, unit string) int32 {
	if equity.IsModelUnit(unit) {
		return equity.UnitScale
	}
	var sc []int32
	tx.Raw("SELECT scale FROM equity_units WHERE code = ?", unit).Scan(&sc)
	if len(sc) == 1 {
		return sc[0]
	}
	return 0
}
