package labeling

// The review queue as one member sees it: what waits, what they may take,
// and for what they may not, why and who may (a dispute never goes back to
// the reviewer who rejected, nor any item to someone who answered it).

// Why a waiting review is not for a member.
const (
	NotForYouRejected = "you_rejected" // a dispute of a rejection they made
	NotForYouAnswered = "you_answered" // they submitted to the item
	NotForYouNotRole  = "not_reviewer" // they do not hold the reviewer role
)

// ReviewerName is a reviewer who may take a waiting review.
type ReviewerName struct {
	ID          int64  `json:"id"`
	DisplayName string `json:"display_name"`
}

// BlockedReview is a waiting review the member may not take.
type BlockedReview struct {
	ReviewID int64          `json:"review_id"`
	ItemID   int64          `json:"item_id"`
	Kind     ReviewKind     `json:"kind"`
	Why      string         `json:"why"`
	Eligible []ReviewerName `json:"eligible"` // active reviewers who may take it; empty: nobody can
}

// ReviewQueueView is GET /api/projects/:id/review/queue.
type ReviewQueueView struct {
	ProjectID int64 `json:"project_id"`
	// Waiting counts queued and leased reviews.
	Waiting int `json:"waiting"`
	// ForYou counts those the member may take now (their own lease included).
	ForYou int `json:"for_you"`
	// HeldByOthers counts live leases of other reviewers.
	HeldByOthers int `json:"held_by_others"`
	// NotForYou lists (the first 100 of) NotForYouTotal reviews the member
	// may not take.
	NotForYou      []BlockedReview `json:"not_for_you"`
	NotForYouTotal int             `json:"not_for_you_total"`
	// NoEligibleReviewer counts waiting reviews that no active reviewer may
	// take: they wait until a coordinator gives someone the reviewer role.
	NoEligibleReviewer int `json:"no_eligible_reviewer"`
}
