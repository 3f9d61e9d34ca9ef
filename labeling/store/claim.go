package store

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// A lease (an assignments row in state 'leased') reserves one of an item's k
// slots for one member. Invariants, kept by every transaction below:
//
//	items.held = number of the item's assignments in state 'leased'
//	items.done = number of the item's submissions
//	done + held <= overlap for open items; status 'complete' exactly when done >= overlap
//
// An expired lease keeps its slot until another member takes it over (state
// 'expired' for the old row, a new 'leased' row for the taker), so nothing
// depends on a sweeper. Heartbeat, release, skip and submit are fenced on
// the lease token.

type assignmentRow struct {
	ID             int64 `gorm:"primaryKey"`
	ProjectID      int64
	ItemID         int64
	MemberID       int64
	State          string
	LeaseToken     string
	LeaseExpiresAt time.Time
	ClaimedAt      time.Time
	SubmittedAt    *time.Time
	Sensitive      bool
	Draft          *string
	DraftAt        *time.Time
	ActiveMs       int64
	UpdatedAt      time.Time
}

func (assignmentRow) TableName() string { return "assignments" }

type itemRow struct {
	ID          int64 `gorm:"primaryKey"`
	ProjectID   int64
	ImportID    *int64
	Seq         int64
	ExternalID  string
	Data        string
	ContentHash string
	Priority    int
	OrderKey    int64
	Prediction  *string
	Gold        *string
	Sensitive   bool
	Status      string
	Done        int
	Held        int
	CreatedAt   time.Time
}

func (itemRow) TableName() string { return "items" }

func (r itemRow) item() labeling.Item {
	return labeling.Item{ID: r.ID, ProjectID: r.ProjectID, Seq: r.Seq, ExternalID: r.ExternalID,
		Data: json.RawMessage(r.Data), ContentHash: r.ContentHash, Priority: r.Priority,
		Prediction: rawOrNil(r.Prediction), Gold: rawOrNil(r.Gold), Sensitive: r.Sensitive,
		Status: labeling.ItemStatus(r.Status), Done: r.Done, Held: r.Held, CreatedAt: r.CreatedAt}
}

type submissionRow struct {
	ID             int64 `gorm:"primaryKey"`
	AssignmentID   int64
	ItemID         int64
	ProjectID      int64
	MemberID       int64
	Answer         string
	IdempotencyKey string
	BodyHash       string
	LeadTimeMs     int64
	IsGold         bool
	Status         string
	CreatedAt      time.Time
}

func (submissionRow) TableName() string { return "submissions" }

func (r submissionRow) submission(replayed bool) labeling.Submission {
	return labeling.Submission{ID: r.ID, AssignmentID: r.AssignmentID, ItemID: r.ItemID, ProjectID: r.ProjectID,
		MemberID: r.MemberID, Answer: json.RawMessage(r.Answer), IdempotencyKey: r.IdempotencyKey,
		LeadTimeMs: r.LeadTimeMs, IsGold: r.IsGold, Status: labeling.SubmissionStatus(r.Status),
		CreatedAt: r.CreatedAt, Replayed: replayed}
}

type skipRow struct {
	ID           int64 `gorm:"primaryKey"`
	AssignmentID int64
	ItemID       int64
	ProjectID    int64
	MemberID     int64
	Reason       string
	CreatedAt    time.Time
}

func (skipRow) TableName() string { return "skips" }

func rawOrNil(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	return json.RawMessage(*s)
}

// ---- claim ----

// ClaimNextTask gives the member their next task in the project: the lease
// they already hold (renewed if it expired untouched), else — within the
// daily stint — sometimes an unseen gold item, else another member's expired
// lease, else the next open item in claim order.
func (s *Store) ClaimNextTask(ctx context.Context, memberID, projectID int64) (labeling.Task, error) {
	var task labeling.Task
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		t, err := s.claim(tx, memberID, projectID)
		task = t
		return err
	})
	return task, err
}

