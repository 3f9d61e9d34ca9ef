package suggest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"copyhold/labeling/model"
	"copyhold/labeling/tasktype"
)

const (
	classSchema = `{"field":"text","choices":[{"value":"pos","label":"Positive"},{"value":"neg","label":"Negative"}]}`
	multiSchema = `{"field":"text","choices":[{"value":"a","label":"A"},{"value":"b","label":"B"},{"value":"c","label":"C"}],"max":2}`
	modSchema   = `{"field":"text","categories":[{"value":"none","label":"None","exclusive":true},{"value":"hate","label":"Hate"}]}`
	spanSchema  = `{"field":"text","labels":[{"value":"PER","label":"Person"},{"value":"LOC","label":"Place"}]}`
	overSchema  = `{"field":"text","labels":[{"value":"PER","label":"Person"},{"value":"LOC","label":"Place"}],"allow_overlap":true}`
)

func data(text string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"text": text})
	return b
}

func choice(content string) model.Choice {
	return model.Choice{Message: tasktype.Message{Role: "assistant", Content: content}}
}

func TestRequestForFollowsCapabilities(t *testing.T) {
	for _, c := range []struct {
		name       string
		caps       model.Capabilities
		wantSchema bool
		wantN      int
		wantLP     bool
		inPrompt   string
	}{
		{"structured, sampled logprobs", model.Capabilities{JSONSchema: true, N: true, Logprobs: model.LogprobsSampled}, true, 0, true, "JSON only"},
		{"structured, n, no logprobs", model.Capabilities{JSONSchema: true, N: true}, true, AgreementSamples, false, "JSON only"},
		{"pre-sampling logprobs count as none", model.Capabilities{N: true, Logprobs: model.LogprobsPreSampling}, false, AgreementSamples, false, `"enum":["pos","neg"]`},
		{"no n (Ollama): the caller repeats", model.Capabilities{}, false, 0, false, "following this JSON schema"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := RequestFor(tasktype.TaskClassification, json.RawMessage(classSchema), data("great film"), c.caps)
			if err != nil {
				t.Fatal(err)
			}
			if (req.JSONSchema != nil) != c.wantSchema || req.N != c.wantN || req.Logprobs != c.wantLP {
				t.Fatalf("schema %v n %d logprobs %v; want %v %d %v", req.JSONSchema != nil, req.N, req.Logprobs, c.wantSchema, c.wantN, c.wantLP)
			}
			if len(req.Messages) != 2 || req.Messages[1].Content != "great film" || !strings.Contains(req.Messages[0].Content, c.inPrompt) {
				t.Fatalf("messages %+v lack %q", req.Messages, c.inPrompt)
			}
		})
	}
	if Samples(model.Capabilities{Logprobs: model.LogprobsSampled}) != 1 || Samples(model.Capabilities{Logprobs: model.LogprobsPreSampling}) != AgreementSamples {
		t.Fatal("Samples")
	}
}

func TestResponseSchemaIsConstrainedToLabels(t *testing.T) {
	for _, c := range []struct {
		tt     tasktype.TaskType
		schema string
		want   []string
	}{
		{tasktype.TaskClassification, classSchema, []string{`"choice":{"enum":["pos","neg"]`, `"required":["choice"]`, `"additionalProperties":false`}},
		{tasktype.TaskMultiLabel, multiSchema, []string{`"enum":["a","b","c"]`, `"maxItems":2`, `"minItems":0`}},
		{tasktype.TaskModeration, modSchema, []string{`"enum":["none","hate"]`, `"severity":{"enum":[0,1,2,3]`}},
		{tasktype.TaskSpans, spanSchema, []string{`"label":{"enum":["PER","LOC"]`, `"required":["text","label"]`}},
	} {
		js, err := ResponseSchema(c.tt, json.RawMessage(c.schema), data("x"))
		if err != nil {
			t.Fatal(c.tt, err)
		}
		for _, w := range c.want {
			if !strings.Contains(string(js), w) {
				t.Errorf("%s: %s lacks %s", c.tt, js, w)
			}
		}
	}
}

