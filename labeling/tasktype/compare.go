package tasktype

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// ---- pairwise ----

// PairwiseSchema: which of two responses to a prompt is better.
// PromptField "" means the items have no prompt.
type PairwiseSchema struct {
	PromptField  *string `json:"prompt_field"`
	AField       string  `json:"a_field"`
	BField       string  `json:"b_field"`
	Strength     bool    `json:"strength"`
	Rationale    string  `json:"rationale"`
	AllowTie     *bool   `json:"allow_tie"`
	AllowBothBad *bool   `json:"allow_both_bad"`
	// ConversationField, when set, names the shared history; a_field and
	// b_field then hold candidate next turns (a string or messages), and
	// prompt_field is not read.
	ConversationField string `json:"conversation_field,omitempty"`
}

// Pairwise choices and shown orders.
const (
	PairwiseA       = "a"
	PairwiseB       = "b"
	PairwiseTie     = "tie"
	PairwiseBothBad = "both_bad"
	ShownAB         = "ab"
	ShownBA         = "ba"
	MaxStrength     = 3
)

// PairwiseAnswer: Choice always refers to the data fields (a = AField), never
// to screen sides; ShownOrder records which side the editor put first.
type PairwiseAnswer struct {
	Choice     string `json:"choice"`
	Strength   *int   `json:"strength,omitempty"`
	Rationale  string `json:"rationale,omitempty"`
	ShownOrder string `json:"shown_order,omitempty"`
}

func (s *PairwiseSchema) normalise() error {
	if err := optionalField("prompt_field", &s.PromptField, "prompt"); err != nil {
		return err
	}
	if err := requiredField("a_field", &s.AField, "response_a"); err != nil {
		return err
	}
	if err := requiredField("b_field", &s.BField, "response_b"); err != nil {
		return err
	}
	if s.AField == s.BField {
		return fmt.Errorf("b_field: %q is also a_field", s.BField)
	}
	var none string
	if err := normaliseConv(TaskPairwise, s.ConversationField, &none); err != nil {
		return err
	}
	if err := normaliseRationaleMode("rationale", &s.Rationale); err != nil {
		return err
	}
	if s.AllowTie == nil {
		s.AllowTie = boolPtr(true)
	}
	if s.AllowBothBad == nil {
		s.AllowBothBad = boolPtr(true)
	}
	return nil
}

func (s *PairwiseSchema) ItemData(data json.RawMessage) (ItemFields, error) {
	d, err := parseItemData(data)
	if err != nil {
		return nil, err
	}
	if s.ConversationField != "" {
		history, err := conversationFor(d, s.ConversationField, "")
		if err != nil {
			return nil, err
		}
		if _, err := d.Candidate(s.AField, history); err != nil {
			return nil, err
		}
		_, err = d.Candidate(s.BField, history)
		return d, err
	}
	if *s.PromptField != "" {
		if err := d.CheckText(*s.PromptField, true); err != nil {
			return nil, err
		}
	}
	if err := d.CheckText(s.AField, false); err != nil {
		return nil, err
	}
	err = d.CheckText(s.BField, false)
	return d, err
}

func (s *PairwiseSchema) Answer(_ ItemFields, raw json.RawMessage) (any, error) {
	var a PairwiseAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	switch a.Choice {
	case PairwiseA, PairwiseB:
	case PairwiseTie:
		if !*s.AllowTie {
			return nil, ErrInvalidAnswer.With("invalid answer: choice: \"tie\" is not allowed by this schema")
		}
	case PairwiseBothBad:
		if !*s.AllowBothBad {
			return nil, ErrInvalidAnswer.With("invalid answer: choice: \"both_bad\" is not allowed by this schema")
		}
	case "":
		return nil, ErrInvalidAnswer.With("invalid answer: choice: is required (\"a\", \"b\", \"tie\" or \"both_bad\")")
	default:
		return nil, ErrInvalidAnswer.With("invalid answer: choice: %s must be \"a\", \"b\", \"tie\" or \"both_bad\"", QuoteShort(a.Choice))
	}
	if a.Strength != nil {
		switch {
		case !s.Strength:
			return nil, ErrInvalidAnswer.With("invalid answer: strength: this schema does not ask for strength")
		case a.Choice != PairwiseA && a.Choice != PairwiseB:
			return nil, ErrInvalidAnswer.With("invalid answer: strength: only \"a\" or \"b\" choices have a strength, not %q", a.Choice)
		case *a.Strength < 1 || *a.Strength > MaxStrength:
			return nil, ErrInvalidAnswer.With("invalid answer: strength: %d must be 1, 2 or 3", *a.Strength)
		}
	}
	if err := checkRationale(s.Rationale, &a.Rationale); err != nil {
		return nil, err
	}
	switch a.ShownOrder {
	case "", ShownAB, ShownBA:
	default:
		return nil, ErrInvalidAnswer.With("invalid answer: shown_order: %s must be \"ab\" or \"ba\"", QuoteShort(a.ShownOrder))
	}
	return a, nil
}

