package suggest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"copyhold/labeling/model"
	"copyhold/labeling/tasktype"
)

// sample is one choice made valid.
type sample struct {
	answer json.RawMessage
	key    string
	choice model.Choice
}

// Parse reads a model's choices (one or several samples of the same
// request) for one item and returns the suggestion: the answer most
// samples agree on (ties: the earliest), normalised and valid for the
// schema. Each sample that is not JSON, has the wrong shape or names a
// label outside the project's set is rejected with its reason in the
// Report. Spans given as quoted text are placed on the item's text in code
// points; quotes that cannot be placed are dropped and counted.
//
// Confidence comes from the chosen sample's logprobs when they are sampled
// ones (model.LogprobsSampled: the probability of the answer's tokens, JSON
// punctuation left out), otherwise from agreement: the share of all samples,
// invalid ones included, that gave the chosen answer. One sample without
// sampled logprobs has no confidence.
//
// The error is ErrNoValid (with every sample's reason) when no sample is
// valid, ErrUnsupported for a task type without suggestions, or the schema's
// or item's own error.
func Parse(tt tasktype.TaskType, schema, data json.RawMessage, choices []model.Choice) (Suggestion, Report, error) {
	t, err := targetFor(tt, schema, data)
	if err != nil {
		return Suggestion{}, Report{}, err
	}
	rep := Report{Samples: len(choices)}
	var valid []sample
	for i, c := range choices {
		ans, dropped, err := t.answer(schema, data, c.Message.Content)
		rep.SpansDropped += dropped
		if err != nil {
			rep.Rejected = append(rep.Rejected, fmt.Sprintf("sample %d: %s", i+1, err.Error()))
			continue
		}
		k, err := tasktype.AnswerKey(tt, ans)
		if err != nil {
			rep.Rejected = append(rep.Rejected, fmt.Sprintf("sample %d: %s", i+1, err.Error()))
			continue
		}
		valid = append(valid, sample{answer: ans, key: strings.Join(k, "\x00"), choice: c})
	}
	rep.Valid = len(valid)
	if len(valid) == 0 {
		if len(choices) == 0 {
			return Suggestion{}, rep, ErrNoValid.With("the model gave no answer")
		}
		return Suggestion{}, rep, ErrNoValid.With("no valid answer among %d samples: %s", len(choices), strings.Join(rep.Rejected, "; "))
	}
	best, votes := majority(valid)
	s := Suggestion{Answer: best.answer}
	if c := best.choice; c.LogprobsKind == model.LogprobsSampled && len(c.Logprobs) > 0 {
		bp := logprobBP(c.Logprobs)
		s.Confidence, s.ConfidenceFrom = &bp, "logprobs"
	} else if len(choices) > 1 {
		bp := votes * 10_000 / len(choices)
		s.Confidence, s.ConfidenceFrom = &bp, "agreement"
	}
	return s, rep, nil
}

// majority is the answer most samples gave (ties: the earliest) and its count.
func majority(valid []sample) (sample, int) {
	count := map[string]int{}
	for _, v := range valid {
		count[v.key]++
	}
	best := valid[0]
	for _, v := range valid {
		if count[v.key] > count[best.key] {
			best = v
		}
	}
	return best, count[best.key]
}

// logprobBP is exp(Σ logprob) over the tokens that carry more than JSON
// punctuation and white space, in basis points.
func logprobBP(lps []model.TokenLogprob) int {
	sum := 0.0
	for _, t := range lps {
		if strings.Trim(t.Token, " \t\r\n{}[]\":,") == "" {
			continue
		}
		sum += t.Logprob
	}
	p := math.Exp(min(sum, 0))
	return int(math.Round(p * 10_000))
}

// answer turns one sample's text into a valid answer (and the number of
// spans it dropped).
func (t target) answer(schema, data json.RawMessage, content string) (json.RawMessage, int, error) {
	raw, err := jsonOf(content)
	if err != nil {
		return nil, 0, err
	}
	dropped := 0
	if t.tt == tasktype.TaskSpans {
		if raw, dropped, err = t.placeSpans(raw); err != nil {
			return nil, dropped, err
		}
	}
	ans, err := tasktype.ValidateAnswer(t.tt, schema, data, raw)
	return ans, dropped, err
}

// jsonOf is the JSON object in a sample: the whole text, or the text inside
// a Markdown code fence (models without structured output like to add one).
func jsonOf(content string) (json.RawMessage, error) {
	b := bytes.TrimSpace([]byte(content))
	if bytes.HasPrefix(b, []byte("```")) {
		b = b[3:]
		if nl := bytes.IndexByte(b, '\n'); nl >= 0 {
			b = b[nl+1:]
		}
		b = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(b), []byte("```")))
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("empty answer")
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("not JSON: %s (%s)", strings.TrimPrefix(err.Error(), "json: "), tasktype.QuoteShort(string(b)))
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("not a JSON object: got %s", tasktype.DescribeJSON(v))
	}
	return b, nil
}

// placeSpans turns {"spans":[{"text","label"}]} into an answer with offsets.
// A label outside the set rejects the sample; a quote not found in the text,
// a second identical span, or (where the schema forbids it) an overlap drops
// that span only.
func (t target) placeSpans(raw json.RawMessage) (json.RawMessage, int, error) {
	var in struct {
		Spans *[]quoted `json:"spans"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, 0, fmt.Errorf("wrong shape: spans must be a list of {\"text\", \"label\"}: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if in.Spans == nil {
		return nil, 0, fmt.Errorf("wrong shape: spans is missing")
	}
	al := newAligner(t.text)
	type placed struct {
		offsets
		label string
	}
	var out []placed
	dropped := 0
	for i, q := range *in.Spans {
		if !slices.Contains(t.labels, q.Label) {
			return nil, 0, fmt.Errorf("unknown label: spans[%d].label %s is not one of %s", i, tasktype.QuoteShort(q.Label), tasktype.QuoteList(t.labels))
		}
		o, ok := al.place(q.Text)
		if !ok {
			dropped++
			continue
		}
		out = append(out, placed{o, q.Label})
	}
	slices.SortStableFunc(out, func(x, y placed) int { return x.start - y.start })
	type span struct {
		Start int    `json:"start"`
		End   int    `json:"end"`
		Label string `json:"label"`
	}
	spans := []span{}
	far := -1 // the furthest end kept so far
	for _, p := range out {
		if !t.allowOverlap && p.start < far {
			dropped++
			continue
		}
		if n := len(spans); n > 0 && spans[n-1].Start == p.start && spans[n-1].End == p.end && spans[n-1].Label == p.label {
			dropped++
			continue
		}
		spans = append(spans, span{p.start, p.end, p.label})
		far = max(far, p.end)
	}
	b, err := json.Marshal(map[string]any{"spans": spans})
	return b, dropped, err
}
