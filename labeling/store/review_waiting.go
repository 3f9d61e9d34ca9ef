package store

import (
	"context"
	"slices"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/member"
)

// maxBlockedListed caps the reviews a queue view lists one by one.
const maxBlockedListed = 100

// ReviewQueueView tells a member what waits for review in a project, what
// they may take, and for each review they may not, why and who may. It
// follows the claim's rules (reviewQueueFilter): never a dispute to the
// reviewer who rejected, never an item to anyone who answered it.
func (s *Reviews) ReviewQueueView(ctx context.Context, memberID, projectID int64, isReviewer bool) (labeling.ReviewQueueView, error) {
	out := labeling.ReviewQueueView{ProjectID: projectID, NotForYou: []labeling.BlockedReview{}}
	db := s.db.WithContext(ctx)
	if _, err := loadProject(db, projectID, false); err != nil {
		return out, err
	}
	var rounds []struct {
		ID              int64
		ItemID          int64
		Kind            string
		State           string
		ExcludeMemberID *int64
		ReviewerID      *int64
		LeaseExpiresAt  *time.Time
	}
	if err := db.Raw(`SELECT id, item_id, kind, state, exclude_member_id, reviewer_id, lease_expires_at FROM item_reviews
WHERE project_id = ? AND state IN ('queued', 'leased') ORDER BY id`, projectID).Scan(&rounds).Error; err != nil {
		return out, err
	}
	if len(rounds) == 0 {
		return out, nil
	}
	var answered []struct{ ItemID, MemberID int64 }
	if err := db.Raw(`SELECT DISTINCT s.item_id, s.member_id FROM submissions s
WHERE s.item_id IN (SELECT r.item_id FROM item_reviews r WHERE r.project_id = ? AND r.state IN ('queued', 'leased'))`,
		projectID).Scan(&answered).Error; err != nil {
		return out, err
	}
	byItem := map[int64][]int64{}
	for _, a := range answered {
		byItem[a.ItemID] = append(byItem[a.ItemID], a.MemberID)
	}
	var reviewers []labeling.ReviewerName
	if err := db.Raw(`SELECT m.id, m.display_name FROM members m JOIN member_roles r ON r.member_id = m.id
WHERE r.role = ? AND m.active = ? ORDER BY m.display_name, m.id`, string(member.RoleReviewer), true).Scan(&reviewers).Error; err != nil {
		return out, err
	}
	now := s.clock()
	for _, rv := range rounds {
		out.Waiting++
		may := func(id int64) bool {
			return (rv.ExcludeMemberID == nil || *rv.ExcludeMemberID != id) && !slices.Contains(byItem[rv.ItemID], id)
		}
		eligible := []labeling.ReviewerName{}
		for _, r := range reviewers {
			if may(r.ID) {
				eligible = append(eligible, r)
			}
		}
		if len(eligible) == 0 {
			out.NoEligibleReviewer++
		}
		held := rv.State == string(labeling.ReviewLeased) && rv.LeaseExpiresAt != nil && rv.LeaseExpiresAt.After(now)
		mine := rv.ReviewerID != nil && *rv.ReviewerID == memberID
		switch {
		case isReviewer && may(memberID) && (!held || mine):
			out.ForYou++
		case isReviewer && may(memberID):
			out.HeldByOthers++
		default:
			out.NotForYouTotal++
			if len(out.NotForYou) >= maxBlockedListed {
				continue
			}
			why := labeling.NotForYouAnswered
			switch {
			case !isReviewer: // a coordinator without the role
				why = labeling.NotForYouNotRole
			case rv.ExcludeMemberID != nil && *rv.ExcludeMemberID == memberID:
				why = labeling.NotForYouRejected
			}
			var others []labeling.ReviewerName
			for _, r := range eligible {
				if r.ID != memberID {
					others = append(others, r)
				}
			}
			if others == nil {
				others = []labeling.ReviewerName{}
			}
			out.NotForYou = append(out.NotForYou, labeling.BlockedReview{ReviewID: rv.ID, ItemID: rv.ItemID,
				Kind: labeling.ReviewKind(rv.Kind), Why: why, Eligible: others})
		}
	}
	return out, nil
}