func pairwiseKey(raw json.RawMessage) ([]string, error) {
	var a PairwiseAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	return []string{a.Choice}, nil
}

// ---- ranking ----

// RankingSchema: order the responses in data[ResponsesField], best first.
type RankingSchema struct {
	PromptField    *string `json:"prompt_field"`
	ResponsesField string  `json:"responses_field"`
	AllowTies      *bool   `json:"allow_ties"`
	// ConversationField, when set, names the shared history; each response
	// may then hold "messages" (a candidate next turn) instead of "text".
	ConversationField string `json:"conversation_field,omitempty"`
}

// RankingAnswer lists tiers best first; ids in one tier are tied (sorted).
// ShownOrder, when given, records the order the editor first showed the
// responses in (shuffled per labeller, as pairwise records its sides): every
// response id exactly once.
type RankingAnswer struct {
	Ranking    [][]string `json:"ranking"`
	ShownOrder []string   `json:"shown_order,omitempty"`
}

// RankingResponse is one entry of the responses array in item data. The
// editor shows Text, or Title and Body (the Label Studio List shape).
type RankingResponse struct {
	ID    string `json:"id"`
	Text  string `json:"text,omitempty"`
	Title string `json:"title,omitempty"`
	Body  string `json:"body,omitempty"`
}

func (s *RankingSchema) normalise() error {
	if err := optionalField("prompt_field", &s.PromptField, "prompt"); err != nil {
		return err
	}
	if err := requiredField("responses_field", &s.ResponsesField, "responses"); err != nil {
		return err
	}
	if s.AllowTies == nil {
		s.AllowTies = boolPtr(true)
	}
	var none string
	return normaliseConv(TaskRanking, s.ConversationField, &none)
}

func (s *RankingSchema) ItemData(data json.RawMessage) (ItemFields, error) {
	d, err := parseItemData(data)
	if err != nil {
		return nil, err
	}
	if s.ConversationField != "" {
		if _, err := conversationFor(d, s.ConversationField, ""); err != nil {
			return nil, err
		}
		_, err = s.responseIDs(d)
		return d, err
	}
	if *s.PromptField != "" {
		if err := d.CheckText(*s.PromptField, true); err != nil {
			return nil, err
		}
	}
	_, err = s.responseIDs(d)
	return d, err
}

