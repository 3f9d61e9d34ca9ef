// Package suggest turns a project's schema and an item into a request for a
// model's suggestion (pre-annotation), and the model's answer back into a
// valid answer in the project's format, with a report of what was thrown
// away and a confidence. It is pure: the generation worker sends the request
// (labeling/model.Completer) and stores the result (labeling/store SetSuggestion).
//
// Supported task types: classification, multilabel, spans and moderation,
// each on a plain text field (not a conversation field).
//
// The flow, for the caller:
//
//	req, err := suggest.RequestFor(tt, schema, data, ep.Caps)
//	// send req; when !ep.Caps.N and req.N == 0, send it Samples(caps) times (different seeds)
//	s, report, err := suggest.Parse(tt, schema, data, allChoices)
//	// err: no sample was valid (report.Rejected says why, per sample): retry or skip by policy
//	// s.Answer is valid for the schema; s.Confidence is basis points or nil
package suggest

import (
	"encoding/json"
	"fmt"
	"strings"

	"copyhold/labeling/fault"
	"copyhold/labeling/model"
	"copyhold/labeling/tasktype"
)

// AgreementSamples is how many samples are asked for when confidence must
// come from agreement between samples (no sampled logprobs).
const AgreementSamples = 3

// Errors.
var (
	ErrUnsupported = fault.New(fault.KindInvalid, "suggestion_unsupported", "suggestions are not available for this task type or schema")
	ErrNoValid     = fault.New(fault.KindInvalid, "suggestion_invalid", "no sample of the model's answer was valid")
)

// Suggestion is a model's answer made valid for the project.
type Suggestion struct {
	// Answer is normalised and valid for the schema and item (tasktype.ValidateAnswer).
	Answer json.RawMessage `json:"answer"`
	// Confidence in basis points (0..10000), nil when it cannot be known
	// (one sample and no sampled logprobs).
	Confidence *int `json:"confidence,omitempty"`
	// ConfidenceFrom says how: "logprobs" or "agreement" ("" when Confidence is nil).
	ConfidenceFrom string `json:"confidence_from,omitempty"`
}

// Report says what Parse threw away, for the job's progress and the item's record.
type Report struct {
	Samples int `json:"samples"` // choices read
	Valid   int `json:"valid"`   // choices that gave a valid answer
	// Rejected gives, per invalid sample, the reason ("sample 2: not JSON: …").
	Rejected []string `json:"rejected,omitempty"`
	// SpansDropped counts quoted spans that could not be found in the text
	// (or overlapped an earlier one where the schema forbids overlap), over all samples.
	SpansDropped int `json:"spans_dropped"`
}

// Supported reports whether suggestions can be made for the task type.
func Supported(tt tasktype.TaskType) bool {
	switch tt {
	case tasktype.TaskClassification, tasktype.TaskMultiLabel, tasktype.TaskSpans, tasktype.TaskModeration:
		return true
	}
	return false
}

// Samples is how many choices to gather for one suggestion: one when the
// endpoint gives sampled logprobs, else AgreementSamples.
func Samples(caps model.Capabilities) int {
	if caps.Logprobs == model.LogprobsSampled {
		return 1
	}
	return AgreementSamples
}

// target is what a schema asks of a model: the text to read and the JSON
// schema of the answer, constrained to the project's labels.
type target struct {
	tt     tasktype.TaskType
	text   string
	schema map[string]any
	guide  string // plain words for the prompt
	// allowOverlap: a spans schema that allows overlapping spans.
	allowOverlap bool
	labels       []string // a spans schema's label values
}