func (s *Store) claim(tx *gorm.DB, memberID, projectID int64) (labeling.Task, error) {
	var pm []struct {
		Project  projectRow `gorm:"embedded"`
		IsMember bool
	}
	if err := tx.Raw(`SELECT p.*, EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.member_id = ?) AS is_member
FROM projects p WHERE p.id = ?`, memberID, projectID).Scan(&pm).Error; err != nil {
		return labeling.Task{}, err
	}
	if len(pm) == 0 {
		return labeling.Task{}, fault.ErrNotFound.With("project %d not found", projectID)
	}
	p := pm[0].Project
	switch labeling.ProjectStatus(p.Status) {
	case labeling.ProjectOpen:
	case labeling.ProjectPaused:
		return labeling.Task{}, labeling.ErrProjectPaused
	case labeling.ProjectClosed:
		return labeling.Task{}, labeling.ErrProjectClosed
	default:
		return labeling.Task{}, labeling.ErrProjectNotOpen
	}
	if !pm[0].IsMember {
		return labeling.Task{}, labeling.ErrNotProjectMember
	}
	now := s.clock()

	// Resume: the member's own lease, live or expired but not taken over.
	var mine []assignmentRow
	if err := tx.Raw(`SELECT * FROM assignments WHERE member_id = ? AND project_id = ? AND state = 'leased'`,
		memberID, projectID).Scan(&mine).Error; err != nil {
		return labeling.Task{}, err
	}
	if len(mine) > 0 {
		a := mine[0]
		if a.LeaseExpiresAt.After(now) {
			return taskFor(tx, p, a)
		}
		// Fenced on state: a concurrent takeover that committed first wins.
		exp := now.Add(p.lease())
		res := tx.Exec(`UPDATE assignments SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND state = 'leased'`,
			exp, now, a.ID)
		if res.Error != nil {
			return labeling.Task{}, res.Error
		}
		if res.RowsAffected == 1 {
			a.LeaseExpiresAt = exp
			return taskFor(tx, p, a)
		}
	}

	day := labeling.DayStart(now)
	coopStint, sensitiveMax, err := s.coopLimits(tx)
	if err != nil {
		return labeling.Task{}, err
	}
	p.Stint = clampStint(p.Stint, coopStint)
	if p.Stint > 0 {
		n, err := claimsToday(tx, memberID, projectID, day)
		if err != nil {
			return labeling.Task{}, err
		}
		if n >= int64(p.Stint) {
			return labeling.Task{}, &labeling.StintReachedError{ResetAt: day.Add(24 * time.Hour)}
		}
	}
	capN, used, err := sensitiveToday(tx, memberID, day)
	if err != nil {
		return labeling.Task{}, err
	}
	capN = min(capN, sensitiveMax)
	args := claimArgs{ProjectID: projectID, MemberID: memberID, Overlap: p.Overlap,
		AllowSensitive: used < int64(capN), Now: now}

	// Gold is mixed in at the project's rate and looks like any other task.
	if p.GoldRateBP > 0 && rand.IntN(10_000) < p.GoldRateBP {
		it, ok, err := claimGoldItem(tx, args)
		if err != nil {
			return labeling.Task{}, err
		}
		if ok {
			return s.lease(tx, p, memberID, it, now)
		}
	}

	// First without waiting on rows other claims hold; on PostgreSQL then once
	// more waiting for them, so "no tasks" is never an artefact of a row that
	// was locked only for a moment (SQLite never skips).
	passes := []bool{true}
	if isPostgres(tx) {
		passes = append(passes, false)
	}
	for _, skipLocked := range passes {
		old, ok, err := takeOverExpired(tx, args, skipLocked)
		if err != nil {
			return labeling.Task{}, err
		}
		if ok {
			if err := event.Append(tx, "task.expired", event.MemberScope(old.MemberID), nil,
				map[string]any{"project_id": projectID, "assignment_id": old.ID, "item_id": old.ItemID}); err != nil {
				return labeling.Task{}, err
			}
			return s.lease(tx, p, memberID, pickedItem{ID: old.ItemID, Sensitive: old.Sensitive}, now)
		}
		// Bounded passes first (see claimBand); the full one decides "none left".
		bands := []claimBand{bandStartedHead, bandFresh, bandAll}
		if !skipLocked {
			bands = []claimBand{bandAll}
		}
		for _, band := range bands {
			it, ok, err := claimOpenItem(tx, args, band, skipLocked)
			if err != nil {
				return labeling.Task{}, err
			}
			if ok {
				return s.lease(tx, p, memberID, it, now)
			}
		}
	}

	if !args.AllowSensitive {
		// Say why when only sensitive items are left for this member.
		var n int64
		if err := tx.Raw(`SELECT COUNT(*) FROM items i
WHERE i.project_id = @project AND i.status = 'open' AND i.done + i.held < @k AND i.sensitive
  AND `+untouched, args.named()).Scan(&n).Error; err != nil {
			return labeling.Task{}, err
		}
		if n > 0 {
			return labeling.Task{}, labeling.ErrSensitiveCap
		}
	}
	return labeling.Task{}, labeling.ErrNoTasks
}

