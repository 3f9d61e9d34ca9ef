package labeling

import (
	"time"

	"copyhold/labeling/tasktype"
)

// The reviewer's home: every project's waiting reviews at a glance, sorted
// by how much waits, with disputes and failed gold checks listed apart.

// MaxHomeListed caps the disputes and the gold failures the home lists.
const MaxHomeListed = 50

// ReviewHomeProject is one project's line on the reviewer's home.
type ReviewHomeProject struct {
	ProjectID int64             `json:"project_id"`
	Name      string            `json:"name"`
	TaskType  tasktype.TaskType `json:"task_type"`
	Status    ProjectStatus     `json:"status"`
	// Waiting counts queued and leased reviews; ForYou those the reviewer
	// may take now (their own lease included).
	Waiting      int `json:"waiting"`
	ForYou       int `json:"for_you"`
	Disputes     int `json:"disputes"`
	GoldFailures int `json:"gold_failures"`
}

// WaitingReview is one waiting review named on the home: a dispute or an
// item whose labeller failed a gold check.
type WaitingReview struct {
	ReviewID    int64      `json:"review_id"`
	ProjectID   int64      `json:"project_id"`
	ProjectName string     `json:"project_name"`
	ItemID      int64      `json:"item_id"`
	Kind        ReviewKind `json:"kind"`
	GoldFailed  bool       `json:"gold_failed"`
	// ForYou: the reviewer may take it now; Why says why not
	// (NotForYouRejected, NotForYouAnswered, or "held" by another reviewer).
	ForYou  bool      `json:"for_you"`
	Why     string    `json:"why,omitempty"`
	Waiting time.Time `json:"waiting_since"`
}

// NotForYouHeld: another reviewer holds the review's lease.
const NotForYouHeld = "held"

// ReviewerHome is GET /api/review/home.
type ReviewerHome struct {
	// Projects with anything waiting, most waiting first.
	Projects []ReviewHomeProject `json:"projects"`
	// ForYou counts every review the reviewer may take now, across projects.
	ForYou int `json:"for_you"`
	// NextProjectID is the project of the oldest review the reviewer may
	// take ("review next"); null when there is none.
	NextProjectID *int64 `json:"next_project_id"`
	// Disputes and GoldFailures list the first MaxHomeListed of each, oldest first.
	Disputes     []WaitingReview `json:"disputes"`
	GoldFailures []WaitingReview `json:"gold_failures"`
}
