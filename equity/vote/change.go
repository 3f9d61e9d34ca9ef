package vote

import (
	"encoding/json"
	"strings"
	"time"

	"copyhold/equity"
	"copyhold/labeling"

	"github.com/shopspring/decimal"
)

// Kind is what a proposal changes.
type Kind string

const (
	KindRateCard        Kind = "rate_card"
	KindDefaultRateCard Kind = "default_rate_card"
	KindGovernance      Kind = "governance"
	KindEntryRule       Kind = "entry_rule"
	KindWorkLimits      Kind = "work_limits"
	KindDistribution    Kind = "distribution"
	KindReleaseLicense  Kind = "release_license"
	KindConstitution    Kind = "constitution"
	KindMotion          Kind = "motion"
	// KindAdmission admits an applicant (the entry rule's admission by
	// vote). Accepting an invite opens it; members do not propose it.
	KindAdmission Kind = "admission"
)

// Kinds lists every kind of change a member may propose (an admission is
// opened by accepting an invite).
var Kinds = []Kind{KindRateCard, KindDefaultRateCard, KindGovernance, KindEntryRule, KindWorkLimits,
	KindDistribution, KindReleaseLicense, KindConstitution, KindMotion}

// Special reports whether a change of this kind needs a special resolution.
func (k Kind) Special() bool { return k == KindConstitution }

// MovesMoney reports whether the change alters what members earn or pay
// (and so has a what-if preview).
func (k Kind) MovesMoney() bool {
	switch k {
	case KindMotion, KindConstitution, KindReleaseLicense, KindAdmission:
		return false
	}
	return true
}

// Rates are a rate card's prices; in a band, its bounds. Unit amounts are
// decimal strings ("1.500000"). A nil field is not part of the change.
type Rates struct {
	AnnotationAccepted   *string         `json:"annotation_accepted,omitempty"`
	Correction           *string         `json:"correction,omitempty"`
	ReviewDecision       *string         `json:"review_decision,omitempty"`
	CorrectionLabellerBP *int            `json:"correction_labeller_bp,omitempty"`
	Difficulty           *map[string]int `json:"difficulty,omitempty"`
}

// Band bounds the rate card a coordinator may give a new project alone.
type Band struct {
	Min Rates `json:"min"`
	Max Rates `json:"max"`
}

// Change is one typed change. Only the fields of its kind may be set; a
// field left out keeps its current value when the change executes.
type Change struct {
	Kind Kind `json:"kind"`

	// rate_card (project_id) and default_rate_card (band)
	ProjectID int64 `json:"project_id,omitempty"`
	Rates
	Band *Band `json:"band,omitempty"`

	// governance
	TransferFeeBP  *int    `json:"transfer_fee_bp,omitempty"`
	HoldingCapBP   *int    `json:"holding_cap_bp,omitempty"`
	CapFloor       *string `json:"cap_floor,omitempty"`
	ReserveShareBP *int    `json:"reserve_share_bp,omitempty"`
	ExitRule       *string `json:"exit_rule,omitempty"`

	// entry_rule
	Admission *string `json:"admission,omitempty"`
	EntryFee  *string `json:"entry_fee,omitempty"`

	// work_limits
	DailyStint   *int `json:"daily_stint,omitempty"`
	SensitiveMax *int `json:"sensitive_max,omitempty"`

	// distribution
	ModelID    int64  `json:"model_id,omitempty"`
	Amount     string `json:"amount,omitempty"`
	Currency   string `json:"currency,omitempty"`
	Scale      *int32 `json:"scale,omitempty"`
	Source     string `json:"source,omitempty"`
	RecordDate string `json:"record_date,omitempty"`

	// release_license
	ReleaseID int64  `json:"release_id,omitempty"`
	License   string `json:"license,omitempty"`
	Terms     string `json:"terms,omitempty"`

	// constitution
	QuorumBP           *int    `json:"quorum_bp,omitempty"`
	OrdinaryMajorityBP *int    `json:"ordinary_majority_bp,omitempty"`
	SpecialMajorityBP  *int    `json:"special_majority_bp,omitempty"`
	MinPeriodHours     *int    `json:"min_period_hours,omitempty"`
	DefaultPeriodHours *int    `json:"default_period_hours,omitempty"`
	MaxPeriodHours     *int    `json:"max_period_hours,omitempty"`
	Cosponsors         *int    `json:"cosponsors,omitempty"`
	Ballot             *string `json:"ballot,omitempty"`
	Eligibility        *string `json:"eligibility,omitempty"`

	// motion
	Text string `json:"text,omitempty"`

	// admission: the applicant (a member id)
	ApplicantID int64 `json:"applicant_id,omitempty"`
}