// lease writes the member's assignment on an item whose slot the caller has
// already reserved (held+1, or taken over). A row the member released earlier
// is reused; any other existing row means a concurrent claim by the same
// member won, and the transaction is retried. it.Data may be empty, and is
// then read.
func (s *Store) lease(tx *gorm.DB, p projectRow, memberID int64, it pickedItem, now time.Time) (labeling.Task, error) {
	itemID := it.ID
	a := assignmentRow{ProjectID: p.ID, ItemID: itemID, MemberID: memberID, State: string(labeling.AssignmentLeased),
		LeaseToken: labeling.NewLeaseToken(), LeaseExpiresAt: now.Add(p.lease()), ClaimedAt: now, Sensitive: it.Sensitive, UpdatedAt: now}
	var got []struct {
		ID       int64
		Draft    *string
		ActiveMs int64
	}
	err := tx.Raw(`INSERT INTO assignments
    (project_id, item_id, member_id, state, lease_token, lease_expires_at, claimed_at, sensitive, active_ms, updated_at)
VALUES (?, ?, ?, 'leased', ?, ?, ?, ?, 0, ?)
ON CONFLICT (item_id, member_id) DO UPDATE SET
    state = 'leased', lease_token = excluded.lease_token, lease_expires_at = excluded.lease_expires_at,
    claimed_at = excluded.claimed_at, submitted_at = NULL, updated_at = excluded.updated_at
WHERE assignments.state = 'released'
RETURNING id, draft, active_ms`,
		a.ProjectID, a.ItemID, a.MemberID, a.LeaseToken, a.LeaseExpiresAt, a.ClaimedAt, a.Sensitive, a.UpdatedAt).Scan(&got).Error
	if err != nil {
		return labeling.Task{}, err
	}
	if len(got) == 0 {
		return labeling.Task{}, sqldb.ErrRace
	}
	a.ID, a.Draft, a.ActiveMs = got[0].ID, got[0].Draft, got[0].ActiveMs
	if err := event.Append(tx, "task.claimed", event.ProjectScope(p.ID), &memberID,
		map[string]any{"assignment_id": a.ID, "item_id": itemID}); err != nil {
		return labeling.Task{}, err
	}
	if it.Data == "" {
		return taskFor(tx, p, a)
	}
	return buildTask(p, a, it.Data, it.Prediction), nil
}

// taskFor builds what the labeller sees. Gold answers never leave here.
func taskFor(tx *gorm.DB, p projectRow, a assignmentRow) (labeling.Task, error) {
	var it []struct {
		Data       string
		Prediction *string
	}
	if err := tx.Raw(`SELECT data, prediction FROM items WHERE id = ?`, a.ItemID).Scan(&it).Error; err != nil {
		return labeling.Task{}, err
	}
	if len(it) == 0 {
		return labeling.Task{}, fault.ErrNotFound.With("item %d not found", a.ItemID)
	}
	return buildTask(p, a, it[0].Data, it[0].Prediction), nil
}

