package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/sensitive"
	"copyhold/labeling/sqldb"
	"copyhold/labeling/tasktype"

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
	// SuggestionShown and FirstAnswer: see labeling.Assignment.
	SuggestionShown string
	FirstAnswer     *string
}

func (assignmentRow) TableName() string { return "assignments" }

func (r assignmentRow) assignment() labeling.Assignment {
	return labeling.Assignment{ID: r.ID, ProjectID: r.ProjectID, ItemID: r.ItemID, MemberID: r.MemberID,
		State: labeling.AssignmentState(r.State), LeaseToken: r.LeaseToken, LeaseExpiresAt: r.LeaseExpiresAt,
		ClaimedAt: r.ClaimedAt, SubmittedAt: r.SubmittedAt, Draft: rawOrNil(r.Draft), DraftAt: r.DraftAt,
		ActiveMs: r.ActiveMs, Sensitive: r.Sensitive, SuggestionShown: r.SuggestionShown, FirstAnswer: rawOrNil(r.FirstAnswer)}
}

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
	// PredictionModel and PredictionScore: a Label Studio prediction's model_version and score.
	PredictionModel string
	PredictionScore string
	// SuggestionSource, SuggestionEndpointID, SuggestionConfidence, SuggestedAt: where the prediction came from.
	SuggestionSource     string
	SuggestionEndpointID *int64
	SuggestionConfidence *int
	SuggestedAt          *time.Time
	Gold                 *string
	Sensitive            bool
	Categories           int64 // a sensitive.Mask
	Status               string
	Done                 int
	Held                 int
	CreatedAt            time.Time
}

func (itemRow) TableName() string { return "items" }

func (r itemRow) item() labeling.Item {
	return labeling.Item{ID: r.ID, ProjectID: r.ProjectID, Seq: r.Seq, ExternalID: r.ExternalID,
		Data: json.RawMessage(r.Data), ContentHash: r.ContentHash, Priority: r.Priority,
		Prediction: rawOrNil(r.Prediction), PredictionModel: r.PredictionModel, PredictionScore: r.PredictionScore,
		SuggestionSource: r.SuggestionSource, SuggestionEndpointID: r.SuggestionEndpointID, SuggestionConfidence: r.SuggestionConfidence,
		Gold: rawOrNil(r.Gold), Sensitive: r.Sensitive, Categories: sensitive.Mask(r.Categories).List(),
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
//
// On PostgreSQL the common claim runs without a transaction of its own
// (claimQuick): its first read, then one statement that picks, leases and
// records, committing by itself. Every other case takes the full path, a
// transaction that is retried on a lost race.
func (s *Leases) ClaimNextTask(ctx context.Context, memberID, projectID int64) (labeling.Task, error) {
	return s.ClaimNext(ctx, memberID, projectID, true)
}

// ClaimNext is ClaimNextTask answering as the server's project routes do
// for a member who does not see every project (seesAll false): to them a
// project they are not in does not exist (ErrNotFound), whatever its
// status. Its first read checks the project, its status and the
// membership, so the caller need not read them before.
func (s *Leases) ClaimNext(ctx context.Context, memberID, projectID int64, seesAll bool) (labeling.Task, error) {
	draw := rand.IntN(10_000) // one gold draw per claim, whichever path takes it
	var pre *claimCheck
	if sqldb.IsPostgres(s.db) {
		task, c, err := s.claimQuick(ctx, memberID, projectID, draw, seesAll)
		if c == nil {
			return task, err
		}
		pre = c
	}
	var task labeling.Task
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		c := pre // what the quick path read serves the first attempt; a retry reads again
		pre = nil
		t, err := s.claim(tx, memberID, projectID, draw, c, seesAll)
		task = t
		return err
	})
	return task, err
}