// responseIDs checks the responses array and returns its ids in data order.
func (s *RankingSchema) responseIDs(d ItemFields) ([]string, error) {
	f := s.ResponsesField
	raw, ok := d[f]
	if !ok || string(raw) == "null" {
		return nil, ErrInvalidItemData.With("item data is missing field %q", f)
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return nil, ErrInvalidItemData.With("item data field %q must be an array of {\"id\",\"text\"} objects", f)
	}
	if len(arr) < 2 || len(arr) > maxResponses {
		return nil, ErrInvalidItemData.With("item data field %q must hold 2 to %d responses, got %d", f, maxResponses, len(arr))
	}
	var calls map[string]bool
	if s.ConversationField != "" {
		history, err := d.Conversation(s.ConversationField)
		if err != nil {
			return nil, err
		}
		calls = toolCallIDs(history)
	}
	ids := make([]string, len(arr))
	seen := map[string]int{}
	for i, e := range arr {
		p := fmt.Sprintf("%s[%d]", f, i)
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(e, &obj); err != nil || obj == nil {
			return nil, ErrInvalidItemData.With("item data %s must be an object with \"id\" and \"text\"", p)
		}
		var id string
		if err := json.Unmarshal(obj["id"], &id); err != nil || id == "" {
			return nil, ErrInvalidItemData.With("item data %s.id must be a non-empty string, got %s", p, ShortRaw(obj["id"]))
		}
		if len(id) > maxResponseIDLen {
			return nil, ErrInvalidItemData.With("item data %s.id is longer than %d bytes", p, maxResponseIDLen)
		}
		if j, dup := seen[id]; dup {
			return nil, ErrInvalidItemData.With("item data %s.id %q is also the id of %s[%d]", p, id, f, j)
		}
		seen[id] = i
		shown := false
		for _, k := range []string{"text", "title", "body"} {
			if v, ok := obj[k]; ok {
				var str string
				if json.Unmarshal(v, &str) != nil {
					return nil, ErrInvalidItemData.With("item data %s.%s must be a string, got %s", p, k, ShortRaw(v))
				}
				shown = true
			}
		}
		if v, ok := obj["messages"]; ok && s.ConversationField != "" {
			if _, err := parseCandidate(p+".messages", v, calls); err != nil {
				return nil, err
			}
			shown = true
		}
		if !shown {
			return nil, ErrInvalidItemData.With("item data %s needs a \"text\" (or \"title\"/\"body\") string to show", p)
		}
		ids[i] = id
	}
	return ids, nil
}

func (s *RankingSchema) Answer(d ItemFields, raw json.RawMessage) (any, error) {
	var a RankingAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	ids, err := s.responseIDs(d)
	if err != nil {
		return nil, err
	}
	placed := map[string]string{}
	for t, tier := range a.Ranking {
		if len(tier) == 0 {
			return nil, ErrInvalidAnswer.With("invalid answer: ranking[%d]: tier is empty", t)
		}
		if len(tier) > 1 && !*s.AllowTies {
			return nil, ErrInvalidAnswer.With("invalid answer: ranking[%d]: %d responses tied; this schema does not allow ties", t, len(tier))
		}
		for i, id := range tier {
			p := fmt.Sprintf("ranking[%d][%d]", t, i)
			if !slices.Contains(ids, id) {
				return nil, ErrUnknownLabel.With("unknown label: %s %s is not a response id of this item (%s)", p, QuoteShort(id), QuoteList(ids))
			}
			if q, dup := placed[id]; dup {
				return nil, ErrInvalidAnswer.With("invalid answer: %s: %q is already ranked at %s", p, id, q)
			}
			placed[id] = p
		}
		a.Ranking[t] = slices.Clone(tier)
		slices.Sort(a.Ranking[t])
	}
	var missing []string
	for _, id := range ids {
		if _, ok := placed[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, ErrInvalidAnswer.With("invalid answer: ranking: every response must be ranked exactly once; missing %s", QuoteList(missing))
	}
	if a.ShownOrder != nil {
		if err := checkShownOrder(a.ShownOrder, ids); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// checkShownOrder: a ranking's shown order lists every response id once.
func checkShownOrder(shown, ids []string) error {
	seen := map[string]bool{}
	for i, id := range shown {
		if !slices.Contains(ids, id) {
			return ErrInvalidAnswer.With("invalid answer: shown_order[%d] %s is not a response id of this item (%s)", i, QuoteShort(id), QuoteList(ids))
		}
		if seen[id] {
			return ErrInvalidAnswer.With("invalid answer: shown_order[%d]: %q appears twice", i, id)
		}
		seen[id] = true
	}
	if len(shown) != len(ids) {
		return ErrInvalidAnswer.With("invalid answer: shown_order lists %d of the %d responses", len(shown), len(ids))
	}
	return nil
}

// rankingKey gives "id=rank" per response, best first; tied responses share
// a rank (1-based tier number).
func rankingKey(raw json.RawMessage) ([]string, error) {
	var a RankingAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	var out []string
	for t, tier := range a.Ranking {
		tier = slices.Clone(tier)
		slices.Sort(tier)
		for _, id := range tier {
			out = append(out, id+"="+strconv.Itoa(t+1))
		}
	}
	return out, nil
}