// JSON is the change's stored (and hashed) text.
func (c Change) JSON() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// ParseChange reads a stored change.
func ParseChange(s string) (Change, error) {
	var c Change
	err := json.Unmarshal([]byte(s), &c)
	return c, err
}

func bad(field, format string, args ...any) error {
	return ErrInvalidChange.With("change."+field+" "+format, args...)
}

// setFields names the fields a change sets, by kind group.
func (c Change) setFields() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(c.ProjectID != 0, "project_id")
	add(c.AnnotationAccepted != nil, "annotation_accepted")
	add(c.Correction != nil, "correction")
	add(c.ReviewDecision != nil, "review_decision")
	add(c.CorrectionLabellerBP != nil, "correction_labeller_bp")
	add(c.Difficulty != nil, "difficulty")
	add(c.Band != nil, "band")
	add(c.TransferFeeBP != nil, "transfer_fee_bp")
	add(c.HoldingCapBP != nil, "holding_cap_bp")
	add(c.CapFloor != nil, "cap_floor")
	add(c.ReserveShareBP != nil, "reserve_share_bp")
	add(c.ExitRule != nil, "exit_rule")
	add(c.Admission != nil, "admission")
	add(c.EntryFee != nil, "entry_fee")
	add(c.DailyStint != nil, "daily_stint")
	add(c.SensitiveMax != nil, "sensitive_max")
	add(c.ModelID != 0, "model_id")
	add(c.Amount != "", "amount")
	add(c.Currency != "", "currency")
	add(c.Scale != nil, "scale")
	add(c.Source != "", "source")
	add(c.RecordDate != "", "record_date")
	add(c.ReleaseID != 0, "release_id")
	add(c.License != "", "license")
	add(c.Terms != "", "terms")
	add(c.QuorumBP != nil, "quorum_bp")
	add(c.OrdinaryMajorityBP != nil, "ordinary_majority_bp")
	add(c.SpecialMajorityBP != nil, "special_majority_bp")
	add(c.MinPeriodHours != nil, "min_period_hours")
	add(c.DefaultPeriodHours != nil, "default_period_hours")
	add(c.MaxPeriodHours != nil, "max_period_hours")
	add(c.Cosponsors != nil, "cosponsors")
	add(c.Ballot != nil, "ballot")
	add(c.Eligibility != nil, "eligibility")
	add(c.Text != "", "text")
	add(c.ApplicantID != 0, "applicant_id")
	return out
}

var rateFields = []string{"annotation_accepted", "correction", "review_decision", "correction_labeller_bp", "difficulty"}

// fieldsOf lists the fields each kind may set.
var fieldsOf = map[Kind][]string{
	KindRateCard:        append([]string{"project_id"}, rateFields...),
	KindDefaultRateCard: append([]string{"band"}, rateFields...),
	KindGovernance:      {"transfer_fee_bp", "holding_cap_bp", "cap_floor", "reserve_share_bp", "exit_rule"},
	KindEntryRule:       {"admission", "entry_fee"},
	KindWorkLimits:      {"daily_stint", "sensitive_max"},
	KindDistribution:    {"model_id", "amount", "currency", "scale", "source", "record_date"},
	KindReleaseLicense:  {"release_id", "license", "terms"},
	KindConstitution: {"quorum_bp", "ordinary_majority_bp", "special_majority_bp", "min_period_hours",
		"default_period_hours", "max_period_hours", "cosponsors", "ballot", "eligibility"},
	KindMotion:    {"text"},
	KindAdmission: {"applicant_id"},
}

