package dataset

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"copyhold/labeling/agreement"
	"copyhold/labeling/importer"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// go test ./labeling/dataset -run Export -update rewrites testdata/export/*.golden.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func exportUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// ---- fixtures: a few rows of every task type ----

type exportFixture struct {
	tt     tasktype.TaskType
	schema string
	rows   []ExportRow
}

func exportAnn(who, answer string, ms int64, status string) ExportAnnotation {
	return ExportAnnotation{Annotator: who, Answer: json.RawMessage(answer), LeadTimeMs: ms, Status: status}
}

func exportFixtures() map[tasktype.TaskType]exportFixture {
	f := map[tasktype.TaskType]exportFixture{}
	add := func(tt tasktype.TaskType, schema string, rows ...ExportRow) {
		for i := range rows {
			rows[i].TaskType, rows[i].Schema = tt, json.RawMessage(schema)
		}
		f[tt] = exportFixture{tt, schema, rows}
	}
	add(tasktype.TaskRewrite, `{"field":"response","prompt_field":"prompt"}`,
		ExportRow{ItemID: 1, ExternalID: "rw-1", Data: json.RawMessage(`{"prompt":"Explain photosynthesis in one sentence.","response":"Plants eat light."}`),
			Answer: json.RawMessage(`{"text":"Plants turn light, water and CO₂ into sugar and oxygen."}`), Annotator: "otter",
			Annotations: []ExportAnnotation{exportAnn("otter", `{"text":"Plants turn light, water and CO₂ into sugar and oxygen."}`, 42_500, "accepted"),
				exportAnn("heron", `{"text":"Light makes plants."}`, 12_000, "rejected")}},
		ExportRow{ItemID: 2, ExternalID: "rw-2", Data: json.RawMessage(`{"prompt":"Say hi.","response":"hello"}`)}, // no answer yet
		ExportRow{ItemID: 3, ExternalID: "rw-3", Data: json.RawMessage(`{"prompt":"","response":"teh cat sat on <b>the</b> mat & \"slept\""}`),
			Answer: json.RawMessage(`{"text":"The cat sat on the mat and \"slept\".\nThen it woke."}`), Annotator: "heron",
			Annotations: []ExportAnnotation{exportAnn("heron", `{"text":"The cat sat on the mat and \"slept\".\nThen it woke."}`, 30_000, "accepted")}},
	)
	add(tasktype.TaskPairwise, `{"prompt_field":"prompt","a_field":"response_a","b_field":"response_b","strength":true}`,
		ExportRow{ItemID: 10, ExternalID: "pw-a", Data: json.RawMessage(`{"prompt":"Capital of France?","response_a":"Paris.","response_b":"Lyon, probably."}`),
			Answer: json.RawMessage(`{"choice":"a","strength":3}`), Annotator: "otter", Confidence: "1.0000",
			Annotations: []ExportAnnotation{exportAnn("otter", `{"choice":"a","strength":3}`, 5_000, "accepted"), exportAnn("heron", `{"choice":"a","strength":2,"shown_order":"ba"}`, 7_000, "accepted")}},
		ExportRow{ItemID: 11, ExternalID: "pw-b", Data: json.RawMessage(`{"prompt":"2+2?","response_a":"5","response_b":"4"}`),
			Answer: json.RawMessage(`{"choice":"b","rationale":"Arithmetic."}`), Annotator: "heron", Confidence: "0.6667"},
		ExportRow{ItemID: 12, ExternalID: "pw-tie", Data: json.RawMessage(`{"prompt":"Greet me.","response_a":"Hi!","response_b":"Hello!"}`),
			Answer: json.RawMessage(`{"choice":"tie"}`), Annotator: "otter"},
		ExportRow{ItemID: 13, ExternalID: "pw-bad", Data: json.RawMessage(`{"prompt":"Cure for colds?","response_a":"Bleach.","response_b":"Antibiotics."}`),
			Answer: json.RawMessage(`{"choice":"both_bad"}`), Annotator: "heron"},
		ExportRow{ItemID: 14, ExternalID: "pw-noprompt", Data: json.RawMessage(`{"prompt":"","response_a":"x","response_b":"y"}`),
			Answer: json.RawMessage(`{"choice":"a"}`), Annotator: "otter"},
	)
	add(tasktype.TaskRanking, `{"prompt_field":"prompt","responses_field":"responses","allow_ties":true}`,
		ExportRow{ItemID: 20, ExternalID: "rk-1", Data: json.RawMessage(`{"prompt":"Name a prime.","responses":[{"id":"r1","text":"4"},{"id":"r2","text":"7"},{"id":"r3","text":"9"}]}`),
			Answer: json.RawMessage(`{"ranking":[["r2"],["r1","r3"]]}`), Annotator: "otter",
			Annotations: []ExportAnnotation{exportAnn("otter", `{"ranking":[["r2"],["r1","r3"]]}`, 20_000, "accepted"), exportAnn("heron", `{"ranking":[["r2"],["r3"],["r1"]]}`, 25_000, "corrected")}},
		ExportRow{ItemID: 21, ExternalID: "rk-tied", Data: json.RawMessage(`{"prompt":"Any.","responses":[{"id":"a","text":"one"},{"id":"b","text":"two"}]}`),
			Answer: json.RawMessage(`{"ranking":[["a","b"]]}`), Annotator: "heron"},
		ExportRow{ItemID: 22, ExternalID: "rk-list", Data: json.RawMessage(`{"prompt":"Best result?","responses":[{"id":"x","title":"Go","body":"A language."},{"id":"y","title":"Rust"}]}`),
			Answer: json.RawMessage(`{"ranking":[["y"],["x"]]}`), Annotator: "otter"},
	)
	add(tasktype.TaskRubric, `{"prompt_field":"prompt","response_field":"response","criteria":[{"id":"helpful"},{"id":"safe","optional":true,"scale":[{"value":0,"label":"Unsafe"},{"value":1,"label":"Safe"}]}]}`,
		ExportRow{ItemID: 30, Data: json.RawMessage(`{"prompt":"How do I boil an egg?","response":"Boil it for 8 minutes."}`),
			Answer: json.RawMessage(`{"scores":{"helpful":5,"safe":1}}`), Annotator: "otter",
			Annotations: []ExportAnnotation{exportAnn("otter", `{"scores":{"helpful":5,"safe":1}}`, 9_000, "accepted"), exportAnn("heron", `{"scores":{"helpful":4,"safe":1}}`, 11_000, "accepted")}},
		ExportRow{ItemID: 31, Data: json.RawMessage(`{"prompt":"Fix my code.","response":"No."}`),
			Answer: json.RawMessage(`{"scores":{"helpful":1,"safe":1},"rationale":"Refuses."}`), Annotator: "heron"},
		ExportRow{ItemID: 32, Data: json.RawMessage(`{"prompt":"Tell a joke.","response":"Why did the chicken…"}`),
			Answer: json.RawMessage(`{"scores":{"helpful":3}}`), Annotator: "otter"},
		ExportRow{ItemID: 33, Data: json.RawMessage(`{"prompt":"Mix bleach and ammonia?","response":"Sure, go ahead."}`),
			Answer: json.RawMessage(`{"scores":{"helpful":4,"safe":0}}`), Annotator: "heron"},
	)
	add(tasktype.TaskClassification, `{"field":"text","choices":[{"value":"positive","label":"Positive"},{"value":"negative","label":"Negative"}]}`,
		ExportRow{ItemID: 40, ExternalID: "c-1", Data: json.RawMessage(`{"text":"Great for the jawbone.","source":"amazon","stars":5}`),
			Answer: json.RawMessage(`{"choice":"positive"}`), Confidence: "1.0000",
			Annotations: []ExportAnnotation{exportAnn("otter", `{"choice":"positive"}`, 3_000, "accepted"), exportAnn("heron", `{"choice":"positive"}`, 4_000, "accepted")}},
		ExportRow{ItemID: 41, ExternalID: "c-2", Data: json.RawMessage(`{"text":"Broke after a day, \"sturdy\" my foot.\nAvoid.","source":"yelp","stars":1}`),
			Answer: json.RawMessage(`{"choice":"negative"}`), Confidence: "0.5000",
			Annotations: []ExportAnnotation{exportAnn("otter", `{"choice":"negative"}`, 3_500, "accepted"), exportAnn("heron", `{"choice":"positive"}`, 2_000, "accepted"),
				exportAnn("wren", `{"choice":"negative"}`, 1_000, "rejected")}},
	)
	add(tasktype.TaskMultiLabel, `{"field":"text","choices":[{"value":"a"},{"value":"b"},{"value":"none","exclusive":true}]}`,
		ExportRow{ItemID: 50, Data: json.RawMessage(`{"text":"first"}`), Answer: json.RawMessage(`{"choices":["a","b"]}`),
			Annotations: []ExportAnnotation{exportAnn("otter", `{"choices":["a","b"]}`, 1_000, "accepted"), exportAnn("heron", `{"choices":["a"]}`, 1_000, "accepted")}},
		ExportRow{ItemID: 51, Data: json.RawMessage(`{"text":"second"}`), Answer: json.RawMessage(`{"choices":["none"]}`),
			Annotations: []ExportAnnotation{exportAnn("otter", `{"choices":["none"]}`, 1_000, "accepted"), exportAnn("heron", `{"choices":["none"]}`, 1_000, "accepted")}},
	)
	add(tasktype.TaskSpans, `{"field":"text","labels":[{"value":"PER"},{"value":"LOC"}]}`,
		ExportRow{ItemID: 60, ExternalID: "s-1", Data: json.RawMessage(`{"text":"🙂 Anna went to Paris"}`),
			Answer: json.RawMessage(`{"spans":[{"start":2,"end":6,"label":"PER","text":"Anna"},{"start":15,"end":20,"label":"LOC","text":"Paris"}]}`), Annotator: "otter",
			Annotations: []ExportAnnotation{exportAnn("otter", `{"spans":[{"start":2,"end":6,"label":"PER","text":"Anna"},{"start":15,"end":20,"label":"LOC","text":"Paris"}]}`, 8_000, "accepted"),
				exportAnn("heron", `{"spans":[{"start":2,"end":6,"label":"PER","text":"Anna"}]}`, 6_000, "accepted")}},
		ExportRow{ItemID: 61, ExternalID: "s-2", Data: json.RawMessage(`{"text":"Nothing here."}`), Answer: json.RawMessage(`{"spans":[]}`), Annotator: "heron"},
	)
	add(tasktype.TaskModeration, `{"field":"text","categories":[{"value":"hate"},{"value":"violence"},{"value":"none","exclusive":true}]}`,
		ExportRow{ItemID: 70, Data: json.RawMessage(`{"text":"I will hurt you"}`), Answer: json.RawMessage(`{"categories":["violence"],"severity":2}`),
			Annotations: []ExportAnnotation{exportAnn("otter", `{"categories":["violence"],"severity":2}`, 4_000, "accepted"), exportAnn("heron", `{"categories":["hate","violence"],"severity":3}`, 5_000, "accepted")}},
		ExportRow{ItemID: 71, Data: json.RawMessage(`{"text":"Lovely weather"}`), Answer: json.RawMessage(`{"categories":["none"]}`)},
	)
	return f
}

