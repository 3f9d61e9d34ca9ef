package tasktype

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseTaskType(t *testing.T) {
	for _, tt := range TaskTypes() {
		got, err := ParseTaskType(string(tt))
		if err != nil || got != tt {
			t.Errorf("ParseTaskType(%q) = %q, %v", tt, got, err)
		}
	}
	for _, bad := range []string{"", "Classification", "ner", "multi_label", " spans"} {
		_, err := ParseTaskType(bad)
		if !errors.Is(err, ErrUnknownTaskType) {
			t.Errorf("ParseTaskType(%q) err = %v, want ErrUnknownTaskType", bad, err)
		}
	}
	if len(TaskTypes()) != 8 {
		t.Errorf("want 8 task types, got %d", len(TaskTypes()))
	}
}

// Example schemas, one per task type, used across the tests.
var exampleSchemas = map[TaskType]string{
	TaskClassification: `{"field":"text","choices":[{"value":"positive","label":"Positive"},{"value":"negative","label":"Negative"}]}`,
	TaskMultiLabel:     `{"choices":[{"value":"a"},{"value":"b"},{"value":"c"},{"value":"none","exclusive":true}],"max":2}`,
	TaskSpans:          `{"labels":[{"value":"PER","label":"Person","hotkey":"p"},{"value":"LOC"}]}`,
	TaskPairwise:       `{"strength":true}`,
	TaskRanking:        `{"allow_ties":true}`,
	TaskRubric:         `{"criteria":[{"id":"helpful","label":"Helpfulness"},{"id":"safe","optional":true,"scale":[{"value":0,"label":"Unsafe"},{"value":1,"label":"Safe"}]}]}`,
	TaskRewrite:        `{"min_length":3}`,
	TaskModeration:     `{"categories":[{"value":"hate","label":"Hate"},{"value":"violence"},{"value":"none","label":"No violation","exclusive":true}]}`,
}

var exampleData = map[TaskType]string{
	TaskClassification: `{"text":"Great for the jawbone."}`,
	TaskMultiLabel:     `{"text":"x"}`,
	TaskSpans:          `{"text":"🙂 Anna went to Paris"}`,
	TaskPairwise:       `{"prompt":"Say hi","response_a":"Hi!","response_b":"Go away."}`,
	TaskRanking:        `{"prompt":"p","responses":[{"id":"r1","text":"one"},{"id":"r2","text":"two"},{"id":"r3","text":"three"}]}`,
	TaskRubric:         `{"prompt":"p","response":"r"}`,
	TaskRewrite:        `{"prompt":"p","response":"teh original"}`,
	TaskModeration:     `{"text":"some post"}`,
}

func TestValidateSchemaNormalises(t *testing.T) {
	want := map[TaskType]string{
		TaskClassification: `{"field":"text","choices":[{"value":"positive","label":"Positive","hotkey":"1"},{"value":"negative","label":"Negative","hotkey":"2"}]}`,
		TaskMultiLabel:     `{"field":"text","choices":[{"value":"a","label":"a","hotkey":"1"},{"value":"b","label":"b","hotkey":"2"},{"value":"c","label":"c","hotkey":"3"},{"value":"none","label":"none","hotkey":"4","exclusive":true}],"min":0,"max":2}`,
		TaskSpans:          `{"field":"text","labels":[{"value":"PER","label":"Person","hotkey":"p"},{"value":"LOC","label":"LOC","hotkey":"1"}],"allow_overlap":false}`,
		TaskPairwise:       `{"prompt_field":"prompt","a_field":"response_a","b_field":"response_b","strength":true,"rationale":"optional","allow_tie":true,"allow_both_bad":true}`,
		TaskRanking:        `{"prompt_field":"prompt","responses_field":"responses","allow_ties":true}`,
		TaskRubric:         `{"prompt_field":"prompt","response_field":"response","criteria":[{"id":"helpful","label":"Helpfulness","scale":[{"value":1,"label":"Very poor"},{"value":2,"label":"Poor"},{"value":3,"label":"Fair"},{"value":4,"label":"Good"},{"value":5,"label":"Excellent"}]},{"id":"safe","label":"safe","optional":true,"scale":[{"value":0,"label":"Unsafe"},{"value":1,"label":"Safe"}]}],"rationale":"optional"}`,
		TaskRewrite:        `{"field":"response","prompt_field":"prompt","min_length":3,"max_length":100000}`,
		TaskModeration:     `{"field":"text","categories":[{"value":"hate","label":"Hate"},{"value":"violence","label":"violence"},{"value":"none","label":"No violation","exclusive":true}],"severities":[{"value":0,"label":"None"},{"value":1,"label":"Low"},{"value":2,"label":"Medium"},{"value":3,"label":"High"}],"multi":true}`,
	}
	for _, tt := range TaskTypes() {
		t.Run(string(tt), func(t *testing.T) {
			got, err := ValidateSchema(tt, json.RawMessage(exampleSchemas[tt]))
			if err != nil {
				t.Fatalf("ValidateSchema: %v", err)
			}
			if string(got) != want[tt] {
				t.Errorf("normalised schema\n got %s\nwant %s", got, want[tt])
			}
			again, err := ValidateSchema(tt, got)
			if err != nil || string(again) != string(got) {
				t.Errorf("not idempotent: %s, %v", again, err)
			}
		})
	}
}

