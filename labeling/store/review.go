package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/sqldb"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// Review. An item_reviews row is one scoring round of an item (or one
// disputed rejection); rows routed to review form the reviewer queue, with
// the same lease mechanics as labelling: a claim takes the oldest queued row
// (or another reviewer's expired lease) with one statement, SKIP LOCKED on
// PostgreSQL; heartbeat and decisions are fenced on the lease token; an
// expired lease stays its holder's until someone else takes it.
//
// Slots: items.done counts the item's submissions with counted = true. A
// rejection sets counted = false and done − 1, so a complete item is open
// again and a new labeller fills the slot (the rejected labeller's
// assignment row stays, so the claim never offers them the item again).

// ---- settings ----

type reviewSettingsRow struct {
	ProjectID       int64 `gorm:"primaryKey"`
	AutoAccept      bool
	AutoAcceptBP    int `gorm:"column:auto_accept_bp"`
	SampleRateBP    int `gorm:"column:sample_rate_bp"`
	GoldThresholdBP int `gorm:"column:gold_threshold_bp"`
	GoldWindow      int
	RejectReasons   string
	TiePolicy       string
	UpdatedAt       time.Time
}

func (reviewSettingsRow) TableName() string { return "review_settings" }

func loadReviewSettings(tx *gorm.DB, projectID int64) (labeling.ReviewSettings, error) {
	var rows []reviewSettingsRow
	if err := tx.Raw(`SELECT * FROM review_settings WHERE project_id = ?`, projectID).Scan(&rows).Error; err != nil {
		return labeling.ReviewSettings{}, err
	}
	if len(rows) == 0 {
		return labeling.DefaultReviewSettings(projectID), nil
	}
	r := rows[0]
	s := labeling.ReviewSettings{ProjectID: projectID, AutoAccept: r.AutoAccept, AutoAcceptBP: r.AutoAcceptBP,
		SampleRateBP: r.SampleRateBP, GoldThresholdBP: r.GoldThresholdBP, GoldWindow: r.GoldWindow,
		TiePolicy: r.TiePolicy, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal([]byte(r.RejectReasons), &s.RejectReasons); err != nil {
		return s, err
	}
	return s, nil
}

// ReviewSettings returns a project's review rules (defaults until a
// coordinator sets them).
func (s *Store) ReviewSettings(ctx context.Context, projectID int64) (labeling.ReviewSettings, error) {
	db := s.db.WithContext(ctx)
	if _, err := loadProject(db, projectID, false); err != nil {
		return labeling.ReviewSettings{}, err
	}
	return loadReviewSettings(db, projectID)
}

// UpdateReviewSettings applies a patch to a project's review rules. New
// rules apply to items scored from now on.
func (s *Store) UpdateReviewSettings(ctx context.Context, actor *int64, projectID int64, patch labeling.ReviewSettingsPatch) (labeling.ReviewSettings, error) {
	var out labeling.ReviewSettings
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if _, err := loadProject(tx, projectID, true); err != nil {
			return err
		}
		cur, err := loadReviewSettings(tx, projectID)
		if err != nil {
			return err
		}
		next, err := patch.Apply(cur)
		if err != nil {
			return err
		}
		next.UpdatedAt = s.clock()
		reasons, _ := json.Marshal(next.RejectReasons)
		if err := tx.Exec(`INSERT INTO review_settings (project_id, auto_accept, auto_accept_bp, sample_rate_bp,
    gold_threshold_bp, gold_window, reject_reasons, tie_policy, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (project_id) DO UPDATE SET auto_accept = excluded.auto_accept, auto_accept_bp = excluded.auto_accept_bp,
    sample_rate_bp = excluded.sample_rate_bp, gold_threshold_bp = excluded.gold_threshold_bp,
    gold_window = excluded.gold_window, reject_reasons = excluded.reject_reasons,
    tie_policy = excluded.tie_policy, updated_at = excluded.updated_at`,
			projectID, next.AutoAccept, next.AutoAcceptBP, next.SampleRateBP, next.GoldThresholdBP, next.GoldWindow,
			string(reasons), next.TiePolicy, next.UpdatedAt).Error; err != nil {
			return err
		}
		out = next
		return event.Append(tx, "review.settings_changed", event.ProjectScope(projectID), actor, next)
	})
	return out, err
}

// ---- rows ----

