package vote

import (
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"

	"copyhold/equity"
	"copyhold/labeling"
)

// Rule names of the versioned rules without a table of their own.
const (
	RuleDefaultRateCard = "default_rate_card"
	RuleEntryRule       = "entry_rule"
	RuleWorkLimits      = "work_limits"
	RuleReleaseLicense  = "release_license"
)

// Card is a rate card's prices in micro-units.
type Card struct {
	AnnotationAccepted   int64          `json:"annotation_accepted"`
	Correction           int64          `json:"correction"`
	ReviewDecision       int64          `json:"review_decision"`
	CorrectionLabellerBP int            `json:"correction_labeller_bp"`
	Difficulty           map[string]int `json:"difficulty"`
}

// CardOf takes the prices of a rate card.
func CardOf(rc equity.RateCard) Card {
	return Card{rc.AnnotationAccepted, rc.Correction, rc.ReviewDecision, rc.CorrectionLabellerBP, maps.Clone(rc.Difficulty)}
}

// RateCard is the card as an equity rate card (without project or version).
func (c Card) RateCard() equity.RateCard {
	d := maps.Clone(c.Difficulty)
	if d == nil {
		d = map[string]int{}
	}
	return equity.RateCard{AnnotationAccepted: c.AnnotationAccepted, Correction: c.Correction, ReviewDecision: c.ReviewDecision,
		CorrectionLabellerBP: c.CorrectionLabellerBP, Difficulty: d}
}

func (c Card) apply(r Rates) Card {
	if r.AnnotationAccepted != nil {
		c.AnnotationAccepted = units(r.AnnotationAccepted)
	}
	if r.Correction != nil {
		c.Correction = units(r.Correction)
	}
	if r.ReviewDecision != nil {
		c.ReviewDecision = units(r.ReviewDecision)
	}
	if r.CorrectionLabellerBP != nil {
		c.CorrectionLabellerBP = *r.CorrectionLabellerBP
	}
	if r.Difficulty != nil {
		c.Difficulty = maps.Clone(*r.Difficulty)
	}
	return c
}

func (c Card) rates() Rates {
	d := maps.Clone(c.Difficulty)
	if d == nil {
		d = map[string]int{}
	}
	return Rates{fmtUnits(c.AnnotationAccepted), fmtUnits(c.Correction), fmtUnits(c.ReviewDecision), ptr(c.CorrectionLabellerBP), &d}
}

// DefaultCard is the rate card new projects start with, and the band within
// which a coordinator may set a new project's card without a vote.
type DefaultCard struct {
	Card Card `json:"card"`
	Min  Card `json:"min"`
	Max  Card `json:"max"`
}

// ShippedDefaultCard applies until the members vote a default rate card:
// one unit per accepted annotation, half a unit per correction, a tenth per
// review decision, half kept by a corrected labeller; a coordinator may
// set a new project's card from half to double the annotation rate, from
// nothing to double the correction and review rates, and any labeller share.
func ShippedDefaultCard() DefaultCard {
	return DefaultCard{
		Card: Card{AnnotationAccepted: 1_000_000, Correction: 500_000, ReviewDecision: 100_000, CorrectionLabellerBP: 5000, Difficulty: map[string]int{}},
		Min:  Card{AnnotationAccepted: 500_000, Difficulty: map[string]int{}},
		Max:  Card{AnnotationAccepted: 2_000_000, Correction: 1_000_000, ReviewDecision: 200_000, CorrectionLabellerBP: 10000, Difficulty: map[string]int{}},
	}
}

// Admits checks that a coordinator's card for a new project lies in the
// band; the refusal is needs_vote and names the first field outside.
func (d DefaultCard) Admits(rc equity.RateCard) error {
	out := func(field string, v, lo, hi string) error {
		return ErrNeedsVote.With("%s %s is outside the band the members voted (%s to %s); a rate card outside it needs a vote: %s",
			field, v, lo, hi, ProposalRoute)
	}
	f := func(v int64) string { return equity.Format(v, equity.UnitScale) }
	for _, x := range []struct {
		name      string
		v, lo, hi int64
	}{
		{"annotation_accepted", rc.AnnotationAccepted, d.Min.AnnotationAccepted, d.Max.AnnotationAccepted},
		{"correction", rc.Correction, d.Min.Correction, d.Max.Correction},
		{"review_decision", rc.ReviewDecision, d.Min.ReviewDecision, d.Max.ReviewDecision},
	} {
		if x.v < x.lo || x.v > x.hi {
			return out(x.name, f(x.v), f(x.lo), f(x.hi))
		}
	}
	if bp := rc.CorrectionLabellerBP; bp < d.Min.CorrectionLabellerBP || bp > d.Max.CorrectionLabellerBP {
		return out("correction_labeller_bp", fmt.Sprint(bp), fmt.Sprint(d.Min.CorrectionLabellerBP), fmt.Sprint(d.Max.CorrectionLabellerBP))
	}
	names := make([]string, 0, len(rc.Difficulty))
	for n := range rc.Difficulty {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// A multiplier the band does not name may only lower the rate.
		lo, hi := d.Min.Difficulty[n], 10000
		if v, ok := d.Max.Difficulty[n]; ok {
			hi = v
		}
		if v := rc.Difficulty[n]; v < lo || v > hi {
			return out("difficulty."+n, fmt.Sprint(v), fmt.Sprint(lo), fmt.Sprint(hi))
		}
	}
	return nil
}