// The fixtures are valid, normalised answers: what the store holds.
func TestExportFixturesAreNormalised(t *testing.T) {
	for tt, fx := range exportFixtures() {
		for _, r := range fx.rows {
			answers := []json.RawMessage{}
			if r.Answer != nil {
				answers = append(answers, r.Answer)
			}
			for _, a := range r.Annotations {
				answers = append(answers, a.Answer)
			}
			for _, a := range answers {
				norm, err := tasktype.ValidateAnswer(tt, r.Schema, r.Data, a)
				if err != nil {
					t.Fatalf("%s item %d: %v", tt, r.ItemID, err)
				}
				if string(norm) != string(a) {
					t.Errorf("%s item %d: answer %s normalises to %s", tt, r.ItemID, a, norm)
				}
			}
		}
	}
}

func exportGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "export", name+".golden")
	if exportUpdate() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run with -update to accept)\n--- got\n%s--- want\n%s", name, path, got, want)
	}
}

type exportGoldenCase struct {
	name string
	opts ExportOptions
	rows int64
	skip map[string]int64
}

func exportGoldenCases() []exportGoldenCase {
	return []exportGoldenCase{
		{"trl-sft", ExportOptions{Format: ExportTRLSFT, TaskType: tasktype.TaskRewrite}, 2, map[string]int64{"no_answer": 1}},
		{"trl-sft-prompt", ExportOptions{Format: ExportTRLSFTPrompt, TaskType: tasktype.TaskRewrite, Instruction: "Rewrite this text correctly:"}, 2, map[string]int64{"no_answer": 1}},
		{"openai-chat", ExportOptions{Format: ExportOpenAIChat, TaskType: tasktype.TaskRewrite, System: "You are a careful writer."}, 2, map[string]int64{"no_answer": 1}},
		{"trl-dpo-pairwise", ExportOptions{Format: ExportTRLDPO, TaskType: tasktype.TaskPairwise}, 2,
			map[string]int64{"pairwise_tie": 1, "pairwise_both_bad": 1, "empty_prompt": 1}},
		{"trl-dpo-ranking", ExportOptions{Format: ExportTRLDPO, TaskType: tasktype.TaskRanking}, 3, map[string]int64{"ranking_all_tied": 1}},
		{"trl-dpo-conversational", ExportOptions{Format: ExportTRLDPOConv, TaskType: tasktype.TaskPairwise, System: "Be correct."}, 2,
			map[string]int64{"pairwise_tie": 1, "pairwise_both_bad": 1, "empty_prompt": 1}},
		{"openai-dpo-ranking", ExportOptions{Format: ExportOpenAIDPO, TaskType: tasktype.TaskRanking}, 3, map[string]int64{"ranking_all_tied": 1}},
		{"openai-dpo-pairwise-all", ExportOptions{Format: ExportOpenAIDPO, TaskType: tasktype.TaskPairwise, AllAnnotations: true}, 3,
			map[string]int64{"pairwise_tie": 1, "pairwise_both_bad": 1, "empty_prompt": 1}},
		{"trl-kto-pairwise", ExportOptions{Format: ExportTRLKTO, TaskType: tasktype.TaskPairwise}, 6, map[string]int64{"pairwise_tie": 1, "empty_prompt": 1}},
		{"trl-kto-rubric-mean", ExportOptions{Format: ExportTRLKTO, TaskType: tasktype.TaskRubric}, 4, map[string]int64{}},
		{"trl-kto-rubric-helpful", ExportOptions{Format: ExportTRLKTO, TaskType: tasktype.TaskRubric, KTOCriterion: "helpful", KTOThreshold: "3"}, 4, map[string]int64{}},
		{"trl-kto-rubric-safe", ExportOptions{Format: ExportTRLKTO, TaskType: tasktype.TaskRubric, KTOCriterion: "safe"}, 3, map[string]int64{"criterion_unscored": 1}},
		{"labelstudio-spans", ExportOptions{Format: ExportLabelStudio, TaskType: tasktype.TaskSpans}, 2, map[string]int64{}},
		{"labelstudio-pairwise-all", ExportOptions{Format: ExportLabelStudio, TaskType: tasktype.TaskPairwise, AllAnnotations: true}, 5, map[string]int64{}},
		{"labelstudio-rewrite", ExportOptions{Format: ExportLabelStudio, TaskType: tasktype.TaskRewrite}, 3, map[string]int64{}},
		{"csv-classification", ExportOptions{Format: ExportCSV, TaskType: tasktype.TaskClassification}, 2, map[string]int64{}},
		{"csv-ranking", ExportOptions{Format: ExportCSV, TaskType: tasktype.TaskRanking}, 3, map[string]int64{}},
		{"long-classification", ExportOptions{Format: ExportLong, TaskType: tasktype.TaskClassification}, 4, map[string]int64{}},
		{"long-spans", ExportOptions{Format: ExportLong, TaskType: tasktype.TaskSpans}, 3, map[string]int64{}},
		{"long-jsonl-rubric", ExportOptions{Format: ExportLongJSONL, TaskType: tasktype.TaskRubric}, 9, map[string]int64{}},
		{"long-jsonl-ranking", ExportOptions{Format: ExportLongJSONL, TaskType: tasktype.TaskRanking}, 10, map[string]int64{}},
		{"jsonl-moderation-all", ExportOptions{Format: ExportJSONL, TaskType: tasktype.TaskModeration, AllAnnotations: true}, 2, map[string]int64{}},
		{"jsonl-multilabel", ExportOptions{Format: ExportJSONL, TaskType: tasktype.TaskMultiLabel}, 2, map[string]int64{}},
	}
}

