package store

// The one place for SQL that differs between PostgreSQL and SQLite.
//
// PostgreSQL runs many writers at READ COMMITTED, so a claim picks, locks and
// updates its row in one statement with FOR NO KEY UPDATE SKIP LOCKED (the
// job-queue pattern): concurrent labellers step past each other's rows instead
// of queueing on them. NO KEY UPDATE (not UPDATE) lets foreign-key checks of
// new assignment rows pass while an item row is locked.
//
// SQLite has one connection and BEGIN IMMEDIATE (_txlock=immediate), so every
// transaction is already the only writer; the same statements there need no
// row locks, and SKIP LOCKED never skips anything.

import (
	"context"
	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/sqldb"
	"database/sql"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

func isPostgres(tx *gorm.DB) bool { return sqldb.IsPostgres(tx) }

// refreshItemStats has PostgreSQL re-sample the items table after a large
// import, so that the claim's plans count the new rows at once, not at
// autovacuum's next pass (a minute or more later, while labellers already
// claim with plans made for an empty project). Best effort: without it
// autovacuum still gets there. SQLite keeps no statistics unless asked.
func refreshItemStats(db *gorm.DB) {
	if isPostgres(db) {
		db.Exec("ANALYZE items")
	}
}

// forUpdate is the row-lock suffix for a SELECT of rows this transaction will
// change: a no-op on SQLite, where the transaction already holds the write lock.
func forUpdate(tx *gorm.DB) string {
	if isPostgres(tx) {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// nextIDSQL draws the next id of a BIGSERIAL column's sequence, so that the
// row's insert need not return it (sqldb.ExecLater): on PostgreSQL; NULL on
// SQLite, where inserts return their ids.
func nextIDSQL(tx *gorm.DB, sequence string) string {
	if isPostgres(tx) {
		return "nextval('" + sequence + "')"
	}
	return "CAST(NULL AS BIGINT)"
}

// lockOf is forUpdate naming the table to lock when a statement joins others.
func lockOf(tx *gorm.DB, table string) string {
	if isPostgres(tx) {
		return " FOR NO KEY UPDATE OF " + table
	}
	return ""
}

// claimPasses are the skipLocked values a claim tries in turn: first without
// waiting on rows other claims hold; on PostgreSQL then once more waiting for
// them, so "no tasks" is never an artefact of a row that was locked only for
// a moment. SQLite never skips, so one pass says it all.
func claimPasses(tx *gorm.DB) []bool {
	if isPostgres(tx) {
		return []bool{true, false}
	}
	return []bool{true}
}

// claimArgs are the parameters shared by the claim statements.
type claimArgs struct {
	ProjectID      int64
	MemberID       int64
	Overlap        int
	AllowSensitive bool
	Blocked        int64 // sensitive categories the member did not opt into (a sensitive.Mask)
	Now            any   // time.Time; any keeps the map below simple
}

func (a claimArgs) named() map[string]any {
	return map[string]any{"project": a.ProjectID, "member": a.MemberID, "k": a.Overlap,
		"allow_sensitive": a.AllowSensitive, "blocked": a.Blocked, "now": a.Now}
}

// pickedItem is the row a claim took, with what the task shows.
type pickedItem struct {
	ID         int64
	Sensitive  bool
	Data       string
	Prediction *string
	Gold       bool `gorm:"-"` // set by the caller: a gold item never shows a suggestion
}

// untouched is true when the member has no assignment on the item other than
// one they released (a released slot may be taken again by the same member).
const untouched = `NOT EXISTS (
        SELECT 1 FROM assignments m
        WHERE m.item_id = i.id AND m.member_id = @member AND m.state <> 'released')`

// claimBand narrows which open items one claim statement looks at.
//
// Claims prefer started items (breadth-first: done DESC), but a member must
// step over every started item they answered already, and a labeller who is
// ahead of the others can have thousands of those. So a claim first looks
// only at the first startedHead started items, then at unstarted items
// (which a member can only have skipped or released), and only when both
// come back empty at everything, which is then the end of the project.
type claimBand int

const (
	bandStartedHead claimBand = iota // the first startedHead items with done > 0
	bandFresh                        // done = 0
	bandAll                          // every open item
)

// startedHead bounds the rows the first pass reads.
const startedHead = 100

// openItemFilter selects open items with a free slot for this member, in claim
// order. The ORDER BY matches the items_claim index.
func openItemFilter(band claimBand, pg bool) string {
	from, extra, order := `
    FROM items i`, "", "i"
	switch band {
	case bandStartedHead:
		// The head is a derived table with LIMIT, and the result is ordered by
		// its columns, so the planner walks those rows in order and looks each
		// up; ordered by i's columns it would scan every item instead.
		head := `
    FROM (SELECT h.id, h.done, h.priority, h.order_key FROM items h
          WHERE h.project_id = @project AND h.status = 'open' AND h.done > 0
          ORDER BY h.done DESC, h.priority DESC, h.order_key
          LIMIT ` + strconv.Itoa(startedHead) + `) head`
		if pg {
			// On PostgreSQL each head row is looked up in a LATERAL subquery,
			// which the lock (FOR ... OF i, pushed into it) keeps from being
			// flattened: the plan is head, then one primary-key probe per row
			// until one fits, whatever the statistics. As a plain join, a
			// generic plan that expected one row out of the head's hundred
			// hashed the whole project instead (a scan of every item per claim).
			return head + `
    CROSS JOIN LATERAL (SELECT i.id FROM items i
      WHERE i.id = head.id AND i.status = 'open' AND i.done + i.held < @k
        AND (@allow_sensitive OR NOT i.sensitive) AND (i.categories & @blocked) = 0
        AND ` + untouched + `) i
    ORDER BY head.done DESC, head.priority DESC, head.order_key
    LIMIT 1`
		}
		from = head + `
    JOIN items i ON i.id = head.id`
		order = "head"
	case bandFresh:
		extra = `
      AND i.done = 0`
	}
	return from + `
    WHERE i.project_id = @project AND i.status = 'open' AND i.done + i.held < @k` + extra + `
      AND (@allow_sensitive OR NOT i.sensitive) AND (i.categories & @blocked) = 0
      AND ` + untouched + `
    ORDER BY ` + order + `.done DESC, ` + order + `.priority DESC, ` + order + `.order_key
    LIMIT 1`
}

// claimOpenItem takes a slot on the next open item in the band: held+1 on
// the row it picks. On PostgreSQL skipLocked=true steps past rows other
// claims hold right now; skipLocked=false waits for them instead, and so
// answers "none left" truthfully (after the wait, PostgreSQL rechecks
// done + held < k on the newest row version and moves on if it no longer fits).
func claimOpenItem(tx *gorm.DB, a claimArgs, band claimBand, skipLocked bool) (pickedItem, bool, error) {
	var q string
	if isPostgres(tx) {
		lock := "FOR NO KEY UPDATE OF i"
		if skipLocked {
			lock += " SKIP LOCKED"
		}
		q = `WITH pick AS (SELECT i.id` + openItemFilter(band, true) + ` ` + lock + `)
UPDATE items SET held = items.held + 1
FROM pick WHERE items.id = pick.id
RETURNING items.id, items.sensitive, items.data, items.prediction`
	} else {
		q = `UPDATE items SET held = held + 1
WHERE id = (SELECT i.id` + openItemFilter(band, false) + `)
RETURNING id, sensitive, data, prediction`
	}
	return scanPicked(tx.Raw(q, a.named()))
}

// quickClaimSQL is claimQuick's one statement (PostgreSQL), %s standing for
// its event: the bands' picks in turn, each run only when those before it
// found nothing (the CTEs are read lazily, and LIMIT 1 stops at the first
// row), the lease on the first item found, its slot (held+1, only once the
// lease is written: a lease that loses to a concurrent claim by the same
// member takes no slot) and the lease's event.
var quickClaimSQL = sync.OnceValue(func() string {
	band := func(b claimBand) string {
		return `SELECT i.id` + openItemFilter(b, true) + ` FOR NO KEY UPDATE OF i SKIP LOCKED`
	}
	return `WITH b0 AS (` + band(bandStartedHead) + `),
  b1 AS (` + band(bandFresh) + `),
  b2 AS (` + band(bandAll) + `),
  pick AS (SELECT id FROM b0 UNION ALL SELECT id FROM b1 UNION ALL SELECT id FROM b2 LIMIT 1),
  l AS (INSERT INTO assignments
    (project_id, item_id, member_id, state, lease_token, lease_expires_at, claimed_at, sensitive, active_ms, updated_at)
    SELECT @project, pick.id, @member, 'leased', @token, @expires, @now, i.sensitive, 0, @now
    FROM pick JOIN items i ON i.id = pick.id
    ON CONFLICT (item_id, member_id) DO UPDATE SET
        state = 'leased', lease_token = excluded.lease_token, lease_expires_at = excluded.lease_expires_at,
        claimed_at = excluded.claimed_at, submitted_at = NULL, updated_at = excluded.updated_at
    WHERE assignments.state = 'released'
    RETURNING id, item_id, draft, active_ms),
  u AS (UPDATE items SET held = items.held + 1 FROM l WHERE items.id = l.item_id
    RETURNING items.id, items.sensitive, items.data, items.prediction IS NOT NULL AS predicted),
  e AS (%s)
SELECT l.id, l.item_id, u.sensitive, l.draft, l.active_ms, u.data, u.predicted FROM l JOIN u ON u.id = l.item_id`
})

// quickClaim runs quickClaimSQL outside a transaction for the lease a
// (filled in with what was written) and returns the item's data and whether
// it has a suggestion; ok is false when no item could be taken without
// waiting.
func quickClaim(db *gorm.DB, args claimArgs, a *assignmentRow) (data string, predicted, ok bool, err error) {
	evSQL, evArgs, err := event.InsertFrom(db, "l",
		[]event.Field{{Key: "item_id", SQL: "l.item_id"}, {Key: "assignment_id", SQL: "l.id"}},
		event.Entry{Type: "task.claimed", Scope: event.ProjectScope(args.ProjectID), Actor: &args.MemberID, Payload: map[string]any{}})
	if err != nil {
		return "", false, false, err
	}
	named := args.named()
	named["token"], named["expires"] = a.LeaseToken, a.LeaseExpiresAt
	var rows []struct {
		ID        int64
		ItemID    int64
		Sensitive bool
		Draft     *string
		ActiveMs  int64
		Data      string
		Predicted bool
	}
	if err := scanRaw(db, &rows, fmt.Sprintf(quickClaimSQL(), namedArgs(evSQL, evArgs, "ev", named)), named); err != nil {
		return "", false, false, err
	}
	if len(rows) == 0 {
		return "", false, false, nil
	}
	event.Wake(db)
	r := rows[0]
	a.ID, a.ItemID, a.Sensitive, a.Draft, a.ActiveMs = r.ID, r.ItemID, r.Sensitive, r.Draft, r.ActiveMs
	return r.Data, r.Predicted, true, nil
}

// namedArgs rewrites the ? placeholders of q (which has no ? inside a
// string) as @prefix0, @prefix1, …, adding args to named under those names,
// so q can join a statement whose other arguments are named.
func namedArgs(q string, args []any, prefix string, named map[string]any) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		name := prefix + strconv.Itoa(n)
		named[name] = args[n]
		b.WriteString("@" + name)
		n++
	}
	return b.String()
}

// usefulOrder is the extra condition and ORDER BY of a stream of ordering
// by usefulness. Uncertain: lowest confidence first, items without one last
// (PostgreSQL sorts NULL last when ascending, and so walks items_uncertain in
// order; SQLite sorts it first, so the order says so). Oldest: import order.
// Random: import order from a random point.
func usefulOrder(tx *gorm.DB, st claimStream) (extra, order string) {
	switch st {
	case streamUncertain:
		if isPostgres(tx) {
			return "", "i.suggestion_confidence, i.order_key"
		}
		return "", "i.suggestion_confidence IS NULL, i.suggestion_confidence, i.order_key"
	case streamRandom:
		return `
      AND i.seq >= @pivot`, "i.seq"
	}
	return "", "i.seq"
}

// claimStreamItem takes a slot on the first open item of a stream of
// ordering by usefulness (useful.go), in the claim pattern of claimOpenItem,
// always skipping rows other claims hold: the usual passes that follow
// decide "none left".
func claimStreamItem(tx *gorm.DB, a claimArgs, st claimStream, pivot int64) (pickedItem, bool, error) {
	extra, order := usefulOrder(tx, st)
	filter := `
    FROM items i
    WHERE i.project_id = @project AND i.status = 'open' AND i.done + i.held < @k` + extra + `
      AND (@allow_sensitive OR NOT i.sensitive) AND (i.categories & @blocked) = 0
      AND ` + untouched + `
    ORDER BY ` + order + `
    LIMIT 1`
	var q string
	if isPostgres(tx) {
		q = `WITH pick AS (SELECT i.id` + filter + ` FOR NO KEY UPDATE OF i SKIP LOCKED)
UPDATE items SET held = items.held + 1
FROM pick WHERE items.id = pick.id
RETURNING items.id, items.sensitive, items.data, items.prediction`
	} else {
		q = `UPDATE items SET held = held + 1
WHERE id = (SELECT i.id` + filter + `)
RETURNING id, sensitive, data, prediction`
	}
	args := a.named()
	args["pivot"] = pivot
	return scanPicked(tx.Raw(q, args))
}

// claimGoldItem takes a gold item the member has not seen. Gold items have no
// slot limit; held still counts live leases so the counters stay uniform.
// Best effort: a gold row locked by someone else is simply skipped.
func claimGoldItem(tx *gorm.DB, a claimArgs) (pickedItem, bool, error) {
	const filter = `
    FROM items i
    WHERE i.project_id = @project AND i.status = 'gold'
      AND (@allow_sensitive OR NOT i.sensitive) AND (i.categories & @blocked) = 0
      AND ` + untouched + `
    ORDER BY i.order_key
    LIMIT 1`
	var q string
	if isPostgres(tx) {
		q = `WITH pick AS (SELECT i.id` + filter + ` FOR NO KEY UPDATE OF i SKIP LOCKED)
UPDATE items SET held = items.held + 1
FROM pick WHERE items.id = pick.id
RETURNING items.id, items.sensitive, items.data, items.prediction`
	} else {
		q = `UPDATE items SET held = held + 1
WHERE id = (SELECT i.id` + filter + `)
RETURNING id, sensitive, data, prediction`
	}
	return scanPicked(tx.Raw(q, a.named()))
}

func scanPicked(q *gorm.DB) (pickedItem, bool, error) {
	var rows []pickedItem
	if err := q.Scan(&rows).Error; err != nil {
		return pickedItem{}, false, err
	}
	if len(rows) == 0 {
		return pickedItem{}, false, nil
	}
	return rows[0], true, nil
}

// expiredLease is an old holder's assignment that a claim took over.
type expiredLease struct {
	ID        int64
	ItemID    int64
	MemberID  int64
	Sensitive bool
}

// takeOverExpired marks the oldest expired lease of another member, on an
// item this member never touched, as 'expired' and returns it. The item's
// held count does not change: the slot passes to the new assignment.
func takeOverExpired(tx *gorm.DB, a claimArgs, skipLocked bool) (expiredLease, bool, error) {
	const filter = `
    FROM assignments a
    JOIN items i ON i.id = a.item_id
    WHERE a.project_id = @project AND a.state = 'leased' AND a.lease_expires_at <= @now
      AND a.member_id <> @member AND i.status = 'open'
      AND (@allow_sensitive OR NOT i.sensitive) AND (i.categories & @blocked) = 0
      AND ` + untouched + `
    ORDER BY a.lease_expires_at, a.id
    LIMIT 1`
	var q string
	if isPostgres(tx) {
		lock := "FOR NO KEY UPDATE OF a"
		if skipLocked {
			lock += " SKIP LOCKED"
		}
		q = `WITH victim AS (SELECT a.id` + filter + ` ` + lock + `)
UPDATE assignments SET state = 'expired', updated_at = @now
FROM victim WHERE assignments.id = victim.id
RETURNING assignments.id, assignments.item_id, assignments.member_id, assignments.sensitive`
	} else {
		q = `UPDATE assignments SET state = 'expired', updated_at = @now
WHERE id = (SELECT a.id` + filter + `)
RETURNING id, item_id, member_id, sensitive`
	}
	var rows []expiredLease
	if err := tx.Raw(q, a.named()).Scan(&rows).Error; err != nil {
		return expiredLease{}, false, err
	}
	if len(rows) == 0 {
		return expiredLease{}, false, nil
	}
	return rows[0], true, nil
}

// reviewClaimArgs are the parameters of the review claim statement.
type reviewClaimArgs struct {
	ProjectID  int64
	ReviewerID int64
	Now        time.Time
	Expires    time.Time
	Token      string
}

// reviewQueueFilter selects claimable reviews for this reviewer, oldest
// first: queued, or leased by someone else whose lease expired; never an
// item the reviewer submitted to, nor a dispute of their own rejection.
const reviewQueueFilter = `
    FROM item_reviews r
    WHERE r.project_id = @project
      AND (r.state = 'queued' OR (r.state = 'leased' AND r.lease_expires_at <= @now AND r.reviewer_id <> @reviewer))
      AND (r.exclude_member_id IS NULL OR r.exclude_member_id <> @reviewer)
      AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.item_id = r.item_id AND s.member_id = @reviewer)
    ORDER BY r.id
    LIMIT 1`

// claimReview takes the next review with one statement. Like claimOpenItem:
// on PostgreSQL a CTE locks the row FOR
// NO KEY UPDATE (SKIP LOCKED on the first pass); SQLite holds the write lock.
func claimReview(tx *gorm.DB, a reviewClaimArgs, skipLocked bool) (Round, bool, error) {
	args := map[string]any{"project": a.ProjectID, "reviewer": a.ReviewerID, "now": a.Now, "exp": a.Expires, "token": a.Token}
	const set = `SET state = 'leased', reviewer_id = @reviewer, lease_token = @token, lease_expires_at = @exp,
    claimed_at = @now, updated_at = @now`
	var q string
	if isPostgres(tx) {
		lock := "FOR NO KEY UPDATE OF r"
		if skipLocked {
			lock += " SKIP LOCKED"
		}
		q = `WITH pick AS (SELECT r.id` + reviewQueueFilter + ` ` + lock + `)
UPDATE item_reviews ` + set + `
FROM pick WHERE item_reviews.id = pick.id
RETURNING item_reviews.*`
	} else {
		q = `UPDATE item_reviews ` + set + `
WHERE id = (SELECT r.id` + reviewQueueFilter + `)
RETURNING *`
	}
	var rows []Round
	if err := tx.Raw(q, args).Scan(&rows).Error; err != nil {
		return Round{}, false, err
	}
	if len(rows) == 0 {
		return Round{}, false, nil
	}
	return rows[0], true, nil
}

// snapshotTxOptions are the options of a snapshot's transaction: REPEATABLE
// READ on PostgreSQL, so every chunk it reads sees the same moment; SQLite's
// single writer already gives it that.
func snapshotTxOptions(db *gorm.DB) *sql.TxOptions {
	if isPostgres(db) {
		return &sql.TxOptions{Isolation: sql.LevelRepeatableRead}
	}
	return &sql.TxOptions{}
}

// recordSubmission inserts the submission row, counts it on its item (done+1,
// held−dHeld, the new status) and marks the assignment submitted, and returns
// the submission's id. PostgreSQL does the three writes in one statement
// (data-modifying CTEs); SQLite, which has none, in three.
func recordSubmission(tx *gorm.DB, row *submissionRow, dHeld int, status string, activeMs int64, evs []event.Entry) (int64, error) {
	if isPostgres(tx) {
		// The events go in with the rest, each with the new submission's id.
		evSQL, evArgs, err := event.InsertFrom(tx, "s", []event.Field{{Key: "submission_id", SQL: "s.id"}}, evs...)
		if err != nil {
			return 0, err
		}
		idCol, idVal := "", ""
		var args []any
		if row.ID != 0 { // drawn by StartSubmit
			idCol, idVal = "id, ", "?, "
			args = append(args, row.ID)
		}
		args = append(append(args, row.AssignmentID, row.ItemID, row.ProjectID, row.MemberID, row.Answer, row.IdempotencyKey,
			row.BodyHash, row.LeadTimeMs, row.IsGold, row.Status, row.CreatedAt, dHeld, status, row.ItemID,
			row.CreatedAt, activeMs, row.CreatedAt, row.AssignmentID), evArgs...)
		q := `WITH s AS (INSERT INTO submissions (` + idCol + `assignment_id, item_id, project_id, member_id, answer, idempotency_key,
        body_hash, lead_time_ms, is_gold, status, created_at)
    VALUES (` + idVal + `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id),
  i AS (UPDATE items SET done = done + 1, held = held - ?, status = ? WHERE id = ?),
  a AS (UPDATE assignments SET state = 'submitted', submitted_at = ?, draft = NULL, draft_at = NULL,
        active_ms = ?, updated_at = ? WHERE id = ?),
  e AS (` + evSQL + `)
SELECT id FROM s`
		if row.ID != 0 {
			// Nothing to wait for: it goes with the next statement or the
			// COMMIT; a concurrent twin's unique violation then fails the
			// transaction, whose retry replays (RecordSubmission).
			return row.ID, sqldb.ExecLater(tx, nil, q, args...)
		}
		var ids []int64
		if err := tx.Raw(q, args...).Scan(&ids).Error; err != nil {
			return 0, err
		}
		if len(ids) == 0 {
			return 0, sqldb.ErrRace // not reached: an INSERT without ON CONFLICT returns its row or fails
		}
		return ids[0], nil
	}
	if err := tx.Create(row).Error; err != nil {
		return 0, err
	}
	if err := tx.Exec(`UPDATE items SET done = done + 1, held = held - ?, status = ? WHERE id = ?`,
		dHeld, status, row.ItemID).Error; err != nil {
		return 0, err
	}
	if err := tx.Exec(`UPDATE assignments SET state = 'submitted', submitted_at = ?, draft = NULL, draft_at = NULL,
    active_ms = ?, updated_at = ? WHERE id = ?`,
		row.CreatedAt, activeMs, row.CreatedAt, row.AssignmentID).Error; err != nil {
		return 0, err
	}
	for i := range evs {
		evs[i].Payload.(map[string]any)["submission_id"] = row.ID
	}
	return row.ID, event.AppendAll(tx, evs...)
}

// leaseRow is what writing a lease returns.
type leaseRow struct {
	ID       int64
	Draft    *string
	ActiveMs int64
}

// leaseInsert writes a lease: a new assignment, or the member's released one
// reused. Any other existing row returns nothing (a concurrent claim by the
// same member won).
const leaseInsert = `INSERT INTO assignments
    (project_id, item_id, member_id, state, lease_token, lease_expires_at, claimed_at, sensitive, active_ms, updated_at)
VALUES (?, ?, ?, 'leased', ?, ?, ?, ?, 0, ?)
ON CONFLICT (item_id, member_id) DO UPDATE SET
    state = 'leased', lease_token = excluded.lease_token, lease_expires_at = excluded.lease_expires_at,
    claimed_at = excluded.claimed_at, submitted_at = NULL, updated_at = excluded.updated_at
WHERE assignments.state = 'released'
RETURNING id, draft, active_ms`

// insertLease writes the lease and its event (whose payload gains the
// assignment's id): one statement on PostgreSQL, two on SQLite.
func insertLease(tx *gorm.DB, a assignmentRow, ev event.Entry) ([]leaseRow, error) {
	args := []any{a.ProjectID, a.ItemID, a.MemberID, a.LeaseToken, a.LeaseExpiresAt, a.ClaimedAt, a.Sensitive, a.UpdatedAt}
	var got []leaseRow
	if isPostgres(tx) {
		evSQL, evArgs, err := event.InsertFrom(tx, "l", []event.Field{{Key: "assignment_id", SQL: "l.id"}}, ev)
		if err != nil {
			return nil, err
		}
		err = tx.Raw(`WITH l AS (`+leaseInsert+`),
  e AS (`+evSQL+`)
SELECT id, draft, active_ms FROM l`, append(args, evArgs...)...).Scan(&got).Error
		return got, err
	}
	if err := tx.Raw(leaseInsert, args...).Scan(&got).Error; err != nil || len(got) == 0 {
		return got, err
	}
	ev.Payload.(map[string]any)["assignment_id"] = got[0].ID
	return got, event.AppendAll(tx, ev)
}

// insertRound writes a scoring round and its events (whose payloads gain
// the round's id as review_id), and the item's consensus c when given: one
// statement on PostgreSQL, two or three on SQLite.
func insertRound(tx *gorm.DB, row *Round, evs []event.Entry, c *labeling.Consensus) error {
	if isPostgres(tx) {
		evSQL, evArgs, err := event.InsertFrom(tx, "r", []event.Field{{Key: "review_id", SQL: "r.id"}}, evs...)
		if err != nil {
			return err
		}
		args := append([]any{row.ProjectID, row.ItemID, row.Kind, row.SubmissionID, row.Metric, row.AgreementBP, row.GoldFailed,
			row.Reasons, row.Route, row.State, row.CreatedAt, row.UpdatedAt}, evArgs...)
		q := `WITH r AS (INSERT INTO item_reviews (project_id, item_id, kind, submission_id, metric, agreement_bp,
        gold_failed, reasons, route, state, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id),
  e AS (` + evSQL + `)`
		if c != nil {
			q += `,
  c AS (` + consensusUpsert + `)`
			args = append(args, consensusArgs(row.ProjectID, *c)...)
		}
		return scanRaw(tx, &row.ID, q+`
SELECT id FROM r`, args...)
	}
	if err := tx.Create(row).Error; err != nil {
		return err
	}
	for _, ev := range evs {
		ev.Payload.(map[string]any)["review_id"] = row.ID
	}
	if err := event.AppendAll(tx, evs...); err != nil || c == nil {
		return err
	}
	return upsertConsensus(tx, row.ProjectID, *c)
}

// priorAnswersJSON is a scalar subquery of the prior annotations of item ?
// in id order, as a JSON array of [annotator, answer] with the answer as a
// string, its text as priorAnswers reads it (PostgreSQL stores it as JSONB,
// SQLite as TEXT). Without any: NULL on PostgreSQL, [] on SQLite.
func priorAnswersJSON(pg bool) string {
	if pg {
		return `(SELECT json_agg(json_build_array(pa.annotator, CAST(pa.answer AS TEXT)) ORDER BY pa.id)
        FROM prior_annotations pa WHERE pa.item_id = ?)`
	}
	return `(SELECT json_group_array(json_array(pa.annotator, pa.answer) ORDER BY pa.id)
        FROM prior_annotations pa WHERE pa.item_id = ?)`
}

// snapshotRowsSQL reads a snapshot's frozen rows in item order.
const snapshotRowsSQL = "SELECT project_id, body FROM snapshot_rows WHERE snapshot_id = ? ORDER BY item_id"

// eachSnapshotRow calls fn with each frozen row of snapshot id in item
// order; body is valid only until fn returns. On PostgreSQL the rows are
// pgx's own, on a connection of their own: fn sees the bytes pgx read,
// without database/sql's conversion of each value to a string and then a
// copy. Anything fn returns stops the query.
func eachSnapshotRow(ctx context.Context, db *gorm.DB, id int64, fn func(projectID int64, body []byte) error) error {
	if !sqldb.IsPostgres(db) {
		rows, err := db.WithContext(ctx).Raw(snapshotRowsSQL, id).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		var projectID int64
		var body sql.RawBytes
		for rows.Next() {
			if err := rows.Scan(&projectID, &body); err != nil {
				return err
			}
			if err := fn(projectID, body); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	// A stopped export cancels the query rather than draining its rows.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return db.WithContext(ctx).Connection(func(tx *gorm.DB) error {
		c, ok := tx.Statement.ConnPool.(*sql.Conn)
		if !ok {
			return fmt.Errorf("snapshot rows: not a connection of its own: %T", tx.Statement.ConnPool)
		}
		return c.Raw(func(dc any) error {
			pc, err := sqldb.PgxConn(ctx, dc)
			if err != nil {
				return fmt.Errorf("snapshot rows: %w", err)
			}
			// project_id in binary (8 bytes, big-endian), body as text.
			rows, err := pc.Query(ctx, "SELECT project_id, body FROM snapshot_rows WHERE snapshot_id = $1 ORDER BY item_id",
				pgx.QueryResultFormats{pgx.BinaryFormatCode, pgx.TextFormatCode}, id)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				raw := rows.RawValues()
				if len(raw) != 2 || len(raw[0]) != 8 {
					return fmt.Errorf("snapshot rows: unexpected row shape")
				}
				if err := fn(int64(binary.BigEndian.Uint64(raw[0])), raw[1]); err != nil {
					cancel()
					return err
				}
			}
			return rows.Err()
		})
	})
}