func buildTask(p projectRow, a assignmentRow, data string, prediction *string) labeling.Task {
	return labeling.Task{AssignmentID: a.ID, LeaseToken: a.LeaseToken, LeaseExpiresAt: a.LeaseExpiresAt,
		ProjectID: p.ID, ItemID: a.ItemID, Data: json.RawMessage(data), Prediction: rawOrNil(prediction),
		Sensitive: a.Sensitive, Draft: rawOrNil(a.Draft), TaskType: labeling.TaskType(p.TaskType),
		Schema: json.RawMessage(p.Schema)}
}

// ---- sensitive cap ----

type memberSettingsRow struct {
	MemberID          int64 `gorm:"primaryKey"`
	SensitiveDailyCap int
	UpdatedAt         time.Time
}

func (memberSettingsRow) TableName() string { return "member_settings" }

// SensitiveCap returns the member's daily cap of sensitive items.
func (s *Store) SensitiveCap(ctx context.Context, memberID int64) (int, error) {
	return sensitiveCap(s.db.WithContext(ctx), memberID)
}

func sensitiveCap(tx *gorm.DB, memberID int64) (int, error) {
	var caps []int
	if err := tx.Raw(`SELECT sensitive_daily_cap FROM member_settings WHERE member_id = ?`, memberID).Scan(&caps).Error; err != nil {
		return 0, err
	}
	if len(caps) == 0 {
		return labeling.CoopSensitiveDailyCap, nil
	}
	// A lowered co-op maximum applies to caps set earlier too.
	return min(caps[0], labeling.CoopSensitiveDailyCap), nil
}

// sensitiveToday returns the member's cap and the sensitive items they
// claimed today, across projects.
func sensitiveToday(tx *gorm.DB, memberID int64, day time.Time) (capN int, used int64, err error) {
	var r []struct {
		CapN int
		Used int64
	}
	if err := tx.Raw(`SELECT COALESCE((SELECT sensitive_daily_cap FROM member_settings WHERE member_id = ?), ?) AS cap_n,
    (SELECT COUNT(*) FROM assignments WHERE member_id = ? AND sensitive = ? AND claimed_at >= ?) AS used`,
		memberID, labeling.CoopSensitiveDailyCap, memberID, true, day).Scan(&r).Error; err != nil {
		return 0, 0, err
	}
	// A lowered co-op maximum applies to caps set earlier too.
	return min(r[0].CapN, labeling.CoopSensitiveDailyCap), r[0].Used, nil
}

// SetSensitiveCap sets the member's own daily cap of sensitive items:
// 0..CoopSensitiveDailyCap (a member may lower it, never raise it above the co-op maximum).
func (s *Store) SetSensitiveCap(ctx context.Context, memberID int64, capN int) error {
	if err := labeling.CheckSensitiveCap(capN); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		if err := tx.Exec(`INSERT INTO member_settings (member_id, sensitive_daily_cap, updated_at) VALUES (?, ?, ?)
ON CONFLICT (member_id) DO UPDATE SET sensitive_daily_cap = excluded.sensitive_daily_cap, updated_at = excluded.updated_at`,
			memberID, capN, now).Error; err != nil {
			return err
		}
		return event.Append(tx, "member.settings_changed", event.MemberScope(memberID), &memberID,
			map[string]any{"sensitive_daily_cap": capN})
	})
}

// ---- lease operations ----

// assignmentByToken finds the member's assignment for a lease token. A token
// that is unknown or another member's is reported as a lost lease, revealing
// nothing.
func assignmentByToken(tx *gorm.DB, memberID int64, token string, lock bool) (assignmentRow, error) {
	if token == "" {
		return assignmentRow{}, labeling.ErrLeaseLost
	}
	q := `SELECT * FROM assignments WHERE lease_token = ?`
	if lock {
		q += forUpdate(tx)
	}
	var rows []assignmentRow
	if err := tx.Raw(q, token).Scan(&rows).Error; err != nil {
		return assignmentRow{}, err
	}
	if len(rows) == 0 || rows[0].MemberID != memberID {
		return assignmentRow{}, labeling.ErrLeaseLost
	}
	return rows[0], nil
}

