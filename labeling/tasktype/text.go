package tasktype

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ---- rubric ----

// RubricSchema: score the response in ResponseField on several criteria.
type RubricSchema struct {
	PromptField   *string     `json:"prompt_field"`
	ResponseField string      `json:"response_field"`
	Criteria      []Criterion `json:"criteria"`
	Rationale     string      `json:"rationale"`
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

// DefaultRubricScale is the 1–5 Likert scale a criterion gets when it names none.
func DefaultRubricScale() []ScalePoint {
	return []ScalePoint{{Value: 1, Label: "Very poor"}, {Value: 2, Label: "Poor"}, {Value: 3, Label: "Fair"},
		{Value: 4, Label: "Good"}, {Value: 5, Label: "Excellent"}}
}

var criterionIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

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
		if !criterionIDRE.MatchString(c.ID) {
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
	return normaliseRationaleMode("rationale", &s.Rationale)
}

func (s *RubricSchema) ItemData(data json.RawMessage) (ItemFields, error) {
	d, err := parseItemData(data)
	if err != nil {
		return nil, err
	}
	if *s.PromptField != "" {
		if _, err := d.Text(*s.PromptField, true); err != nil {
			return nil, err
		}
	}
	_, err = d.Text(s.ResponseField, false)
	return d, err
}

func (s *RubricSchema) Answer(_ ItemFields, raw json.RawMessage) (any, error) {
	var a RubricAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	ids := make([]string, len(s.Criteria))
	for i, c := range s.Criteria {
		ids[i] = c.ID
	}
	keys := make([]string, 0, len(a.Scores))
	for k := range a.Scores {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(ids, k) {
			return nil, ErrUnknownLabel.With("unknown label: scores.%s: %q is not a criterion of this rubric (%s)", k, k, QuoteList(ids))
		}
	}
	for _, c := range s.Criteria {
		v, ok := a.Scores[c.ID]
		if !ok {
			if c.Optional {
				continue
			}
			return nil, ErrInvalidAnswer.With("invalid answer: scores.%s: is required (one of %s)", c.ID, ScaleValues(c.Scale))
		}
		if !scaleHas(c.Scale, v) {
			return nil, ErrInvalidAnswer.With("invalid answer: scores.%s: %d is not on the scale (%s)", c.ID, v, ScaleValues(c.Scale))
		}
	}
	if a.Scores == nil {
		a.Scores = map[string]int{}
	}
	if err := checkRationale(s.Rationale, &a.Rationale); err != nil {
		return nil, err
	}
	return a, nil
}

// rubricKey gives "criterion=value" per scored criterion, sorted by criterion.
func rubricKey(raw json.RawMessage) ([]string, error) {
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

// ---- rewrite ----

// RewriteSchema: write an improved version of data[Field] (or, with Field "",
// a demonstration answer to the prompt from scratch).
type RewriteSchema struct {
	Field       *string `json:"field"`
	PromptField *string `json:"prompt_field"`
	MinLength   int     `json:"min_length"`
	MaxLength   int     `json:"max_length"`
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
	if *s.Field == "" && *s.PromptField == "" {
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
	if *s.PromptField != "" {
		if _, err := d.Text(*s.PromptField, true); err != nil {
			return nil, err
		}
	}
	if *s.Field != "" {
		if _, err := d.Text(*s.Field, false); err != nil {
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
