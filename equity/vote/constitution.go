package vote

import "time"

// EligibilityAdmittedBeforeOpen: active members admitted before the proposal opened.
const EligibilityAdmittedBeforeOpen = "active_admitted_before_open"

// Constitution is the co-op's decision rules, versioned on the register.
// Shares are basis points (10000 = 100 %).
type Constitution struct {
	ID                 int64      `json:"-"`
	Version            int        `json:"version"`
	QuorumBP           int        `json:"quorum_bp"`
	OrdinaryMajorityBP int        `json:"ordinary_majority_bp"`
	SpecialMajorityBP  int        `json:"special_majority_bp"`
	MinPeriodHours     int        `json:"min_period_hours"`
	DefaultPeriodHours int        `json:"default_period_hours"`
	MaxPeriodHours     int        `json:"max_period_hours"`
	Cosponsors         int        `json:"cosponsors"`
	Ballot             string     `json:"ballot"`
	Eligibility        string     `json:"eligibility"`
	ProposalID         *int64     `json:"proposal_id"`
	Reason             string     `json:"reason,omitempty"`
	ActorID            int64      `json:"-"`
	CreatedAt          *time.Time `json:"created_at"`
}

// DefaultConstitution ships with the co-op (version 0 until `copyhold demo`
// or an operator records it as version 1): a quarter of the members make a
// quorum, more than half of the yes and no votes carry an ordinary
// resolution, two thirds a special one, votes run a week (one day to thirty),
// no co-sponsors are needed, and ballots are secret.
func DefaultConstitution() Constitution {
	return Constitution{QuorumBP: 2500, OrdinaryMajorityBP: 5000, SpecialMajorityBP: 6667,
		MinPeriodHours: 24, DefaultPeriodHours: 168, MaxPeriodHours: 720, Cosponsors: 0,
		Ballot: BallotSecret, Eligibility: EligibilityAdmittedBeforeOpen}
}

// Validate checks a constitution; field names are the JSON ones.
func (c Constitution) Validate() error {
	bad := func(f, format string, args ...any) error {
		return ErrInvalidChange.With("change."+f+" "+format, args...)
	}
	switch {
	case c.QuorumBP < 0 || c.QuorumBP > 10000:
		return bad("quorum_bp", "must be between 0 and 10000")
	case c.OrdinaryMajorityBP < 5000 || c.OrdinaryMajorityBP > 9999:
		return bad("ordinary_majority_bp", "must be between 5000 (more than half) and 9999")
	case c.SpecialMajorityBP < c.OrdinaryMajorityBP || c.SpecialMajorityBP > 10000:
		return bad("special_majority_bp", "must be between ordinary_majority_bp (%d) and 10000", c.OrdinaryMajorityBP)
	case c.MinPeriodHours < 1:
		return bad("min_period_hours", "must be at least 1")
	case c.MaxPeriodHours < c.MinPeriodHours || c.MaxPeriodHours > 24*366:
		return bad("max_period_hours", "must be between min_period_hours (%d) and %d", c.MinPeriodHours, 24*366)
	case c.DefaultPeriodHours < c.MinPeriodHours || c.DefaultPeriodHours > c.MaxPeriodHours:
		return bad("default_period_hours", "must be between min_period_hours (%d) and max_period_hours (%d)", c.MinPeriodHours, c.MaxPeriodHours)
	case c.Cosponsors < 0 || c.Cosponsors > 100:
		return bad("cosponsors", "must be between 0 and 100")
	case c.Ballot != BallotSecret && c.Ballot != BallotOpen:
		return bad("ballot", "is secret or open")
	case c.Eligibility != EligibilityAdmittedBeforeOpen:
		return bad("eligibility", "is %s", EligibilityAdmittedBeforeOpen)
	}
	return nil
}

// Period is the voting period a proposal asks for (0: the default), checked
// against the limits.
func (c Constitution) Period(hours int) (int, error) {
	if hours == 0 {
		return c.DefaultPeriodHours, nil
	}
	if hours < c.MinPeriodHours || hours > c.MaxPeriodHours {
		return 0, ErrInvalidPeriod.With("period_hours must be between %d and %d", c.MinPeriodHours, c.MaxPeriodHours)
	}
	return hours, nil
}

// MajorityBP is the majority a proposal needs.
func (c Constitution) MajorityBP(special bool) int {
	if special {
		return c.SpecialMajorityBP
	}
	return c.OrdinaryMajorityBP
}