type itemReviewRow struct {
	ID              int64 `gorm:"primaryKey"`
	ProjectID       int64
	ItemID          int64
	Kind            string
	SubmissionID    *int64
	Metric          string
	AgreementBP     *int `gorm:"column:agreement_bp"`
	GoldFailed      bool
	Reasons         string
	Route           string
	State           string
	ExcludeMemberID *int64
	ReviewerID      *int64
	LeaseToken      *string
	LeaseExpiresAt  *time.Time
	ClaimedAt       *time.Time
	DecisionKey     *string
	DecisionHash    *string
	DecidedAt       *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (itemReviewRow) TableName() string { return "item_reviews" }

type reviewDecisionRow struct {
	ID              int64 `gorm:"primaryKey"`
	ReviewID        int64
	ProjectID       int64
	ItemID          int64
	SubmissionID    int64
	LabellerID      int64
	ReviewerID      *int64
	Decision        string
	Reason          string
	Comment         string
	CorrectedAnswer *string
	Final           bool
	Automatic       bool
	CreatedAt       time.Time
}

func (reviewDecisionRow) TableName() string { return "review_decisions" }

func (r reviewDecisionRow) record(status labeling.SubmissionStatus) labeling.DecisionRecord {
	return labeling.DecisionRecord{ID: r.ID, ReviewID: r.ReviewID, SubmissionID: r.SubmissionID, ItemID: r.ItemID,
		ProjectID: r.ProjectID, LabellerID: r.LabellerID, ReviewerID: r.ReviewerID, Decision: labeling.Decision(r.Decision),
		Reason: r.Reason, Comment: r.Comment, CorrectedAnswer: rawOrNil(r.CorrectedAnswer), Final: r.Final,
		Automatic: r.Automatic, Status: status, CreatedAt: r.CreatedAt}
}

// reviewSubRow is a submission as review reads it.
type reviewSubRow struct {
	ID             int64
	ItemID         int64
	ProjectID      int64
	MemberID       int64
	Answer         string
	Status         string
	Counted        bool
	IsGold         bool
	LeadTimeMs     int64
	DisputedAt     *time.Time
	DisputeComment *string
	CreatedAt      time.Time
}

func loadSubmission(tx *gorm.DB, id int64, lock bool) (reviewSubRow, bool, error) {
	q := `SELECT id, item_id, project_id, member_id, answer, status, counted, is_gold, lead_time_ms, disputed_at,
    dispute_comment, created_at FROM submissions WHERE id = ?`
	if lock {
		q += forUpdate(tx)
	}
	var rows []reviewSubRow
	if err := tx.Raw(q, id).Scan(&rows).Error; err != nil {
		return reviewSubRow{}, false, err
	}
	if len(rows) == 0 {
		return reviewSubRow{}, false, nil
	}
	return rows[0], true, nil
}

func itemSubmissions(tx *gorm.DB, itemID int64) ([]reviewSubRow, error) {
	var rows []reviewSubRow
	err := tx.Raw(`SELECT id, item_id, project_id, member_id, answer, status, counted, is_gold, lead_time_ms, disputed_at,
    dispute_comment, created_at FROM submissions WHERE item_id = ? ORDER BY id`, itemID).Scan(&rows).Error
	return rows, err
}

func memberKey(id int64) string { return strconv.FormatInt(id, 10) }

// ---- scoring ----

// afterSubmit is Submit's review hook and runs in Submit's transaction. A
// gold submission is checked against the gold answer and routed at once (as
// a round of its own); a regular item that just got its k-th counted
// submission is scored and routed.
func (s *Store) afterSubmit(tx *gorm.DB, now time.Time, p projectRow, it itemRow, submissionID int64, completes bool) error {
	if it.Status == string(labeling.ItemGold) {
		return s.scoreGoldSubmission(tx, now, p, it, submissionID)
	}
	if completes {
		return s.scoreCompletedItem(tx, now, p, it.ID)
	}
	return nil
}

// memberStanding reads a labeller's last gold results in the project.
func memberStanding(tx *gorm.DB, set labeling.ReviewSettings, projectID, memberID int64) (labeling.GoldStanding, error) {
	var recent []bool
	if err := tx.Raw(`SELECT correct FROM gold_checks WHERE project_id = ? AND member_id = ?
ORDER BY submission_id DESC LIMIT ?`, projectID, memberID, set.GoldWindow).Scan(&recent).Error; err != nil {
		return labeling.GoldStanding{}, err
	}
	return labeling.Standing(set, recent), nil
}

func (s *Store) scoreGoldSubmission(tx *gorm.DB, now time.Time, p projectRow, it itemRow, submissionID int64) error {
	sub, ok, err := loadSubmission(tx, submissionID, false)
	if err != nil || !ok {
		return err
	}
	tt := tasktype.TaskType(p.TaskType)
	if it.Gold == nil {
		return nil
	}
	g, err := agreement.CheckGold(tt, json.RawMessage(*it.Gold), json.RawMessage(sub.Answer))
	if err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO gold_checks (submission_id, project_id, item_id, member_id, correct, score_bp, expected, given, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, sub.ID, p.ID, it.ID, sub.MemberID, g.Correct, g.ScoreBP, g.Expected, g.Given, now).Error; err != nil {
		return err
	}
	set, err := loadReviewSettings(tx, p.ID)
	if err != nil {
		return err
	}
	st, err := memberStanding(tx, set, p.ID, sub.MemberID)
	if err != nil {
		return err
	}
	bp := g.ScoreBP
	route, reasons := labeling.Route(set, labeling.RouteInput{AgreementBP: &bp, GoldFailed: !g.Correct,
		OnProbation: st.OnProbation, SampleDraw: labeling.SampleDrawBP(p.RandomSeed, it.ID, int(sub.ID))})
	subID := sub.ID
	return s.routeRound(tx, now, p, set, it.ID, &subID, "gold", &bp, !g.Correct, route, reasons)
}

// scoreCompletedItem scores an item that has its k counted submissions:
// agreement among them with the task type's primary metric, the gold
// standing of the labellers whose submissions are pending, then the route.
func (s *Store) scoreCompletedItem(tx *gorm.DB, now time.Time, p projectRow, itemID int64) error {
	subs, err := itemSubmissions(tx, itemID)
	if err != nil {
		return err
	}
	tt := tasktype.TaskType(p.TaskType)
	var answers []agreement.AnswerRecord
	var pending []reviewSubRow
	for _, s := range subs {
		if !s.Counted {
			continue
		}
		answers = append(answers, agreement.AnswerRecord{Unit: memberKey(itemID), Annotator: memberKey(s.MemberID), Answer: json.RawMessage(s.Answer)})
		if s.Status == string(labeling.SubmissionSubmitted) {
			pending = append(pending, s)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	score, err := agreement.ScoreItem(tt, memberKey(itemID), answers)
	if err != nil {
		return err
	}
	set, err := loadReviewSettings(tx, p.ID)
	if err != nil {
		return err
	}
	probation := false
	for _, s := range pending {
		st, err := memberStanding(tx, set, p.ID, s.MemberID)
		if err != nil {
			return err
		}
		probation = probation || st.OnProbation
	}
	var rounds int64
	if err := tx.Raw(`SELECT COUNT(*) FROM item_reviews WHERE item_id = ? AND kind = 'item'`, itemID).Scan(&rounds).Error; err != nil {
		return err
	}
	route, reasons := labeling.Route(set, labeling.RouteInput{AgreementBP: score.BP, OnProbation: probation,
		SampleDraw: labeling.SampleDrawBP(p.RandomSeed, itemID, int(rounds)+1)})
	if err := s.routeRound(tx, now, p, set, itemID, nil, score.Metric, score.BP, false, route, reasons); err != nil {
		return err
	}
	return updateConsensus(tx, now, p, set, itemID)
}

// routeRound stores a scoring round and either auto-accepts its pending
// submissions or queues it for review.
func (s *Store) routeRound(tx *gorm.DB, now time.Time, p projectRow, set labeling.ReviewSettings, itemID int64, subID *int64,
	metric string, bp *int, goldFailed bool, route labeling.ReviewRoute, reasons []string) error {
	state := labeling.ReviewQueued
	if route == labeling.RouteAuto {
		state = labeling.ReviewAutoAccepted
	}
	rs, _ := json.Marshal(reasons)
	row := itemReviewRow{ProjectID: p.ID, ItemID: itemID, Kind: string(labeling.ReviewKindItem), SubmissionID: subID,
		Metric: metric, AgreementBP: bp, GoldFailed: goldFailed, Reasons: string(rs), Route: string(route),
		State: string(state), CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	payload := map[string]any{"item_id": itemID, "review_id": row.ID, "metric": metric, "agreement_bp": bp,
		"route": route, "reasons": reasons}
	if subID != nil {
		payload["submission_id"] = *subID
	}
	if err := event.Append(tx, "item.scored", event.ProjectScope(p.ID), nil, payload); err != nil {
		return err
	}
	if route != labeling.RouteAuto {
		return event.Append(tx, "item.queued_for_review", event.ReviewScope(p.ID), nil, payload)
	}
	pend, err := pendingOf(tx, row)
	if err != nil {
		return err
	}
	inputs := make([]labeling.DecisionInput, len(pend))
	for i, s := range pend {
		inputs[i] = labeling.DecisionInput{SubmissionID: s.ID, Decision: labeling.DecisionAccept}
	}
	if _, err := s.decide(tx, now, p, set, row, nil, inputs); err != nil {
		return err
	}
	return tx.Exec(`UPDATE item_reviews SET decided_at = ?, updated_at = ? WHERE id = ?`, now, now, row.ID).Error
}

// pendingOf lists the submissions a review round still has to decide: its
// one submission (gold and dispute rounds), or the item's counted
// submissions that are still 'submitted'.
func pendingOf(tx *gorm.DB, rv itemReviewRow) ([]reviewSubRow, error) {
	if rv.SubmissionID != nil {
		s, ok, err := loadSubmission(tx, *rv.SubmissionID, false)
		if err != nil || !ok {
			return nil, err
		}
		want := labeling.SubmissionSubmitted
		if rv.Kind == string(labeling.ReviewKindDispute) {
			want = labeling.SubmissionDisputed
		}
		if s.Status != string(want) {
			return nil, nil
		}
		return []reviewSubRow{s}, nil
	}
	subs, err := itemSubmissions(tx, rv.ItemID)
	if err != nil {
		return nil, err
	}
	var out []reviewSubRow
	for _, s := range subs {
		if s.Counted && s.Status == string(labeling.SubmissionSubmitted) {
			out = append(out, s)
		}
	}
	return out, nil
}

// ---- decisions ----

// decide applies decisions to the submissions of one review round, in the
// caller's transaction, and returns what it decided. reviewer is nil for
// automatic acceptance. Every pending submission of the round must be
// decided. This is the hook point for the equity ledger: it sees every
// decision, human or automatic, inside the deciding transaction.
func (s *Store) decide(tx *gorm.DB, now time.Time, p projectRow, set labeling.ReviewSettings, rv itemReviewRow, reviewer *int64,
	inputs []labeling.DecisionInput) ([]labeling.DecisionRecord, error) {
	final := rv.Kind == string(labeling.ReviewKindDispute)
	tt := tasktype.TaskType(p.TaskType)
	if len(inputs) == 0 || len(inputs) > labeling.MaxDecisionsPerCall {
		return nil, labeling.ErrDecisionInvalid.With("send 1-%d decisions", labeling.MaxDecisionsPerCall)
	}
	seen := map[int64]bool{}
	for _, in := range inputs {
		if seen[in.SubmissionID] {
			return nil, labeling.ErrDecisionInvalid.With("submission %d is decided twice in one request", in.SubmissionID)
		}
		seen[in.SubmissionID] = true
	}
	var itemData *string
	var out []labeling.DecisionRecord
	for _, in := range inputs {
		sub, ok, err := loadSubmission(tx, in.SubmissionID, true)
		if err != nil {
			return nil, err
		}
		if !ok || sub.ProjectID != p.ID {
			return nil, fault.ErrNotFound.With("submission %d not found", in.SubmissionID)
		}
		if reviewer != nil && sub.MemberID == *reviewer {
			return nil, labeling.ErrOwnWork.With("submission %d is your own work", sub.ID)
		}
		inRound := sub.ItemID == rv.ItemID && (rv.SubmissionID == nil && sub.Counted || rv.SubmissionID != nil && *rv.SubmissionID == sub.ID)
		if !inRound {
			return nil, labeling.ErrDecisionInvalid.With("submission %d is not part of this review", sub.ID)
		}
		d, err := labeling.CheckDecision(in, set, final)
		if err != nil {
			return nil, err
		}
		next, err := labeling.NextStatus(labeling.SubmissionStatus(sub.Status), d.Decision, final)
		if err != nil {
			return nil, labeling.ErrAlreadyDecided.With("submission %d is already %s", sub.ID, sub.Status)
		}
		row := reviewDecisionRow{ReviewID: rv.ID, ProjectID: p.ID, ItemID: sub.ItemID, SubmissionID: sub.ID,
			LabellerID: sub.MemberID, ReviewerID: reviewer, Decision: string(d.Decision), Reason: d.Reason,
			Comment: d.Comment, Final: final, Automatic: reviewer == nil, CreatedAt: now}
		if d.Decision == labeling.DecisionCorrect {
			if itemData == nil {
				var data string
				if err := tx.Raw(`SELECT data FROM items WHERE id = ?`, sub.ItemID).Scan(&data).Error; err != nil {
					return nil, err
				}
				itemData = &data
			}
			norm, err := tasktype.ValidateAnswer(tt, json.RawMessage(p.Schema), json.RawMessage(*itemData), d.CorrectedAnswer)
			if err != nil {
				return nil, err
			}
			s := string(norm)
			row.CorrectedAnswer = &s
		}
		if err := tx.Create(&row).Error; err != nil {
			return nil, err
		}
		// Fenced on the status we read: a concurrent decision that committed first wins.
		res := tx.Exec(`UPDATE submissions SET status = ?, counted = ? WHERE id = ? AND status = ?`,
			string(next), sub.Counted && next != labeling.SubmissionRejected, sub.ID, sub.Status)
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected != 1 {
			return nil, labeling.ErrAlreadyDecided.With("submission %d was decided concurrently", sub.ID)
		}
		if next == labeling.SubmissionRejected && sub.Counted {
			// The slot goes back to the queue for a new labeller.
			if err := tx.Exec(`UPDATE items SET done = done - 1,
    status = CASE WHEN status = 'complete' THEN 'open' ELSE status END WHERE id = ?`, sub.ItemID).Error; err != nil {
				return nil, err
			}
		}
		rec := row.record(next)
		payload := map[string]any{"review_id": rv.ID, "item_id": sub.ItemID, "submission_id": sub.ID,
			"decision": d.Decision, "reason": d.Reason, "status": next, "final": final, "automatic": reviewer == nil}
		for _, scope := range []string{event.ReviewScope(p.ID), event.MemberScope(sub.MemberID), event.ProjectScope(p.ID)} {
			if err := event.Append(tx, "review.decided", scope, reviewer, payload); err != nil {
				return nil, err
			}
		}
		if err := s.ledger.Decided(tx, rec); err != nil { // vesting posts in the same transaction
			return nil, err
		}
		out = append(out, rec)
	}
	left, err := pendingOf(tx, rv)
	if err != nil {
		return nil, err
	}
	if len(left) > 0 {
		return nil, labeling.ErrDecisionsIncomplete.With("%d submission(s) of this item still need a decision (e.g. %d)", len(left), left[0].ID)
	}
	if err := tx.Exec(`UPDATE item_reviews SET state = CASE WHEN state = 'auto_accepted' THEN state ELSE 'decided' END,
    updated_at = ? WHERE id = ?`, now, rv.ID).Error; err != nil {
		return nil, err
	}
	if err := updateConsensus(tx, now, p, set, rv.ItemID); err != nil {
		return nil, err
	}
	return out, nil
}

// DecideReview applies a reviewer's decisions to the review they hold. A
// retry with the same idempotency key and body returns the stored result
// (Replayed); the same key with another body is idempotency_conflict; a
// review already decided is already_decided; a lease that is not (or no
// longer) the reviewer's is lease_lost.
func (s *Store) DecideReview(ctx context.Context, reviewerID int64, req labeling.DecisionRequest) (labeling.DecisionResult, error) {
	if err := labeling.CheckIdempotencyKey(req.IdempotencyKey); err != nil {
		return labeling.DecisionResult{}, err
	}
	hash := req.Hash()
	var out labeling.DecisionResult
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if res, ok, err := replayDecision(tx, reviewerID, req.IdempotencyKey, hash); ok || err != nil {
			out = res
			return err
		}
		rv, err := reviewByToken(tx, reviewerID, req.LeaseToken)
		if err != nil {
			return err
		}
		if _, err := lockItem(tx, rv.ItemID); err != nil {
			return err
		}
		if rv, err = reviewByToken(tx, reviewerID, req.LeaseToken); err != nil {
			return err
		}
		if rv.State == string(labeling.ReviewDecided) {
			// A concurrent request with the same key may have won while we waited.
			if res, ok, err := replayDecision(tx, reviewerID, req.IdempotencyKey, hash); ok || err != nil {
				out = res
				return err
			}
			return labeling.ErrAlreadyDecided.With("this review has already been decided")
		}
		if rv.State != string(labeling.ReviewLeased) {
			return labeling.ErrLeaseLost
		}
		p, err := loadProject(tx, rv.ProjectID, false)
		if err != nil {
			return err
		}
		set, err := loadReviewSettings(tx, p.ID)
		if err != nil {
			return err
		}
		now := s.clock()
		recs, err := s.decide(tx, now, p, set, rv, &reviewerID, req.Decisions)
		if err != nil {
			return err
		}
		res := tx.Exec(`UPDATE item_reviews SET decision_key = ?, decision_hash = ?, decided_at = ?, updated_at = ?
WHERE id = ? AND lease_token = ? AND reviewer_id = ?`, req.IdempotencyKey, hash, now, now, rv.ID, req.LeaseToken, reviewerID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return labeling.ErrLeaseLost
		}
		out = labeling.DecisionResult{ReviewID: rv.ID, ItemID: rv.ItemID, Decided: recs}
		return nil
	})
	return out, err
}

// reviewByToken finds the reviewer's review for a lease token; an unknown
// token or another reviewer's is a lost lease.
func reviewByToken(tx *gorm.DB, reviewerID int64, token string) (itemReviewRow, error) {
	if token == "" {
		return itemReviewRow{}, labeling.ErrLeaseLost
	}
	var rows []itemReviewRow
	if err := tx.Raw(`SELECT * FROM item_reviews WHERE lease_token = ?`+forUpdate(tx), token).Scan(&rows).Error; err != nil {
		return itemReviewRow{}, err
	}
	if len(rows) == 0 || rows[0].ReviewerID == nil || *rows[0].ReviewerID != reviewerID {
		return itemReviewRow{}, labeling.ErrLeaseLost
	}
	return rows[0], nil
}

func replayDecision(tx *gorm.DB, reviewerID int64, key, hash string) (labeling.DecisionResult, bool, error) {
	var rows []itemReviewRow
	if err := tx.Raw(`SELECT * FROM item_reviews WHERE reviewer_id = ? AND decision_key = ?`, reviewerID, key).Scan(&rows).Error; err != nil {
		return labeling.DecisionResult{}, false, err
	}
	if len(rows) == 0 {
		return labeling.DecisionResult{}, false, nil
	}
	if rows[0].DecisionHash == nil || *rows[0].DecisionHash != hash {
		return labeling.DecisionResult{}, true, labeling.ErrIdempotencyReuse
	}
	recs, err := decisionsOfReview(tx, rows[0].ID)
	if err != nil {
		return labeling.DecisionResult{}, true, err
	}
	return labeling.DecisionResult{ReviewID: rows[0].ID, ItemID: rows[0].ItemID, Decided: recs, Replayed: true}, true, nil
}

func decisionsOfReview(tx *gorm.DB, reviewID int64) ([]labeling.DecisionRecord, error) {
	var rows []struct {
		reviewDecisionRow `gorm:"embedded"`
		Status            string
	}
	if err := tx.Raw(`SELECT d.*, s.status FROM review_decisions d JOIN submissions s ON s.id = d.submission_id
WHERE d.review_id = ? ORDER BY d.id`, reviewID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]labeling.DecisionRecord, len(rows))
	for i, r := range rows {
		out[i] = r.reviewDecisionRow.record(labeling.SubmissionStatus(r.Status))
	}
	return out, nil
}

// ---- the reviewer queue ----

// ClaimNextReview gives the reviewer their next review in the project: the
// one they hold (renewed if it expired untouched), else the oldest queued
// review or another reviewer's expired lease. Items the reviewer submitted
// to are never offered, nor a dispute of a rejection they made.
func (s *Store) ClaimNextReview(ctx context.Context, reviewerID, projectID int64) (labeling.ReviewTask, error) {
	var out labeling.ReviewTask
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		p, err := loadProject(tx, projectID, false)
		if err != nil {
			return err
		}
		set, err := loadReviewSettings(tx, projectID)
		if err != nil {
			return err
		}
		now := s.clock()
		exp := now.Add(p.lease())
		var mine []itemReviewRow
		if err := tx.Raw(`SELECT * FROM item_reviews WHERE reviewer_id = ? AND project_id = ? AND state = 'leased'`,
			reviewerID, projectID).Scan(&mine).Error; err != nil {
			return err
		}
		if len(mine) > 0 {
			rv := mine[0]
			if rv.LeaseExpiresAt != nil && rv.LeaseExpiresAt.After(now) {
				out, err = reviewTaskFor(tx, p, set, rv)
				return err
			}
			res := tx.Exec(`UPDATE item_reviews SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND state = 'leased' AND reviewer_id = ?`,
				exp, now, rv.ID, reviewerID)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				rv.LeaseExpiresAt = &exp
				out, err = reviewTaskFor(tx, p, set, rv)
				return err
			}
		}
		passes := []bool{true}
		if isPostgres(tx) {
			passes = append(passes, false)
		}
		for _, skipLocked := range passes {
			rv, ok, err := claimReview(tx, reviewClaimArgs{ProjectID: projectID, ReviewerID: reviewerID, Now: now,
				Expires: exp, Token: labeling.NewLeaseToken()}, skipLocked)
			if err != nil {
				return err
			}
			if ok {
				if err := event.Append(tx, "review.claimed", event.ReviewScope(projectID), &reviewerID,
					map[string]any{"review_id": rv.ID, "item_id": rv.ItemID}); err != nil {
					return err
				}
				out, err = reviewTaskFor(tx, p, set, rv)
				return err
			}
		}
		return labeling.ErrNoReviews
	})
	return out, err
}