// Validate checks the change on its own (ranges, formats, required fields)
// and normalises it: unit amounts get six decimals, dates become RFC 3339
// UTC. Checks against the co-op's state (an unknown project, a band) are the
// service's. Errors are invalid_change naming the field.
func (c *Change) Validate(now time.Time) error {
	allowed, ok := fieldsOf[c.Kind]
	if !ok {
		names := make([]string, len(Kinds))
		for i, k := range Kinds {
			names[i] = string(k)
		}
		return bad("kind", "%q is not a kind of change: %s", c.Kind, strings.Join(names, ", "))
	}
	set := c.setFields()
	for _, f := range set {
		if !contains(allowed, f) {
			return bad(f, "is not part of a %s change", c.Kind)
		}
	}
	switch c.Kind {
	case KindRateCard:
		if c.ProjectID <= 0 {
			return bad("project_id", "is required: the project whose rate card changes")
		}
		if len(set) == 1 {
			return bad("annotation_accepted", "or another rate is required: the change changes nothing")
		}
		return c.Rates.validate("", true)
	case KindDefaultRateCard:
		if len(set) == 0 {
			return bad("annotation_accepted", "or another rate, or band, is required: the change changes nothing")
		}
		if err := c.Rates.validate("", true); err != nil {
			return err
		}
		if c.Band != nil {
			if err := c.Band.Min.validate("band.min.", false); err != nil {
				return err
			}
			return c.Band.Max.validate("band.max.", false)
		}
		return nil
	case KindGovernance:
		if len(set) == 0 {
			return bad("transfer_fee_bp", "or another parameter is required: the change changes nothing")
		}
		if err := bp(c.TransferFeeBP, "transfer_fee_bp", 0, 10000); err != nil {
			return err
		}
		if err := bp(c.HoldingCapBP, "holding_cap_bp", 1, 10000); err != nil {
			return err
		}
		if err := normUnits(c.CapFloor, "cap_floor", false); err != nil {
			return err
		}
		if err := bp(c.ReserveShareBP, "reserve_share_bp", 0, 10000); err != nil {
			return err
		}
		if c.ExitRule != nil && *c.ExitRule != string(equity.ExitSuccessorElseReserve) && *c.ExitRule != string(equity.ExitReserve) {
			return bad("exit_rule", "is successor_else_reserve or reserve, not %q", *c.ExitRule)
		}
	case KindEntryRule:
		if len(set) == 0 {
			return bad("admission", "or entry_fee is required: the change changes nothing")
		}
		if c.Admission != nil && *c.Admission != AdmissionInvite && *c.Admission != AdmissionVote {
			return bad("admission", "is invite or vote, not %q", *c.Admission)
		}
		return normUnits(c.EntryFee, "entry_fee", false)
	case KindWorkLimits:
		if len(set) == 0 {
			return bad("daily_stint", "or sensitive_max is required: the change changes nothing")
		}
		if err := bp(c.DailyStint, "daily_stint", 0, 100000); err != nil {
			return err
		}
		return bp(c.SensitiveMax, "sensitive_max", 0, labeling.CoopSensitiveDailyCap)
	case KindDistribution:
		return c.validateDistribution(now)
	case KindReleaseLicense:
		switch {
		case c.ReleaseID <= 0:
			return bad("release_id", "is required: the release whose data is licensed")
		case strings.TrimSpace(c.License) == "" || len(c.License) > 200:
			return bad("license", "is required: an SPDX id or a short licence name (at most 200 characters)")
		case len(c.Terms) > 20000:
			return bad("terms", "is at most 20000 characters")
		}
		c.License = strings.TrimSpace(c.License)
	case KindConstitution:
		if len(set) == 0 {
			return bad("quorum_bp", "or another rule is required: the change changes nothing")
		}
		// Ranges are checked on the constitution the change would make (ApplyConstitution).
	case KindMotion:
		if strings.TrimSpace(c.Text) == "" || len(c.Text) > 20000 {
			return bad("text", "is required (at most 20000 characters): what the co-op resolves")
		}
	case KindAdmission:
		if c.ApplicantID <= 0 {
			return bad("applicant_id", "is required: the applicant to admit")
		}
	}
	return nil
}