// claimStart is what a claim reads first, in one statement: the project,
// whether the member is in it, the member's sensitive items today against
// their cap, their wellbeing state (opted-in categories, own budget, break,
// pause) with the co-op's budget and today's sensitive minutes, and their
// current lease in the project, if any (lease_id 0 when none); and the
// co-op's voted work limits, as the ledger stores them (limitsSQL); and
// whether other members' leases have expired (no takeover to try if not).
const claimStart = `SELECT p.*, EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.member_id = @member) AS is_member,
    COALESCE(ms.sensitive_daily_cap, @cap) AS sensitive_cap,
    (SELECT COUNT(*) FROM assignments WHERE member_id = @member AND sensitive AND claimed_at >= @day) AS sensitive_used,
    COALESCE(ms.categories, 0) AS opted, ms.sensitive_minutes AS own_minutes, ms.break_until AS break_until,
    ms.paused_at AS paused_at, COALESCE(w.daily_minutes, @coop_minutes) AS coop_minutes,
    COALESCE((SELECT d.exposure_ms FROM wellbeing_days d WHERE d.member_id = @member AND d.day = @dayname), 0) AS exposure_ms,
    COALESCE(a.id, 0) AS lease_id, a.item_id AS lease_item_id, a.lease_token AS lease_lease_token,
    a.lease_expires_at AS lease_lease_expires_at, a.claimed_at AS lease_claimed_at, a.sensitive AS lease_sensitive,
    a.draft AS lease_draft, a.draft_at AS lease_draft_at, a.active_ms AS lease_active_ms,
    %s AS limits,
    EXISTS (SELECT 1 FROM assignments x WHERE x.project_id = p.id AND x.state = 'leased'
        AND x.lease_expires_at <= @now AND x.member_id <> @member) AS expired_leases
FROM projects p
LEFT JOIN member_settings ms ON ms.member_id = @member
LEFT JOIN wellbeing_settings w ON w.id = 1
LEFT JOIN assignments a ON a.member_id = @member AND a.project_id = p.id AND a.state = 'leased'
WHERE p.id = @project`

type claimStartRow struct {
	Project       projectRow `gorm:"embedded"`
	IsMember      bool
	SensitiveCap  int
	SensitiveUsed int64
	Opted         int64
	OwnMinutes    *int
	BreakUntil    *time.Time
	PausedAt      *time.Time
	CoopMinutes   int
	ExposureMs    int64
	LeaseID       int64
	LeaseItemID   *int64
	LeaseToken    *string    `gorm:"column:lease_lease_token"`
	LeaseExpires  *time.Time `gorm:"column:lease_lease_expires_at"`
	LeaseClaimed  *time.Time `gorm:"column:lease_claimed_at"`
	LeaseSens     *bool      `gorm:"column:lease_sensitive"`
	LeaseDraft    *string    `gorm:"column:lease_draft"`
	LeaseDraftAt  *time.Time `gorm:"column:lease_draft_at"`
	LeaseActiveMs *int64     `gorm:"column:lease_active_ms"`
	Limits        *string
	ExpiredLeases bool
}

// sensitiveBlock says why the member may not be sent a sensitive item now
// (nil: they may): a pause they asked for, today's minutes spent, or
// today's count of items reached.
func (r claimStartRow) sensitiveBlock(capN int) error {
	switch {
	case r.PausedAt != nil:
		return labeling.ErrSensitivePaused
	case r.ExposureMs >= int64(budgetMinutes(r.OwnMinutes, r.CoopMinutes))*60_000:
		return labeling.ErrSensitiveBudget
	case r.SensitiveUsed >= int64(capN):
		return labeling.ErrSensitiveCap
	}
	return nil
}

// lease is the member's current lease read by claimStart (ok false when none).
func (r claimStartRow) lease(memberID int64) (assignmentRow, bool) {
	if r.LeaseID == 0 {
		return assignmentRow{}, false
	}
	a := assignmentRow{ID: r.LeaseID, ProjectID: r.Project.ID, MemberID: memberID, State: string(labeling.AssignmentLeased),
		Draft: r.LeaseDraft, DraftAt: r.LeaseDraftAt}
	if r.LeaseItemID != nil {
		a.ItemID = *r.LeaseItemID
	}
	if r.LeaseToken != nil {
		a.LeaseToken = *r.LeaseToken
	}
	if r.LeaseExpires != nil {
		a.LeaseExpiresAt = *r.LeaseExpires
	}
	if r.LeaseClaimed != nil {
		a.ClaimedAt = *r.LeaseClaimed
	}
	if r.LeaseSens != nil {
		a.Sensitive = *r.LeaseSens
	}
	if r.LeaseActiveMs != nil {
		a.ActiveMs = *r.LeaseActiveMs
	}
	return a, true
}

// claimCheck is what a claim decided from its first read: the project as
// the member may claim in it (its stint clamped to the co-op's), the
// statements' arguments and why sensitive items are held back (nil: they
// are not), once admitted.
type claimCheck struct {
	start    claimStartRow
	p        projectRow
	now      time.Time
	day      time.Time
	admitted bool
	args     claimArgs
	whyNot   error
	skipped  bool // claimQuick's statement found no item it could take without waiting
}