func (d DefaultCard) validate() error {
	for _, x := range []struct {
		name      string
		v, lo, hi int64
	}{
		{"annotation_accepted", d.Card.AnnotationAccepted, d.Min.AnnotationAccepted, d.Max.AnnotationAccepted},
		{"correction", d.Card.Correction, d.Min.Correction, d.Max.Correction},
		{"review_decision", d.Card.ReviewDecision, d.Min.ReviewDecision, d.Max.ReviewDecision},
		{"correction_labeller_bp", int64(d.Card.CorrectionLabellerBP), int64(d.Min.CorrectionLabellerBP), int64(d.Max.CorrectionLabellerBP)},
	} {
		if x.lo > x.hi {
			return bad("band.min."+x.name, "must not be above band.max.%s", x.name)
		}
		if x.v < x.lo || x.v > x.hi {
			return bad(x.name, "must lie within the band (band.min.%s to band.max.%s)", x.name, x.name)
		}
	}
	return nil
}

// EntryRule says how members are admitted and what joining costs.
type EntryRule struct {
	Admission string `json:"admission"`
	EntryFee  int64  `json:"entry_fee"` // micro-units, fixed, never market-priced
}

// Admission modes.
const (
	AdmissionInvite = "invite"
	AdmissionVote   = "vote"
)

// DefaultEntryRule: admission by a coordinator's invite, no entry fee.
func DefaultEntryRule() EntryRule { return EntryRule{Admission: AdmissionInvite} }

// WorkLimits are the co-op-wide daily limits; projects' stints and members'
// sensitive caps are clamped to them.
type WorkLimits struct {
	DailyStint   int `json:"daily_stint"` // tasks per member per project per day; 0: none
	SensitiveMax int `json:"sensitive_max"`
}

// DefaultWorkLimits: no co-op stint, the engine's sensitive maximum.
func DefaultWorkLimits() WorkLimits {
	return WorkLimits{DailyStint: 0, SensitiveMax: labeling.CoopSensitiveDailyCap}
}

// ReleaseLicense is the terms under which a release's data may be licensed.
type ReleaseLicense struct {
	ReleaseID int64  `json:"release_id"`
	License   string `json:"license"`
	Terms     string `json:"terms"`
}

// RuleBody is a rule version's stored (and hashed) text.
func RuleBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// ---- applying a change to the rule in force ----

// ApplyRateCard is a project's card with the change applied.
func (c Change) ApplyRateCard(cur equity.RateCard) equity.RateCard {
	out := CardOf(cur).apply(c.Rates).RateCard()
	out.ProjectID = cur.ProjectID
	return out
}

// ApplyDefaultCard is the default card and band with the change applied,
// checked (the default card must lie within its band).
func (c Change) ApplyDefaultCard(cur DefaultCard) (DefaultCard, error) {
	out := DefaultCard{Card: cur.Card.apply(c.Rates), Min: cur.Min, Max: cur.Max}
	if c.Band != nil {
		out.Min = cur.Min.apply(c.Band.Min)
		out.Max = cur.Max.apply(c.Band.Max)
	}
	return out, out.validate()
}

// ApplyGovernance is the governance with the change applied, checked.
func (c Change) ApplyGovernance(cur equity.Governance) (equity.Governance, error) {
	g := equity.Governance{TransferFeeBP: cur.TransferFeeBP, HoldingCapBP: cur.HoldingCapBP, CapFloor: cur.CapFloor,
		ReserveShareBP: cur.ReserveShareBP, ExitRule: cur.ExitRule, Reason: "vote"}
	if c.TransferFeeBP != nil {
		g.TransferFeeBP = *c.TransferFeeBP
	}
	if c.HoldingCapBP != nil {
		g.HoldingCapBP = *c.HoldingCapBP
	}
	if c.CapFloor != nil {
		g.CapFloor = units(c.CapFloor)
	}
	if c.ReserveShareBP != nil {
		g.ReserveShareBP = *c.ReserveShareBP
	}
	if c.ExitRule != nil {
		g.ExitRule = equity.ExitRule(*c.ExitRule)
	}
	if err := g.Validate(); err != nil {
		return g, ErrInvalidChange.With("%s", err.Error())
	}
	return g, nil
}

