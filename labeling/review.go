package labeling

import (
	"copyhold/labeling/agreement"
	"copyhold/labeling/fault"
	"copyhold/labeling/tasktype"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Review: what happens to an item once it has its k submissions.
//
// Item (per scoring round): complete → scored → auto (accepted without review)
// or queued → leased (a reviewer holds it; an expired lease is claimable
// again) → decided. A rejection gives the slot back: the item is open again,
// a new labeller fills it, and the next completion is a new round.
//
// Submission: submitted → accepted | rejected | corrected (first decision);
// rejected → disputed (by its labeller, once, with a comment);
// disputed → accepted | rejected (by a different reviewer; final).

// Submission statuses added by review (SubmissionSubmitted is in project.go).
const (
	SubmissionAccepted  SubmissionStatus = "accepted"
	SubmissionRejected  SubmissionStatus = "rejected"
	SubmissionCorrected SubmissionStatus = "corrected"
	SubmissionDisputed  SubmissionStatus = "disputed"
)

// Decision is a reviewer's verdict on one submission.
type Decision string

const (
	DecisionAccept  Decision = "accept"
	DecisionReject  Decision = "reject"
	DecisionCorrect Decision = "correct"
)

// ReviewRoute says how a scored item went on.
type ReviewRoute string

const (
	RouteAuto   ReviewRoute = "auto"   // auto-accepted
	RouteReview ReviewRoute = "review" // below threshold, gold failed, labeller on probation, or no auto-accept
	RouteSample ReviewRoute = "sample" // would have been auto-accepted; sampled into review
)

// ReviewState is where an item_reviews row is.
type ReviewState string

const (
	ReviewAutoAccepted ReviewState = "auto_accepted"
	ReviewQueued       ReviewState = "queued"
	ReviewLeased       ReviewState = "leased"
	ReviewDecided      ReviewState = "decided"
)

// ReviewKind: a scoring round of an item, or a disputed rejection.
type ReviewKind string

const (
	ReviewKindItem    ReviewKind = "item"
	ReviewKindDispute ReviewKind = "dispute"
)

// MetricGold is the metric of a gold answer's own scoring round.
const MetricGold = "gold"

// Reasons an item is routed to review (stored with the round).
const (
	ReasonAutoAcceptOff       = "auto_accept_off"
	ReasonBelowThreshold      = "below_threshold"
	ReasonAgreementUndefined  = "agreement_undefined"
	ReasonGoldFailed          = "gold_failed"
	ReasonLabellerOnProbation = "labeller_on_probation"
	ReasonSampled             = "sampled"
	ReasonDisputed            = "disputed"
)

// Tie policies of the stored majority-vote consensus.
const (
	TiePolicyUndecided   = "undecided"    // a tie leaves the item without a consensus label
	TiePolicySchemaOrder = "schema_order" // the tied label listed first in the schema wins
	TiePolicySeeded      = "seeded"       // a reproducible pick from the project's random seed
)

// Review limits and defaults.
const (
	MaxRejectReasons     = 30
	MaxRejectReasonLen   = 100
	MaxReviewCommentLen  = 5_000
	MaxDisputeCommentLen = 5_000
	MaxDecisionsPerCall  = 20
	DefaultGoldWindow    = 20
	MaxGoldWindow        = 1000
)

// DefaultRejectReasons is the reason list of a project that has not chosen its own.
var DefaultRejectReasons = []string{"wrong_label", "incomplete", "ignored_instructions", "low_effort", "other"}

// ReviewSettings are a project's review rules. Rates are basis points.
type ReviewSettings struct {
	ProjectID int64 `json:"project_id"`
	// AutoAccept turns auto-acceptance on: a scored item whose agreement is
	// at least AutoAcceptBP, with no failed gold check and no labeller on
	// probation, is accepted without review (except a SampleRateBP sample).
	AutoAccept      bool      `json:"auto_accept"`
	AutoAcceptBP    int       `json:"auto_accept_bp"`
	SampleRateBP    int       `json:"sample_rate_bp"`
	GoldThresholdBP int       `json:"gold_threshold_bp"` // 0 = no gold routing
	GoldWindow      int       `json:"gold_window"`       // the last N gold items count
	RejectReasons   []string  `json:"reject_reasons"`
	TiePolicy       string    `json:"tie_policy"`
	UpdatedAt       time.Time `json:"updated_at,omitzero"` // absent until a coordinator changes them
}

// DefaultReviewSettings: everything is reviewed until a coordinator opts in.
func DefaultReviewSettings(projectID int64) ReviewSettings {
	return ReviewSettings{ProjectID: projectID, AutoAcceptBP: 10_000, GoldWindow: DefaultGoldWindow,
		RejectReasons: slices.Clone(DefaultRejectReasons), TiePolicy: TiePolicyUndecided}
}

// ReviewSettingsPatch changes some review settings; nil fields stay.
type ReviewSettingsPatch struct {
	AutoAccept      *bool     `json:"auto_accept,omitempty"`
	AutoAcceptBP    *int      `json:"auto_accept_bp,omitempty"`
	SampleRateBP    *int      `json:"sample_rate_bp,omitempty"`
	GoldThresholdBP *int      `json:"gold_threshold_bp,omitempty"`
	GoldWindow      *int      `json:"gold_window,omitempty"`
	RejectReasons   *[]string `json:"reject_reasons,omitempty"`
	TiePolicy       *string   `json:"tie_policy,omitempty"`
}

// Apply returns s with the patch applied, normalised.
func (pp ReviewSettingsPatch) Apply(s ReviewSettings) (ReviewSettings, error) {
	if pp.AutoAccept != nil {
		s.AutoAccept = *pp.AutoAccept
	}
	if pp.AutoAcceptBP != nil {
		s.AutoAcceptBP = *pp.AutoAcceptBP
	}
	if pp.SampleRateBP != nil {
		s.SampleRateBP = *pp.SampleRateBP
	}
	if pp.GoldThresholdBP != nil {
		s.GoldThresholdBP = *pp.GoldThresholdBP
	}
	if pp.GoldWindow != nil {
		s.GoldWindow = *pp.GoldWindow
	}
	if pp.RejectReasons != nil {
		s.RejectReasons = slices.Clone(*pp.RejectReasons)
	}
	if pp.TiePolicy != nil {
		s.TiePolicy = *pp.TiePolicy
	}
	return s.Normalize()
}

// Normalize checks every field; reasons are trimmed and must be unique.
func (s ReviewSettings) Normalize() (ReviewSettings, error) {
	for name, v := range map[string]int{"auto_accept_bp": s.AutoAcceptBP, "sample_rate_bp": s.SampleRateBP, "gold_threshold_bp": s.GoldThresholdBP} {
		if v < 0 || v > 10_000 {
			return s, fault.ErrInvalid.With("%s must be between 0 and 10000 basis points, not %d", name, v)
		}
	}
	if s.GoldWindow < 1 || s.GoldWindow > MaxGoldWindow {
		return s, fault.ErrInvalid.With("gold_window must be between 1 and %d, not %d", MaxGoldWindow, s.GoldWindow)
	}
	switch s.TiePolicy {
	case "":
		s.TiePolicy = TiePolicyUndecided
	case TiePolicyUndecided, TiePolicySchemaOrder, TiePolicySeeded:
	default:
		return s, fault.ErrInvalid.With("tie_policy must be undecided, schema_order or seeded, not %q", s.TiePolicy)
	}
	if len(s.RejectReasons) == 0 || len(s.RejectReasons) > MaxRejectReasons {
		return s, fault.ErrInvalid.With("reject_reasons needs 1-%d reasons", MaxRejectReasons)
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(s.RejectReasons))
	for i, r := range s.RejectReasons {
		r = strings.TrimSpace(r)
		if r == "" || utf8.RuneCountInString(r) > MaxRejectReasonLen || tasktype.HasControl(r) {
			return s, fault.ErrInvalid.With("reject_reasons[%d]: a reason is 1-%d characters without control characters", i, MaxRejectReasonLen)
		}
		if seen[r] {
			return s, fault.ErrInvalid.With("reject_reasons[%d]: %q is listed twice", i, r)
		}
		seen[r] = true
		out = append(out, r)
	}
	s.RejectReasons = out
	return s, nil
}

// Review errors.
var (
	ErrNoReviews           = fault.New(fault.KindNotFound, "no_reviews", "nothing is waiting for your review in this project")
	ErrAlreadyDecided      = fault.New(fault.KindConflict, "already_decided", "this submission has already been decided")
	ErrOwnWork             = fault.New(fault.KindForbidden, "own_work", "you cannot review your own submission")
	ErrUnknownRejectReason = fault.New(fault.KindInvalid, "unknown_reject_reason", "the reject reason is not one of the project's reasons")
	ErrDecisionInvalid     = fault.New(fault.KindInvalid, "invalid_decision", "the decision is invalid")
	ErrDecisionsIncomplete = fault.New(fault.KindInvalid, "decisions_incomplete", "every pending submission of the item needs a decision")
	ErrNotRejected         = fault.New(fault.KindConflict, "not_rejected", "only a rejected submission can be disputed")
	ErrAlreadyDisputed     = fault.New(fault.KindConflict, "already_disputed", "a rejection can be disputed once")
)

// DecisionInput is the verdict on one submission.
type DecisionInput struct {
	SubmissionID    int64           `json:"submission_id"`
	Decision        Decision        `json:"decision"`
	Reason          string          `json:"reason,omitempty"`
	Comment         string          `json:"comment,omitempty"`
	CorrectedAnswer json.RawMessage `json:"corrected_answer,omitempty"`
}

// DecisionRequest decides the pending submissions of the review held by LeaseToken.
type DecisionRequest struct {
	LeaseToken     string          `json:"lease_token"`
	IdempotencyKey string          `json:"idempotency_key"`
	Decisions      []DecisionInput `json:"decisions"`
	// BodyHash is the hex SHA-256 of the raw body when the transport has it.
	BodyHash string `json:"-"`
}

// Hash returns the body hash that detects a reused idempotency key.
func (r DecisionRequest) Hash() string {
	if r.BodyHash != "" {
		return r.BodyHash
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", r.LeaseToken)
	for _, d := range r.Decisions {
		fmt.Fprintf(h, "%d\x1f%s\x1f%s\x1f%s\x1f", d.SubmissionID, d.Decision, d.Reason, d.Comment)
		h.Write(compactJSON(d.CorrectedAnswer))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// CheckDecision validates the shape of one decision against the settings:
// a known verdict, a listed reason for a rejection (none otherwise), a
// corrected answer only with correct. Final (dispute) decisions are accept
// or reject. The corrected answer itself is validated by ValidateAnswer.
func CheckDecision(d DecisionInput, s ReviewSettings, final bool) (DecisionInput, error) {
	d.Reason = strings.TrimSpace(d.Reason)
	if utf8.RuneCountInString(d.Comment) > MaxReviewCommentLen {
		return d, ErrDecisionInvalid.With("submission %d: a comment is at most %d characters", d.SubmissionID, MaxReviewCommentLen)
	}
	switch d.Decision {
	case DecisionAccept, DecisionCorrect:
		if d.Reason != "" {
			return d, ErrDecisionInvalid.With("submission %d: only a rejection takes a reason", d.SubmissionID)
		}
	case DecisionReject:
		if !slices.Contains(s.RejectReasons, d.Reason) {
			return d, ErrUnknownRejectReason.With("submission %d: reason %q is not one of %q", d.SubmissionID, d.Reason, s.RejectReasons)
		}
	default:
		return d, ErrDecisionInvalid.With("submission %d: decision must be accept, reject or correct, not %q", d.SubmissionID, d.Decision)
	}
	hasAnswer := len(d.CorrectedAnswer) > 0 && string(d.CorrectedAnswer) != "null"
	if d.Decision == DecisionCorrect && !hasAnswer {
		return d, ErrDecisionInvalid.With("submission %d: correct needs corrected_answer", d.SubmissionID)
	}
	if d.Decision != DecisionCorrect && hasAnswer {
		return d, ErrDecisionInvalid.With("submission %d: corrected_answer goes only with correct", d.SubmissionID)
	}
	if final && d.Decision == DecisionCorrect {
		return d, ErrDecisionInvalid.With("submission %d: a dispute is settled by accept or reject", d.SubmissionID)
	}
	return d, nil
}

// NextStatus is the submission state machine for a review decision:
// submitted → accepted | rejected | corrected, and (final) disputed →
// accepted | rejected. Anything else is already_decided.
func NextStatus(from SubmissionStatus, d Decision, final bool) (SubmissionStatus, error) {
	want := SubmissionSubmitted
	if final {
		want = SubmissionDisputed
	}
	if from != want {
		return "", ErrAlreadyDecided.With("the submission is %s and cannot be decided again", from)
	}
	switch d {
	case DecisionAccept:
		return SubmissionAccepted, nil
	case DecisionReject:
		return SubmissionRejected, nil
	case DecisionCorrect:
		if !final {
			return SubmissionCorrected, nil
		}
	}
	return "", ErrDecisionInvalid.With("decision %q is not allowed here", d)
}

// CanDispute says whether a labeller may dispute a submission in status s:
// only a rejection, and only once.
func CanDispute(s SubmissionStatus, disputedBefore bool) error {
	if disputedBefore {
		return ErrAlreadyDisputed
	}
	if s != SubmissionRejected {
		return ErrNotRejected.With("the submission is %s; only a rejected submission can be disputed", s)
	}
	return nil
}

// CheckDisputeComment requires a reason for the dispute.
func CheckDisputeComment(c string) (string, error) {
	c = strings.TrimSpace(c)
	if c == "" || utf8.RuneCountInString(c) > MaxDisputeCommentLen {
		return c, fault.ErrInvalid.With("a dispute needs a comment of 1-%d characters", MaxDisputeCommentLen)
	}
	return c, nil
}

// SampleDrawBP is the reproducible draw (0..9999) that decides whether an
// auto-accepted round is sampled into review: a hash of the project seed,
// the item and the round, so reruns and tests give the same answer.
func SampleDrawBP(seed, itemID int64, round int) int {
	h := sha256.New()
	var b [24]byte
	binary.BigEndian.PutUint64(b[0:], uint64(seed))
	binary.BigEndian.PutUint64(b[8:], uint64(itemID))
	binary.BigEndian.PutUint64(b[16:], uint64(round))
	h.Write(b[:])
	return int(binary.BigEndian.Uint64(h.Sum(nil)[:8]) % 10_000)
}

// RouteInput is what routing needs to know about a scored round.
type RouteInput struct {
	AgreementBP *int // nil when the metric is undefined or there is none (rewrite)
	GoldFailed  bool // a submission disagreed with the item's gold answer
	OnProbation bool // a submitter's recent gold accuracy is below the threshold
	SampleDraw  int  // SampleDrawBP
}

// Route decides auto-acceptance: agreement ≥ threshold, no gold failure, no
// labeller on probation, and auto-accept switched on; even then a sample
// goes to review. Reasons say why an item is reviewed.
func Route(s ReviewSettings, in RouteInput) (ReviewRoute, []string) {
	var reasons []string
	if !s.AutoAccept {
		reasons = append(reasons, ReasonAutoAcceptOff)
	}
	if in.AgreementBP == nil {
		reasons = append(reasons, ReasonAgreementUndefined)
	} else if *in.AgreementBP < s.AutoAcceptBP {
		reasons = append(reasons, ReasonBelowThreshold)
	}
	if in.GoldFailed {
		reasons = append(reasons, ReasonGoldFailed)
	}
	if in.OnProbation {
		reasons = append(reasons, ReasonLabellerOnProbation)
	}
	if len(reasons) > 0 {
		return RouteReview, reasons
	}
	if in.SampleDraw < s.SampleRateBP {
		return RouteSample, []string{ReasonSampled}
	}
	return RouteAuto, []string{}
}

// GoldAccuracy is a labeller's record on gold items.
type GoldAccuracy struct {
	Checked    int  `json:"checked"`
	Correct    int  `json:"correct"`
	AccuracyBP *int `json:"accuracy_bp"` // nil with no gold checks
}

// GoldStanding says whether a labeller's work is routed to review because
// their accuracy over their last Window gold items is below ThresholdBP.
type GoldStanding struct {
	Window      int          `json:"window"`
	ThresholdBP int          `json:"threshold_bp"`
	Recent      GoldAccuracy `json:"recent"`
	OnProbation bool         `json:"on_probation"`
	Reason      string       `json:"reason,omitempty"`
}

// Standing decides probation from the labeller's most recent gold results
// (newest first, at most Window of them). A threshold of 0, or no gold
// results yet, never puts anyone on probation.
func Standing(s ReviewSettings, recentNewestFirst []bool) GoldStanding {
	g := GoldStanding{Window: s.GoldWindow, ThresholdBP: s.GoldThresholdBP}
	n := min(len(recentNewestFirst), s.GoldWindow)
	for _, ok := range recentNewestFirst[:n] {
		g.Recent.Checked++
		if ok {
			g.Recent.Correct++
		}
	}
	if g.Recent.Checked > 0 {
		bp := g.Recent.Correct * 10_000 / g.Recent.Checked
		g.Recent.AccuracyBP = &bp
		if s.GoldThresholdBP > 0 && bp < s.GoldThresholdBP {
			g.OnProbation = true
			g.Reason = fmt.Sprintf("your accuracy on your last %d gold items is %d.%02d%%, below the project's %d.%02d%%; all your work is reviewed until it recovers",
				g.Recent.Checked, bp/100, bp%100, s.GoldThresholdBP/100, s.GoldThresholdBP%100)
		}
	}
	return g
}

// DecisionRecord is a stored decision.
type DecisionRecord struct {
	ID              int64            `json:"id"`
	ReviewID        int64            `json:"review_id"`
	SubmissionID    int64            `json:"submission_id"`
	ItemID          int64            `json:"item_id"`
	ProjectID       int64            `json:"project_id"`
	LabellerID      int64            `json:"labeller_id"`
	ReviewerID      *int64           `json:"reviewer_id,omitempty"` // nil for automatic decisions
	Decision        Decision         `json:"decision"`
	Reason          string           `json:"reason,omitempty"`
	Comment         string           `json:"comment,omitempty"`
	CorrectedAnswer json.RawMessage  `json:"corrected_answer,omitempty"`
	Final           bool             `json:"final"`
	Automatic       bool             `json:"automatic"`
	Status          SubmissionStatus `json:"status"` // the submission's status after it
	CreatedAt       time.Time        `json:"created_at"`
}

// DecisionResult answers a decision request. Decided lists what changed, in
// request order; the equity ledger posts or voids vesting from it.
type DecisionResult struct {
	ReviewID int64            `json:"review_id"`
	ItemID   int64            `json:"item_id"`
	Decided  []DecisionRecord `json:"decided"`
	Replayed bool             `json:"replayed"`
}

// ReviewSubmission is one submission as a reviewer sees it.
type ReviewSubmission struct {
	ID         int64            `json:"id"`
	MemberID   int64            `json:"member_id"`
	Answer     json.RawMessage  `json:"answer"`
	Key        []string         `json:"key"`
	Status     SubmissionStatus `json:"status"`
	Pending    bool             `json:"pending"` // awaits a decision in this review
	LeadTimeMs int64            `json:"lead_time_ms"`
	CreatedAt  time.Time        `json:"created_at"`
	Decisions  []DecisionRecord `json:"decisions,omitempty"`
}

// ReviewTask is what a reviewer receives: the item, all its submissions
// side by side, and where they disagree.
type ReviewTask struct {
	ReviewID       int64                  `json:"review_id"`
	Kind           ReviewKind             `json:"kind"`
	LeaseToken     string                 `json:"lease_token"`
	LeaseExpiresAt time.Time              `json:"lease_expires_at"`
	ProjectID      int64                  `json:"project_id"`
	ItemID         int64                  `json:"item_id"`
	TaskType       tasktype.TaskType      `json:"task_type"`
	Schema         json.RawMessage        `json:"schema"`
	Data           json.RawMessage        `json:"data"`
	Gold           json.RawMessage        `json:"gold,omitempty"`
	Metric         string                 `json:"metric,omitempty"`
	AgreementBP    *int                   `json:"agreement_bp"`
	Route          ReviewRoute            `json:"route"`
	Reasons        []string               `json:"reasons"`
	RejectReasons  []string               `json:"reject_reasons"`
	DisputeComment string                 `json:"dispute_comment,omitempty"`
	Submissions    []ReviewSubmission     `json:"submissions"`
	Disagreement   agreement.Disagreement `json:"disagreement"`
}