func TestUnsupported(t *testing.T) {
	_, err := RequestFor(tasktype.TaskRewrite, json.RawMessage(`{}`), data("x"), model.Capabilities{})
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("rewrite: %v", err)
	}
	conv := `{"field":"text","conversation_field":"chat","choices":[{"value":"a","label":"A"},{"value":"b","label":"B"}]}`
	_, err = RequestFor(tasktype.TaskClassification, json.RawMessage(conv), json.RawMessage(`{"chat":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}`), model.Capabilities{})
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("conversation: %v", err)
	}
}

func TestParseValidatesEachSample(t *testing.T) {
	for _, c := range []struct {
		name     string
		tt       tasktype.TaskType
		schema   string
		samples  []string
		want     string // the answer; "" means an error
		rejected []string
		conf     int // -1: nil
	}{
		{"one valid", tasktype.TaskClassification, classSchema, []string{`{"choice":"pos"}`}, `{"choice":"pos"}`, nil, -1},
		{"code fence", tasktype.TaskClassification, classSchema, []string{"```json\n{\"choice\":\"neg\"}\n```"}, `{"choice":"neg"}`, nil, -1},
		{"label outside the set", tasktype.TaskClassification, classSchema, []string{`{"choice":"meh"}`}, "", []string{`sample 1: unknown label: choice "meh" is not one of`}, 0},
		{"not JSON", tasktype.TaskClassification, classSchema, []string{`Positive!`}, "", []string{"sample 1: not JSON: invalid character 'P'"}, 0},
		{"not an object", tasktype.TaskClassification, classSchema, []string{`["pos"]`}, "", []string{"sample 1: not a JSON object: got an array"}, 0},
		{"empty", tasktype.TaskClassification, classSchema, []string{`  `}, "", []string{"sample 1: empty answer"}, 0},
		{"majority of three", tasktype.TaskClassification, classSchema, []string{`{"choice":"neg"}`, `{"choice":"pos"}`, `{"choice":"pos"}`}, `{"choice":"pos"}`, nil, 6666},
		{"invalid samples count against agreement", tasktype.TaskClassification, classSchema, []string{`{"choice":"pos"}`, `nope`, `{"choice":"x"}`}, `{"choice":"pos"}`, []string{"sample 2: not JSON", "sample 3: unknown label"}, 3333},
		{"tie: the earliest", tasktype.TaskClassification, classSchema, []string{`{"choice":"neg"}`, `{"choice":"pos"}`}, `{"choice":"neg"}`, nil, 5000},
		{"multilabel normalised", tasktype.TaskMultiLabel, multiSchema, []string{`{"choices":["b","a"]}`, `{"choices":["a","b"]}`}, `{"choices":["a","b"]}`, nil, 10000},
		{"multilabel too many", tasktype.TaskMultiLabel, multiSchema, []string{`{"choices":["a","b","c"]}`}, "", []string{"sample 1: invalid answer: choices: 3 selected"}, 0},
		{"multilabel unknown", tasktype.TaskMultiLabel, multiSchema, []string{`{"choices":["z"]}`}, "", []string{`sample 1: unknown label: choices[0] "z"`}, 0},
		{"moderation", tasktype.TaskModeration, modSchema, []string{`{"categories":["hate"],"severity":2}`}, `{"categories":["hate"],"severity":2}`, nil, -1},
		{"moderation severity off the scale", tasktype.TaskModeration, modSchema, []string{`{"categories":["hate"],"severity":9}`}, "", []string{"sample 1: invalid answer: severity: 9 is not on the scale"}, 0},
		{"moderation wrong type", tasktype.TaskModeration, modSchema, []string{`{"categories":"hate"}`}, "", []string{"sample 1: invalid answer"}, 0},
		{"spans label outside the set", tasktype.TaskSpans, spanSchema, []string{`{"spans":[{"text":"Anna","label":"ORG"}]}`}, "", []string{`sample 1: unknown label: spans[0].label "ORG" is not one of "PER", "LOC"`}, 0},
		{"spans wrong shape", tasktype.TaskSpans, spanSchema, []string{`{"spans":"Anna"}`}, "", []string{"sample 1: wrong shape: spans must be a list"}, 0},
		{"spans missing", tasktype.TaskSpans, spanSchema, []string{`{"entities":[]}`}, "", []string{"sample 1: wrong shape: spans is missing"}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			var cs []model.Choice
			for _, s := range c.samples {
				cs = append(cs, choice(s))
			}
			s, rep, err := Parse(c.tt, json.RawMessage(c.schema), data("Anna went to Paris"), cs)
			if c.want == "" {
				if !errors.Is(err, ErrNoValid) {
					t.Fatalf("err %v, want ErrNoValid", err)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if string(s.Answer) != c.want {
				t.Fatalf("answer %s, want %s", s.Answer, c.want)
			}
			if rep.Samples != len(c.samples) || len(rep.Rejected) != len(c.rejected) || rep.Valid != len(c.samples)-len(c.rejected) {
				t.Fatalf("report %+v, want %d rejected", rep, len(c.rejected))
			}
			for i, r := range c.rejected {
				if !strings.HasPrefix(rep.Rejected[i], r) {
					t.Errorf("rejected[%d] = %q, want prefix %q", i, rep.Rejected[i], r)
				}
			}
			if c.want == "" {
				for _, r := range c.rejected {
					if !strings.Contains(err.Error(), r) {
						t.Errorf("error %q lacks %q", err, r)
					}
				}
				return
			}
			if c.conf < 0 && s.Confidence != nil || c.conf >= 0 && (s.Confidence == nil || *s.Confidence != c.conf || s.ConfidenceFrom != "agreement") {
				t.Fatalf("confidence %v %q, want %d", s.Confidence, s.ConfidenceFrom, c.conf)
			}
		})
	}
}

func TestParseNoChoices(t *testing.T) {
	if _, _, err := Parse(tasktype.TaskClassification, json.RawMessage(classSchema), data("x"), nil); !errors.Is(err, ErrNoValid) {
		t.Fatal(err)
	}
}

func TestConfidenceFromLogprobs(t *testing.T) {
	lp := []model.TokenLogprob{{Token: `{"`, Logprob: -3}, {Token: `choice`, Logprob: 0}, {Token: `":"`, Logprob: -2}, {Token: `pos`, Logprob: -0.105360516}, {Token: `"}`, Logprob: -1}}
	c := choice(`{"choice":"pos"}`)
	c.Logprobs, c.LogprobsKind = lp, model.LogprobsSampled
	s, _, err := Parse(tasktype.TaskClassification, json.RawMessage(classSchema), data("x"), []model.Choice{c})
	if err != nil {
		t.Fatal(err)
	}
	if s.Confidence == nil || *s.Confidence != 9000 || s.ConfidenceFrom != "logprobs" {
		t.Fatalf("confidence %v %q, want 9000 from logprobs (punctuation left out)", s.Confidence, s.ConfidenceFrom)
	}
	// Pre-sampling probabilities are not the sampled answer's: agreement instead.
	c.LogprobsKind = model.LogprobsPreSampling
	s, _, err = Parse(tasktype.TaskClassification, json.RawMessage(classSchema), data("x"), []model.Choice{c, c, choice(`{"choice":"neg"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if s.Confidence == nil || *s.Confidence != 6666 || s.ConfidenceFrom != "agreement" {
		t.Fatalf("confidence %v %q, want 6666 from agreement", s.Confidence, s.ConfidenceFrom)
	}
}