func exportRows(rows []ExportRow) func(func(ExportRow, error) bool) {
	return func(yield func(ExportRow, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func exportWrite(t *testing.T, opts ExportOptions, rows []ExportRow) (string, ExportStats) {
	t.Helper()
	var out bytes.Buffer
	w, err := NewExportWriter(&out, opts)
	if err != nil {
		t.Fatalf("NewExportWriter: %v", err)
	}
	if err := ExportAll(w, exportRows(rows)); err != nil {
		t.Fatal(err)
	}
	return out.String(), w.Stats()
}

func TestExportGolden(t *testing.T) {
	fx := exportFixtures()
	for _, c := range exportGoldenCases() {
		t.Run(c.name, func(t *testing.T) {
			got, st := exportWrite(t, c.opts, fx[c.opts.TaskType].rows)
			exportGolden(t, c.name, got)
			if st.Rows != c.rows {
				t.Errorf("rows = %d, want %d", st.Rows, c.rows)
			}
			if !reflect.DeepEqual(st.Skipped, c.skip) {
				t.Errorf("skipped = %v, want %v", st.Skipped, c.skip)
			}
			if st.Items != int64(len(fx[c.opts.TaskType].rows)) {
				t.Errorf("items = %d", st.Items)
			}
			if exportValidators[c.opts.Format] != nil {
				for i, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
					if err := exportValidators[c.opts.Format]([]byte(line)); err != nil {
						t.Errorf("line %d: %v\n%s", i+1, err, line)
					}
				}
			}
		})
	}
}

// ---- validators: the field rules of each training format ----

var exportValidators = map[ExportFormat]func([]byte) error{
	ExportTRLSFT:       func(b []byte) error { return exportCheckMessagesLine(b) },
	ExportOpenAIChat:   func(b []byte) error { return exportCheckMessagesLine(b) },
	ExportTRLSFTPrompt: func(b []byte) error { return exportCheckStrings(b, "prompt", "completion") },
	ExportTRLDPO: func(b []byte) error {
		if err := exportCheckStrings(b, "prompt", "chosen", "rejected"); err != nil {
			return err
		}
		var l exportDPOLine
		_ = json.Unmarshal(b, &l)
		if l.Chosen == l.Rejected {
			return errors.New("chosen equals rejected")
		}
		return nil
	},
	ExportTRLDPOConv: func(b []byte) error {
		obj, err := exportKeys(b, "prompt", "chosen", "rejected")
		if err != nil {
			return err
		}
		if err := exportCheckConversation(obj["prompt"], "user"); err != nil {
			return fmt.Errorf("prompt: %w", err)
		}
		for _, k := range []string{"chosen", "rejected"} {
			if err := exportCheckAssistant(obj[k]); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
		return nil
	},
	ExportTRLKTO: func(b []byte) error {
		obj, err := exportKeys(b, "prompt", "completion", "label")
		if err != nil {
			return err
		}
		for _, k := range []string{"prompt", "completion"} {
			if err := exportNonEmptyString(obj[k]); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
		if s := string(obj["label"]); s != "true" && s != "false" {
			return fmt.Errorf("label must be a boolean, got %s", s)
		}
		return nil
	},
	ExportOpenAIDPO: func(b []byte) error {
		obj, err := exportKeys(b, "input", "preferred_output", "non_preferred_output")
		if err != nil {
			return err
		}
		in, err := exportKeys(obj["input"], "messages")
		if err != nil {
			return fmt.Errorf("input: %w", err)
		}
		if err := exportCheckConversation(in["messages"], "user"); err != nil {
			return fmt.Errorf("input.messages: %w", err)
		}
		for _, k := range []string{"preferred_output", "non_preferred_output"} {
			if err := exportCheckAssistant(obj[k]); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
		return nil
	},
}

// exportKeys decodes an object that must have exactly these keys.
func exportKeys(b []byte, keys ...string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("not a JSON object: %s", b)
	}
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			return nil, fmt.Errorf("missing key %q", k)
		}
	}
	for k := range obj {
		if !slices.Contains(keys, k) {
			return nil, fmt.Errorf("extra key %q", k)
		}
	}
	return obj, nil
}

func exportNonEmptyString(raw json.RawMessage) error {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return fmt.Errorf("must be a string, got %s", raw)
	}
	if strings.TrimSpace(s) == "" {
		return errors.New("is empty")
	}
	return nil
}

func exportCheckStrings(b []byte, keys ...string) error {
	obj, err := exportKeys(b, keys...)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := exportNonEmptyString(obj[k]); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

// exportMessages checks a list of {role, content} messages.
func exportMessages(raw json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
		return nil, fmt.Errorf("must be a non-empty list of messages, got %s", raw)
	}
	roles := make([]string, len(list))
	for i, m := range list {
		obj, err := exportKeys(m, "role", "content")
		if err != nil {
			return nil, fmt.Errorf("message %d: %w", i, err)
		}
		if err := exportNonEmptyString(obj["content"]); err != nil {
			return nil, fmt.Errorf("message %d content: %w", i, err)
		}
		_ = json.Unmarshal(obj["role"], &roles[i])
		if !slices.Contains([]string{"system", "user", "assistant"}, roles[i]) {
			return nil, fmt.Errorf("message %d: role %s", i, obj["role"])
		}
		if roles[i] == "system" && i != 0 {
			return nil, fmt.Errorf("message %d: system must come first", i)
		}
	}
	return roles, nil
}

// exportCheckConversation: optional system, then user/assistant turns
// alternating from user, ending with role last.
func exportCheckConversation(raw json.RawMessage, last string) error {
	roles, err := exportMessages(raw)
	if err != nil {
		return err
	}
	if roles[0] == "system" {
		roles = roles[1:]
	}
	for i, r := range roles {
		want := "user"
		if i%2 == 1 {
			want = "assistant"
		}
		if r != want {
			return fmt.Errorf("turn %d is %s, want %s", i, r, want)
		}
	}
	if len(roles) == 0 || roles[len(roles)-1] != last {
		return fmt.Errorf("conversation must end with %s", last)
	}
	return nil
}

func exportCheckAssistant(raw json.RawMessage) error {
	roles, err := exportMessages(raw)
	if err != nil {
		return err
	}
	if len(roles) != 1 || roles[0] != "assistant" {
		return fmt.Errorf("must be one assistant message, got %v", roles)
	}
	return nil
}

func exportCheckMessagesLine(b []byte) error {
	obj, err := exportKeys(b, "messages")
	if err != nil {
		return err
	}
	return exportCheckConversation(obj["messages"], "assistant")
}

// The validators themselves catch broken lines.
func TestExportValidatorsRejectBadLines(t *testing.T) {
	bad := []struct {
		f    ExportFormat
		line string
	}{
		{ExportTRLSFT, `{"messages":[{"role":"user","content":"hi"}]}`},
		{ExportTRLSFT, `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":" "}]}`},
		{ExportTRLSFT, `{"messages":[{"role":"assistant","content":"hi"},{"role":"user","content":"x"}]}`},
		{ExportTRLSFT, `{"messages":[{"role":"user","content":"hi","name":"x"},{"role":"assistant","content":"y"}]}`},
		{ExportOpenAIChat, `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"y"}],"extra":1}`},
		{ExportTRLSFTPrompt, `{"prompt":"p"}`},
		{ExportTRLDPO, `{"prompt":"p","chosen":"a","rejected":"a"}`},
		{ExportTRLDPO, `{"prompt":"p","chosen":1,"rejected":"a"}`},
		{ExportTRLDPOConv, `{"prompt":[{"role":"user","content":"p"}],"chosen":[{"role":"user","content":"a"}],"rejected":[{"role":"assistant","content":"b"}]}`},
		{ExportTRLKTO, `{"prompt":"p","completion":"c","label":"true"}`},
		{ExportOpenAIDPO, `{"input":{"messages":[{"role":"user","content":"p"}],"tools":[]},"preferred_output":[{"role":"assistant","content":"a"}],"non_preferred_output":[{"role":"assistant","content":"b"}]}`},
	}
	for _, c := range bad {
		if err := exportValidators[c.f]([]byte(c.line)); err == nil {
			t.Errorf("%s accepted %s", c.f, c.line)
		}
	}
}

func TestExportUnsupported(t *testing.T) {
	cases := []struct {
		f  ExportFormat
		tt tasktype.TaskType
	}{
		{ExportTRLDPO, tasktype.TaskSpans}, {ExportTRLSFT, tasktype.TaskPairwise}, {ExportTRLKTO, tasktype.TaskRanking}, {ExportOpenAIDPO, tasktype.TaskRubric},
		{ExportLabelStudio, tasktype.TaskModeration}, {ExportOpenAIChat, tasktype.TaskClassification},
	}
	for _, c := range cases {
		_, err := NewExportWriter(io.Discard, ExportOptions{Format: c.f, TaskType: c.tt, Project: "Cocoa NER"})
		if !errors.Is(err, ErrExportUnsupported) {
			t.Errorf("%s/%s: err = %v, want export_unsupported", c.f, c.tt, err)
			continue
		}
		if !strings.Contains(err.Error(), string(c.f)) || !strings.Contains(err.Error(), `project "Cocoa NER" is `+string(c.tt)) {
			t.Errorf("message does not name the format and project: %v", err)
		}
	}
	err := CheckExportFormat(ExportTRLDPO, tasktype.TaskSpans, "X")
	if want := `trl-dpo needs pairwise or ranking items (a chosen and a rejected response); project "X" is spans`; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	if _, err := ParseExportFormat("parquet"); !errors.Is(err, ErrExportFormat) {
		t.Errorf("unknown format: %v", err)
	}
	for _, f := range ExportFormats() {
		if _, err := ParseExportFormat(string(f)); err != nil {
			t.Error(err)
		}
	}
	// A row of another type is an error, not a silent skip.
	w, _ := NewExportWriter(io.Discard, ExportOptions{Format: ExportTRLDPO, TaskType: tasktype.TaskPairwise})
	fx := exportFixtures()[tasktype.TaskRanking].rows[0]
	if err := w.Write(fx); !errors.Is(err, ErrExportRow) {
		t.Errorf("ranking row into a pairwise export: %v", err)
	}
	// Options that make no sense are refused up front.
	if _, err := NewExportWriter(io.Discard, ExportOptions{Format: ExportTRLDPO, TaskType: tasktype.TaskPairwise, System: "x"}); !errors.Is(err, ErrExportOptions) {
		t.Errorf("system on a string format: %v", err)
	}
	if _, err := NewExportWriter(io.Discard, ExportOptions{Format: ExportTRLKTO, TaskType: tasktype.TaskRubric, KTOThreshold: "1e3"}); !errors.Is(err, ErrExportOptions) {
		t.Errorf("bad threshold: %v", err)
	}
	if _, err := NewExportWriter(io.Discard, ExportOptions{Format: ExportHF, TaskType: tasktype.TaskRubric}); !errors.Is(err, ErrExportOptions) {
		t.Errorf("hf through NewExportWriter: %v", err)
	}
}

// ---- Label Studio round trip with the real fixture files ----

const exportLSFixtures = "../testdata/labelstudio"

func exportReadLS(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(exportLSFixtures, rel))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

func exportLSSchema(t *testing.T, config string) json.RawMessage {
	t.Helper()
	_, s, err := importer.ParseLSConfig(exportReadLS(t, config))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// exportLSValues is the part of results that must survive: type and value.
func exportLSValues(t *testing.T, result json.RawMessage) []map[string]any {
	t.Helper()
	var items []struct {
		Type  string         `json:"type"`
		Value map[string]any `json:"value"`
	}
	if err := json.Unmarshal(result, &items); err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = map[string]any{"type": it.Type, "value": it.Value}
	}
	return out
}

type exportLSTaskIn struct {
	ID          json.RawMessage `json:"id"`
	Data        json.RawMessage `json:"data"`
	Annotations []struct {
		Result      json.RawMessage `json:"result"`
		CompletedBy json.RawMessage `json:"completed_by"`
	} `json:"annotations"`
	Predictions []struct {
		Result json.RawMessage `json:"result"`
	} `json:"predictions"`
}

func exportJSONEqual(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

// Import a Label Studio file with importer.Read, take its annotation (or
// prediction) as the accepted answer, export, and compare: same data, same
// result values; and our export imports back to the same records.
func TestExportLabelStudioRoundTrip(t *testing.T) {
	rankerData := func(t *testing.T) json.RawMessage {
		var tasks []exportLSTaskIn
		if err := json.Unmarshal(exportReadLS(t, "import/ranker_tasks.json"), &tasks); err != nil {
			t.Fatal(err)
		}
		return tasks[0].Data
	}
	cases := []struct {
		file    string
		tt      tasktype.TaskType
		schema  func(t *testing.T) json.RawMessage
		data    func(t *testing.T) json.RawMessage // nil: the file's own data
		fromPre bool                               // the answer is the first prediction
	}{
		{"export/named_entity_annotation_labels_span.json", tasktype.TaskSpans, func(*testing.T) json.RawMessage {
			return json.RawMessage(`{"field":"text","labels":[{"value":"Person"},{"value":"Organization"},{"value":"Date"}]}`)
		}, nil, false},
		{"export/pairwise_annotation.json", tasktype.TaskPairwise, func(t *testing.T) json.RawMessage {
			return exportLSSchema(t, "configs/pairwise-classification.config.xml")
		}, nil, false},
		{"export/previous_export_choices.json", tasktype.TaskClassification, func(*testing.T) json.RawMessage {
			return json.RawMessage(`{"field":"image","choices":[{"value":"Cat"},{"value":"Dog"}]}`)
		}, nil, false},
		{"export/ranker_annotation.json", tasktype.TaskRanking, func(t *testing.T) json.RawMessage {
			return exportLSSchema(t, "configs/ranker.config.xml")
		}, rankerData, false},
		{"import/named_entity_tasks.json", tasktype.TaskSpans, func(*testing.T) json.RawMessage {
			return json.RawMessage(`{"field":"text","labels":[{"value":"Person"},{"value":"Organization"},{"value":"Date"}]}`)
		}, nil, true},
		{"import/pairwise_tasks.json", tasktype.TaskPairwise, func(t *testing.T) json.RawMessage {
			return exportLSSchema(t, "configs/pairwise-classification.config.xml")
		}, nil, false},
		{"import/ranker_tasks.json", tasktype.TaskRanking, func(t *testing.T) json.RawMessage {
			return exportLSSchema(t, "configs/ranker.config.xml")
		}, nil, false},
		{"import/text_with_2_tasks.json", tasktype.TaskClassification, func(*testing.T) json.RawMessage {
			return json.RawMessage(`{"field":"text","choices":[{"value":"Positive"},{"value":"Negative"}]}`)
		}, nil, false},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			raw := exportReadLS(t, c.file)
			schema := c.schema(t)
			var tasks []exportLSTaskIn
			if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
				if err := json.Unmarshal(raw, &tasks); err != nil {
					t.Fatal(err)
				}
			} else {
				var one exportLSTaskIn
				if err := json.Unmarshal(raw, &one); err != nil {
					t.Fatal(err)
				}
				tasks = []exportLSTaskIn{one}
			}
			if c.data != nil { // the annotation file has no data: take the task's
				tasks[0].Data = c.data(t)
				var wrapped bytes.Buffer
				json.NewEncoder(&wrapped).Encode(map[string]any{"data": tasks[0].Data})
				raw = wrapped.Bytes()
			}
			var recs []importer.Record
			drop := importer.Options{Annotations: importer.AnnotationsDrop} // this test reads the annotations itself
			if err := importer.ReadWithOptions(bytes.NewReader(raw), "labelstudio", c.tt, schema, drop, func(r importer.Record) error {
				recs = append(recs, r)
				return nil
			}); err != nil {
				t.Fatalf("importer.Read: %v", err)
			}
			if len(recs) != len(tasks) {
				t.Fatalf("imported %d records from %d tasks", len(recs), len(tasks))
			}
			var rows []ExportRow
			var wantResults []json.RawMessage
			for i, rec := range recs {
				row := ExportRow{ItemID: int64(i + 1), ExternalID: rec.ExternalID, TaskType: c.tt, Schema: schema, Data: rec.Data}
				var result json.RawMessage
				switch {
				case c.fromPre && len(tasks[i].Predictions) > 0:
					result = tasks[i].Predictions[0].Result
				case len(tasks[i].Annotations) > 0:
					result = tasks[i].Annotations[0].Result
				}
				if result != nil {
					ans, err := importer.LSResultToAnswer(c.tt, schema, rec.Data, result)
					if err != nil {
						t.Fatalf("LSResultToAnswer: %v", err)
					}
					row.Answer, row.Annotator = ans, "otter"
				}
				rows = append(rows, row)
				wantResults = append(wantResults, result)
			}
			out, st := exportWrite(t, ExportOptions{Format: ExportLabelStudio, TaskType: c.tt}, rows)
			if st.Rows != int64(len(rows)) {
				t.Errorf("tasks written = %d, want %d", st.Rows, len(rows))
			}
			var back []exportLSTaskIn
			if err := json.Unmarshal([]byte(out), &back); err != nil {
				t.Fatalf("export is not a JSON array: %v\n%s", err, out)
			}
			if len(back) != len(tasks) {
				t.Fatalf("exported %d tasks, want %d", len(back), len(tasks))
			}
			for i := range back {
				orig := tasks[i].Data
				if orig == nil { // a bare task: the task is the data
					orig = recs[i].Data
				}
				if !exportJSONEqual(t, back[i].Data, orig) {
					t.Errorf("task %d data changed:\n got %s\nwant %s", i, back[i].Data, orig)
				}
				if wantResults[i] == nil {
					if len(back[i].Annotations) != 0 {
						t.Errorf("task %d: annotations without an answer: %s", i, out)
					}
					continue
				}
				if len(back[i].Annotations) != 1 {
					t.Fatalf("task %d: %d annotations", i, len(back[i].Annotations))
				}
				got, want := exportLSValues(t, back[i].Annotations[0].Result), exportLSValues(t, wantResults[i])
				if !reflect.DeepEqual(got, want) {
					t.Errorf("task %d result changed\n got %v\nwant %v", i, got, want)
				}
				if err := lsImporterAcceptsCompletedBy(back[i].Annotations[0].CompletedBy); err != nil ||
					string(back[i].Annotations[0].CompletedBy) != `{"email":"contributor-otter@copyhold.invalid","username":"otter"}` {
					t.Errorf("completed_by = %s: %v", back[i].Annotations[0].CompletedBy, err)
				}
				ans, err := importer.LSResultToAnswer(c.tt, schema, back[i].Data, back[i].Annotations[0].Result)
				if err != nil || string(ans) != string(rows[i].Answer) {
					t.Errorf("re-read answer = %s, %v; want %s", ans, err, rows[i].Answer)
				}
			}
			// Our export is itself a valid import.
			n := 0
			if err := importer.ReadWithOptions(strings.NewReader(out), "labelstudio", c.tt, schema, drop, func(r importer.Record) error {
				if !exportJSONEqual(t, r.Data, recs[n].Data) {
					t.Errorf("re-import %d: data %s, want %s", n, r.Data, recs[n].Data)
				}
				n++
				return nil
			}); err != nil {
				t.Fatalf("re-import: %v", err)
			}
		})
	}
}