// ReviewHeartbeat extends the reviewer's lease.
func (s *Store) ReviewHeartbeat(ctx context.Context, reviewerID int64, token string) (time.Time, error) {
	var exp time.Time
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rv, err := reviewByToken(tx, reviewerID, token)
		if err != nil {
			return err
		}
		if rv.State != string(labeling.ReviewLeased) {
			return labeling.ErrLeaseLost
		}
		p, err := loadProject(tx, rv.ProjectID, false)
		if err != nil {
			return err
		}
		now := s.clock()
		exp = now.Add(p.lease())
		res := tx.Exec(`UPDATE item_reviews SET lease_expires_at = ?, updated_at = ?
WHERE id = ? AND state = 'leased' AND lease_token = ? AND reviewer_id = ?`, exp, now, rv.ID, token, reviewerID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return labeling.ErrLeaseLost
		}
		return nil
	})
	return exp, err
}

// ReleaseReview gives a held review back to the queue.
func (s *Store) ReleaseReview(ctx context.Context, reviewerID int64, token string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		rv, err := reviewByToken(tx, reviewerID, token)
		if err != nil {
			return err
		}
		if rv.State != string(labeling.ReviewLeased) {
			return labeling.ErrLeaseLost
		}
		now := s.clock()
		if err := tx.Exec(`UPDATE item_reviews SET state = 'queued', reviewer_id = NULL, lease_token = NULL,
    lease_expires_at = NULL, claimed_at = NULL, updated_at = ? WHERE id = ?`, now, rv.ID).Error; err != nil {
			return err
		}
		return event.Append(tx, "review.released", event.ReviewScope(rv.ProjectID), &reviewerID,
			map[string]any{"review_id": rv.ID, "item_id": rv.ItemID})
	})
}