// lockItem locks the item row (PostgreSQL). Writers that start from a lease
// token lock the assignment first, then the item; claims lock the item and
// then only insert (or reuse the member's own released row), so waits do not
// form cycles except between two requests of one member, which PostgreSQL
// detects and inTx retries.
func lockItem(tx *gorm.DB, id int64) (itemRow, error) {
	var rows []itemRow
	if err := tx.Raw(`SELECT * FROM items WHERE id = ?`+forUpdate(tx), id).Scan(&rows).Error; err != nil {
		return itemRow{}, err
	}
	if len(rows) == 0 {
		return itemRow{}, fault.ErrNotFound.With("item %d not found", id)
	}
	return rows[0], nil
}

// Heartbeat extends the member's lease and records their active time on the
// task (the client's running total). The holder of a lease that expired but
// was not taken over still holds it.
func (s *Store) Heartbeat(ctx context.Context, memberID int64, leaseToken string, activeMs int64) (time.Time, error) {
	var exp time.Time
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := assignmentByToken(tx, memberID, leaseToken, false)
		if err != nil {
			return err
		}
		if a.State != string(labeling.AssignmentLeased) {
			return labeling.ErrLeaseLost
		}
		p, err := loadProject(tx, a.ProjectID, false)
		if err != nil {
			return err
		}
		if p.Status == string(labeling.ProjectClosed) {
			return labeling.ErrProjectClosed
		}
		now := s.clock()
		exp = now.Add(p.lease())
		active := max(a.ActiveMs, labeling.ClampLeadTime(activeMs))
		res := tx.Exec(`UPDATE assignments SET lease_expires_at = ?, active_ms = ?, updated_at = ?
WHERE id = ? AND state = 'leased' AND lease_token = ?`, exp, active, now, a.ID, leaseToken)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 { // taken over since we read it
			return labeling.ErrLeaseLost
		}
		return nil
	})
	return exp, err
}

// Release gives the slot back. The same member may be given the item again.
func (s *Store) Release(ctx context.Context, memberID int64, leaseToken string) error {
	return s.endLease(ctx, memberID, leaseToken, labeling.AssignmentReleased, "")
}

// Skip gives the slot back and never offers the item to this member again.
func (s *Store) Skip(ctx context.Context, memberID int64, leaseToken, reason string) error {
	if len([]rune(reason)) > labeling.MaxSkipReasonLen {
		return fault.ErrInvalid.With("a skip reason is at most %d characters", labeling.MaxSkipReasonLen)
	}
	return s.endLease(ctx, memberID, leaseToken, labeling.AssignmentSkipped, reason)
}

