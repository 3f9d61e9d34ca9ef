package store

import (
	"context"
	"encoding/json"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"

	"gorm.io/gorm"
)

// ---- decisions ----

// decide applies decisions to the submissions of one review round, in the
// caller's transaction, and returns what it decided. reviewer is nil for
// automatic acceptance. Every pending submission of the round must be
// decided. This is the hook point for the equity ledger: it sees every
// decision, human or automatic, inside the deciding transaction.
func (s *base) decide(tx *gorm.DB, now time.Time, p projectRow, set labeling.ReviewSettings, rv itemReviewRow, reviewer *int64,
	inputs []labeling.DecisionInput) ([]labeling.DecisionRecord, error) {
	final := rv.Kind == string(labeling.ReviewKindDispute)
	tt := labeling.TaskType(p.TaskType)
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
			norm, err := labeling.ValidateAnswer(tt, json.RawMessage(p.Schema), json.RawMessage(*itemData), d.CorrectedAnswer)
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
func (s *Reviews) DecideReview(ctx context.Context, reviewerID int64, req labeling.DecisionRequest) (labeling.DecisionResult, error) {
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