// startClaim runs claimStart and checks the project's status and the
// member's place in it (seesAll: see ClaimNext).
func (s *Leases) startClaim(db *gorm.DB, memberID, projectID int64, seesAll bool) (*claimCheck, error) {
	now := s.clock()
	day := labeling.DayStart(now)
	var pm []claimStartRow
	if err := scanRaw(db, &pm, fmt.Sprintf(claimStart, s.limitsSQL()), map[string]any{"member": memberID, "project": projectID, "cap": labeling.CoopSensitiveDailyCap,
		"day": day, "dayname": labeling.DayName(now), "coop_minutes": defaultWellbeing.DailyMinutes,
		"now": now}); err != nil {
		return nil, err
	}
	if len(pm) == 0 {
		return nil, fault.ErrNotFound.With("project %d not found", projectID)
	}
	if !seesAll && !pm[0].IsMember {
		return nil, fault.ErrNotFound.With("project not found")
	}
	p := pm[0].Project
	switch labeling.ProjectStatus(p.Status) {
	case labeling.ProjectOpen:
	case labeling.ProjectPaused:
		return nil, labeling.ErrProjectPaused
	case labeling.ProjectClosed:
		return nil, labeling.ErrProjectClosed
	default:
		return nil, labeling.ErrProjectNotOpen
	}
	if !pm[0].IsMember {
		return nil, labeling.ErrNotProjectMember
	}
	return &claimCheck{start: pm[0], p: p, now: now, day: day}, nil
}

// admit holds a claim for a forced break or a reached stint, and sets what
// the claim statements need: the co-op's limits applied, the sensitive
// items the member may be sent.
func (s *Leases) admit(db *gorm.DB, c *claimCheck, memberID int64) error {
	// A forced break after a run of sensitive items holds every claim.
	if b := c.start.BreakUntil; b != nil && b.After(c.now) {
		return &labeling.BreakError{ResumeAt: *b}
	}
	coopStint, sensitiveMax, err := s.limitsFrom(c.start.Limits)
	if err != nil {
		return err
	}
	c.p.Stint = clampStint(c.p.Stint, coopStint)
	if c.p.Stint > 0 {
		n, err := claimsToday(db, memberID, c.p.ID, c.day)
		if err != nil {
			return err
		}
		if n >= int64(c.p.Stint) {
			return &labeling.StintReachedError{ResetAt: c.day.Add(24 * time.Hour)}
		}
	}
	// A lowered co-op maximum applies to caps set earlier too (as sensitiveToday).
	capN := min(c.start.SensitiveCap, labeling.CoopSensitiveDailyCap, sensitiveMax)
	c.whyNot = c.start.sensitiveBlock(capN)
	c.args = claimArgs{ProjectID: c.p.ID, MemberID: memberID, Overlap: c.p.Overlap,
		AllowSensitive: c.whyNot == nil, Blocked: int64(sensitive.Every &^ sensitive.Mask(c.start.Opted)), Now: c.now}
	c.admitted = true
	return nil
}