func TestValidateSchemaSpecialCases(t *testing.T) {
	// An explicit "" prompt field means "no prompt" and survives normalisation.
	got, err := ValidateSchema(TaskPairwise, json.RawMessage(`{"prompt_field":"","a_field":"text1","b_field":"text2"}`))
	if err != nil || !strings.Contains(string(got), `"prompt_field":""`) {
		t.Fatalf("got %s, %v", got, err)
	}
	// Explicitly empty severities: no severity scale.
	got, err = ValidateSchema(TaskModeration, json.RawMessage(`{"categories":[{"value":"spam"}],"severities":[],"multi":false}`))
	if err != nil || !strings.Contains(string(got), `"severities":[]`) {
		t.Fatalf("got %s, %v", got, err)
	}
	// Rubric scales are sorted lowest first.
	got, err = ValidateSchema(TaskRubric, json.RawMessage(`{"criteria":[{"id":"c","scale":[{"value":3},{"value":1},{"value":2}]}]}`))
	if err != nil || !strings.Contains(string(got), `"scale":[{"value":1,"label":"1"},{"value":2,"label":"2"},{"value":3,"label":"3"}]`) {
		t.Fatalf("got %s, %v", got, err)
	}
	// A character-precise spans schema keeps the option; the default omits it.
	got, err = ValidateSchema(TaskSpans, json.RawMessage(`{"labels":[{"value":"PER"}],"character_precise":true}`))
	if err != nil || !strings.Contains(string(got), `"character_precise":true`) {
		t.Fatalf("got %s, %v", got, err)
	}
	// Hotkeys skip digits already taken and are stored lower-case.
	got, err = ValidateSchema(TaskClassification, json.RawMessage(`{"choices":[{"value":"a"},{"value":"b","hotkey":"1"},{"value":"c","hotkey":"X"}]}`))
	if err != nil || !strings.Contains(string(got), `{"value":"a","label":"a","hotkey":"2"},{"value":"b","label":"b","hotkey":"1"},{"value":"c","label":"c","hotkey":"x"}`) {
		t.Fatalf("got %s, %v", got, err)
	}
}