func (s *Store) endLease(ctx context.Context, memberID int64, token string, to labeling.AssignmentState, reason string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		a, err := assignmentByToken(tx, memberID, token, true)
		if err != nil {
			return err
		}
		if a.State != string(labeling.AssignmentLeased) {
			return labeling.ErrLeaseLost
		}
		now := s.clock()
		if err := tx.Exec(`UPDATE assignments SET state = ?, updated_at = ? WHERE id = ?`, string(to), now, a.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE items SET held = held - 1 WHERE id = ?`, a.ItemID).Error; err != nil {
			return err
		}
		typ := "task.released"
		if to == labeling.AssignmentSkipped {
			typ = "task.skipped"
			if err := tx.Create(&skipRow{AssignmentID: a.ID, ItemID: a.ItemID, ProjectID: a.ProjectID, MemberID: memberID,
				Reason: reason, CreatedAt: now}).Error; err != nil {
				return err
			}
		}
		return event.Append(tx, typ, event.ProjectScope(a.ProjectID), &memberID,
			map[string]any{"assignment_id": a.ID, "item_id": a.ItemID})
	})
}

// SaveDraft stores a work-in-progress answer (any JSON object up to 256 KB,
// valid or not) on the member's assignment. If the lease was lost the draft
// is still stored — work is never lost — and the error is lease_lost.
func (s *Store) SaveDraft(ctx context.Context, memberID int64, leaseToken string, draft json.RawMessage) (time.Time, error) {
	d, err := labeling.CheckDraft(draft)
	if err != nil {
		return time.Time{}, err
	}
	var at time.Time
	var lost error
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := assignmentByToken(tx, memberID, leaseToken, false)
		if err != nil {
			return err
		}
		at = s.clock()
		var state []string
		// RETURNING state reads the row as it is after waiting for any
		// concurrent takeover, not as we first saw it.
		if err := tx.Raw(`UPDATE assignments SET draft = ?, draft_at = ?, updated_at = ?
WHERE id = ? AND state <> 'submitted' RETURNING state`, string(d), at, at, a.ID).Scan(&state).Error; err != nil {
			return err
		}
		if len(state) == 0 {
			return labeling.ErrAlreadySubmitted
		}
		if state[0] != string(labeling.AssignmentLeased) {
			lost = labeling.ErrLeaseLost.With("your lease on this task was lost; the draft was saved")
		}
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	return at, lost
}

// Submit records the member's answer to the task held by req.LeaseToken.
//
// The answer is validated against the schema and the item. A retry with the
// same idempotency key and body returns the stored submission (Replayed);
// the same key with another body is idempotency_conflict. A submit after the
// lease was lost is still accepted if the item has a free slot; otherwise it
// is lease_lost and the answer is kept as the assignment's draft.
func (s *Store) Submit(ctx context.Context, memberID int64, req labeling.SubmitRequest) (labeling.Submission, error) {
	if err := labeling.CheckIdempotencyKey(req.IdempotencyKey); err != nil {
		return labeling.Submission{}, err
	}
	hash := req.Hash()
	var out labeling.Submission
	var lost error
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		lost = nil
		if sub, ok, err := replay(tx, memberID, req.IdempotencyKey, hash); ok || err != nil {
			out = sub
			return err
		}
		a, err := assignmentByToken(tx, memberID, req.LeaseToken, true)
		if err != nil {
			return err
		}
		if a.State == string(labeling.AssignmentSubmitted) {
			// A concurrent request with the same key may have won while we waited.
			if sub, ok, err := replay(tx, memberID, req.IdempotencyKey, hash); ok || err != nil {
				out = sub
				return err
			}
			return labeling.ErrAlreadySubmitted
		}
		p, err := loadProject(tx, a.ProjectID, false)
		if err != nil {
			return err
		}
		if p.Status == string(labeling.ProjectClosed) {
			return labeling.ErrProjectClosed
		}
		it, err := lockItem(tx, a.ItemID)
		if err != nil {
			return err
		}
		answer, err := labeling.ValidateAnswer(labeling.TaskType(p.TaskType), json.RawMessage(p.Schema), json.RawMessage(it.Data), req.Answer)
		if err != nil {
			return err
		}
		now := s.clock()
		gold := it.Status == string(labeling.ItemGold)
		held := a.State == string(labeling.AssignmentLeased) // still counted in items.held
		if !held {
			room := gold || (it.Status == string(labeling.ItemOpen) && it.Done+it.Held < p.Overlap)
			if a.State == string(labeling.AssignmentSkipped) || !room {
				// Keep the work; commit the draft and report the lost lease.
				if err := tx.Exec(`UPDATE assignments SET draft = ?, draft_at = ?, updated_at = ? WHERE id = ?`,
					string(compactOrRaw(req.Answer)), now, now, a.ID).Error; err != nil {
					return err
				}
				lost = labeling.ErrLeaseLost.With("your lease on this task was lost and the item has all its answers; your answer was kept as a draft")
				return nil
			}
		}

		row := submissionRow{AssignmentID: a.ID, ItemID: it.ID, ProjectID: p.ID, MemberID: memberID,
			Answer: string(answer), IdempotencyKey: req.IdempotencyKey, BodyHash: hash,
			LeadTimeMs: labeling.ClampLeadTime(req.LeadTimeMs), IsGold: gold,
			Status: string(labeling.SubmissionSubmitted), CreatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return err // a unique violation retries and then replays or conflicts
		}
		dHeld := 0
		if held {
			dHeld = 1
		}
		completes := !gold && it.Done+1 >= p.Overlap
		status := it.Status
		if completes {
			status = string(labeling.ItemComplete)
		}
		if err := tx.Exec(`UPDATE items SET done = done + 1, held = held - ?, status = ? WHERE id = ?`,
			dHeld, status, it.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE assignments SET state = 'submitted', submitted_at = ?, draft = NULL, draft_at = NULL,
    active_ms = ?, updated_at = ? WHERE id = ?`,
			now, max(a.ActiveMs, row.LeadTimeMs), now, a.ID).Error; err != nil {
			return err
		}
		if err := event.Append(tx, "task.submitted", event.ProjectScope(p.ID), &memberID,
			map[string]any{"assignment_id": a.ID, "item_id": it.ID, "submission_id": row.ID}); err != nil {
			return err
		}
		if completes {
			if err := event.Append(tx, "item.completed", event.ProjectScope(p.ID), nil,
				map[string]any{"item_id": it.ID, "done": it.Done + 1}); err != nil {
				return err
			}
		}
		if err := s.ledger.Submitted(tx, row.submission(false)); err != nil {
			return err
		}
		if err := s.afterSubmit(tx, now, p, it, row.ID, completes); err != nil { // review: gold check, scoring, routing
			return err
		}
		out = row.submission(false)
		out.Answer = answer
		return nil
	})
	if err != nil {
		return labeling.Submission{}, err
	}
	if lost != nil {
		return labeling.Submission{}, lost
	}
	return out, nil
}

