package tasktype

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// ---- classification ----

// ClassificationSchema: pick exactly one choice for the text in Field.
type ClassificationSchema struct {
	Field   string         `json:"field"`
	Choices []ChoiceOption `json:"choices"`
	// ConversationField, when set, names a conversation the labeller
	// judges instead of Field; Turn says which part (docs/TASKTYPES.md).
	ConversationField string `json:"conversation_field,omitempty"`
	Turn              string `json:"turn,omitempty"`
}

// ClassificationAnswer is {"choice":"positive"}.
type ClassificationAnswer struct {
	Choice string `json:"choice"`
}

func (s *ClassificationSchema) normalise() error {
	if err := requiredField("field", &s.Field, "text"); err != nil {
		return err
	}
	if err := normaliseConv(TaskClassification, s.ConversationField, &s.Turn); err != nil {
		return err
	}
	return normaliseChoices("choices", s.Choices, 2, false, true)
}

func (s *ClassificationSchema) ItemData(data json.RawMessage) (ItemFields, error) {
	d, err := parseItemData(data)
	if err != nil {
		return nil, err
	}
	if s.ConversationField != "" {
		_, err := conversationFor(d, s.ConversationField, s.Turn)
		return d, err
	}
	err = d.CheckText(s.Field, false)
	return d, err
}

func (s *ClassificationSchema) Answer(_ ItemFields, raw json.RawMessage) (any, error) {
	var a ClassificationAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	if a.Choice == "" {
		return nil, ErrInvalidAnswer.With("invalid answer: choice: is required")
	}
	if findChoice(s.Choices, a.Choice) < 0 {
		return nil, ErrUnknownLabel.With("unknown label: choice %s is not one of %s", QuoteShort(a.Choice), knownValues(s.Choices))
	}
	return a, nil
}

func classificationKey(raw json.RawMessage) ([]string, error) {
	var a ClassificationAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	return []string{a.Choice}, nil
}

// ---- multilabel ----

// MultiLabelSchema: pick between Min and Max choices.
type MultiLabelSchema struct {
	Field   string         `json:"field"`
	Choices []ChoiceOption `json:"choices"`
	Min     *int           `json:"min"`
	Max     *int           `json:"max"`
	// ConversationField, when set, names a conversation the labeller
	// judges instead of Field; Turn says which part (docs/TASKTYPES.md).
	ConversationField string `json:"conversation_field,omitempty"`
	Turn              string `json:"turn,omitempty"`
}

// MultiLabelAnswer is {"choices":["a","b"]}, stored in schema order.
type MultiLabelAnswer struct {
	Choices []string `json:"choices"`
}

func (s *MultiLabelSchema) normalise() error {
	if err := requiredField("field", &s.Field, "text"); err != nil {
		return err
	}
	if err := normaliseConv(TaskMultiLabel, s.ConversationField, &s.Turn); err != nil {
		return err
	}
	if err := normaliseChoices("choices", s.Choices, 2, true, true); err != nil {
		return err
	}
	if s.Min == nil {
		s.Min = new(int)
	}
	if s.Max == nil {
		n := len(s.Choices)
		s.Max = &n
	}
	switch {
	case *s.Min < 0:
		return fmt.Errorf("min: %d must be 0 or more", *s.Min)
	case *s.Max < 1 || *s.Max > len(s.Choices):
		return fmt.Errorf("max: %d must be between 1 and the number of choices (%d)", *s.Max, len(s.Choices))
	case *s.Min > *s.Max:
		return fmt.Errorf("min: %d is greater than max %d", *s.Min, *s.Max)
	}
	return nil
}

func (s *MultiLabelSchema) ItemData(data json.RawMessage) (ItemFields, error) {
	d, err := parseItemData(data)
	if err != nil {
		return nil, err
	}
	if s.ConversationField != "" {
		_, err := conversationFor(d, s.ConversationField, s.Turn)
		return d, err
	}
	err = d.CheckText(s.Field, false)
	return d, err
}

func (s *MultiLabelSchema) Answer(_ ItemFields, raw json.RawMessage) (any, error) {
	var a MultiLabelAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	sorted, err := checkChoiceSet("choices", a.Choices, s.Choices)
	if err != nil {
		return nil, err
	}
	if len(sorted) < *s.Min || len(sorted) > *s.Max {
		return nil, ErrInvalidAnswer.With("invalid answer: choices: %d selected; this schema needs between %d and %d", len(sorted), *s.Min, *s.Max)
	}
	return MultiLabelAnswer{Choices: sorted}, nil
}