func (c *Change) validateDistribution(now time.Time) error {
	if c.ModelID <= 0 {
		return bad("model_id", "is required: the model whose holders are paid")
	}
	scale := int32(2)
	if c.Scale != nil {
		scale = *c.Scale
	}
	if scale < 0 || scale > equity.MaxScale {
		return bad("scale", "must be between 0 and %d", equity.MaxScale)
	}
	if !equity.ValidCurrency(c.Currency) {
		return bad("currency", "is 3 to 8 capital letters, like EUR")
	}
	amt, err := equity.ParseAmount(c.Amount, scale)
	if err != nil {
		return bad("amount", "must be a positive amount with at most %d decimals", scale)
	}
	c.Amount = equity.Format(amt, scale)
	c.Scale = &scale
	if strings.TrimSpace(c.Source) == "" || len(c.Source) > 200 {
		return bad("source", "is required: where the money comes from (at most 200 characters)")
	}
	if c.RecordDate == "" {
		return bad("record_date", "is required: holders are counted at this date")
	}
	rd, err := ParseTime(c.RecordDate)
	if err != nil {
		return bad("record_date", "is RFC 3339 or YYYY-MM-DD, not %q", c.RecordDate)
	}
	if rd.After(now) {
		return bad("record_date", "must not be in the future")
	}
	c.RecordDate = rd.UTC().Format(time.RFC3339Nano)
	return nil
}

// ParseTime reads RFC 3339 or a date.
func ParseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	return time.Parse("2006-01-02", v)
}

func (r *Rates) validate(prefix string, positiveAnnotation bool) error {
	if err := normUnits(r.AnnotationAccepted, prefix+"annotation_accepted", positiveAnnotation); err != nil {
		return err
	}
	if err := normUnits(r.Correction, prefix+"correction", false); err != nil {
		return err
	}
	if err := normUnits(r.ReviewDecision, prefix+"review_decision", false); err != nil {
		return err
	}
	if err := bp(r.CorrectionLabellerBP, prefix+"correction_labeller_bp", 0, 10000); err != nil {
		return err
	}
	if r.Difficulty != nil {
		for name, v := range *r.Difficulty {
			if name == "" || len(name) > 40 || v < 0 || v > 100000 {
				return bad(prefix+"difficulty", "%q: names are 1-40 characters, multipliers 0-100000 basis points", name)
			}
		}
	}
	return nil
}

func bp(v *int, field string, lo, hi int) error {
	if v != nil && (*v < lo || *v > hi) {
		return bad(field, "must be between %d and %d, not %d", lo, hi, *v)
	}
	return nil
}

// normUnits checks a unit amount (>= 0, or > 0 when positive) and rewrites
// it with six decimals.
func normUnits(v *string, field string, positive bool) error {
	if v == nil {
		return nil
	}
	n, err := ParseUnits(*v)
	if err != nil {
		return bad(field, "%s", err.Error())
	}
	if positive && n == 0 {
		return bad(field, "must be greater than zero")
	}
	*v = equity.Format(n, equity.UnitScale)
	return nil
}

// ParseUnits reads a unit amount that may be zero but not negative.
func ParseUnits(s string) (int64, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return 0, ErrInvalidChange.With("must be a decimal number of units, not %q", s)
	}
	if d.Sign() < 0 {
		return 0, ErrInvalidChange.With("must not be negative, not %s", d.String())
	}
	if d.IsZero() {
		return 0, nil
	}
	n, err := equity.FromDecimal(d, equity.UnitScale)
	if err != nil {
		return 0, ErrInvalidChange.With("must have at most %d decimals and be in range", equity.UnitScale)
	}
	return n, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func units(s *string) int64 {
	n, _ := ParseUnits(*s)
	return n
}

func ptr[T any](v T) *T { return &v }

func fmtUnits(v int64) *string { return ptr(equity.Format(v, equity.UnitScale)) }