// replay looks up an earlier submission with the same key: the same body
// returns it again, another body is a conflict.
func replay(tx *gorm.DB, memberID int64, key, hash string) (labeling.Submission, bool, error) {
	var rows []submissionRow
	if err := tx.Raw(`SELECT * FROM submissions WHERE member_id = ? AND idempotency_key = ?`, memberID, key).Scan(&rows).Error; err != nil {
		return labeling.Submission{}, false, err
	}
	if len(rows) == 0 {
		return labeling.Submission{}, false, nil
	}
	if rows[0].BodyHash != hash {
		return labeling.Submission{}, true, labeling.ErrIdempotencyReuse
	}
	return rows[0].submission(true), true, nil
}

// compactOrRaw keeps a draft as JSON; a body that is not JSON is stored as a
// JSON string so that nothing typed is lost.
func compactOrRaw(b json.RawMessage) json.RawMessage {
	if c, err := labeling.CheckDraft(b); err == nil {
		return c
	}
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}

// Assignment loads one of the member's assignments (for the HTTP layer's
// "my history").
func (s *Store) Assignment(ctx context.Context, memberID, id int64) (labeling.Assignment, error) {
	var rows []assignmentRow
	if err := s.db.WithContext(ctx).Raw(`SELECT * FROM assignments WHERE id = ? AND member_id = ?`, id, memberID).Scan(&rows).Error; err != nil {
		return labeling.Assignment{}, err
	}
	if len(rows) == 0 {
		return labeling.Assignment{}, fault.ErrNotFound.With("assignment %d not found", id)
	}
	r := rows[0]
	return labeling.Assignment{ID: r.ID, ProjectID: r.ProjectID, ItemID: r.ItemID, MemberID: r.MemberID,
		State: labeling.AssignmentState(r.State), LeaseToken: r.LeaseToken, LeaseExpiresAt: r.LeaseExpiresAt,
		ClaimedAt: r.ClaimedAt, SubmittedAt: r.SubmittedAt, Draft: rawOrNil(r.Draft), DraftAt: r.DraftAt,
		ActiveMs: r.ActiveMs}, nil
}
