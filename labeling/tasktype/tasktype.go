package tasktype

import (
	"bytes"
	"cmp"
	"copyhold/labeling/fault"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TaskType names what labellers do with an item. The string values are
// stored in projects and shown in the API, so they never change.
type TaskType string

const (
	TaskClassification TaskType = "classification" // one choice from a list
	TaskMultiLabel     TaskType = "multilabel"     // any number of choices
	TaskSpans          TaskType = "spans"          // labelled text spans (NER)
	TaskPairwise       TaskType = "pairwise"       // preference between two responses
	TaskRanking        TaskType = "ranking"        // order N responses, ties allowed
	TaskRubric         TaskType = "rubric"         // several criteria, each on a labelled scale
	TaskRewrite        TaskType = "rewrite"        // free-text rewrite or demonstration
	TaskModeration     TaskType = "moderation"     // policy categories plus a severity
)

// TaskTypes lists every task type in a stable order (for menus and docs).
func TaskTypes() []TaskType {
	return []TaskType{TaskClassification, TaskMultiLabel, TaskSpans, TaskPairwise,
		TaskRanking, TaskRubric, TaskRewrite, TaskModeration}
}

// Errors of task types, schemas and answers. Each message built with
// With names the field path and the offending value.
var (
	ErrUnknownTaskType  = fault.New(fault.KindInvalid, "unknown_task_type", "unknown task type")
	ErrInvalidSchema    = fault.New(fault.KindInvalid, "invalid_schema", "the project schema is invalid")
	ErrInvalidItemData  = fault.New(fault.KindInvalid, "invalid_item_data", "the item data does not fit the schema")
	ErrInvalidAnswer    = fault.New(fault.KindInvalid, "invalid_answer", "the answer does not fit the schema")
	ErrUnknownLabel     = fault.New(fault.KindInvalid, "unknown_label", "the answer uses a label the schema does not define")
	ErrOffsetOutOfRange = fault.New(fault.KindInvalid, "offset_out_of_range", "a text offset is outside the text")
)

// ParseTaskType accepts exactly the names of the TaskType constants.
func ParseTaskType(s string) (TaskType, error) {
	for _, t := range TaskTypes() {
		if string(t) == s {
			return t, nil
		}
	}
	names := make([]string, 0, 8)
	for _, t := range TaskTypes() {
		names = append(names, string(t))
	}
	return "", ErrUnknownTaskType.With("unknown task type %q (known: %s)", s, strings.Join(names, ", "))
}

// Limits, in Unicode code points unless noted.
const (
	MaxRationaleLen   = 10_000
	MaxRewriteLen     = 100_000
	maxValueLen       = 100
	maxLabelLen       = 200
	maxDescriptionLen = 2_000
	maxFieldNameLen   = 128
	maxOptions        = 200
	maxCriteria       = 30
	MaxScalePoints    = 11
	maxScaleAbs       = 1000
	maxSpans          = 10_000
	maxResponses      = 50
	maxResponseIDLen  = 200
)

// ValidateSchema checks a project's schema for its task type and returns it
// normalised: defaults filled in and encoded canonically, so validating the
// result again returns the same bytes.
func ValidateSchema(tt TaskType, schema json.RawMessage) (json.RawMessage, error) {
	s, err := ParseSchema(tt, schema)
	if err != nil {
		return nil, err
	}
	return CanonicalJSON(s)
}

// ValidateItemData checks that an item's data is an object holding the fields
// the schema reads, with the right JSON types. Import calls it per record.
func ValidateItemData(tt TaskType, schema, data json.RawMessage) error {
	s, err := ParseSchema(tt, schema)
	if err != nil {
		return err
	}
	_, err = s.ItemData(data)
	return err
}

// ValidateAnswer checks an answer against the schema and the item data and
// returns it normalised (sorted, trimmed, derived fields filled in).
func ValidateAnswer(tt TaskType, schema, data, answer json.RawMessage) (json.RawMessage, error) {
	s, err := ParseSchema(tt, schema)
	if err != nil {
		return nil, err
	}
	d, err := s.ItemData(data)
	if err != nil {
		return nil, err
	}
	a, err := s.Answer(d, answer)
	if err != nil {
		return nil, err
	}
	return CanonicalJSON(a)
}

// AnswerKey flattens a (normalised) answer to comparable strings for
// agreement and gold checks. See docs/TASKTYPES.md for each type's form.
func AnswerKey(tt TaskType, answer json.RawMessage) ([]string, error) {
	switch tt {
	case TaskClassification:
		return classificationKey(answer)
	case TaskMultiLabel:
		return multiLabelKey(answer)
	case TaskSpans:
		return spansKey(answer)
	case TaskPairwise:
		return pairwiseKey(answer)
	case TaskRanking:
		return rankingKey(answer)
	case TaskRubric:
		return rubricKey(answer)
	case TaskRewrite:
		return rewriteKey(answer)
	case TaskModeration:
		return moderationKey(answer)
	}
	_, err := ParseTaskType(string(tt))
	return nil, err
}

// taskSchema is the parsed, normalised schema of one task type.
type Schema interface {
	// itemData checks item data and returns what answers are checked against.
	ItemData(data json.RawMessage) (ItemFields, error)
	// answer validates and normalises an answer.
	Answer(d ItemFields, answer json.RawMessage) (any, error)
}

// itemFields is item data decoded as a flat object.
type ItemFields map[string]json.RawMessage

func ParseSchema(tt TaskType, raw json.RawMessage) (Schema, error) {
	var s interface {
		Schema
		normalise() error
	}
	switch tt {
	case TaskClassification:
		s = &ClassificationSchema{}
	case TaskMultiLabel:
		s = &MultiLabelSchema{}
	case TaskSpans:
		s = &SpansSchema{}
	case TaskPairwise:
		s = &PairwiseSchema{}
	case TaskRanking:
		s = &RankingSchema{}
	case TaskRubric:
		s = &RubricSchema{}
	case TaskRewrite:
		s = &RewriteSchema{}
	case TaskModeration:
		s = &ModerationSchema{}
	default:
		_, err := ParseTaskType(string(tt))
		return nil, err
	}
	if err := decodeStrict(raw, s); err != nil {
		return nil, ErrInvalidSchema.With("invalid %s schema: %s", tt, err.Error())
	}
	if err := s.normalise(); err != nil {
		return nil, ErrInvalidSchema.With("invalid %s schema: %s", tt, err.Error())
	}
	return s, nil
}

// ---- strict JSON decoding with readable paths ----

// decodeStrict decodes one JSON object into v, rejecting unknown fields, wrong
// JSON types and trailing data. Errors name the JSON path, e.g.
// `choices[2].hotkey: expected a string, got number 3`.
func decodeStrict(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return fmt.Errorf("empty; expected a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("invalid JSON: extra data after the top-level value")
	}
	if generic == nil {
		return fmt.Errorf("top level: expected an object, got null")
	}
	if err := checkShape(generic, reflect.TypeOf(v).Elem(), ""); err != nil {
		return err
	}
	dec = json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// checkShape should have caught everything; keep a readable fallback.
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

var rawMessageType = reflect.TypeOf(json.RawMessage{})

// checkShape walks a generically decoded value against the Go type that will
// receive it, so that errors carry full paths with indices.
func checkShape(v any, t reflect.Type, path string) error {
	at := func() string {
		if path == "" {
			return "top level"
		}
		return path
	}
	if t == rawMessageType {
		return nil
	}
	if v == nil { // JSON null leaves the Go zero value: same as absent
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return checkShape(v, t.Elem(), path)
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected an object, got %s", at(), DescribeJSON(v))
		}
		fields := jsonFields(t)
		for _, k := range sortedMapKeys(obj) {
			f, ok := fields[k]
			if !ok {
				return fmt.Errorf("%s: unknown field %q (allowed: %s)", at(), k, strings.Join(jsonFieldNames(t), ", "))
			}
			if err := checkShape(obj[k], f.Type, joinPath(path, k)); err != nil {
				return err
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected an object, got %s", at(), DescribeJSON(v))
		}
		for _, k := range sortedMapKeys(obj) {
			if err := checkShape(obj[k], t.Elem(), joinPath(path, k)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: expected an array, got %s", at(), DescribeJSON(v))
		}
		for i, e := range arr {
			if err := checkShape(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s: expected a string, got %s", at(), DescribeJSON(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: expected true or false, got %s", at(), DescribeJSON(v))
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("%s: expected an integer, got %s", at(), DescribeJSON(v))
		}
		if _, err := strconv.ParseInt(string(n), 10, 32); err != nil {
			return fmt.Errorf("%s: expected an integer, got %s", at(), DescribeJSON(v))
		}
	}
	return nil
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func jsonFields(t reflect.Type) map[string]reflect.StructField {
	m := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f
	}
	return m
}

func jsonFieldNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

func sortedMapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// describeJSON renders a generic JSON value briefly for error messages.
func DescribeJSON(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string " + QuoteShort(x)
	case json.Number:
		return "number " + string(x)
	case float64:
		return "number " + strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return "boolean " + strconv.FormatBool(x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// quoteShort quotes s, shortened to 60 code points for messages.
func QuoteShort(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		r := []rune(s)
		return strconv.Quote(string(r[:60])) + "…"
	}
	return strconv.Quote(s)
}

// canonicalJSON encodes v without HTML escaping and without a trailing newline.
func CanonicalJSON(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimRight(b.Bytes(), "\n")), nil
}

// jsonErrText renders a JSON decoding error for messages, with the byte
// offset of a syntax error.
func JSONErrText(err error) string {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg += fmt.Sprintf(" (at byte %d)", se.Offset)
	}
	return msg
}

// ---- item data access ----

func parseItemData(data json.RawMessage) (ItemFields, error) {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] != '{' {
		what := "nothing"
		if len(t) > 0 {
			var g any
			if json.Unmarshal(t, &g) == nil {
				what = DescribeJSON(g)
			} else {
				what = "invalid JSON"
			}
		}
		return nil, ErrInvalidItemData.With("item data must be a JSON object, got %s", what)
	}
	var m ItemFields
	if err := json.Unmarshal(t, &m); err != nil {
		return nil, ErrInvalidItemData.With("item data is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return m, nil
}

// text returns the string at data[field]; empty reports whether "" is allowed.
func (d ItemFields) Text(field string, allowEmpty bool) (string, error) {
	raw, ok := d[field]
	if !ok || string(raw) == "null" {
		return "", ErrInvalidItemData.With("item data is missing field %q", field)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var g any
		_ = json.Unmarshal(raw, &g)
		return "", ErrInvalidItemData.With("item data field %q must be a string, got %s", field, DescribeJSON(g))
	}
	if !allowEmpty && strings.TrimSpace(s) == "" {
		return "", ErrInvalidItemData.With("item data field %q is empty", field)
	}
	return s, nil
}

// ---- shared schema pieces ----

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