// reviewTaskFor builds what the reviewer sees.
func reviewTaskFor(tx *gorm.DB, p projectRow, set labeling.ReviewSettings, rv itemReviewRow) (labeling.ReviewTask, error) {
	it, err := lockItemNoLock(tx, rv.ItemID)
	if err != nil {
		return labeling.ReviewTask{}, err
	}
	tt := tasktype.TaskType(p.TaskType)
	t := labeling.ReviewTask{ReviewID: rv.ID, Kind: labeling.ReviewKind(rv.Kind), ProjectID: p.ID, ItemID: rv.ItemID,
		TaskType: tt, Schema: json.RawMessage(p.Schema), Data: json.RawMessage(it.Data), Metric: rv.Metric,
		AgreementBP: rv.AgreementBP, Route: labeling.ReviewRoute(rv.Route), RejectReasons: set.RejectReasons,
		Submissions: []labeling.ReviewSubmission{}}
	if rv.LeaseToken != nil {
		t.LeaseToken = *rv.LeaseToken
	}
	if rv.LeaseExpiresAt != nil {
		t.LeaseExpiresAt = *rv.LeaseExpiresAt
	}
	if it.Status == string(labeling.ItemGold) {
		t.Gold = rawOrNil(it.Gold)
	}
	_ = json.Unmarshal([]byte(rv.Reasons), &t.Reasons)
	subs, err := itemSubmissions(tx, rv.ItemID)
	if err != nil {
		return t, err
	}
	pend, err := pendingOf(tx, rv)
	if err != nil {
		return t, err
	}
	pending := map[int64]bool{}
	for _, s := range pend {
		pending[s.ID] = true
	}
	var shown []agreement.SubmissionAnswer
	for _, s := range subs {
		one := rv.SubmissionID != nil && *rv.SubmissionID == s.ID
		if it.Status == string(labeling.ItemGold) && !one {
			continue // a gold round is about one labeller's answer
		}
		if !s.Counted && !one {
			continue
		}
		key, err := tasktype.AnswerKey(tt, json.RawMessage(s.Answer))
		if err != nil {
			return t, err
		}
		if one && s.DisputeComment != nil {
			t.DisputeComment = *s.DisputeComment
		}
		var drows []reviewDecisionRow
		if err := tx.Raw(`SELECT * FROM review_decisions WHERE submission_id = ? ORDER BY id`, s.ID).Scan(&drows).Error; err != nil {
			return t, err
		}
		var ds []labeling.DecisionRecord
		for _, d := range drows {
			ds = append(ds, d.record(labeling.SubmissionStatus(s.Status)))
		}
		t.Submissions = append(t.Submissions, labeling.ReviewSubmission{ID: s.ID, MemberID: s.MemberID,
			Answer: json.RawMessage(s.Answer), Key: key, Status: labeling.SubmissionStatus(s.Status), Pending: pending[s.ID],
			LeadTimeMs: s.LeadTimeMs, CreatedAt: s.CreatedAt, Decisions: ds})
		shown = append(shown, agreement.SubmissionAnswer{ID: s.ID, Answer: json.RawMessage(s.Answer)})
	}
	if t.Gold != nil {
		shown = append(shown, agreement.SubmissionAnswer{ID: 0, Answer: t.Gold}) // id 0 is the gold answer
	}
	t.Disagreement, err = agreement.Disagree(tt, shown)
	return t, err
}

