package tasktype

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Schema pieces shared by several task types: choices, scales, hotkeys,
// rationales, and the checks of values, texts and field names.

// ChoiceOption is one choice of classification and multilabel schemas and
// one category of moderation schemas.
type ChoiceOption struct {
	Value       string `json:"value"`
	Label       string `json:"label"`
	Hotkey      string `json:"hotkey,omitempty"`
	Description string `json:"description,omitempty"`
	// Exclusive options ("none of these") cannot be combined with others.
	// Only multilabel and moderation schemas may set it.
	Exclusive bool `json:"exclusive,omitempty"`
}

// ScalePoint is one point of a rubric scale or a moderation severity scale.
type ScalePoint struct {
	Value       int    `json:"value"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
}

// Rationale settings for pairwise and rubric schemas.
const (
	RationaleOff      = "off"
	RationaleOptional = "optional"
	RationaleRequired = "required"
)

func checkValue(path, v string) error {
	switch {
	case v == "":
		return fmt.Errorf("%s: must not be empty", path)
	case strings.TrimSpace(v) != v:
		return fmt.Errorf("%s: %s has leading or trailing whitespace", path, QuoteShort(v))
	case utf8.RuneCountInString(v) > maxValueLen:
		return fmt.Errorf("%s: %s is longer than %d characters", path, QuoteShort(v), maxValueLen)
	case HasControl(v):
		return fmt.Errorf("%s: %s contains control characters", path, QuoteShort(v))
	}
	return nil
}

func checkText(path, v string, max int) error {
	if n := utf8.RuneCountInString(v); n > max {
		return fmt.Errorf("%s: is %d characters long; the limit is %d", path, n, max)
	}
	return nil
}

func checkFieldName(path, v string) error {
	switch {
	case v == "":
		return fmt.Errorf("%s: must name an item data field", path)
	case utf8.RuneCountInString(v) > maxFieldNameLen:
		return fmt.Errorf("%s: %s is longer than %d characters", path, QuoteShort(v), maxFieldNameLen)
	case HasControl(v):
		return fmt.Errorf("%s: %s contains control characters", path, QuoteShort(v))
	}
	return nil
}

// optionalField resolves a *string field setting: nil means the default,
// "" means "not used".
func optionalField(path string, p **string, def string) error {
	if *p == nil {
		*p = &def
	}
	if **p == "" {
		return nil
	}
	return checkFieldName(path, **p)
}

func requiredField(path string, p *string, def string) error {
	if *p == "" {
		*p = def
	}
	return checkFieldName(path, *p)
}

// HasControl reports whether s contains a control character.
func HasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// normaliseHotkey returns a hotkey as one lower-case character.
func normaliseHotkey(path, h string) (string, error) {
	if h == "" {
		return "", nil
	}
	r, n := utf8.DecodeRuneInString(h)
	if n != len(h) || r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) {
		return "", fmt.Errorf("%s: %s must be a single visible character", path, QuoteShort(h))
	}
	return string(unicode.ToLower(r)), nil
}

// assignHotkeys validates explicit hotkeys (unique) and, when auto is set,
// gives options without one the next free digit of 1..9.
func assignHotkeys(path string, keys []*string, auto bool) error {
	used := map[string]int{}
	for i, k := range keys {
		h, err := normaliseHotkey(fmt.Sprintf("%s[%d].hotkey", path, i), *k)
		if err != nil {
			return err
		}
		*k = h
		if h == "" {
			continue
		}
		if j, dup := used[h]; dup {
			return fmt.Errorf("%s[%d].hotkey: %q is already the hotkey of %s[%d]", path, i, h, path, j)
		}
		used[h] = i
	}
	if !auto {
		return nil
	}
	next := '1'
	for _, k := range keys {
		if *k != "" {
			continue
		}
		for next <= '9' {
			if _, taken := used[string(next)]; !taken {
				break
			}
			next++
		}
		if next > '9' {
			break
		}
		*k = string(next)
		used[*k] = -1
		next++
	}
	return nil
}

func normaliseChoices(path string, opts []ChoiceOption, min int, allowExclusive, autoHotkeys bool) error {
	if len(opts) < min {
		return fmt.Errorf("%s: needs at least %d entries, got %d", path, min, len(opts))
	}
	if len(opts) > maxOptions {
		return fmt.Errorf("%s: has %d entries; the limit is %d", path, len(opts), maxOptions)
	}
	seen := map[string]int{}
	keys := make([]*string, len(opts))
	for i := range opts {
		o := &opts[i]
		p := fmt.Sprintf("%s[%d]", path, i)
		if err := checkValue(p+".value", o.Value); err != nil {
			return err
		}
		if j, dup := seen[o.Value]; dup {
			return fmt.Errorf("%s.value: %q is also the value of %s[%d]", p, o.Value, path, j)
		}
		seen[o.Value] = i
		if o.Label = strings.TrimSpace(o.Label); o.Label == "" {
			o.Label = o.Value
		}
		if err := checkText(p+".label", o.Label, maxLabelLen); err != nil {
			return err
		}
		o.Description = strings.TrimSpace(o.Description)
		if err := checkText(p+".description", o.Description, maxDescriptionLen); err != nil {
			return err
		}
		if o.Exclusive && !allowExclusive {
			return fmt.Errorf("%s.exclusive: only multilabel and moderation choices can be exclusive", p)
		}
		keys[i] = &o.Hotkey
	}
	return assignHotkeys(path, keys, autoHotkeys)
}

func normaliseScale(path string, scale []ScalePoint) error {
	if len(scale) < 2 || len(scale) > MaxScalePoints {
		return fmt.Errorf("%s: needs 2 to %d points, got %d", path, MaxScalePoints, len(scale))
	}
	seen := map[int]int{}
	for i := range scale {
		p := &scale[i]
		at := fmt.Sprintf("%s[%d]", path, i)
		if p.Value < -maxScaleAbs || p.Value > maxScaleAbs {
			return fmt.Errorf("%s.value: %d is outside -%d..%d", at, p.Value, maxScaleAbs, maxScaleAbs)
		}
		if j, dup := seen[p.Value]; dup {
			return fmt.Errorf("%s.value: %d is also the value of %s[%d]", at, p.Value, path, j)
		}
		seen[p.Value] = i
		if p.Label = strings.TrimSpace(p.Label); p.Label == "" {
			p.Label = strconv.Itoa(p.Value)
		}
		if err := checkText(at+".label", p.Label, maxLabelLen); err != nil {
			return err
		}
		p.Description = strings.TrimSpace(p.Description)
		if err := checkText(at+".description", p.Description, maxDescriptionLen); err != nil {
			return err
		}
	}
	// Scales are stored lowest first; the editor shows them in this order.
	slices.SortFunc(scale, func(a, b ScalePoint) int { return cmp.Compare(a.Value, b.Value) })
	return nil
}

func scaleHas(scale []ScalePoint, v int) bool {
	for _, p := range scale {
		if p.Value == v {
			return true
		}
	}
	return false
}

// ScaleValues lists a scale's values, for messages.
func ScaleValues(scale []ScalePoint) string {
	vs := make([]string, len(scale))
	for i, p := range scale {
		vs[i] = strconv.Itoa(p.Value)
	}
	return strings.Join(vs, ", ")
}

func normaliseRationaleMode(path string, m *string) error {
	switch *m {
	case "":
		*m = RationaleOptional
	case RationaleOff, RationaleOptional, RationaleRequired:
	default:
		return fmt.Errorf("%s: %s must be \"off\", \"optional\" or \"required\"", path, QuoteShort(*m))
	}
	return nil
}

// checkRationale trims a rationale and applies the schema's mode.
func checkRationale(mode string, r *string) error {
	*r = strings.TrimSpace(*r)
	switch {
	case mode == RationaleOff && *r != "":
		return ErrInvalidAnswer.With("invalid answer: rationale: this schema does not take a rationale")
	case mode == RationaleRequired && *r == "":
		return ErrInvalidAnswer.With("invalid answer: rationale: is required and must not be empty")
	}
	if err := checkText("rationale", *r, MaxRationaleLen); err != nil {
		return ErrInvalidAnswer.With("invalid answer: %s", err.Error())
	}
	return nil
}

// decodeAnswer strictly decodes an answer, wrapping errors as ErrInvalidAnswer.
func decodeAnswer(raw json.RawMessage, v any) error {
	if err := decodeStrict(raw, v); err != nil {
		return ErrInvalidAnswer.With("invalid answer: %s", err.Error())
	}
	return nil
}

func boolPtr(b bool) *bool { return &b }

func knownValues(opts []ChoiceOption) string {
	vs := make([]string, len(opts))
	for i, o := range opts {
		vs[i] = strconv.Quote(o.Value)
	}
	if len(vs) > 20 {
		vs = append(vs[:20], "…")
	}
	return strings.Join(vs, ", ")
}

func findChoice(opts []ChoiceOption, v string) int {
	for i, o := range opts {
		if o.Value == v {
			return i
		}
	}
	return -1
}
