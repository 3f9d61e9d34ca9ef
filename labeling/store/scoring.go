package store

import (
	"encoding/json"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"

	"gorm.io/gorm"
)

// ---- scoring ----

// afterSubmit is Submit's review hook and runs in Submit's transaction. A
// gold submission is checked against the gold answer and routed at once (as
// a round of its own); a regular item that just got its k-th counted
// submission is scored and routed.
func (s *base) afterSubmit(tx *gorm.DB, now time.Time, p projectRow, it itemRow, submissionID int64, completes bool) error {
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

func (s *base) scoreGoldSubmission(tx *gorm.DB, now time.Time, p projectRow, it itemRow, submissionID int64) error {
	sub, ok, err := loadSubmission(tx, submissionID, false)
	if err != nil || !ok {
		return err
	}
	tt := labeling.TaskType(p.TaskType)
	if it.Gold == nil {
		return nil
	}
	g, err := labeling.CheckGold(tt, json.RawMessage(*it.Gold), json.RawMessage(sub.Answer))
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
func (s *base) scoreCompletedItem(tx *gorm.DB, now time.Time, p projectRow, itemID int64) error {
	subs, err := itemSubmissions(tx, itemID)
	if err != nil {
		return err
	}
	tt := labeling.TaskType(p.TaskType)
	var answers []labeling.AnswerRecord
	var pending []reviewSubRow
	for _, s := range subs {
		if !s.Counted {
			continue
		}
		answers = append(answers, labeling.AnswerRecord{Unit: memberKey(itemID), Annotator: memberKey(s.MemberID), Answer: json.RawMessage(s.Answer)})
		if s.Status == string(labeling.SubmissionSubmitted) {
			pending = append(pending, s)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	score, err := labeling.ScoreItem(tt, memberKey(itemID), answers)
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
func (s *base) routeRound(tx *gorm.DB, now time.Time, p projectRow, set labeling.ReviewSettings, itemID int64, subID *int64,
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