func lockItemNoLock(tx *gorm.DB, id int64) (itemRow, error) {
	var rows []itemRow
	if err := tx.Raw(`SELECT * FROM items WHERE id = ?`, id).Scan(&rows).Error; err != nil {
		return itemRow{}, err
	}
	if len(rows) == 0 {
		return itemRow{}, fault.ErrNotFound.With("item %d not found", id)
	}
	return rows[0], nil
}

// ---- disputes ----

// DisputeRejection lets a labeller contest the rejection of their own
// submission, once, with a comment. The dispute goes to the queue for a
// reviewer other than the one who rejected it; that decision is final.
func (s *Store) DisputeRejection(ctx context.Context, memberID, submissionID int64, comment string) (labeling.Submission, error) {
	comment, err := labeling.CheckDisputeComment(comment)
	if err != nil {
		return labeling.Submission{}, err
	}
	var out labeling.Submission
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		sub, ok, err := loadSubmission(tx, submissionID, false)
		if err != nil {
			return err
		}
		if !ok || sub.MemberID != memberID {
			return fault.ErrNotFound.With("submission %d not found", submissionID)
		}
		if _, err := lockItem(tx, sub.ItemID); err != nil {
			return err
		}
		if sub, _, err = loadSubmission(tx, submissionID, true); err != nil {
			return err
		}
		if err := labeling.CanDispute(labeling.SubmissionStatus(sub.Status), sub.DisputedAt != nil); err != nil {
			return err
		}
		var first []reviewDecisionRow
		if err := tx.Raw(`SELECT * FROM review_decisions WHERE submission_id = ? AND final = ?`, sub.ID, false).Scan(&first).Error; err != nil {
			return err
		}
		var exclude *int64
		if len(first) > 0 {
			exclude = first[0].ReviewerID
		}
		now := s.clock()
		res := tx.Exec(`UPDATE submissions SET status = 'disputed', disputed_at = ?, dispute_comment = ? WHERE id = ? AND status = 'rejected'`,
			now, comment, sub.ID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return sqldb.ErrRace
		}
		id := sub.ID
		rs, _ := json.Marshal([]string{labeling.ReasonDisputed})
		row := itemReviewRow{ProjectID: sub.ProjectID, ItemID: sub.ItemID, Kind: string(labeling.ReviewKindDispute),
			SubmissionID: &id, Reasons: string(rs), Route: string(labeling.RouteReview), State: string(labeling.ReviewQueued),
			ExcludeMemberID: exclude, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		payload := map[string]any{"review_id": row.ID, "item_id": sub.ItemID, "submission_id": sub.ID}
		for _, scope := range []string{event.ReviewScope(sub.ProjectID), event.MemberScope(memberID)} {
			if err := event.Append(tx, "review.disputed", scope, &memberID, payload); err != nil {
				return err
			}
		}
		if err := event.Append(tx, "item.queued_for_review", event.ReviewScope(sub.ProjectID), &memberID, payload); err != nil {
			return err
		}
		out = labeling.Submission{ID: sub.ID, ItemID: sub.ItemID, ProjectID: sub.ProjectID, MemberID: sub.MemberID,
			Answer: json.RawMessage(sub.Answer), LeadTimeMs: sub.LeadTimeMs, Status: labeling.SubmissionDisputed, CreatedAt: sub.CreatedAt}
		return nil
	})
	return out, err
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

// claimReview takes the next review with one statement. Dialect-specific
// like claimOpenItem in dialect.go: on PostgreSQL a CTE locks the row FOR
// NO KEY UPDATE (SKIP LOCKED on the first pass); SQLite holds the write lock.
func claimReview(tx *gorm.DB, a reviewClaimArgs, skipLocked bool) (itemReviewRow, bool, error) {
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
	var rows []itemReviewRow
	if err := tx.Raw(q, args).Scan(&rows).Error; err != nil {
		return itemReviewRow{}, false, err
	}
	if len(rows) == 0 {
		return itemReviewRow{}, false, nil
	}
	return rows[0], true, nil
}