func TestValidateSchemaErrors(t *testing.T) {
	cases := []struct {
		name   string
		tt     TaskType
		schema string
		want   error
		msg    string
	}{
		{"unknown type", "ner", `{}`, ErrUnknownTaskType, `unknown task type "ner"`},
		{"empty", TaskClassification, ``, ErrInvalidSchema, "empty"},
		{"not json", TaskClassification, `{"choices":`, ErrInvalidSchema, "invalid JSON"},
		{"array", TaskClassification, `[]`, ErrInvalidSchema, "top level: expected an object, got an array"},
		{"trailing", TaskClassification, `{} {}`, ErrInvalidSchema, "extra data"},
		{"unknown field", TaskClassification, `{"choices":[{"value":"a"},{"value":"b","colour":"red"}]}`, ErrInvalidSchema, `choices[1]: unknown field "colour"`},
		{"unknown top field", TaskSpans, `{"labels":[{"value":"a"}],"overlap":true}`, ErrInvalidSchema, `top level: unknown field "overlap"`},
		{"wrong type", TaskClassification, `{"choices":[{"value":"a"},{"value":2}]}`, ErrInvalidSchema, "choices[1].value: expected a string, got number 2"},
		{"one choice", TaskClassification, `{"choices":[{"value":"a"}]}`, ErrInvalidSchema, "choices: needs at least 2 entries, got 1"},
		{"duplicate value", TaskClassification, `{"choices":[{"value":"a"},{"value":"a"}]}`, ErrInvalidSchema, `choices[1].value: "a" is also the value of choices[0]`},
		{"empty value", TaskClassification, `{"choices":[{"value":"a"},{"value":""}]}`, ErrInvalidSchema, "choices[1].value: must not be empty"},
		{"padded value", TaskClassification, `{"choices":[{"value":"a"},{"value":" b"}]}`, ErrInvalidSchema, `choices[1].value: " b" has leading or trailing whitespace`},
		{"duplicate hotkey", TaskClassification, `{"choices":[{"value":"a","hotkey":"q"},{"value":"b","hotkey":"Q"}]}`, ErrInvalidSchema, `choices[1].hotkey: "q" is already the hotkey of choices[0]`},
		{"long hotkey", TaskClassification, `{"choices":[{"value":"a","hotkey":"ctrl+a"},{"value":"b"}]}`, ErrInvalidSchema, `choices[0].hotkey: "ctrl+a" must be a single visible character`},
		{"exclusive in classification", TaskClassification, `{"choices":[{"value":"a","exclusive":true},{"value":"b"}]}`, ErrInvalidSchema, "choices[0].exclusive"},
		{"multilabel max", TaskMultiLabel, `{"choices":[{"value":"a"},{"value":"b"}],"max":3}`, ErrInvalidSchema, "max: 3 must be between 1 and the number of choices (2)"},
		{"multilabel min>max", TaskMultiLabel, `{"choices":[{"value":"a"},{"value":"b"}],"min":2,"max":1}`, ErrInvalidSchema, "min: 2 is greater than max 1"},
		{"spans no labels", TaskSpans, `{"labels":[]}`, ErrInvalidSchema, "labels: needs 1 to"},
		{"spans bad colour", TaskSpans, `{"labels":[{"value":"A","color":"red;evil"}]}`, ErrInvalidSchema, `labels[0].color: "red;evil" is not a CSS colour`},
		{"pairwise same fields", TaskPairwise, `{"a_field":"x","b_field":"x"}`, ErrInvalidSchema, `b_field: "x" is also a_field`},
		{"pairwise rationale mode", TaskPairwise, `{"rationale":"sometimes"}`, ErrInvalidSchema, `rationale: "sometimes" must be "off", "optional" or "required"`},
		{"pairwise strength type", TaskPairwise, `{"strength":"yes"}`, ErrInvalidSchema, `strength: expected true or false, got string "yes"`},
		{"rubric no criteria", TaskRubric, `{"criteria":[]}`, ErrInvalidSchema, "criteria: needs 1 to 30 criteria, got 0"},
		{"rubric bad id", TaskRubric, `{"criteria":[{"id":"has space"}]}`, ErrInvalidSchema, `criteria[0].id: "has space" must be`},
		{"rubric dup scale", TaskRubric, `{"criteria":[{"id":"c","scale":[{"value":1},{"value":1}]}]}`, ErrInvalidSchema, "criteria[0].scale[1].value: 1 is also the value of criteria[0].scale[0]"},
		{"rubric float scale", TaskRubric, `{"criteria":[{"id":"c","scale":[{"value":1.5},{"value":2}]}]}`, ErrInvalidSchema, "criteria[0].scale[0].value: expected an integer, got number 1.5"},
		{"rubric short scale", TaskRubric, `{"criteria":[{"id":"c","scale":[{"value":1}]}]}`, ErrInvalidSchema, "criteria[0].scale: needs 2 to 11 points, got 1"},
		{"rewrite max", TaskRewrite, `{"max_length":200000}`, ErrInvalidSchema, "max_length: 200000 is over the limit of 100000"},
		{"rewrite nothing", TaskRewrite, `{"field":"","prompt_field":""}`, ErrInvalidSchema, "both are empty"},
		{"moderation no categories", TaskModeration, `{"categories":[]}`, ErrInvalidSchema, "categories: needs at least 1 entries, got 0"},
		{"moderation severity dup", TaskModeration, `{"categories":[{"value":"x"}],"severities":[{"value":0},{"value":0}]}`, ErrInvalidSchema, "severities[1].value: 0 is also the value of severities[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ValidateSchema(c.tt, json.RawMessage(c.schema))
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q does not contain %q", err.Error(), c.msg)
			}
		})
	}
}

