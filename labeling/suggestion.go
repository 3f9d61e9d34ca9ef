package labeling

import (
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"strconv"
	"time"

	"copyhold/labeling/fault"
)

// SuggestionPolicy says when a labeller sees an item's suggestion
// (items.prediction): never, only after their own first answer, or up front.
type SuggestionPolicy string

const (
	SuggestOff         SuggestionPolicy = "off"
	SuggestAfterAnswer SuggestionPolicy = "after_answer"
	SuggestUpFront     SuggestionPolicy = "up_front"
)

// DefaultSuggestionControlBP is the control share a project starts with:
// one item in ten never shows its suggestion, so anchoring can be measured.
const DefaultSuggestionControlBP = 1000

// ParseSuggestionPolicy accepts the three policy names ("" is up_front, the default).
func ParseSuggestionPolicy(s string) (SuggestionPolicy, error) {
	switch SuggestionPolicy(s) {
	case "":
		return SuggestUpFront, nil
	case SuggestOff, SuggestAfterAnswer, SuggestUpFront:
		return SuggestionPolicy(s), nil
	}
	return "", fault.ErrInvalid.With("suggestion_policy must be off, after_answer or up_front, not %q", s)
}

// Suggestion sources (items.suggestion_source).
const (
	SuggestionFromImport   = "import"   // a prediction in an imported file
	SuggestionFromEndpoint = "endpoint" // a model endpoint (labeling/suggest through a generation job)
)

// InControl reports whether an item belongs to the control share of its
// project: such items never show a suggestion. Deterministic by item id
// (FNV-1a of its 8 bytes), so the share is the same for every labeller and
// every read.
func InControl(itemID int64, controlBP int) bool {
	if controlBP <= 0 {
		return false
	}
	h := fnv.New64a()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(itemID))
	_, _ = h.Write(b[:])
	return int(h.Sum64()%10_000) < controlBP
}

// Suggestion shown (assignments and submissions .suggestion_shown).
const (
	ShownNone        = ""
	ShownUpFront     = "up_front"
	ShownAfterAnswer = "after_answer"
)

// SuggestionMeta describes a suggestion a labeller is shown: who made it and
// how sure it was. It never says anything about other labellers.
type SuggestionMeta struct {
	Source     string `json:"source"`               // import or endpoint
	Model      string `json:"model,omitempty"`      // the model's name, when known
	Confidence *int   `json:"confidence,omitempty"` // basis points, when known
}

// FirstAnswerRequest is a labeller's own answer under the after_answer
// policy, recorded before any suggestion is revealed.
type FirstAnswerRequest struct {
	LeaseToken string          `json:"lease_token"`
	Answer     json.RawMessage `json:"answer"`
}

// FirstAnswerResult reveals the suggestion (nil when the item has none or is
// in the control share); the labeller may then revise and submit.
type FirstAnswerResult struct {
	FirstAnswer json.RawMessage `json:"first_answer"`
	Suggestion  json.RawMessage `json:"suggestion,omitempty"`
	Meta        *SuggestionMeta `json:"suggestion_meta,omitempty"`
	// Matches says the first answer already equals the suggestion.
	Matches bool `json:"matches"`
}

// ItemSuggestion is a suggestion to set on an item (store SetSuggestion).
type ItemSuggestion struct {
	Answer     json.RawMessage // valid for the project's schema and the item
	Source     string          // SuggestionFromImport or SuggestionFromEndpoint
	EndpointID *int64          // the endpoint, for SuggestionFromEndpoint
	Model      string          // the model's name
	Confidence *int            // basis points, nil when unknown
	At         time.Time
}

// ScoreBP reads a Label Studio prediction score (a number from 0 to 1) as
// basis points; ok is false when it is absent or out of range.
func ScoreBP(score string) (int, bool) {
	f, err := strconv.ParseFloat(score, 64)
	if err != nil || f < 0 || f > 1 {
		return 0, false
	}
	return int(f*10_000 + 0.5), true
}

// Anchoring compares the suggestions with labellers' final answers
// (docs/MODELS.md, "Suggestions"): on items where a suggestion was shown,
// and on control items whose suggestion was withheld. A large gap means
// labellers follow the model rather than judge.
type Anchoring struct {
	Policy    SuggestionPolicy `json:"policy"`
	ControlBP int              `json:"control_bp"`
	// Shown: submissions that were shown a suggestion; Agreed: whose final answer equals it.
	Shown       int64 `json:"shown"`
	ShownAgreed int64 `json:"shown_agreed"`
	// Control: submissions on control items that have a suggestion; Agreed: equal to it.
	Control       int64 `json:"control"`
	ControlAgreed int64 `json:"control_agreed"`
	// After the first answer (after_answer only): first answers that differed
	// from the suggestion, and how many of those the labeller then changed to it.
	FirstDiffered       int64 `json:"first_differed"`
	ChangedToSuggestion int64 `json:"changed_to_suggestion"`
	// Rates in basis points (nil with nothing to count).
	ShownAgreementBP   *int `json:"shown_agreement_bp"`
	ControlAgreementBP *int `json:"control_agreement_bp"`
	ChangedTowardBP    *int `json:"changed_toward_bp"`
}

// Rates fills the basis-point rates from the counts.
func (a *Anchoring) Rates() {
	rate := func(n, d int64) *int {
		if d == 0 {
			return nil
		}
		v := int(n * 10_000 / d)
		return &v
	}
	a.ShownAgreementBP = rate(a.ShownAgreed, a.Shown)
	a.ControlAgreementBP = rate(a.ControlAgreed, a.Control)
	a.ChangedTowardBP = rate(a.ChangedToSuggestion, a.FirstDiffered)
}

// ErrSuggestionPolicy: a first answer was sent to a project whose policy is not after_answer.
var ErrSuggestionPolicy = fault.New(fault.KindConflict, "suggestion_policy_mismatch", "this project does not reveal suggestions after a first answer")