// claimQuick is the common claim on PostgreSQL, outside a transaction:
// claimStart, then (unless the member holds a live lease, which is only
// read) one statement that takes a slot on the next open item, writes the
// lease and its event, and commits by itself (quickClaim). Under READ
// COMMITTED a transaction around the two would see no more than this does:
// the first read locks nothing either way. A non-nil next says the claim
// needs the full path, which starts from what was read here: a lease of the
// member's own to renew, a gold draw, other members' expired leases to take
// over, ordering by usefulness, or no item the one statement could take
// without waiting.
//
// Both statements run their generic plans (sqldb.GenericPlan): their plans
// are their design (primary keys, and the claim order's index walked up to
// LIMIT 1), the same for a project of any size, and left to PostgreSQL's
// choice a project whose statistics made the custom plans look cheaper had
// every claim planned again, at more than the cost of running it.
func (s *Leases) claimQuick(ctx context.Context, memberID, projectID int64, draw int, seesAll bool) (task labeling.Task, next *claimCheck, err error) {
	db := s.db.WithContext(sqldb.WithClock(ctx, s.now))
	generic := db.WithContext(sqldb.GenericPlan(db.Statement.Context))
	c, err := s.startClaim(generic, memberID, projectID, seesAll)
	if err != nil {
		return labeling.Task{}, nil, err
	}
	if a, ok := c.start.lease(memberID); ok {
		if !a.LeaseExpiresAt.After(c.now) {
			return labeling.Task{}, c, nil
		}
		task, err := taskFor(db, c.p, a)
		return task, nil, err
	}
	if err := s.admit(db, c, memberID); err != nil {
		return labeling.Task{}, nil, err
	}
	if (c.p.GoldRateBP > 0 && draw < c.p.GoldRateBP) || c.start.ExpiredLeases || useful(c.p) {
		return labeling.Task{}, c, nil
	}
	a := assignmentRow{ProjectID: c.p.ID, MemberID: memberID, State: string(labeling.AssignmentLeased),
		LeaseToken: labeling.NewLeaseToken(), LeaseExpiresAt: c.now.Add(c.p.lease()), ClaimedAt: c.now, UpdatedAt: c.now}
	data, predicted, ok, err := quickClaim(generic, c.args, &a)
	switch {
	case err != nil && sqldb.IsRetryable(err): // a lost race: the full path reads again and retries
		return labeling.Task{}, c, nil
	case err != nil:
		return labeling.Task{}, nil, err
	case !ok: // nothing free without waiting: the full path waits
		c.skipped = true
		return labeling.Task{}, c, nil
	}
	task = buildTask(c.p, a, data)
	if predicted && showsSuggestion(c.p, a.ItemID, false) {
		// Marked as shown before the task is, as taskFor does on a resume.
		return task, nil, showUpFront(db, c.p, &a, &task)
	}
	return task, nil, nil
}

// claim is the full path, in a transaction; c is what claimQuick read
// (nil: read it here).
func (s *Leases) claim(tx *gorm.DB, memberID, projectID int64, draw int, c *claimCheck, seesAll bool) (labeling.Task, error) {
	if c == nil {
		var err error
		if c, err = s.startClaim(tx, memberID, projectID, seesAll); err != nil {
			return labeling.Task{}, err
		}
	}
	p, now := c.p, c.now

	// Resume: the member's own lease, live or expired but not taken over.
	if a, ok := c.start.lease(memberID); ok {
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

	if !c.admitted {
		if err := s.admit(tx, c, memberID); err != nil {
			return labeling.Task{}, err
		}
	}
	p, args, whyNot := c.p, c.args, c.whyNot

	// Gold is mixed in at the project's rate and looks like any other task.
	if p.GoldRateBP > 0 && draw < p.GoldRateBP {
		it, ok, err := claimGoldItem(tx, args)
		if err != nil {
			return labeling.Task{}, err
		}
		if ok {
			it.Gold = true
			if useful(p) {
				onStream(streamGold)
			}
			return s.lease(tx, p, memberID, it, now)
		}
	}

	// First without waiting on rows other claims hold, then (on PostgreSQL)
	// waiting for them: see claimPasses.
	for _, skipLocked := range claimPasses(tx) {
		if skipLocked && c.skipped {
			continue // claimQuick has just made this pass (it runs only when no lease has expired)
		}
		var old expiredLease
		var err error
		ok := false
		if c.start.ExpiredLeases || !skipLocked {
			if old, ok, err = takeOverExpired(tx, args, skipLocked); err != nil {
				return labeling.Task{}, err
			}
		}
		if ok {
			if err := event.Append(tx, "task.expired", event.MemberScope(old.MemberID), nil,
				map[string]any{"project_id": projectID, "assignment_id": old.ID, "item_id": old.ItemID}); err != nil {
				return labeling.Task{}, err
			}
			return s.lease(tx, p, memberID, pickedItem{ID: old.ItemID, Sensitive: old.Sensitive}, now)
		}
		// Ordering by usefulness draws a stream first (useful.go).
		if skipLocked && useful(p) {
			it, st, ok, err := claimUseful(tx, p, args)
			if err != nil {
				return labeling.Task{}, err
			}
			if ok {
				onStream(st)
				return s.lease(tx, p, memberID, it, now)
			}
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
				if useful(p) {
					onStream(streamUsual)
				}
				return s.lease(tx, p, memberID, it, now)
			}
		}
	}

	if !args.AllowSensitive {
		// Say why when only sensitive items are left for this member.
		var n int64
		if err := tx.Raw(`SELECT COUNT(*) FROM items i
WHERE i.project_id = @project AND i.status = 'open' AND i.done + i.held < @k AND i.sensitive
  AND (i.categories & @blocked) = 0 AND `+untouched, args.named()).Scan(&n).Error; err != nil {
			return labeling.Task{}, err
		}
		if n > 0 {
			return labeling.Task{}, whyNot
		}
	}
	if args.Blocked != 0 {
		// Say so when what is left is only of kinds the member did not opt into.
		var n int64
		if err := tx.Raw(`SELECT COUNT(*) FROM items i
WHERE i.project_id = @project AND i.status = 'open' AND i.done + i.held < @k AND (i.categories & @blocked) <> 0
  AND `+untouched, args.named()).Scan(&n).Error; err != nil {
			return labeling.Task{}, err
		}
		if n > 0 {
			return labeling.Task{}, labeling.ErrNoTasks.With("no tasks left for you in this project: the %d left are sensitive items of kinds you have not opted into (Account, Sensitive content)", n)
		}
	}
	return labeling.Task{}, labeling.ErrNoTasks
}

