// Package tasktype defines the eight task types: their schemas, item data, answers, answer keys and text offsets.
package tasktype

import (
	"bytes"
	"copyhold/labeling/fault"
	"copyhold/labeling/jsonscan"
	"encoding/json"
	"maps"
	"strings"
	"sync/atomic"
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

// Schema is the parsed, normalised schema of one task type.
type Schema interface {
	// ItemData checks item data and returns what answers are checked against.
	ItemData(data json.RawMessage) (ItemFields, error)
	// Answer validates and normalises an answer.
	Answer(d ItemFields, answer json.RawMessage) (any, error)
}

// ItemFields is item data decoded as a flat object.
type ItemFields map[string]json.RawMessage

// ParseSchema decodes and normalises a schema of the task type; the
// importer and the exports read item data and answers through it.
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

// Item data access.

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
	// One pass that validates and slices the members; encoding/json only
	// words the error when the data is not JSON.
	m := ItemFields{}
	if jsonscan.Object(t, func(k, v []byte) error {
		m[itemKey(k)] = v
		return nil
	}) == nil {
		return m, nil
	}
	m = nil
	if err := json.Unmarshal(t, &m); err != nil {
		return nil, ErrInvalidItemData.With("item data is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return m, nil
}

// CheckText is Text without the string: the check that item data has it.
// A string without escapes is checked in place, without a copy.
func (d ItemFields) CheckText(field string, allowEmpty bool) error {
	if raw, ok := d[field]; ok && jsonscan.Plain(raw) && (allowEmpty || len(bytes.TrimSpace(raw[1:len(raw)-1])) > 0) {
		return nil
	}
	_, err := d.Text(field, allowEmpty)
	return err
}

// itemKeys interns item data's keys (field names, the same on every item
// of a project), so that reading an item does not copy them again: an
// immutable map, replaced by a larger copy when a key is added, up to
// maxItemKeys keys; past that, keys are copied as before.
var itemKeys atomic.Pointer[map[string]string]

const maxItemKeys = 256

func itemKey(k []byte) string {
	keys := itemKeys.Load()
	if keys != nil {
		if s, ok := (*keys)[string(k)]; ok {
			return s
		}
	}
	s := jsonscan.Key(k)
	if keys != nil && len(*keys) >= maxItemKeys {
		return s
	}
	next := make(map[string]string, 1)
	if keys != nil {
		next = maps.Clone(*keys)
	}
	next[string(k)] = s
	itemKeys.CompareAndSwap(keys, &next) // a lost race only skips interning this once
	return s
}

// Text returns the string at data[field]; allowEmpty says whether "" is allowed.
func (d ItemFields) Text(field string, allowEmpty bool) (string, error) {
	raw, ok := d[field]
	if !ok || string(raw) == "null" {
		return "", ErrInvalidItemData.With("item data is missing field %q", field)
	}
	s, isString, err := jsonscan.String(raw)
	if !isString || err != nil {
		var g any
		_ = json.Unmarshal(raw, &g)
		return "", ErrInvalidItemData.With("item data field %q must be a string, got %s", field, DescribeJSON(g))
	}
	if !allowEmpty && strings.TrimSpace(s) == "" {
		return "", ErrInvalidItemData.With("item data field %q is empty", field)
	}
	return s, nil
}
