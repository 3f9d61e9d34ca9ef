package equity

import (
	"math/big"
	"time"
)

// Action is a kind of work a rate card prices.
type Action string

const (
	ActionAnnotationAccepted Action = "annotation_accepted"
	ActionCorrection         Action = "correction"
	ActionReviewDecision     Action = "review_decision"
)

// RateCard prices work in a project, in micro-units of the project's model.
// Cards are versioned: a change appends a new version, and every posting
// keeps the version it used, so the past is never rewritten.
type RateCard struct {
	ID        int64 `json:"id"`
	ProjectID int64 `json:"project_id"`
	Version   int   `json:"version"`
	// AnnotationAccepted is credited (pending) per submission, vested on acceptance.
	AnnotationAccepted int64 `json:"annotation_accepted"`
	// Correction goes to the reviewer who corrects a submission.
	Correction int64 `json:"correction"`
	// ReviewDecision goes to the reviewer for each decision.
	ReviewDecision int64 `json:"review_decision"`
	// CorrectionLabellerBP is the share (basis points) of the pending credit
	// the labeller keeps when their submission is corrected; the rest returns
	// to issuance.
	CorrectionLabellerBP int `json:"correction_labeller_bp"`
	// Difficulty multipliers in basis points by difficulty name (10000 = ×1).
	Difficulty map[string]int `json:"difficulty"`
	Reason     string         `json:"reason"`
	ActorID    int64          `json:"actor_id,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
	// ProposalID is the passing proposal that made this version (0: none).
	ProposalID int64    `json:"proposal_id,omitempty"`
	Vote       *VoteRef `json:"vote,omitempty"`
}

// Validate checks a proposed rate card.
func (r RateCard) Validate() error {
	if r.AnnotationAccepted < 0 || r.Correction < 0 || r.ReviewDecision < 0 {
		return ErrInvalidRateCard.With("rates must not be negative")
	}
	if r.CorrectionLabellerBP < 0 || r.CorrectionLabellerBP > 10000 {
		return ErrInvalidRateCard.With("correction_labeller_bp must be between 0 and 10000")
	}
	for name, bp := range r.Difficulty {
		if name == "" || len(name) > 40 || bp < 0 || bp > 100000 {
			return ErrInvalidRateCard.With("difficulty %q: multipliers are 0-100000 basis points", name)
		}
	}
	if r.Reason == "" {
		return ErrInvalidRateCard.With("say why the rate card changes (reason)")
	}
	return nil
}

// AnnotationCredit is the pending credit for one submission of the given
// difficulty (unknown or empty difficulty: ×1), rounded down.
func (r RateCard) AnnotationCredit(difficulty string) int64 {
	bp, ok := r.Difficulty[difficulty]
	if difficulty == "" || !ok {
		return r.AnnotationAccepted
	}
	return MulBP(r.AnnotationAccepted, bp, false)
}

// CorrectionSplit says how much of a pending credit the labeller keeps.
func (r RateCard) CorrectionSplit(pending int64) (labeller, returned int64) {
	labeller = MulBP(pending, r.CorrectionLabellerBP, false)
	return labeller, pending - labeller
}

// ExitRule says where a former member's vested units go.
type ExitRule string

const (
	ExitSuccessorElseReserve ExitRule = "successor_else_reserve"
	ExitReserve              ExitRule = "reserve"
)

// Governance holds the co-op's ledger parameters, versioned like rate cards.
type Governance struct {
	ID      int64 `json:"id"`
	Version int   `json:"version"`
	// TransferFeeBP is charged on transfers (rounded up), paid to the reserve.
	TransferFeeBP int `json:"transfer_fee_bp"`
	// HoldingCapBP is the most of a model's issued units one member may hold
	// (pending + vested), checked at issuance and transfer once the model has
	// issued at least CapFloor units (a young model would otherwise refuse
	// its first labeller).
	HoldingCapBP int   `json:"holding_cap_bp"`
	CapFloor     int64 `json:"cap_floor"`
	// ReserveShareBP of every revenue goes to the reserve (rounded down).
	ReserveShareBP int       `json:"reserve_share_bp"`
	ExitRule       ExitRule  `json:"exit_rule"`
	Reason         string    `json:"reason"`
	ActorID        int64     `json:"actor_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	// ProposalID is the passing proposal that made this version (0: none).
	ProposalID int64    `json:"proposal_id,omitempty"`
	Vote       *VoteRef `json:"vote,omitempty"`
}

// DefaultGovernance applies until the co-op records version 1: no fee, no
// cap, no reserve share, holdings pass to the successor.
// Capped reports whether a holding cap is in force (below 100 %).
func (g Governance) Capped() bool { return g.HoldingCapBP < 10000 }

func DefaultGovernance() Governance {
	return Governance{HoldingCapBP: 10000, ExitRule: ExitSuccessorElseReserve}
}

// Validate checks proposed parameters.
func (g Governance) Validate() error {
	switch {
	case g.TransferFeeBP < 0 || g.TransferFeeBP > 10000:
		return ErrInvalidGovernance.With("transfer_fee_bp must be between 0 and 10000")
	case g.HoldingCapBP < 1 || g.HoldingCapBP > 10000:
		return ErrInvalidGovernance.With("holding_cap_bp must be between 1 and 10000")
	case g.CapFloor < 0:
		return ErrInvalidGovernance.With("cap_floor must not be negative")
	case g.ReserveShareBP < 0 || g.ReserveShareBP > 10000:
		return ErrInvalidGovernance.With("reserve_share_bp must be between 0 and 10000")
	case g.ExitRule != ExitSuccessorElseReserve && g.ExitRule != ExitReserve:
		return ErrInvalidGovernance.With("exit_rule is successor_else_reserve or reserve")
	case g.Reason == "":
		return ErrInvalidGovernance.With("say why the parameters change (reason)")
	}
	return nil
}

// TransferFee is the fee on a transfer of amount, rounded up.
func (g Governance) TransferFee(amount int64) int64 { return MulBP(amount, g.TransferFeeBP, true) }

// ReserveShare is the reserve's part of a revenue, rounded down.
func (g Governance) ReserveShare(amount int64) int64 { return MulBP(amount, g.ReserveShareBP, false) }

// WithinCap reports whether a member holding `held` units (pending + vested,
// after the change) stays within the cap when the model has issued `issued`.
func (g Governance) WithinCap(held, issued int64) bool {
	if g.HoldingCapBP >= 10000 || issued < g.CapFloor || issued <= 0 {
		return true
	}
	// held/issued <= cap/10000, in exact integers.
	l := new(big.Int).Mul(big.NewInt(held), big.NewInt(10000))
	r := new(big.Int).Mul(big.NewInt(issued), big.NewInt(int64(g.HoldingCapBP)))
	return l.Cmp(r) <= 0
}

// MulBP is v × bp / 10000 in exact integer arithmetic, rounded down or up.
func MulBP(v int64, bp int, up bool) int64 {
	p := new(big.Int).Mul(big.NewInt(v), big.NewInt(int64(bp)))
	q, m := new(big.Int).QuoRem(p, big.NewInt(10000), new(big.Int))
	if up && m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}