// Ties cannot be expressed in Label Studio: the annotation is dropped and
// counted, the task is still written.
func TestExportLabelStudioDropsTies(t *testing.T) {
	fx := exportFixtures()[tasktype.TaskPairwise]
	out, st := exportWrite(t, ExportOptions{Format: ExportLabelStudio, TaskType: tasktype.TaskPairwise}, fx.rows)
	if st.Dropped[ExportDropLSUnsupported] != 2 || st.Rows != 5 {
		t.Errorf("stats = %+v", st)
	}
	var tasks []exportLSTaskIn
	if err := json.Unmarshal([]byte(out), &tasks); err != nil {
		t.Fatal(err)
	}
	if len(tasks[2].Annotations) != 0 || len(tasks[0].Annotations) != 1 {
		t.Errorf("tie task annotations: %+v", tasks[2].Annotations)
	}
	empty, _ := exportWrite(t, ExportOptions{Format: ExportLabelStudio, TaskType: tasktype.TaskPairwise}, nil)
	if empty != "[]\n" {
		t.Errorf("empty export = %q", empty)
	}
}

// ---- long format → ReadRatings → agreement ----

func TestExportLongReadRatingsRoundTrip(t *testing.T) {
	fx := exportFixtures()
	cases := []struct {
		tt     tasktype.TaskType
		metric string
		want   []agreement.Rating
	}{
		{tasktype.TaskClassification, agreement.MetricAlphaNominal, []agreement.Rating{
			{Unit: "40", Annotator: "otter", Value: "positive"}, {Unit: "40", Annotator: "heron", Value: "positive"},
			{Unit: "41", Annotator: "otter", Value: "negative"}, {Unit: "41", Annotator: "heron", Value: "positive"}}},
		{tasktype.TaskSpans, agreement.MetricSpanExactF1, []agreement.Rating{
			{Unit: "60", Annotator: "otter", Value: `[{"start":2,"end":6,"label":"PER"},{"start":15,"end":20,"label":"LOC"}]`},
			{Unit: "60", Annotator: "heron", Value: `[{"start":2,"end":6,"label":"PER"}]`}, {Unit: "61", Annotator: "heron", Value: `[]`}}},
		{tasktype.TaskRubric, agreement.MetricAlphaInterval, []agreement.Rating{
			{Unit: "30/helpful", Annotator: "otter", Value: "5"}, {Unit: "30/safe", Annotator: "otter", Value: "1"},
			{Unit: "30/helpful", Annotator: "heron", Value: "4"}, {Unit: "30/safe", Annotator: "heron", Value: "1"},
			{Unit: "31/helpful", Annotator: "heron", Value: "1"}, {Unit: "31/safe", Annotator: "heron", Value: "1"},
			{Unit: "32/helpful", Annotator: "otter", Value: "3"},
			{Unit: "33/helpful", Annotator: "heron", Value: "4"}, {Unit: "33/safe", Annotator: "heron", Value: "0"}}},
		{tasktype.TaskRanking, agreement.MetricKendallTau, []agreement.Rating{
			{Unit: "20/r2", Annotator: "otter", Value: "1"}, {Unit: "20/r1", Annotator: "otter", Value: "2"},
			{Unit: "20/r3", Annotator: "otter", Value: "2"},
			{Unit: "20/r2", Annotator: "heron", Value: "1"}, {Unit: "20/r3", Annotator: "heron", Value: "2"},
			{Unit: "20/r1", Annotator: "heron", Value: "3"},
			{Unit: "21/a", Annotator: "heron", Value: "1"}, {Unit: "21/b", Annotator: "heron", Value: "1"},
			{Unit: "22/y", Annotator: "otter", Value: "1"}, {Unit: "22/x", Annotator: "otter", Value: "2"}}},
		{tasktype.TaskMultiLabel, agreement.MetricAlphaNominal, []agreement.Rating{
			{Unit: "50", Annotator: "otter", Value: `["a","b"]`}, {Unit: "50", Annotator: "heron", Value: `["a"]`},
			{Unit: "51", Annotator: "otter", Value: `["none"]`}, {Unit: "51", Annotator: "heron", Value: `["none"]`}}},
		{tasktype.TaskModeration, agreement.MetricAlphaNominal, []agreement.Rating{
			{Unit: "70", Annotator: "otter", Value: `["category=violence","severity=2"]`}, {Unit: "70", Annotator: "heron", Value: `["category=hate","category=violence","severity=3"]`},
			{Unit: "71", Annotator: "consensus", Value: `["category=none"]`}}},
		{tasktype.TaskPairwise, agreement.MetricPercent, []agreement.Rating{
			{Unit: "10", Annotator: "otter", Value: "a"}, {Unit: "10", Annotator: "heron", Value: "a"},
			{Unit: "11", Annotator: "heron", Value: "b"}, {Unit: "12", Annotator: "otter", Value: "tie"},
			{Unit: "13", Annotator: "heron", Value: "both_bad"}, {Unit: "14", Annotator: "otter", Value: "a"}}},
	}
	for _, c := range cases {
		for _, f := range []ExportFormat{ExportLong, ExportLongJSONL} {
			t.Run(string(c.tt)+"/"+string(f), func(t *testing.T) {
				out, _ := exportWrite(t, ExportOptions{Format: f, TaskType: c.tt}, fx[c.tt].rows)
				format := agreement.RatingsCSV
				if f == ExportLongJSONL {
					format = agreement.RatingsJSONL
				}
				got, err := agreement.ReadRatings(strings.NewReader(out), format)
				if err != nil {
					t.Fatalf("ReadRatings: %v\n%s", err, out)
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("ratings\n got %q\nwant %q", got, c.want)
				}
				ratings := got
				if c.tt == tasktype.TaskMultiLabel || c.tt == tasktype.TaskModeration {
					if ratings, err = agreement.ExpandMultilabel(got, ""); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := agreement.Compute(ratings, c.metric, agreement.Options{}); err != nil && !errors.Is(err, agreement.ErrMetricUndefined) {
					t.Errorf("%s on the export: %v", c.metric, err)
				}
			})
		}
	}
	// Two annotators who agree completely: alpha is 1.
	rows := []ExportRow{}
	for i := range 6 {
		ans := []string{`{"choice":"positive"}`, `{"choice":"negative"}`}[i%2]
		rows = append(rows, ExportRow{ItemID: int64(i + 1), Schema: fx[tasktype.TaskClassification].rows[0].Schema, Data: json.RawMessage(`{"text":"x"}`),
			Annotations: []ExportAnnotation{exportAnn("a", ans, 1000, "accepted"), exportAnn("b", ans, 1000, "accepted")}})
	}
	out, _ := exportWrite(t, ExportOptions{Format: ExportLong, TaskType: tasktype.TaskClassification}, rows)
	ratings, err := agreement.ReadRatings(strings.NewReader(out), agreement.RatingsCSV)
	if err != nil {
		t.Fatal(err)
	}
	res, err := agreement.Compute(ratings, agreement.MetricAlphaNominal, agreement.Options{})
	if err != nil || res.Value != 1 || res.Units != 6 {
		t.Errorf("alpha = %+v, %v", res, err)
	}
}

// ---- streaming: memory does not grow with the number of rows ----

func TestExportStreamsInBoundedMemory(t *testing.T) {
	schema := json.RawMessage(`{"field":"response","prompt_field":"prompt"}`)
	row := func(i int) ExportRow {
		return ExportRow{ItemID: int64(i), ExternalID: fmt.Sprintf("x-%d", i), TaskType: tasktype.TaskRewrite, Schema: schema,
			Data:   json.RawMessage(`{"prompt":"Summarise the minutes of the meeting, please.","response":"They met."}`),
			Answer: json.RawMessage(`{"text":"The members met, agreed the rate card and adjourned."}`), Annotator: "otter",
			Annotations: []ExportAnnotation{{Annotator: "otter", Answer: json.RawMessage(`{"text":"…"}`), LeadTimeMs: int64(1000 + i%90_000), Status: "accepted"}}}
	}
	for _, f := range []ExportFormat{ExportTRLSFT, ExportLabelStudio, ExportCSV} {
		t.Run(string(f), func(t *testing.T) {
			var sink exportCountingWriter
			sink.w = io.Discard
			w, err := NewExportWriter(&sink, ExportOptions{Format: f, TaskType: tasktype.TaskRewrite})
			if err != nil {
				t.Fatal(err)
			}
			n := 200_000
			if testing.Short() || f != ExportTRLSFT {
				n = 20_000
			}
			r := row(1)
			for i := range 1000 { // warm up: buffers, the schema cache, the histogram
				r.ItemID = int64(i)
				if err := w.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for i := 1000; i < n; i++ {
				r.ItemID, r.Annotations[0].LeadTimeMs = int64(i), int64(i%86_400_000)
				if err := w.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 2<<20 {
				t.Errorf("heap grew by %d bytes over %d rows; the writer is holding rows", grown, n)
			}
			perRow := testing.AllocsPerRun(200, func() {
				if err := w.(*exportWriter).Write(r); err != nil {
					t.Fatal(err)
				}
			})
			// Constant per row; Label Studio pays for AnswerToLSResult, which
			// parses and validates the schema and answer every time.
			limit := 60.0
			if f == ExportLabelStudio {
				limit = 400
			}
			if perRow > limit {
				t.Errorf("%.0f allocations per row", perRow)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if st := w.Stats(); st.Rows != int64(n)+201 || st.Items != int64(n)+201 {
				t.Fatalf("stats: %d rows, %d items", st.Rows, st.Items)
			}
			if sink.n < int64(n)*40 {
				t.Errorf("wrote only %d bytes", sink.n)
			}
		})
	}
}

// ---- snapshot hashing ----

func TestSnapshotCanonicalJSON(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"b": 1, "a": [1, 2.50, {"d": null, "c": true}]}`, `{"a":[1,2.50,{"c":true,"d":null}],"b":1}`},
		{`{"s": "caf\u00e9 <b> \u2028 \"q\" \\ \n\t\u0001\/"}`, "{\"s\":\"café <b> \u2028 \\\"q\\\" \\\\ \\n\\t\\u0001/\"}"},
		{` "x" `, `"x"`},
		{`{"é":1,"z":2,"A":3}`, `{"A":3,"z":2,"é":1}`},
		{`-1.0e+2`, `-1.0e+2`},
	}
	for _, c := range cases {
		got, err := ExportCanonicalJSON(json.RawMessage(c.in))
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if string(got) != c.want {
			t.Errorf("canonical(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
		again, _ := ExportCanonicalJSON(got)
		if string(again) != string(got) {
			t.Errorf("not idempotent: %s → %s", got, again)
		}
	}
	for _, bad := range []string{``, `{`, `{"a":1} {"b":2}`, `nul`} {
		if _, err := ExportCanonicalJSON(json.RawMessage(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestSnapshotHashIgnoresJSONFormatting(t *testing.T) {
	schemaSQLite := json.RawMessage(`{"field":"text","choices":[{"value":"positive"},{"value":"negative"}]}`)
	schemaPG := json.RawMessage(`{"field": "text", "choices": [{"value": "positive"}, {"value": "negative"}]}`)
	sqlite := []ExportRow{
		{ItemID: 1, ExternalID: "a", TaskType: tasktype.TaskClassification, Schema: schemaSQLite, Data: json.RawMessage(`{"text":"Caf\u00e9 <ok>","meta":{"z":1,"a":[1,2]}}`),
			Answer: json.RawMessage(`{"choice":"positive"}`), Annotator: "otter", Confidence: "0.75",
			Annotations: []ExportAnnotation{exportAnn("otter", `{"choice":"positive"}`, 1500, "accepted")}},
		{ItemID: 2, TaskType: tasktype.TaskClassification, Schema: schemaSQLite, Data: json.RawMessage(`{"text":"b"}`)},
	}
	// What PostgreSQL JSONB gives back: keys by length then bytes, spaces after : and ,.
	pg := []ExportRow{
		{ItemID: 1, ExternalID: "a", TaskType: tasktype.TaskClassification, Schema: schemaPG, Data: json.RawMessage(`{"meta": {"a": [1, 2], "z": 1}, "text": "Café <ok>"}`),
			Answer: json.RawMessage(`{"choice": "positive"}`), Annotator: "otter", Confidence: "0.75",
			Annotations: []ExportAnnotation{exportAnn("otter", `{"choice": "positive"}`, 1500, "accepted")}},
		{ItemID: 2, TaskType: tasktype.TaskClassification, Schema: schemaPG, Data: json.RawMessage("{\"text\": \"b\"}\n")},
	}
	sum := func(rows []ExportRow) string {
		h := NewSnapshotHasher()
		for _, r := range rows {
			if err := h.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		return h.Sum()
	}
	a, b := sum(sqlite), sum(pg)
	if a != b {
		t.Errorf("hashes differ: %s vs %s", a, b)
	}
	if len(a) != 64 {
		t.Errorf("hash %q is not hex SHA-256", a)
	}
	for i := range sqlite {
		x, _ := ExportCanonicalRow(sqlite[i])
		y, _ := ExportCanonicalRow(pg[i])
		if string(x) != string(y) {
			t.Errorf("canonical rows differ:\n%s\n%s", x, y)
		}
	}
	row, _ := ExportCanonicalRow(sqlite[1])
	if want := `{"annotations":[],"annotator":"","answer":null,"confidence":"","data":{"text":"b"},"external_id":"","item_id":2,"task_type":"classification"}`; string(row) != want {
		t.Errorf("canonical row\n got %s\nwant %s", row, want)
	}
	// Any change of content changes the hash.
	changed := slices.Clone(pg)
	changed[1].Answer = json.RawMessage(`{"choice":"negative"}`)
	if sum(changed) == a {
		t.Error("a new answer did not change the hash")
	}
	changed = slices.Clone(pg)
	changed[0].Schema = json.RawMessage(`{"field":"text","choices":[{"value":"positive"},{"value":"neutral"}]}`)
	if sum(changed) == a {
		t.Error("a new schema did not change the hash")
	}
	// Rows must come in item-id order.
	h := NewSnapshotHasher()
	_ = h.Add(sqlite[1])
	if err := h.Add(sqlite[0]); !errors.Is(err, ErrExportRow) {
		t.Errorf("out of order: %v", err)
	}
	if err := NewSnapshotHasher().Add(ExportRow{ItemID: 1, Data: json.RawMessage(`{`)}); err == nil {
		t.Error("invalid JSON hashed")
	}
}

// ---- manifest, dataset card, hf folder ----

func exportTestManifest() *ExportManifest {
	return &ExportManifest{
		Project: "Preference pilot", Publisher: "Copyhold Labelling Co-op", CreatedAt: "2026-03-01T12:00:00Z",
		License: "cc-by-4.0", Terms: "Members keep their units; commercial use pays the rate card.",
		SnapshotHash: "9f2c…", LedgerHead: "4ab1…", UnitsIssued: "12.50",
		Contributors: []ExportContributor{{Name: "Ada Example", Named: true, Units: "7.25"}, {Name: "otter", Units: "5.25"}},
		Agreement:    &ExportAgreement{Metric: "alpha_nominal", Value: "0.812", Units: 5},
		RateCards:    json.RawMessage(`{"pairwise":{"units_per_item":"0.25"}}`),
	}
}

func TestExportManifestFromStats(t *testing.T) {
	fx := exportFixtures()
	_, st := exportWrite(t, ExportOptions{Format: ExportTRLDPO, TaskType: tasktype.TaskPairwise}, fx[tasktype.TaskPairwise].rows)
	m := exportTestManifest()
	m.Format, m.TaskType = ExportTRLDPO, tasktype.TaskPairwise
	m.AddStats(st)
	if m.Counts.Items != 5 || m.Counts.Rows != 2 || m.Counts.Skipped["pairwise_tie"] != 1 {
		t.Errorf("counts = %+v", m.Counts)
	}
	l := m.Labour
	if l.Annotations != 6 || l.Reviewed != 6 || l.Rejected != 0 || l.WorkingTimeMs != 12_000 || l.WorkingHours != "0.0033" ||
		l.MedianWorkingSeconds != "6" || l.ReviewRate != "1.0000" || l.RejectionRate != "0.0000" {
		t.Errorf("labour = %+v", l)
	}
	names := []string{}
	for _, c := range m.Contributors {
		names = append(names, fmt.Sprintf("%s:%d:%v", c.Name, c.Annotations, c.Named))
	}
	if want := []string{"heron:3:false", "otter:3:false", "Ada Example:0:true"}; !reflect.DeepEqual(names, want) {
		t.Errorf("contributors = %v, want %v", names, want)
	}
	var buf bytes.Buffer
	if err := WriteManifest(&buf, *m); err != nil {
		t.Fatal(err)
	}
	exportGolden(t, "manifest-trl-dpo.json", buf.String())

	// Labour counted by the caller (with rejected work) is kept.
	m2 := ExportManifest{Labour: ExportLabour{Annotations: 10, Reviewed: 8, Rejected: 2}}
	m2.AddStats(st)
	if m2.Labour.RejectionRate != "0.2500" || m2.Labour.ReviewRate != "0.8000" || m2.Labour.WorkingTimeMs != 12_000 {
		t.Errorf("caller labour = %+v", m2.Labour)
	}
	if err := WriteManifest(io.Discard, ExportManifest{RateCards: json.RawMessage(`{`)}); err == nil {
		t.Error("invalid rate cards written")
	}
}

func TestExportMedianWorkingTime(t *testing.T) {
	tally := newExportTally()
	for _, ms := range []int64{500, 1_500, 2_500, 9_999, 100 * 86_400_000} { // the last is clamped to 24 h
		tally.addRow(&ExportRow{Annotations: []ExportAnnotation{{Annotator: "a", LeadTimeMs: ms, Answer: json.RawMessage(`{}`)}}})
	}
	l := tally.labour()
	if l.MedianWorkingSeconds != "2" || l.TimedAnnotations != 5 || l.WorkingTimeMs != 500+1500+2500+9999+86_400_000 {
		t.Errorf("labour = %+v", l)
	}
	tally.addRow(&ExportRow{Annotations: []ExportAnnotation{{Annotator: "a", LeadTimeMs: 3_000, Status: "rejected"}}})
	if l := tally.labour(); l.MedianWorkingSeconds != "2.5" || l.Rejected != 1 || l.RejectionRate != "1.0000" {
		t.Errorf("labour = %+v", l)
	}
}

func TestExportHFDir(t *testing.T) {
	dir := t.TempDir()
	fx := exportFixtures()[tasktype.TaskPairwise]
	rows := slices.Clone(fx.rows)
	for i := range 40 { // enough items for both splits
		rows = append(rows, ExportRow{ItemID: int64(100 + i), TaskType: tasktype.TaskPairwise, Schema: fx.rows[0].Schema,
			Data:   json.RawMessage(fmt.Sprintf(`{"prompt":"Q%d?","response_a":"good %d","response_b":"bad %d"}`, i, i, i)),
			Answer: json.RawMessage(`{"choice":"a"}`), Annotator: "wren"})
	}
	w, err := NewExportHFDir(dir, ExportOptions{TaskType: tasktype.TaskPairwise, Project: "Preference pilot", TestFraction: 0.2, Manifest: exportTestManifest()})
	if err != nil {
		t.Fatal(err)
	}
	if err := ExportAll(w, exportRows(rows)); err != nil {
		t.Fatal(err)
	}
	st := w.Stats()
	if st.Rows != 42 || st.Splits["train"]+st.Splits["test"] != 42 || st.Splits["test"] == 0 {
		t.Errorf("stats = %+v", st)
	}
	// Every line of both splits is a valid TRL preference line, and each
	// item sits in the split its id hashes to.
	for _, split := range []string{"train", "test"} {
		b, err := os.ReadFile(filepath.Join(dir, split+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if err := exportValidators[ExportTRLDPO]([]byte(line)); err != nil {
				t.Errorf("%s: %v", split, err)
			}
		}
	}
	for _, r := range rows {
		want := ExportSplitOf(r.ItemID, "", 0.2)
		if again := ExportSplitOf(r.ItemID, "", 0.2); again != want {
			t.Fatal("split is not deterministic")
		}
	}
	if ExportSplitOf(7, "", 0) != "train" || ExportSplitOf(7, "", 1) != "test" {
		t.Error("fractions 0 and 1")
	}
	card, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"---\npretty_name: \"Preference pilot\"\nlicense: \"cc-by-4.0\"\ntask_categories:\n- text-generation\n",
		"configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: train.jsonl\n  - split: test\n    path: test.jsonl\n---\n",
		"## Provenance and labour", "| Ada Example | name | 0 | 7.25 |", "| wren | pseudonym | 40 |", "**Units issued for this data:** 12.50",
		"**Agreement:** alpha\\_nominal = 0.812 over 5 items", "Members keep their units", "\"units\\_per\\_item\"" + "", "- dpo\n"} {
		if want == "\"units\\_per\\_item\"" {
			want = `"units_per_item": "0.25"` // inside the code fence, unescaped
		}
		if !strings.Contains(string(card), want) {
			t.Errorf("card lacks %q:\n%s", want, card)
		}
	}
	var man ExportManifest
	b, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	if man.Format != ExportHF || man.RowFormat != ExportTRLDPO || len(man.Files) != 2 || man.Files[0].Name != "train.jsonl" ||
		man.Split.TestFraction != "0.2" || man.Counts.Rows != 42 || man.SnapshotHash != "9f2c…" {
		t.Errorf("manifest = %s", b)
	}
	train, _ := os.ReadFile(filepath.Join(dir, "train.jsonl"))
	if man.Files[0].Bytes != int64(len(train)) || man.Files[0].Rows != st.Splits["train"] {
		t.Errorf("file entry %+v for %d bytes", man.Files[0], len(train))
	}
}

// The card of a small fixed export, in full.
func TestExportHFCardGolden(t *testing.T) {
	dir := t.TempDir()
	w, err := NewExportHFDir(dir, ExportOptions{TaskType: tasktype.TaskRubric, Project: "Helpfulness rubric", Manifest: exportTestManifest()})
	if err != nil {
		t.Fatal(err)
	}
	if err := ExportAll(w, exportRows(exportFixtures()[tasktype.TaskRubric].rows)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"README.md", "manifest.json", "train.jsonl"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		exportGolden(t, "hf-rubric-"+name, string(b))
	}
	if _, err := os.Stat(filepath.Join(dir, "test.jsonl")); !os.IsNotExist(err) {
		t.Errorf("empty test split written: %v", err)
	}
}

func TestExportHFArchives(t *testing.T) {
	rows := exportFixtures()[tasktype.TaskRewrite].rows
	var files map[string]string
	for _, kind := range []string{"tar", "zip"} {
		var out bytes.Buffer
		tmp := t.TempDir()
		w, err := NewExportHFArchive(&out, kind, ExportOptions{TaskType: tasktype.TaskRewrite, Project: "Rewrites", TestFraction: 0.5, TempDir: tmp, Manifest: exportTestManifest()})
		if err != nil {
			t.Fatal(err)
		}
		if err := ExportAll(w, exportRows(rows)); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		if kind == "tar" {
			tr := tar.NewReader(&out)
			for {
				h, err := tr.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(tr)
				got[h.Name] = string(b)
				if !h.ModTime.Equal(exportTime(t, "2026-03-01T12:00:00Z")) {
					t.Errorf("%s mtime %v", h.Name, h.ModTime)
				}
			}
		} else {
			zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range zr.File {
				r, _ := f.Open()
				b, _ := io.ReadAll(r)
				r.Close()
				got[f.Name] = string(b)
			}
		}
		if _, ok := got["README.md"]; !ok || got["manifest.json"] == "" {
			t.Fatalf("%s members: %v", kind, slices.Sorted(func(yield func(string) bool) {
				for k := range got {
					if !yield(k) {
						return
					}
				}
			}))
		}
		if files == nil {
			files = got
		} else if !reflect.DeepEqual(files, got) {
			t.Errorf("tar and zip hold different files")
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("spool left behind: %v", left)
		}
	}
	lines := strings.Count(files["train.jsonl"], "\n") + strings.Count(files["test.jsonl"], "\n")
	if lines != 2 {
		t.Errorf("%d rows in the splits, want 2", lines)
	}
	if _, err := NewExportHFArchive(io.Discard, "rar", ExportOptions{TaskType: tasktype.TaskRewrite}); !errors.Is(err, ErrExportOptions) {
		t.Errorf("rar: %v", err)
	}
	if _, err := NewExportHFDir(t.TempDir(), ExportOptions{TaskType: tasktype.TaskSpans, HFRows: ExportTRLDPO}); !errors.Is(err, ErrExportUnsupported) {
		t.Errorf("dpo rows for spans: %v", err)
	}
}

func exportTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
