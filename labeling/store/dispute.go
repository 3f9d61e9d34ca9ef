package store

import (
	"context"
	"encoding/json"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// ---- disputes ----

// DisputeRejection lets a labeller contest the rejection of their own
// submission, once, with a comment. The dispute goes to the queue for a
// reviewer other than the one who rejected it; that decision is final.
func (s *Reviews) DisputeRejection(ctx context.Context, memberID, submissionID int64, comment string) (labeling.Submission, error) {
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
