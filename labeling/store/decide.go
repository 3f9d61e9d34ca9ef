package store

import (
	"encoding/json"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"

	"gorm.io/gorm"
)

// ---- decisions: the SQL of work.Service's decide step ----

// NewDecision is one checked decision on one submission of a round.
type NewDecision struct {
	Round      Round
	Submission ReviewedSubmission // as read under lock: the update is fenced on its Status
	Reviewer   *int64             // nil for automatic acceptance
	Decision   labeling.DecisionInput
	Corrected  json.RawMessage // the validated answer of a correction
	Next       labeling.SubmissionStatus
	Counted    bool // the submission still fills a slot after the decision
	Final      bool // the decision on a dispute
}

// RecordDecision stores a decision and moves its submission to the next
// status, fenced on the status it was read with (a concurrent decision that
// committed first wins: already_decided), with the review.decided events.
func (s *Reviews) RecordDecision(tx Tx, d NewDecision, now time.Time) (labeling.DecisionRecord, error) {
	rv, sub := d.Round, d.Submission
	row := reviewDecisionRow{ReviewID: rv.ID, ProjectID: rv.ProjectID, ItemID: sub.ItemID, SubmissionID: sub.ID,
		LabellerID: sub.MemberID, ReviewerID: d.Reviewer, Decision: string(d.Decision.Decision), Reason: d.Decision.Reason,
		Comment: d.Decision.Comment, Final: d.Final, Automatic: d.Reviewer == nil, CreatedAt: now}
	if d.Corrected != nil {
		c := string(d.Corrected)
		row.CorrectedAnswer = &c
	}
	if err := tx.db.Create(&row).Error; err != nil {
		return labeling.DecisionRecord{}, err
	}
	res := tx.db.Exec(`UPDATE submissions SET status = ?, counted = ? WHERE id = ? AND status = ?`,
		string(d.Next), d.Counted, sub.ID, sub.Status)
	if res.Error != nil {
		return labeling.DecisionRecord{}, res.Error
	}
	if res.RowsAffected != 1 {
		return labeling.DecisionRecord{}, labeling.ErrAlreadyDecided.With("submission %d was decided concurrently", sub.ID)
	}
	payload := map[string]any{"review_id": rv.ID, "item_id": sub.ItemID, "submission_id": sub.ID,
		"decision": d.Decision.Decision, "reason": d.Decision.Reason, "status": d.Next, "final": d.Final, "automatic": d.Reviewer == nil}
	scopes := []string{event.ReviewScope(rv.ProjectID), event.MemberScope(sub.MemberID), event.ProjectScope(rv.ProjectID)}
	if rv.Metric == labeling.MetricGold {
		// A decision on a gold answer, right after a submit that completed
		// nothing, would mark the item as gold on the project channel.
		scopes = scopes[:2]
	}
	for _, scope := range scopes {
		actor := d.Reviewer
		if scope == event.MemberScope(sub.MemberID) {
			actor = nil // the labeller learns the decision, not who made it (as in My work)
		}
		if err := event.Append(tx.db, "review.decided", scope, actor, payload); err != nil {
			return labeling.DecisionRecord{}, err
		}
	}
	return row.record(d.Next), nil
}

// CloseRound marks a round whose submissions are all decided as decided
// (an auto-accepted round keeps its state).
func (s *Reviews) CloseRound(tx Tx, roundID int64, now time.Time) error {
	return tx.db.Exec(`UPDATE item_reviews SET state = CASE WHEN state = 'auto_accepted' THEN state ELSE 'decided' END,
    updated_at = ? WHERE id = ?`, now, roundID).Error
}

// SetDecidedAt stamps the time an auto-accepted round was decided.
func (s *Reviews) SetDecidedAt(tx Tx, roundID int64, now time.Time) error {
	return tx.db.Exec(`UPDATE item_reviews SET decided_at = ?, updated_at = ? WHERE id = ?`, now, now, roundID).Error
}

// LockRound finds and locks the review the reviewer holds by its lease
// token, in any state; an unknown token or another reviewer's is lease_lost.
func (s *Reviews) LockRound(tx Tx, reviewerID int64, token string) (Round, error) {
	return reviewByToken(tx.db, reviewerID, token)
}

// ReplayDecision looks up the reviewer's earlier decisions with the same
// idempotency key: ok is true when there are some, and then the same body
// returns them (Replayed) and another body is idempotency_conflict.
func (s *Reviews) ReplayDecision(tx Tx, reviewerID int64, key, hash string) (res labeling.DecisionResult, ok bool, err error) {
	return replayDecision(tx.db, reviewerID, key, hash)
}

// StampDecision records the idempotency key and body hash of a reviewer's
// decisions on the round they decided, fenced on their lease (lease_lost
// when it is no longer theirs).
func (s *Reviews) StampDecision(tx Tx, rv Round, reviewerID int64, token, key, hash string, now time.Time) error {
	res := tx.db.Exec(`UPDATE item_reviews SET decision_key = ?, decision_hash = ?, decided_at = ?, updated_at = ?
WHERE id = ? AND lease_token = ? AND reviewer_id = ?`, key, hash, now, now, rv.ID, token, reviewerID)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return labeling.ErrLeaseLost
	}
	return nil
}

// reviewByToken finds the reviewer's review for a lease token; an unknown
// token or another reviewer's is a lost lease.
func reviewByToken(tx *gorm.DB, reviewerID int64, token string) (Round, error) {
	if token == "" {
		return Round{}, labeling.ErrLeaseLost
	}
	var rows []Round
	if err := tx.Raw(`SELECT * FROM item_reviews WHERE lease_token = ?`+forUpdate(tx), token).Scan(&rows).Error; err != nil {
		return Round{}, err
	}
	if len(rows) == 0 || rows[0].ReviewerID == nil || *rows[0].ReviewerID != reviewerID {
		return Round{}, labeling.ErrLeaseLost
	}
	return rows[0], nil
}

func replayDecision(tx *gorm.DB, reviewerID int64, key, hash string) (labeling.DecisionResult, bool, error) {
	var rows []Round
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