// ApplyEntryRule is the entry rule with the change applied.
func (c Change) ApplyEntryRule(cur EntryRule) EntryRule {
	if c.Admission != nil {
		cur.Admission = *c.Admission
	}
	if c.EntryFee != nil {
		cur.EntryFee = units(c.EntryFee)
	}
	return cur
}

// ApplyWorkLimits is the work limits with the change applied.
func (c Change) ApplyWorkLimits(cur WorkLimits) WorkLimits {
	if c.DailyStint != nil {
		cur.DailyStint = *c.DailyStint
	}
	if c.SensitiveMax != nil {
		cur.SensitiveMax = *c.SensitiveMax
	}
	return cur
}

// ApplyConstitution is the constitution with the change applied, checked.
func (c Change) ApplyConstitution(cur Constitution) (Constitution, error) {
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	out := cur
	out.ID, out.Version, out.ProposalID, out.CreatedAt, out.ActorID, out.Reason = 0, 0, nil, nil, 0, ""
	set(&out.QuorumBP, c.QuorumBP)
	set(&out.OrdinaryMajorityBP, c.OrdinaryMajorityBP)
	set(&out.SpecialMajorityBP, c.SpecialMajorityBP)
	set(&out.MinPeriodHours, c.MinPeriodHours)
	set(&out.DefaultPeriodHours, c.DefaultPeriodHours)
	set(&out.MaxPeriodHours, c.MaxPeriodHours)
	set(&out.Cosponsors, c.Cosponsors)
	if c.Ballot != nil {
		out.Ballot = *c.Ballot
	}
	if c.Eligibility != nil {
		out.Eligibility = *c.Eligibility
	}
	return out, out.Validate()
}

// ---- the rule in force, in a change's shape (Proposal.current) ----

// Current is the rule a change of kind k replaces, in the change's shape.
// Fields the rule lacks stay unset.
type Current struct {
	RateCard     *equity.RateCard
	Default      DefaultCard
	Governance   equity.Governance
	EntryRule    EntryRule
	WorkLimits   WorkLimits
	License      *ReleaseLicense
	Constitution Constitution
}

// Shape renders the rule in force for a change c (nil: nothing to compare).
func (cur Current) Shape(c Change) *Change {
	out := Change{Kind: c.Kind}
	switch c.Kind {
	case KindRateCard:
		if cur.RateCard == nil {
			return nil
		}
		out.ProjectID = c.ProjectID
		out.Rates = CardOf(*cur.RateCard).rates()
	case KindDefaultRateCard:
		out.Rates = cur.Default.Card.rates()
		out.Band = &Band{Min: cur.Default.Min.rates(), Max: cur.Default.Max.rates()}
	case KindGovernance:
		g := cur.Governance
		out.TransferFeeBP, out.HoldingCapBP, out.CapFloor = ptr(g.TransferFeeBP), ptr(g.HoldingCapBP), fmtUnits(g.CapFloor)
		out.ReserveShareBP, out.ExitRule = ptr(g.ReserveShareBP), ptr(string(g.ExitRule))
	case KindEntryRule:
		out.Admission, out.EntryFee = ptr(cur.EntryRule.Admission), fmtUnits(cur.EntryRule.EntryFee)
	case KindWorkLimits:
		out.DailyStint, out.SensitiveMax = ptr(cur.WorkLimits.DailyStint), ptr(cur.WorkLimits.SensitiveMax)
	case KindReleaseLicense:
		if cur.License == nil {
			return nil
		}
		out.ReleaseID, out.License, out.Terms = cur.License.ReleaseID, cur.License.License, cur.License.Terms
	case KindConstitution:
		k := cur.Constitution
		out.QuorumBP, out.OrdinaryMajorityBP, out.SpecialMajorityBP = ptr(k.QuorumBP), ptr(k.OrdinaryMajorityBP), ptr(k.SpecialMajorityBP)
		out.MinPeriodHours, out.DefaultPeriodHours, out.MaxPeriodHours = ptr(k.MinPeriodHours), ptr(k.DefaultPeriodHours), ptr(k.MaxPeriodHours)
		out.Cosponsors, out.Ballot, out.Eligibility = ptr(k.Cosponsors), ptr(k.Ballot), ptr(k.Eligibility)
	default:
		return nil
	}
	return &out
}

// Describe is a one-line summary of a change, for logs and the CLI.
func (c Change) Describe() string {
	var parts []string
	b, _ := json.Marshal(c)
	var m map[string]any
	json.Unmarshal(b, &m)
	delete(m, "kind")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, _ := json.Marshal(m[k])
		parts = append(parts, k+"="+string(v))
	}
	return string(c.Kind) + " " + strings.Join(parts, " ")
}
