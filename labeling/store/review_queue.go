package store

import (
	"context"
	"encoding/json"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// ---- the reviewer queue ----

// ClaimNextReview gives the reviewer their next review in the project: the
// one they hold (renewed if it expired untouched), else the oldest queued
// review or another reviewer's expired lease. Items the reviewer submitted
// to are never offered, nor a dispute of a rejection they made.
func (s *Reviews) ClaimNextReview(ctx context.Context, reviewerID, projectID int64) (labeling.ReviewTask, error) {
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
		var mine []Round
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
		for _, skipLocked := range claimPasses(tx) {
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
func (s *Reviews) ReviewHeartbeat(ctx context.Context, reviewerID int64, token string) (time.Time, error) {
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
func (s *Reviews) ReleaseReview(ctx context.Context, reviewerID int64, token string) error {
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
func reviewTaskFor(tx *gorm.DB, p projectRow, set labeling.ReviewSettings, rv Round) (labeling.ReviewTask, error) {
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
