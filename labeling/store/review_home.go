package store

import (
	"context"
	"slices"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/tasktype"
)

// ReviewerHome gathers every waiting review across projects for one
// reviewer, with the claim's rules (reviewQueueFilter): never a dispute of
// their own rejection, never an item they answered.
func (s *Reviews) ReviewerHome(ctx context.Context, reviewerID int64) (labeling.ReviewerHome, error) {
	out := labeling.ReviewerHome{Projects: []labeling.ReviewHomeProject{}, Disputes: []labeling.WaitingReview{},
		GoldFailures: []labeling.WaitingReview{}}
	db := s.db.WithContext(ctx)
	var rounds []struct {
		ID              int64
		ProjectID       int64
		ProjectName     string
		TaskType        string
		ProjectStatus   string
		ItemID          int64
		Kind            string
		State           string
		GoldFailed      bool
		ExcludeMemberID *int64
		ReviewerID      *int64
		LeaseExpiresAt  *time.Time
		CreatedAt       time.Time
	}
	if err := db.Raw(`SELECT r.id, r.project_id, p.name AS project_name, p.task_type, p.status AS project_status,
    r.item_id, r.kind, r.state, r.gold_failed, r.exclude_member_id, r.reviewer_id, r.lease_expires_at, r.created_at
FROM item_reviews r JOIN projects p ON p.id = r.project_id
WHERE r.state IN ('queued', 'leased') ORDER BY r.id`).Scan(&rounds).Error; err != nil {
		return out, err
	}
	if len(rounds) == 0 {
		return out, nil
	}
	var answered []int64
	if err := db.Raw(`SELECT DISTINCT s.item_id FROM submissions s WHERE s.member_id = ?
AND s.item_id IN (SELECT r.item_id FROM item_reviews r WHERE r.state IN ('queued', 'leased'))`,
		reviewerID).Scan(&answered).Error; err != nil {
		return out, err
	}
	now := s.clock()
	byProject := map[int64]*labeling.ReviewHomeProject{}
	var order []int64
	for _, rv := range rounds {
		p := byProject[rv.ProjectID]
		if p == nil {
			p = &labeling.ReviewHomeProject{ProjectID: rv.ProjectID, Name: rv.ProjectName,
				TaskType: tasktype.TaskType(rv.TaskType), Status: labeling.ProjectStatus(rv.ProjectStatus)}
			byProject[rv.ProjectID] = p
			order = append(order, rv.ProjectID)
		}
		p.Waiting++
		why := ""
		switch {
		case rv.ExcludeMemberID != nil && *rv.ExcludeMemberID == reviewerID:
			why = labeling.NotForYouRejected
		case slices.Contains(answered, rv.ItemID):
			why = labeling.NotForYouAnswered
		case rv.State == string(labeling.ReviewLeased) && rv.LeaseExpiresAt != nil && rv.LeaseExpiresAt.After(now) &&
			(rv.ReviewerID == nil || *rv.ReviewerID != reviewerID):
			why = labeling.NotForYouHeld
		}
		if why == "" {
			p.ForYou++
			out.ForYou++
			if out.NextProjectID == nil {
				id := rv.ProjectID
				out.NextProjectID = &id // rounds are in id order: the oldest first
			}
		}
		w := labeling.WaitingReview{ReviewID: rv.ID, ProjectID: rv.ProjectID, ProjectName: rv.ProjectName, ItemID: rv.ItemID,
			Kind: labeling.ReviewKind(rv.Kind), GoldFailed: rv.GoldFailed, ForYou: why == "", Why: why, Waiting: rv.CreatedAt}
		if rv.Kind == string(labeling.ReviewKindDispute) {
			p.Disputes++
			if len(out.Disputes) < labeling.MaxHomeListed {
				out.Disputes = append(out.Disputes, w)
			}
		} else if rv.GoldFailed {
			p.GoldFailures++
			if len(out.GoldFailures) < labeling.MaxHomeListed {
				out.GoldFailures = append(out.GoldFailures, w)
			}
		}
	}
	for _, id := range order {
		out.Projects = append(out.Projects, *byProject[id])
	}
	slices.SortStableFunc(out.Projects, func(a, b labeling.ReviewHomeProject) int {
		if a.Waiting != b.Waiting {
			return b.Waiting - a.Waiting
		}
		return int(a.ProjectID - b.ProjectID)
	})
	return out, nil
}