// checkChoiceSet rejects unknown and duplicate values, enforces exclusive
// options and returns the values in schema order (never nil).
func checkChoiceSet(path string, got []string, opts []ChoiceOption) ([]string, error) {
	idx := make([]int, 0, len(got))
	for i, v := range got {
		j := findChoice(opts, v)
		if j < 0 {
			return nil, ErrUnknownLabel.With("unknown label: %s[%d] %s is not one of %s", path, i, QuoteShort(v), knownValues(opts))
		}
		if slices.Contains(idx, j) {
			return nil, ErrInvalidAnswer.With("invalid answer: %s[%d]: %q is selected twice", path, i, v)
		}
		idx = append(idx, j)
	}
	for _, j := range idx {
		if opts[j].Exclusive && len(idx) > 1 {
			return nil, ErrInvalidAnswer.With("invalid answer: %s: %q cannot be combined with other choices", path, opts[j].Value)
		}
	}
	slices.Sort(idx)
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = opts[j].Value
	}
	return out, nil
}

func multiLabelKey(raw json.RawMessage) ([]string, error) {
	var a MultiLabelAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	out := slices.Clone(a.Choices)
	slices.Sort(out)
	return out, nil
}

// ---- moderation ----

// ModerationSchema: policy categories (an exclusive "none" category is
// usual) plus an optional severity scale. Severities nil means the default
// 0..3 scale; an explicit empty list means no severity is asked.
type ModerationSchema struct {
	Field      string         `json:"field"`
	Categories []ChoiceOption `json:"categories"`
	Severities *[]ScalePoint  `json:"severities"`
	Multi      *bool          `json:"multi"`
	// ConversationField, when set, names a conversation the labeller
	// judges instead of Field; Turn says which part (docs/TASKTYPES.md).
	ConversationField string `json:"conversation_field,omitempty"`
	Turn              string `json:"turn,omitempty"`
}

// ModerationAnswer is {"categories":["hate"],"severity":2}.
type ModerationAnswer struct {
	Categories []string `json:"categories"`
	Severity   *int     `json:"severity,omitempty"`
}

// DefaultSeverities is the severity scale a moderation schema gets when it names none.
func DefaultSeverities() []ScalePoint {
	return []ScalePoint{{Value: 0, Label: "None"}, {Value: 1, Label: "Low"}, {Value: 2, Label: "Medium"}, {Value: 3, Label: "High"}}
}

func (s *ModerationSchema) normalise() error {
	if err := requiredField("field", &s.Field, "text"); err != nil {
		return err
	}
	if err := normaliseConv(TaskModeration, s.ConversationField, &s.Turn); err != nil {
		return err
	}
	// Category hotkeys are not assigned automatically: digits belong to severities.
	if err := normaliseChoices("categories", s.Categories, 1, true, false); err != nil {
		return err
	}
	if s.Severities == nil {
		d := DefaultSeverities()
		s.Severities = &d
	}
	if len(*s.Severities) > 0 {
		if err := normaliseScale("severities", *s.Severities); err != nil {
			return err
		}
	}
	if s.Multi == nil {
		s.Multi = boolPtr(true)
	}
	return nil
}

func (s *ModerationSchema) ItemData(data json.RawMessage) (ItemFields, error) {
	d, err := parseItemData(data)
	if err != nil {
		return nil, err
	}
	if s.ConversationField != "" {
		_, err := conversationFor(d, s.ConversationField, s.Turn)
		return d, err
	}
	err = d.CheckText(s.Field, false)
	return d, err
}

func (s *ModerationSchema) Answer(_ ItemFields, raw json.RawMessage) (any, error) {
	var a ModerationAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	if len(a.Categories) == 0 {
		return nil, ErrInvalidAnswer.With("invalid answer: categories: choose at least one category")
	}
	if !*s.Multi && len(a.Categories) > 1 {
		return nil, ErrInvalidAnswer.With("invalid answer: categories: %d chosen; this schema allows one", len(a.Categories))
	}
	cats, err := checkChoiceSet("categories", a.Categories, s.Categories)
	if err != nil {
		return nil, err
	}
	a.Categories = cats
	sev := *s.Severities
	switch {
	case len(sev) == 0 && a.Severity != nil:
		return nil, ErrInvalidAnswer.With("invalid answer: severity: this schema has no severity scale")
	case a.Severity != nil && !scaleHas(sev, *a.Severity):
		return nil, ErrInvalidAnswer.With("invalid answer: severity: %d is not on the scale (%s)", *a.Severity, ScaleValues(sev))
	case a.Severity == nil && len(sev) > 0 && !s.allExclusive(cats):
		return nil, ErrInvalidAnswer.With("invalid answer: severity: is required (one of %s)", ScaleValues(sev))
	}
	return a, nil
}

// allExclusive reports whether only exclusive ("no violation") categories were
// chosen; then severity may be left out.
func (s *ModerationSchema) allExclusive(cats []string) bool {
	for _, c := range cats {
		if !s.Categories[findChoice(s.Categories, c)].Exclusive {
			return false
		}
	}
	return true
}

func moderationKey(raw json.RawMessage) ([]string, error) {
	var a ModerationAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(a.Categories)+1)
	for _, c := range a.Categories {
		out = append(out, "category="+c)
	}
	slices.Sort(out)
	if a.Severity != nil {
		out = append(out, "severity="+strconv.Itoa(*a.Severity))
	}
	return out, nil
}
