package tasktype

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// ---- rubric ----

// RubricSchema: score the response in ResponseField on several criteria.
type RubricSchema struct {
	PromptField   *string     `json:"prompt_field"`
	ResponseField string      `json:"response_field"`
	Criteria      []Criterion `json:"criteria"`
	Rationale     string      `json:"rationale"`
	// ConversationField, when set, names a conversation whose assistant
	// turns are scored instead of ResponseField: each of them (Turn
	// "each_assistant", answers keyed by turn id) or the last one.
	ConversationField string `json:"conversation_field,omitempty"`
	Turn              string `json:"turn,omitempty"`
}

// Criterion is one rubric criterion with its labelled scale (lowest first).
type Criterion struct {
	ID          string       `json:"id"`
	Label       string       `json:"label"`
	Description string       `json:"description,omitempty"`
	Optional    bool         `json:"optional,omitempty"`
	Scale       []ScalePoint `json:"scale"`
}

// RubricAnswer is {"scores":{"helpful":4},"rationale":"…"}.
type RubricAnswer struct {
	Scores    map[string]int `json:"scores"`
	Rationale string         `json:"rationale,omitempty"`
}

// RubricTurnsAnswer scores every assistant turn of a conversation, keyed by
// turn id: {"turns":{"t2":{"scores":{"helpful":4}}}}.
type RubricTurnsAnswer struct {
	Turns map[string]RubricTurn `json:"turns"`
}

// RubricTurn is one turn's scores, an optional rationale, and Exclude:
// the labeller's mark that the turn should not be trained on.
type RubricTurn struct {
	Scores    map[string]int `json:"scores"`
	Rationale string         `json:"rationale,omitempty"`
	Exclude   bool           `json:"exclude,omitempty"`
}

// DefaultRubricScale is the 1–5 Likert scale a criterion gets when it names none.
func DefaultRubricScale() []ScalePoint {
	return []ScalePoint{{Value: 1, Label: "Very poor"}, {Value: 2, Label: "Poor"}, {Value: 3, Label: "Fair"},
		{Value: 4, Label: "Good"}, {Value: 5, Label: "Excellent"}}
}

var criterionIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`) })

func (s *RubricSchema) normalise() error {
	if err := optionalField("prompt_field", &s.PromptField, "prompt"); err != nil {
		return err
	}
	if err := requiredField("response_field", &s.ResponseField, "response"); err != nil {
		return err
	}
	if len(s.Criteria) < 1 || len(s.Criteria) > maxCriteria {
		return fmt.Errorf("criteria: needs 1 to %d criteria, got %d", maxCriteria, len(s.Criteria))
	}
	seen := map[string]int{}
	for i := range s.Criteria {
		c := &s.Criteria[i]
		p := fmt.Sprintf("criteria[%d]", i)
		if !criterionIDRE().MatchString(c.ID) {
			return fmt.Errorf("%s.id: %s must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit", p, QuoteShort(c.ID))
		}
		if j, dup := seen[c.ID]; dup {
			return fmt.Errorf("%s.id: %q is also the id of criteria[%d]", p, c.ID, j)
		}
		seen[c.ID] = i
		if c.Label = strings.TrimSpace(c.Label); c.Label == "" {
			c.Label = c.ID
		}
		if err := checkText(p+".label", c.Label, maxLabelLen); err != nil {
			return err
		}
		c.Description = strings.TrimSpace(c.Description)
		if err := checkText(p+".description", c.Description, maxDescriptionLen); err != nil {
			return err
		}
		if c.Scale == nil {
			c.Scale = DefaultRubricScale()
		}
		if err := normaliseScale(p+".scale", c.Scale); err != nil {
			return err
		}
	}
	if err := normaliseConv(TaskRubric, s.ConversationField, &s.Turn); err != nil {
		return err
	}
	return normaliseRationaleMode("rationale", &s.Rationale)
}

func (s *RubricSchema) ItemData(data json.RawMessage) (ItemFields, error) {
	d, err := parseItemData(data)
	if err != nil {
		return nil, err
	}
	if s.ConversationField != "" {
		_, err := conversationFor(d, s.ConversationField, s.Turn)
		return d, err
	}
	if *s.PromptField != "" {
		if err := d.CheckText(*s.PromptField, true); err != nil {
			return nil, err
		}
	}
	err = d.CheckText(s.ResponseField, false)
	return d, err
}

func (s *RubricSchema) Answer(d ItemFields, raw json.RawMessage) (any, error) {
	if s.ConversationField != "" && s.Turn == TurnEachAssistant {
		return s.turnsAnswer(d, raw)
	}
	var a RubricAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	if err := s.checkScores("scores", a.Scores); err != nil {
		return nil, err
	}
	if a.Scores == nil {
		a.Scores = map[string]int{}
	}
	if err := checkRationale(s.Rationale, &a.Rationale); err != nil {
		return nil, err
	}
	return a, nil
}

// turnsAnswer checks a per-turn answer: every assistant turn scored, no
// other turn.
func (s *RubricSchema) turnsAnswer(d ItemFields, raw json.RawMessage) (any, error) {
	var a RubricTurnsAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	msgs, err := d.Conversation(s.ConversationField)
	if err != nil {
		return nil, err
	}
	var want []string
	for _, m := range msgs {
		if m.Role == RoleAssistant {
			want = append(want, m.ID)
		}
	}
	for _, id := range sortedMapKeys(anyMap(a.Turns)) {
		if !slices.Contains(want, id) {
			return nil, ErrUnknownLabel.With("unknown label: turns.%s: %q is not an assistant turn of this conversation (%s)", id, id, QuoteList(want))
		}
	}
	if a.Turns == nil {
		a.Turns = map[string]RubricTurn{}
	}
	for _, id := range want {
		t, ok := a.Turns[id]
		if !ok {
			return nil, ErrInvalidAnswer.With("invalid answer: turns.%s: is required (every assistant turn is scored)", id)
		}
		if err := s.checkScores("turns."+id+".scores", t.Scores); err != nil {
			return nil, err
		}
		if t.Scores == nil {
			t.Scores = map[string]int{}
		}
		if err := checkRationale(s.Rationale, &t.Rationale); err != nil {
			return nil, ErrInvalidAnswer.With("invalid answer: turns.%s.%s", id, strings.TrimPrefix(err.Error(), "invalid answer: "))
		}
		a.Turns[id] = t
	}
	return a, nil
}

func anyMap[V any](m map[string]V) map[string]any {
	out := make(map[string]any, len(m))
	for k := range m {
		out[k] = nil
	}
	return out
}

// checkScores checks one set of criterion scores; path prefixes messages.
func (s *RubricSchema) checkScores(path string, scores map[string]int) error {
	ids := make([]string, len(s.Criteria))
	for i, c := range s.Criteria {
		ids[i] = c.ID
	}
	keys := make([]string, 0, len(scores))
	for k := range scores {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(ids, k) {
			return ErrUnknownLabel.With("unknown label: %s.%s: %q is not a criterion of this rubric (%s)", path, k, k, QuoteList(ids))
		}
	}
	for _, c := range s.Criteria {
		v, ok := scores[c.ID]
		if !ok {
			if c.Optional {
				continue
			}
			return ErrInvalidAnswer.With("invalid answer: %s.%s: is required (one of %s)", path, c.ID, ScaleValues(c.Scale))
		}
		if !scaleHas(c.Scale, v) {
			return ErrInvalidAnswer.With("invalid answer: %s.%s: %d is not on the scale (%s)", path, c.ID, v, ScaleValues(c.Scale))
		}
	}
	return nil
}

// rubricKey gives "criterion=value" per scored criterion, sorted by criterion.
func rubricKey(raw json.RawMessage) ([]string, error) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(raw, &probe) == nil && probe["turns"] != nil {
		return rubricTurnsKey(raw)
	}
	var a RubricAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(a.Scores))
	for k, v := range a.Scores {
		out = append(out, k+"="+strconv.Itoa(v))
	}
	slices.Sort(out)
	return out, nil
}

// rubricTurnsKey gives "turn/criterion=value" per scored criterion of each
// turn, sorted: agreement then treats each turn and criterion as a unit.
func rubricTurnsKey(raw json.RawMessage) ([]string, error) {
	var a RubricTurnsAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	var out []string
	for id, t := range a.Turns {
		for k, v := range t.Scores {
			out = append(out, id+"/"+k+"="+strconv.Itoa(v))
		}
	}
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// ---- rewrite ----

// RewriteSchema: write an improved version of data[Field] (or, with Field "",
// a demonstration answer to the prompt from scratch).
type RewriteSchema struct {
	Field       *string `json:"field"`
	PromptField *string `json:"prompt_field"`
	MinLength   int     `json:"min_length"`
	MaxLength   int     `json:"max_length"`
	// ConversationField, when set, names a conversation: the labeller
	// rewrites its last assistant turn (Turn "last_assistant") or writes
	// the next one (Turn "next"); field and prompt_field are not read.
	ConversationField string `json:"conversation_field,omitempty"`
	Turn              string `json:"turn,omitempty"`
}

// RewriteAnswer holds only the new text; the original stays in the item data.
type RewriteAnswer struct {
	Text string `json:"text"`
}

func (s *RewriteSchema) normalise() error {
	if err := optionalField("field", &s.Field, "response"); err != nil {
		return err
	}
	if err := optionalField("prompt_field", &s.PromptField, "prompt"); err != nil {
		return err
	}
	if err := normaliseConv(TaskRewrite, s.ConversationField, &s.Turn); err != nil {
		return err
	}
	if *s.Field == "" && *s.PromptField == "" && s.ConversationField == "" {
		return fmt.Errorf("field: a rewrite needs an original (field) or a prompt (prompt_field); both are empty")
	}
	if s.MinLength == 0 {
		s.MinLength = 1
	}
	if s.MaxLength == 0 {
		s.MaxLength = MaxRewriteLen
	}
	switch {
	case s.MinLength < 1:
		return fmt.Errorf("min_length: %d must be at least 1", s.MinLength)
	case s.MaxLength > MaxRewriteLen:
		return fmt.Errorf("max_length: %d is over the limit of %d", s.MaxLength, MaxRewriteLen)
	case s.MinLength > s.MaxLength:
		return fmt.Errorf("min_length: %d is greater than max_length %d", s.MinLength, s.MaxLength)
	}
	return nil
}

func (s *RewriteSchema) ItemData(data json.RawMessage) (ItemFields, error) {
	d, err := parseItemData(data)
	if err != nil {
		return nil, err
	}
	if s.ConversationField != "" {
		msgs, err := conversationFor(d, s.ConversationField, s.Turn)
		if err != nil {
			return nil, err
		}
		if s.Turn == TurnLastAssistant && strings.TrimSpace(msgs[LastAssistant(msgs)].Content) == "" {
			return nil, ErrInvalidItemData.With("%s[%d].content is empty; the last assistant turn has no text to rewrite", s.ConversationField, LastAssistant(msgs))
		}
		return d, nil
	}
	if *s.PromptField != "" {
		if err := d.CheckText(*s.PromptField, true); err != nil {
			return nil, err
		}
	}
	if *s.Field != "" {
		if err := d.CheckText(*s.Field, false); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (s *RewriteSchema) Answer(_ ItemFields, raw json.RawMessage) (any, error) {
	var a RewriteAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	// The text is kept byte for byte (whitespace can matter in a rewrite);
	// only the length check ignores surrounding whitespace.
	if strings.TrimSpace(a.Text) == "" {
		return nil, ErrInvalidAnswer.With("invalid answer: text: must not be empty")
	}
	n := utf8.RuneCountInString(strings.TrimSpace(a.Text))
	if n < s.MinLength {
		return nil, ErrInvalidAnswer.With("invalid answer: text: %d characters; this schema needs at least %d", n, s.MinLength)
	}
	if m := utf8.RuneCountInString(a.Text); m > s.MaxLength {
		return nil, ErrInvalidAnswer.With("invalid answer: text: %d characters; the limit is %d", m, s.MaxLength)
	}
	if strings.ContainsRune(a.Text, 0) {
		return nil, ErrInvalidAnswer.With("invalid answer: text: contains a NUL character")
	}
	return a, nil
}

func rewriteKey(raw json.RawMessage) ([]string, error) {
	var a RewriteAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	return []string{a.Text}, nil
}
