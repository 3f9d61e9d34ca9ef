package labeling

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"copyhold/labeling/fault"
)

// A labeller's own work, as the my-work page lists it.

// MyWorkItem is one of a labeller's own submissions, with the item it answers.
type MyWorkItem struct {
	ID          int64           `json:"id"`
	ProjectID   int64           `json:"project_id"`
	ProjectName string          `json:"project_name"`
	TaskType    string          `json:"task_type"`
	ItemID      int64           `json:"item_id"`
	Data        json.RawMessage `json:"data"`
	Answer      json.RawMessage `json:"answer"`
	Status      string          `json:"status"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   *time.Time      `json:"updated_at"`
	Revisions   int             `json:"revisions"`
	// The latest review decision, if any: why it was rejected, the reviewer's
	// comment, and the corrected answer to show as a diff against Answer.
	Reason          string          `json:"reason,omitempty"`
	ReviewComment   string          `json:"review_comment,omitempty"`
	CorrectedAnswer json.RawMessage `json:"corrected_answer,omitempty"`
	DecisionFinal   bool            `json:"decision_final"`
	// History is every review decision on the submission and the labeller's
	// dispute, oldest first, so an overturned rejection stays readable.
	History []MyWorkEvent `json:"history"`
	// Units and UnitsPending are what the submission moved the member's
	// own holding and pending book by, as decimal strings of the project's
	// model's units; absent when the register has no posting for it.
	Units        string `json:"units,omitempty"`
	UnitsPending string `json:"units_pending,omitempty"`
}

// MyWorkEvent is one step of a submission's review: a decision (Kind
// "decision") or the labeller's dispute (Kind "dispute"). Reviewers stay
// unnamed, as in My work.
type MyWorkEvent struct {
	Kind      string    `json:"kind"`
	Decision  string    `json:"decision,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Comment   string    `json:"comment,omitempty"`
	Final     bool      `json:"final,omitempty"`
	Automatic bool      `json:"automatic,omitempty"`
	At        time.Time `json:"at"`
}

// MyWorkFilter narrows a labeller's list of their own work. Zero fields
// filter nothing. From and To are UTC days (midnight), both included.
type MyWorkFilter struct {
	ProjectID int64
	Status    SubmissionStatus
	From, To  *time.Time
}

// myWorkStatuses are the statuses My work can be filtered by.
var myWorkStatuses = []SubmissionStatus{SubmissionSubmitted, SubmissionAccepted, SubmissionRejected, SubmissionCorrected, SubmissionDisputed}

// Check reports an unknown status or a range that ends before it starts.
func (f MyWorkFilter) Check() error {
	if f.Status != "" && !slices.Contains(myWorkStatuses, f.Status) {
		return fault.ErrInvalid.With("status must be one of submitted, accepted, rejected, corrected, disputed, not %q", string(f.Status))
	}
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		return fault.ErrInvalid.With("to (%s) is before from (%s)", f.To.Format(time.DateOnly), f.From.Format(time.DateOnly))
	}
	return nil
}

// Key names the filter in a page cursor, so a cursor of one filter is never
// read under another.
func (f MyWorkFilter) Key() string {
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	return fmt.Sprintf("%d:%s:%s:%s", f.ProjectID, f.Status, day(f.From), day(f.To))
}