func targetFor(tt tasktype.TaskType, rawSchema, data json.RawMessage) (target, error) {
	if !Supported(tt) {
		return target{}, ErrUnsupported.With("suggestions are not available for %s projects (only classification, multilabel, spans and moderation)", tt)
	}
	s, err := tasktype.ParseSchema(tt, rawSchema)
	if err != nil {
		return target{}, err
	}
	d, err := s.ItemData(data)
	if err != nil {
		return target{}, err
	}
	t := target{tt: tt}
	field, conv := "", ""
	switch s := s.(type) {
	case *tasktype.ClassificationSchema:
		field, conv = s.Field, s.ConversationField
		vals := choiceValues(s.Choices)
		t.schema = object(map[string]any{"choice": enum(vals)}, "choice")
		t.guide = "Choose exactly one label for the text: " + describe(s.Choices) + `. Answer {"choice": "<label>"}.`
	case *tasktype.MultiLabelSchema:
		field, conv = s.Field, s.ConversationField
		vals := choiceValues(s.Choices)
		arr := map[string]any{"type": "array", "items": enum(vals), "minItems": *s.Min, "maxItems": *s.Max, "uniqueItems": true}
		t.schema = object(map[string]any{"choices": arr}, "choices")
		t.guide = fmt.Sprintf("Choose between %d and %d labels that apply to the text: %s. Answer {\"choices\": [\"<label>\", …]}.", *s.Min, *s.Max, describe(s.Choices))
	case *tasktype.ModerationSchema:
		field, conv = s.Field, s.ConversationField
		vals := choiceValues(s.Categories)
		arr := map[string]any{"type": "array", "items": enum(vals), "minItems": 1, "uniqueItems": true}
		if !*s.Multi {
			arr["maxItems"] = 1
		}
		props := map[string]any{"categories": arr}
		req := []string{"categories"}
		t.guide = "Choose the policy categories the text falls under: " + describe(s.Categories) + "."
		if sev := *s.Severities; len(sev) > 0 {
			vs := make([]any, len(sev))
			var words []string
			for i, p := range sev {
				vs[i] = p.Value
				words = append(words, fmt.Sprintf("%d (%s)", p.Value, p.Label))
			}
			props["severity"] = map[string]any{"type": "integer", "enum": vs}
			req = append(req, "severity")
			t.guide += " Give a severity: " + strings.Join(words, ", ") + "."
		}
		t.schema = object(props, req...)
		t.guide += ` Answer {"categories": [...], "severity": <n>}.`
	case *tasktype.SpansSchema:
		field, conv = s.Field, s.ConversationField
		t.allowOverlap = s.AllowOverlap
		vals := make([]string, len(s.Labels))
		t.labels = vals
		var words []string
		for i, l := range s.Labels {
			vals[i] = l.Value
			words = append(words, quoteWith(l.Value, l.Description))
		}
		span := object(map[string]any{"text": map[string]any{"type": "string", "minLength": 1}, "label": enum(vals)}, "text", "label")
		t.schema = object(map[string]any{"spans": map[string]any{"type": "array", "items": span}}, "spans")
		t.guide = "Mark every span of the text that is one of these entity labels: " + strings.Join(words, ", ") +
			`. Quote each span's text exactly as it appears in the input, in order. Answer {"spans": [{"text": "<exact quote>", "label": "<label>"}, …]}.`
	}
	if conv != "" {
		return target{}, ErrUnsupported.With("suggestions are not available for schemas that judge a conversation (conversation_field %q)", conv)
	}
	if t.text, err = d.Text(field, false); err != nil {
		return target{}, err
	}
	return t, nil
}

// ResponseSchema is the JSON schema a model's answer must follow for the
// project: the answer's shape with the labels as enums.
func ResponseSchema(tt tasktype.TaskType, schema, data json.RawMessage) (json.RawMessage, error) {
	t, err := targetFor(tt, schema, data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(t.schema)
}

// RequestFor builds the chat request for one item's suggestion. With
// caps.JSONSchema the answer is constrained by structured output; without
// it, the prompt carries the schema and asks for JSON only, and Parse
// validates (the caller retries when no sample is valid). With caps.N and
// no sampled logprobs, N asks for AgreementSamples choices at once; without
// caps.N, N is 0 and the caller sends the request Samples(caps) times.
// Logprobs are asked for when the endpoint gives sampled ones.
func RequestFor(tt tasktype.TaskType, schema, data json.RawMessage, caps model.Capabilities) (model.Request, error) {
	t, err := targetFor(tt, schema, data)
	if err != nil {
		return model.Request{}, err
	}
	js, err := json.Marshal(t.schema)
	if err != nil {
		return model.Request{}, err
	}
	system := "You pre-annotate data for human labellers. " + t.guide
	if caps.JSONSchema {
		system += " Answer with JSON only."
	} else {
		system += " Answer with one JSON object only, no other text, following this JSON schema: " + string(js)
	}
	req := model.Request{Messages: []tasktype.Message{{Role: "system", Content: system}, {Role: "user", Content: t.text}}}
	if caps.JSONSchema {
		req.JSONSchema = js
	}
	if caps.Logprobs == model.LogprobsSampled {
		req.Logprobs = true
	} else if caps.N {
		req.N = AgreementSamples
	}
	return req, nil
}

func object(props map[string]any, required ...string) map[string]any {
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

func enum(vals []string) map[string]any {
	return map[string]any{"type": "string", "enum": vals}
}

func choiceValues(opts []tasktype.ChoiceOption) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value
	}
	return out
}

func describe(opts []tasktype.ChoiceOption) string {
	words := make([]string, len(opts))
	for i, o := range opts {
		words[i] = quoteWith(o.Value, o.Description)
	}
	return strings.Join(words, ", ")
}

func quoteWith(v, desc string) string {
	if desc == "" {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%q (%s)", v, desc)
}
