package labeling

import (
	"time"

	"copyhold/labeling/fault"
	"copyhold/labeling/sensitive"
)

// Moderator wellbeing beyond the veil (docs/TASKTYPES.md, "Sensitive items"):
// a daily budget of sensitive minutes, a forced break after a run of
// sensitive items, opt-in categories, greyscale images, and "this affected
// me", which pauses sensitive work and tells the co-op's designated contact.

// WellbeingSettings are the co-op's: set by coordinators.
type WellbeingSettings struct {
	// ContactMemberID is who is told when a member presses "this affected
	// me" (nil: nobody is named yet). Never the member's reviewer by role:
	// a named person the co-op chose.
	ContactMemberID *int64 `json:"contact_member_id"`
	DailyMinutes    int    `json:"daily_minutes"`    // the most sensitive minutes a member may see per UTC day
	TaskCapMinutes  int    `json:"task_cap_minutes"` // one task counts at most this many minutes
	BreakAfter      int    `json:"break_after"`      // a run of this many sensitive items forces a break (0: never)
	BreakMinutes    int    `json:"break_minutes"`    // how long that break lasts
}

// Bounds of the co-op's settings.
const (
	MaxWellbeingDailyMinutes = 8 * 60
	MaxTaskCapMinutes        = 60
	MaxBreakAfter            = 500
	MaxBreakMinutes          = 240
)

// CheckWellbeingSettings keeps the co-op's settings in their bounds.
func CheckWellbeingSettings(s WellbeingSettings) error {
	switch {
	case s.DailyMinutes < 0 || s.DailyMinutes > MaxWellbeingDailyMinutes:
		return fault.ErrInvalid.With("daily_minutes must be 0 to %d", MaxWellbeingDailyMinutes)
	case s.TaskCapMinutes < 1 || s.TaskCapMinutes > MaxTaskCapMinutes:
		return fault.ErrInvalid.With("task_cap_minutes must be 1 to %d", MaxTaskCapMinutes)
	case s.BreakAfter < 0 || s.BreakAfter > MaxBreakAfter:
		return fault.ErrInvalid.With("break_after must be 0 to %d", MaxBreakAfter)
	case s.BreakMinutes < 0 || s.BreakMinutes > MaxBreakMinutes:
		return fault.ErrInvalid.With("break_minutes must be 0 to %d", MaxBreakMinutes)
	case s.BreakAfter > 0 && s.BreakMinutes == 0:
		return fault.ErrInvalid.With("a break after %d items needs break_minutes of 1 or more", s.BreakAfter)
	}
	return nil
}

// MyWellbeing is a member's own choices and today's state.
type MyWellbeing struct {
	Categories    []sensitive.Category `json:"categories"`     // opted into
	OwnMinutes    *int                 `json:"own_minutes"`    // their own daily budget (nil: the co-op's)
	BudgetMinutes int                  `json:"budget_minutes"` // the budget in force
	CoopMinutes   int                  `json:"coop_minutes"`   // the co-op's maximum
	UsedMs        int64                `json:"used_ms"`        // sensitive time today
	Greyscale     bool                 `json:"greyscale"`      // images shown in greyscale
	BreakAfter    int                  `json:"break_after"`    // the co-op's run length
	BreakMinutes  int                  `json:"break_minutes"`  // the co-op's break length
	Run           int                  `json:"run"`            // sensitive items in the current run
	BreakUntil    *time.Time           `json:"break_until"`    // a forced break ends then (nil or past: none)
	Paused        bool                 `json:"paused"`         // "this affected me" pressed, not resumed
	HasContact    bool                 `json:"has_contact"`    // the co-op named a contact
	ResetsAt      time.Time            `json:"resets_at"`      // the next UTC midnight
}

// WellbeingChoices is what a member sets for themselves (nil: unchanged).
type WellbeingChoices struct {
	Categories *[]sensitive.Category `json:"categories"`
	OwnMinutes *int                  `json:"own_minutes"` // -1 clears it (the co-op's budget)
	Greyscale  *bool                 `json:"greyscale"`
}

// Affected is a press of "this affected me": the contact reads it.
type Affected struct {
	ProjectID *int64 `json:"project_id"`
	Note      string `json:"note"`
}

// MaxAffectedNote bounds the optional note to the contact.
const MaxAffectedNote = 1000

// WellbeingNotice is one press as the designated contact reads it.
type WellbeingNotice struct {
	ID         int64     `json:"id"`
	MemberID   int64     `json:"member_id"`
	MemberName string    `json:"member_name"`
	ProjectID  *int64    `json:"project_id"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

// WellbeingDay is what a coordinator sees: sums across members, never who.
type WellbeingDay struct {
	Day            string `json:"day"` // YYYY-MM-DD, UTC
	SensitiveMs    int64  `json:"sensitive_ms"`
	SensitiveItems int64  `json:"sensitive_items"`
	Breaks         int64  `json:"breaks"`
	MembersExposed int64  `json:"members_exposed"`
}

// DayName is t's UTC day as the wellbeing tables key it.
func DayName(t time.Time) string { return t.UTC().Format(time.DateOnly) }

var (
	ErrSensitiveBudget = fault.New(fault.KindConflict, "sensitive_budget_spent", "only sensitive items are left and you spent today's minutes of sensitive content")
	ErrSensitivePaused = fault.New(fault.KindConflict, "sensitive_paused", "only sensitive items are left and your sensitive work is paused")
	ErrOnBreak         = fault.New(fault.KindConflict, "wellbeing_break", "a short break after a run of sensitive items")
	ErrNoContact       = fault.New(fault.KindInvalid, "no_such_contact", "the contact must be an active member")
)

// BreakError carries when a forced break ends. errors.Is(err, ErrOnBreak)
// works through Unwrap; RetryAt gives the server its Retry-After.
type BreakError struct {
	ResumeAt time.Time
}

func (e *BreakError) Error() string { return e.Unwrap().Error() }

func (e *BreakError) Unwrap() error {
	return ErrOnBreak.With("take a short break after a run of sensitive items; you can resume at %s", e.ResumeAt.UTC().Format(time.RFC3339))
}

// RetryAt is when the claim may be tried again.
func (e *BreakError) RetryAt() time.Time { return e.ResumeAt }

// ExposureMs is how much of a sensitive task counts toward the budget: the
// time from claim to its end, at most the co-op's cap per task.
func ExposureMs(claimed, ended time.Time, capMinutes int) int64 {
	ms := ended.Sub(claimed).Milliseconds()
	return max(0, min(ms, int64(capMinutes)*60_000))
}