func TestValidateItemData(t *testing.T) {
	for _, tt := range TaskTypes() {
		if err := ValidateItemData(tt, json.RawMessage(exampleSchemas[tt]), json.RawMessage(exampleData[tt])); err != nil {
			t.Errorf("%s: valid data rejected: %v", tt, err)
		}
	}
	cases := []struct {
		name string
		tt   TaskType
		data string
		msg  string
	}{
		{"missing text", TaskClassification, `{"body":"x"}`, `item data is missing field "text"`},
		{"text not string", TaskClassification, `{"text":5}`, `item data field "text" must be a string, got number 5`},
		{"text empty", TaskSpans, `{"text":"  "}`, `item data field "text" is empty`},
		{"not object", TaskClassification, `["text"]`, "item data must be a JSON object, got an array"},
		{"invalid json", TaskClassification, `{"text":`, "item data is not valid JSON: unexpected end of JSON input"},
		{"pairwise missing b", TaskPairwise, `{"prompt":"p","response_a":"a"}`, `missing field "response_b"`},
		{"pairwise missing prompt", TaskPairwise, `{"response_a":"a","response_b":"b"}`, `missing field "prompt"`},
		{"ranking one response", TaskRanking, `{"prompt":"p","responses":[{"id":"a","text":"x"}]}`, `field "responses" must hold 2 to 50 responses, got 1`},
		{"ranking dup id", TaskRanking, `{"prompt":"p","responses":[{"id":"a","text":"x"},{"id":"a","text":"y"}]}`, `responses[1].id "a" is also the id of responses[0]`},
		{"ranking numeric id", TaskRanking, `{"prompt":"p","responses":[{"id":1,"text":"x"},{"id":"b","text":"y"}]}`, "responses[0].id must be a non-empty string, got number 1"},
		{"ranking nothing to show", TaskRanking, `{"prompt":"p","responses":[{"id":"a"},{"id":"b","text":"y"}]}`, `responses[0] needs a "text"`},
		{"rubric missing response", TaskRubric, `{"prompt":"p"}`, `missing field "response"`},
		{"rewrite missing original", TaskRewrite, `{"prompt":"p"}`, `missing field "response"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateItemData(c.tt, json.RawMessage(exampleSchemas[c.tt]), json.RawMessage(c.data))
			if !errors.Is(err, ErrInvalidItemData) {
				t.Fatalf("err = %v, want ErrInvalidItemData", err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q does not contain %q", err.Error(), c.msg)
			}
		})
	}
}

func TestValidateAnswer(t *testing.T) {
	cases := []struct {
		name   string
		tt     TaskType
		answer string
		want   string // normalised answer, if no error
		err    error
		msg    string
	}{
		{"classification", TaskClassification, `{"choice":"positive"}`, `{"choice":"positive"}`, nil, ""},
		{"classification unknown", TaskClassification, `{"choice":"meh"}`, "", ErrUnknownLabel, `choice "meh" is not one of "positive", "negative"`},
		{"classification missing", TaskClassification, `{}`, "", ErrInvalidAnswer, "choice: is required"},
		{"classification extra field", TaskClassification, `{"choice":"positive","confidence":0.9}`, "", ErrInvalidAnswer, `unknown field "confidence"`},
		{"classification array", TaskClassification, `{"choice":["positive"]}`, "", ErrInvalidAnswer, "choice: expected a string, got an array"},

		{"multilabel sorted to schema order", TaskMultiLabel, `{"choices":["b","a"]}`, `{"choices":["a","b"]}`, nil, ""},
		{"multilabel empty ok (min 0)", TaskMultiLabel, `{"choices":[]}`, `{"choices":[]}`, nil, ""},
		{"multilabel over max", TaskMultiLabel, `{"choices":["a","b","c"]}`, "", ErrInvalidAnswer, "choices: 3 selected; this schema needs between 0 and 2"},
		{"multilabel duplicate", TaskMultiLabel, `{"choices":["a","a"]}`, "", ErrInvalidAnswer, `choices[1]: "a" is selected twice`},
		{"multilabel exclusive", TaskMultiLabel, `{"choices":["a","none"]}`, "", ErrInvalidAnswer, `"none" cannot be combined`},
		{"multilabel unknown", TaskMultiLabel, `{"choices":["a","zzz"]}`, "", ErrUnknownLabel, `choices[1] "zzz" is not one of`},

		// Text: "🙂 Anna went to Paris" — 🙂 is one code point, so Anna is 2..6.
		{"spans fill text and sort", TaskSpans, `{"spans":[{"start":15,"end":20,"label":"LOC"},{"start":2,"end":6,"label":"PER","text":"Anna"}]}`,
			`{"spans":[{"start":2,"end":6,"label":"PER","text":"Anna"},{"start":15,"end":20,"label":"LOC","text":"Paris"}]}`, nil, ""},
		{"spans empty", TaskSpans, `{"spans":[]}`, `{"spans":[]}`, nil, ""},
		{"spans emoji span", TaskSpans, `{"spans":[{"start":0,"end":1,"label":"PER"}]}`, `{"spans":[{"start":0,"end":1,"label":"PER","text":"🙂"}]}`, nil, ""},
		{"spans text mismatch", TaskSpans, `{"spans":[{"start":3,"end":7,"label":"PER","text":"Anna"}]}`, "", ErrInvalidAnswer, `spans[0].text "Anna" does not match the text at code points 3..7, which is "nna "`},
		{"spans past end", TaskSpans, `{"spans":[{"start":15,"end":21,"label":"LOC"}]}`, "", ErrOffsetOutOfRange, "spans[0]: start 15, end 21; need 0 <= start < end <= 20"},
		{"spans empty span", TaskSpans, `{"spans":[{"start":3,"end":3,"label":"LOC"}]}`, "", ErrOffsetOutOfRange, "start 3, end 3"},
		{"spans negative", TaskSpans, `{"spans":[{"start":-1,"end":3,"label":"LOC"}]}`, "", ErrOffsetOutOfRange, "start -1"},
		{"spans unknown label", TaskSpans, `{"spans":[{"start":2,"end":6,"label":"ORG"}]}`, "", ErrUnknownLabel, `spans[0].label "ORG" is not one of "PER", "LOC"`},
		{"spans overlap", TaskSpans, `{"spans":[{"start":2,"end":10,"label":"PER"},{"start":7,"end":20,"label":"LOC"}]}`, "", ErrInvalidAnswer, `spans overlap: 2..10 "PER" and 7..20 "LOC"`},
		{"spans nested overlap", TaskSpans, `{"spans":[{"start":2,"end":20,"label":"PER"},{"start":3,"end":4,"label":"LOC"},{"start":10,"end":12,"label":"LOC"}]}`, "", ErrInvalidAnswer, "spans overlap: 2..20"},
		{"spans duplicate", TaskSpans, `{"spans":[{"start":2,"end":6,"label":"PER"},{"start":2,"end":6,"label":"PER"}]}`, "", ErrInvalidAnswer, `2..6 "PER" appears twice`},
		{"spans adjacent ok", TaskSpans, `{"spans":[{"start":2,"end":6,"label":"PER"},{"start":6,"end":7,"label":"LOC"}]}`,
			`{"spans":[{"start":2,"end":6,"label":"PER","text":"Anna"},{"start":6,"end":7,"label":"LOC","text":" "}]}`, nil, ""},

		{"pairwise", TaskPairwise, `{"choice":"a","strength":2,"rationale":"  friendlier  ","shown_order":"ba"}`, `{"choice":"a","strength":2,"rationale":"friendlier","shown_order":"ba"}`, nil, ""},
		{"pairwise tie", TaskPairwise, `{"choice":"tie"}`, `{"choice":"tie"}`, nil, ""},
		{"pairwise bad choice", TaskPairwise, `{"choice":"left"}`, "", ErrInvalidAnswer, `choice: "left" must be "a", "b", "tie" or "both_bad"`},
		{"pairwise strength on tie", TaskPairwise, `{"choice":"tie","strength":1}`, "", ErrInvalidAnswer, `only "a" or "b" choices have a strength, not "tie"`},
		{"pairwise strength range", TaskPairwise, `{"choice":"b","strength":4}`, "", ErrInvalidAnswer, "strength: 4 must be 1, 2 or 3"},
		{"pairwise shown order", TaskPairwise, `{"choice":"b","shown_order":"left"}`, "", ErrInvalidAnswer, `shown_order: "left" must be "ab" or "ba"`},
		{"pairwise rationale too long", TaskPairwise, `{"choice":"b","rationale":"` + strings.Repeat("é", MaxRationaleLen+1) + `"}`, "", ErrInvalidAnswer, "rationale: is 10001 characters long; the limit is 10000"},

		{"ranking with tie", TaskRanking, `{"ranking":[["r2"],["r3","r1"]]}`, `{"ranking":[["r2"],["r1","r3"]]}`, nil, ""},
		{"ranking shown order", TaskRanking, `{"ranking":[["r2"],["r3","r1"]],"shown_order":["r3","r1","r2"]}`, `{"ranking":[["r2"],["r1","r3"]],"shown_order":["r3","r1","r2"]}`, nil, ""},
		{"ranking shown order short", TaskRanking, `{"ranking":[["r2"],["r1","r3"]],"shown_order":["r3","r1"]}`, "", ErrInvalidAnswer, "shown_order lists 2 of the 3 responses"},
		{"ranking shown order twice", TaskRanking, `{"ranking":[["r2"],["r1","r3"]],"shown_order":["r3","r3","r1"]}`, "", ErrInvalidAnswer, `shown_order[1]: "r3" appears twice`},
		{"ranking shown order unknown", TaskRanking, `{"ranking":[["r2"],["r1","r3"]],"shown_order":["r3","r9","r1"]}`, "", ErrInvalidAnswer, `shown_order[1] "r9" is not a response id`},
		{"ranking missing", TaskRanking, `{"ranking":[["r2"],["r1"]]}`, "", ErrInvalidAnswer, `missing "r3"`},
		{"ranking twice", TaskRanking, `{"ranking":[["r2"],["r1","r2"],["r3"]]}`, "", ErrInvalidAnswer, `ranking[1][1]: "r2" is already ranked at ranking[0][0]`},
		{"ranking unknown", TaskRanking, `{"ranking":[["r2"],["r1"],["r3"],["r9"]]}`, "", ErrUnknownLabel, `ranking[3][0] "r9" is not a response id of this item`},
		{"ranking empty tier", TaskRanking, `{"ranking":[["r2"],[],["r1","r3"]]}`, "", ErrInvalidAnswer, "ranking[1]: tier is empty"},

		{"rubric", TaskRubric, `{"scores":{"helpful":4}}`, `{"scores":{"helpful":4}}`, nil, ""},
		{"rubric both", TaskRubric, `{"scores":{"safe":0,"helpful":5},"rationale":"ok"}`, `{"scores":{"helpful":5,"safe":0},"rationale":"ok"}`, nil, ""},
		{"rubric missing required", TaskRubric, `{"scores":{"safe":1}}`, "", ErrInvalidAnswer, "scores.helpful: is required (one of 1, 2, 3, 4, 5)"},
		{"rubric off scale", TaskRubric, `{"scores":{"helpful":6}}`, "", ErrInvalidAnswer, "scores.helpful: 6 is not on the scale (1, 2, 3, 4, 5)"},
		{"rubric unknown criterion", TaskRubric, `{"scores":{"helpful":3,"funny":2}}`, "", ErrUnknownLabel, `scores.funny: "funny" is not a criterion`},
		{"rubric float", TaskRubric, `{"scores":{"helpful":3.5}}`, "", ErrInvalidAnswer, "scores.helpful: expected an integer, got number 3.5"},

		{"rewrite", TaskRewrite, `{"text":"the original\n"}`, `{"text":"the original\n"}`, nil, ""},
		{"rewrite empty", TaskRewrite, `{"text":"   "}`, "", ErrInvalidAnswer, "text: must not be empty"},
		{"rewrite short", TaskRewrite, `{"text":"ab"}`, "", ErrInvalidAnswer, "text: 2 characters; this schema needs at least 3"},
		{"rewrite html not escaped", TaskRewrite, `{"text":"<b>bold</b> & more"}`, `{"text":"<b>bold</b> & more"}`, nil, ""},

		{"moderation", TaskModeration, `{"categories":["violence","hate"],"severity":2}`, `{"categories":["hate","violence"],"severity":2}`, nil, ""},
		{"moderation none without severity", TaskModeration, `{"categories":["none"]}`, `{"categories":["none"]}`, nil, ""},
		{"moderation needs severity", TaskModeration, `{"categories":["hate"]}`, "", ErrInvalidAnswer, "severity: is required (one of 0, 1, 2, 3)"},
		{"moderation bad severity", TaskModeration, `{"categories":["hate"],"severity":7}`, "", ErrInvalidAnswer, "severity: 7 is not on the scale (0, 1, 2, 3)"},
		{"moderation none plus hate", TaskModeration, `{"categories":["none","hate"],"severity":1}`, "", ErrInvalidAnswer, `"none" cannot be combined`},
		{"moderation empty", TaskModeration, `{"categories":[],"severity":1}`, "", ErrInvalidAnswer, "choose at least one category"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ValidateAnswer(c.tt, json.RawMessage(exampleSchemas[c.tt]), json.RawMessage(exampleData[c.tt]), json.RawMessage(c.answer))
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				if !strings.Contains(err.Error(), c.msg) {
					t.Errorf("message %q does not contain %q", err.Error(), c.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("ValidateAnswer: %v", err)
			}
			if string(got) != c.want {
				t.Errorf("normalised answer\n got %s\nwant %s", got, c.want)
			}
			again, err := ValidateAnswer(c.tt, json.RawMessage(exampleSchemas[c.tt]), json.RawMessage(exampleData[c.tt]), got)
			if err != nil || string(again) != string(got) {
				t.Errorf("not idempotent: %s, %v", again, err)
			}
		})
	}
}

func TestValidateAnswerLimits(t *testing.T) {
	schema := json.RawMessage(`{"prompt_field":"","field":"response"}`)
	data := json.RawMessage(`{"response":"x"}`)
	long, _ := json.Marshal(map[string]string{"text": strings.Repeat("🙂", MaxRewriteLen)})
	if _, err := ValidateAnswer(TaskRewrite, schema, data, long); err != nil {
		t.Errorf("rewrite of exactly %d code points rejected: %v", MaxRewriteLen, err)
	}
	tooLong, _ := json.Marshal(map[string]string{"text": strings.Repeat("🙂", MaxRewriteLen+1)})
	if _, err := ValidateAnswer(TaskRewrite, schema, data, tooLong); !errors.Is(err, ErrInvalidAnswer) || !strings.Contains(err.Error(), "100001 characters; the limit is 100000") {
		t.Errorf("err = %v", err)
	}
	// Overlap allowed by the schema.
	spans := json.RawMessage(`{"labels":[{"value":"A"},{"value":"B"}],"allow_overlap":true}`)
	got, err := ValidateAnswer(TaskSpans, spans, json.RawMessage(`{"text":"abcdef"}`), json.RawMessage(`{"spans":[{"start":1,"end":4,"label":"B"},{"start":0,"end":3,"label":"A"},{"start":0,"end":3,"label":"B"}]}`))
	if err != nil || string(got) != `{"spans":[{"start":0,"end":3,"label":"A","text":"abc"},{"start":0,"end":3,"label":"B","text":"abc"},{"start":1,"end":4,"label":"B","text":"bcd"}]}` {
		t.Errorf("overlap: %s, %v", got, err)
	}
	// Pairwise options that forbid tie and strength.
	pw := json.RawMessage(`{"allow_tie":false,"rationale":"required"}`)
	pd := json.RawMessage(exampleData[TaskPairwise])
	if _, err := ValidateAnswer(TaskPairwise, pw, pd, json.RawMessage(`{"choice":"tie","rationale":"x"}`)); !errors.Is(err, ErrInvalidAnswer) || !strings.Contains(err.Error(), `"tie" is not allowed`) {
		t.Errorf("tie: %v", err)
	}
	if _, err := ValidateAnswer(TaskPairwise, pw, pd, json.RawMessage(`{"choice":"a"}`)); !errors.Is(err, ErrInvalidAnswer) || !strings.Contains(err.Error(), "rationale: is required") {
		t.Errorf("rationale: %v", err)
	}
	if _, err := ValidateAnswer(TaskPairwise, pw, pd, json.RawMessage(`{"choice":"a","strength":1,"rationale":"x"}`)); !errors.Is(err, ErrInvalidAnswer) || !strings.Contains(err.Error(), "does not ask for strength") {
		t.Errorf("strength: %v", err)
	}
	// Ranking without ties.
	rk := json.RawMessage(`{"prompt_field":"","allow_ties":false}`)
	if _, err := ValidateAnswer(TaskRanking, rk, json.RawMessage(exampleData[TaskRanking]), json.RawMessage(`{"ranking":[["r1","r2"],["r3"]]}`)); !errors.Is(err, ErrInvalidAnswer) || !strings.Contains(err.Error(), "does not allow ties") {
		t.Errorf("ties: %v", err)
	}
	// Single-choice moderation.
	md := json.RawMessage(`{"categories":[{"value":"a"},{"value":"b"}],"multi":false,"severities":[]}`)
	if _, err := ValidateAnswer(TaskModeration, md, json.RawMessage(`{"text":"t"}`), json.RawMessage(`{"categories":["a","b"]}`)); !errors.Is(err, ErrInvalidAnswer) || !strings.Contains(err.Error(), "this schema allows one") {
		t.Errorf("multi: %v", err)
	}
	if _, err := ValidateAnswer(TaskModeration, md, json.RawMessage(`{"text":"t"}`), json.RawMessage(`{"categories":["a"],"severity":0}`)); !errors.Is(err, ErrInvalidAnswer) || !strings.Contains(err.Error(), "no severity scale") {
		t.Errorf("severity: %v", err)
	}
	// Bad data surfaces as an item-data error, bad schema as a schema error.
	if _, err := ValidateAnswer(TaskSpans, json.RawMessage(exampleSchemas[TaskSpans]), json.RawMessage(`{}`), json.RawMessage(`{"spans":[]}`)); !errors.Is(err, ErrInvalidItemData) {
		t.Errorf("data: %v", err)
	}
	if _, err := ValidateAnswer(TaskSpans, json.RawMessage(`{}`), json.RawMessage(`{"text":"x"}`), json.RawMessage(`{"spans":[]}`)); !errors.Is(err, ErrInvalidSchema) {
		t.Errorf("schema: %v", err)
	}
}

func TestAnswerKey(t *testing.T) {
	cases := []struct {
		tt     TaskType
		answer string
		want   []string
	}{
		{TaskClassification, `{"choice":"positive"}`, []string{"positive"}},
		{TaskMultiLabel, `{"choices":["c","a"]}`, []string{"a", "c"}},
		{TaskMultiLabel, `{"choices":[]}`, []string{}},
		{TaskSpans, `{"spans":[{"start":15,"end":20,"label":"LOC","text":"Paris"},{"start":2,"end":6,"label":"PER","text":"Anna"}]}`, []string{"2:6:PER", "15:20:LOC"}},
		{TaskPairwise, `{"choice":"both_bad","shown_order":"ba"}`, []string{"both_bad"}},
		{TaskRanking, `{"ranking":[["r2"],["r3","r1"]]}`, []string{"r2=1", "r1=2", "r3=2"}},
		{TaskRubric, `{"scores":{"safe":0,"helpful":5}}`, []string{"helpful=5", "safe=0"}},
		{TaskRewrite, `{"text":"new text"}`, []string{"new text"}},
		{TaskModeration, `{"categories":["violence","hate"],"severity":2}`, []string{"category=hate", "category=violence", "severity=2"}},
		{TaskModeration, `{"categories":["none"]}`, []string{"category=none"}},
	}
	for _, c := range cases {
		got, err := AnswerKey(c.tt, json.RawMessage(c.answer))
		if err != nil {
			t.Errorf("%s %s: %v", c.tt, c.answer, err)
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s %s: got %q, want %q", c.tt, c.answer, got, c.want)
		}
	}
	if _, err := AnswerKey("ner", json.RawMessage(`{}`)); !errors.Is(err, ErrUnknownTaskType) {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := AnswerKey(TaskClassification, json.RawMessage(`{"label":"x"}`)); !errors.Is(err, ErrInvalidAnswer) {
		t.Errorf("bad answer: %v", err)
	}
}

// Every example answer must survive ValidateAnswer → AnswerKey for its type,
// and keys of equal answers must be equal.
func TestAnswerKeyOfNormalisedAnswers(t *testing.T) {
	pairs := map[TaskType][2]string{
		TaskSpans:   {`{"spans":[{"start":15,"end":20,"label":"LOC"},{"start":2,"end":6,"label":"PER"}]}`, `{"spans":[{"start":2,"end":6,"label":"PER","text":"Anna"},{"start":15,"end":20,"label":"LOC"}]}`},
		TaskRanking: {`{"ranking":[["r3","r1"],["r2"]]}`, `{"ranking":[["r1","r3"],["r2"]]}`},
	}
	for tt, p := range pairs {
		var keys [2][]string
		for i, a := range p {
			n, err := ValidateAnswer(tt, json.RawMessage(exampleSchemas[tt]), json.RawMessage(exampleData[tt]), json.RawMessage(a))
			if err != nil {
				t.Fatalf("%s: %v", tt, err)
			}
			if keys[i], err = AnswerKey(tt, n); err != nil {
				t.Fatalf("%s: %v", tt, err)
			}
		}
		if !slices.Equal(keys[0], keys[1]) {
			t.Errorf("%s: keys differ: %q vs %q", tt, keys[0], keys[1])
		}
	}
}