// lease writes the member's assignment on an item whose slot the caller has
// already reserved (held+1, or taken over). A row the member released earlier
// is reused; any other existing row means a concurrent claim by the same
// member won, and the transaction is retried. it.Data may be empty, and is
// then read.
func (s *Leases) lease(tx *gorm.DB, p projectRow, memberID int64, it pickedItem, now time.Time) (labeling.Task, error) {
	itemID := it.ID
	a := assignmentRow{ProjectID: p.ID, ItemID: itemID, MemberID: memberID, State: string(labeling.AssignmentLeased),
		LeaseToken: labeling.NewLeaseToken(), LeaseExpiresAt: now.Add(p.lease()), ClaimedAt: now, Sensitive: it.Sensitive, UpdatedAt: now}
	got, err := insertLease(tx, a, event.Entry{Type: "task.claimed", Scope: event.ProjectScope(p.ID), Actor: &memberID,
		Payload: map[string]any{"item_id": itemID}})
	if err != nil {
		return labeling.Task{}, err
	}
	if len(got) == 0 {
		return labeling.Task{}, sqldb.ErrRace
	}
	a.ID, a.Draft, a.ActiveMs = got[0].ID, got[0].Draft, got[0].ActiveMs
	if it.Data == "" {
		return taskFor(tx, p, a)
	}
	task := buildTask(p, a, it.Data)
	if it.Prediction != nil && showsSuggestion(p, itemID, it.Gold) {
		return task, showUpFront(tx, p, &a, &task)
	}
	return task, nil
}

// taskFor builds what the labeller sees. Gold answers never leave here.
func taskFor(tx *gorm.DB, p projectRow, a assignmentRow) (labeling.Task, error) {
	var it []struct {
		Data        string
		Prediction  *string
		Status      string
		FirstAnswer *string
	}
	if err := tx.Raw(`SELECT i.data, i.prediction, i.status, a.first_answer FROM items i
JOIN assignments a ON a.id = ? WHERE i.id = ?`, a.ID, a.ItemID).Scan(&it).Error; err != nil {
		return labeling.Task{}, err
	}
	if len(it) == 0 {
		return labeling.Task{}, fault.ErrNotFound.With("item %d not found", a.ItemID)
	}
	a.FirstAnswer = it[0].FirstAnswer
	task := buildTask(p, a, it[0].Data)
	if it[0].Prediction != nil && showsSuggestion(p, a.ItemID, it[0].Status == string(labeling.ItemGold)) {
		return task, showUpFront(tx, p, &a, &task)
	}
	return task, nil
}

// buildTask is the task without its suggestion (showUpFront adds it).
func buildTask(p projectRow, a assignmentRow, data string) labeling.Task {
	return labeling.Task{AssignmentID: a.ID, LeaseToken: a.LeaseToken, LeaseExpiresAt: a.LeaseExpiresAt,
		ProjectID: p.ID, ItemID: a.ItemID, Data: json.RawMessage(data), SuggestionPolicy: labeling.SuggestionPolicy(p.SuggestionPolicy),
		FirstAnswer: rawOrNil(a.FirstAnswer), Sensitive: a.Sensitive, Draft: rawOrNil(a.Draft), TaskType: tasktype.TaskType(p.TaskType),
		Schema: json.RawMessage(p.Schema)}
}
