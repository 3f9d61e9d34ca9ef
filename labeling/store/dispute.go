package store

import (
	"encoding/json"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/sqldb"
)

// ---- disputes: the SQL of work.Service.DisputeRejection ----

// FirstReviewer is the reviewer of a submission's first (not final)
// decision, nil when there is none or it was automatic.
func (s *Reviews) FirstReviewer(tx Tx, submissionID int64) (*int64, error) {
	var first []reviewDecisionRow
	if err := tx.db.Raw(`SELECT * FROM review_decisions WHERE submission_id = ? AND final = ?`, submissionID, false).Scan(&first).Error; err != nil {
		return nil, err
	}
	if len(first) == 0 {
		return nil, nil
	}
	return first[0].ReviewerID, nil
}

// OpenDispute marks a rejected submission disputed, with its labeller's
// comment, and queues a dispute round for any reviewer but exclude, with the
// review.disputed and item.queued_for_review events.
func (s *Reviews) OpenDispute(tx Tx, sub ReviewedSubmission, comment string, exclude *int64, now time.Time) error {
	res := tx.db.Exec(`UPDATE submissions SET status = 'disputed', disputed_at = ?, dispute_comment = ? WHERE id = ? AND status = 'rejected'`,
		now, comment, sub.ID)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return sqldb.ErrRace
	}
	id := sub.ID
	rs, _ := json.Marshal([]string{labeling.ReasonDisputed})
	row := Round{ProjectID: sub.ProjectID, ItemID: sub.ItemID, Kind: string(labeling.ReviewKindDispute),
		SubmissionID: &id, Reasons: string(rs), Route: string(labeling.RouteReview), State: string(labeling.ReviewQueued),
		ExcludeMemberID: exclude, CreatedAt: now, UpdatedAt: now}
	if err := tx.db.Create(&row).Error; err != nil {
		return err
	}
	memberID := sub.MemberID
	payload := map[string]any{"review_id": row.ID, "item_id": sub.ItemID, "submission_id": sub.ID}
	for _, scope := range []string{event.ReviewScope(sub.ProjectID), event.MemberScope(memberID)} {
		if err := event.Append(tx.db, "review.disputed", scope, &memberID, payload); err != nil {
			return err
		}
	}
	return event.Append(tx.db, "item.queued_for_review", event.ReviewScope(sub.ProjectID), &memberID, payload)
}
