package dataset

import (
	"copyhold/labeling/tasktype"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ---- fixtures: conversation projects ----

const convHistory = `"messages":[{"role":"system","content":"You answer garden questions; use tools for stock."},` +
	`{"role":"user","content":"Have we got tomato seeds? 🍅"},` +
	`{"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"count_stock","arguments":"{\"item\":\"tomato seeds\"}"}}]},` +
	`{"role":"tool","content":"{\"packets\":3}","tool_call_id":"call_1"},` +
	`{"role":"assistant","content":"Yes: three packets."},` +
	`{"role":"user","content":"Und Gurken? Antworte auf Deutsch."}]`

const convTools = `"tools":[{"type":"function","function":{"name":"count_stock","parameters":{"type":"object","properties":{"item":{"type":"string"}}}}}]`

const convRewriteData = `{"messages":[{"role":"user","content":"Explain photosynthesis in one sentence."},{"role":"assistant","content":"Plants eat light."}]}`

func convRow(tt tasktype.TaskType, schema, data, answer string, id int64) ExportRow {
	norm, err := tasktype.ValidateAnswer(tt, json.RawMessage(schema), json.RawMessage(data), json.RawMessage(answer))
	if err != nil {
		panic(fmt.Sprintf("fixture %d: %v", id, err))
	}
	return ExportRow{ItemID: id, TaskType: tt, Schema: json.RawMessage(schema), Data: json.RawMessage(data), Answer: norm, Annotator: "otter"}
}

func convFixtures() map[string][]ExportRow {
	pair := `{"conversation_field":"messages","strength":true}`
	pairData := `{` + convHistory + `,` + convTools + `,"response_a":"Gurken: zwei Päckchen 🥒.","response_b":[{"role":"assistant","content":"","tool_calls":[{"id":"call_2","type":"function","function":{"name":"count_stock","arguments":"{\"item\":\"cucumber seeds\"}"}}]},{"role":"tool","content":"{\"packets\":2}","tool_call_id":"call_2"},{"role":"assistant","content":"Ja, zwei Päckchen Gurkensamen."}]}`
	pairPlain := `{"messages":[{"role":"user","content":"2+2?"}],"response_a":"4","response_b":"5"}`
	rank := `{"conversation_field":"messages"}`
	rankData := `{"messages":[{"role":"user","content":"Name a fruit that is red."}],"responses":[{"id":"r1","text":"Banana."},{"id":"r2","messages":[{"role":"assistant","content":"A strawberry 🍓."}]},{"id":"r3","text":"A cherry."}]}`
	rubric := `{"conversation_field":"messages","criteria":[{"id":"correct","scale":[{"value":0,"label":"wrong"},{"value":1,"label":"right"}]}]}`
	rubricData := `{"messages":[{"role":"user","content":"Solve 12 × 7 step by step."},{"role":"assistant","content":"12 × 7 = 12 × 5 + 12 × 2."},{"role":"assistant","content":"12 × 5 = 60 and 12 × 2 = 24."},{"role":"assistant","content":"60 + 24 = 86."}]}`
	chatData := `{` + convHistory + `,` + convTools + `}`
	chatData = strings.Replace(chatData, `{"role":"user","content":"Und Gurken? Antworte auf Deutsch."}]`, `{"role":"user","content":"Und Gurken?"},{"role":"assistant","content":"Zwei Päckchen.","weight":1}]`, 1)
	return map[string][]ExportRow{
		"rewrite": {
			convRow(tasktype.TaskRewrite, `{"conversation_field":"messages"}`, convRewriteData, `{"text":"Plants use sunlight to turn water and CO₂ into sugar and oxygen."}`, 1),
			convRow(tasktype.TaskRewrite, `{"conversation_field":"messages","turn":"next"}`, `{`+convHistory+`,`+convTools+`}`, `{"text":"Ja: zwei Päckchen Gurken. 🥒"}`, 2),
		},
		"pairwise": {
			convRow(tasktype.TaskPairwise, pair, pairData, `{"choice":"b","strength":2}`, 3),
			convRow(tasktype.TaskPairwise, pair, pairPlain, `{"choice":"a"}`, 4),
			convRow(tasktype.TaskPairwise, pair, pairPlain, `{"choice":"tie"}`, 5),
		},
		// Single-message candidates after a history with a tool call: openai-dpo writes them with input.tools.
		"pairwise-tools": {
			convRow(tasktype.TaskPairwise, pair, `{`+convHistory+`,`+convTools+`,"response_a":"Ja, zwei Päckchen Gurkensamen 🥒.","response_b":"Keine Ahnung."}`, `{"choice":"a","strength":1}`, 10),
		},
		"ranking": {
			convRow(tasktype.TaskRanking, rank, rankData, `{"ranking":[["r2"],["r3"],["r1"]]}`, 6),
		},
		"rubric": {
			convRow(tasktype.TaskRubric, rubric, rubricData, `{"turns":{"t1":{"scores":{"correct":1}},"t2":{"scores":{"correct":1}},"t3":{"scores":{"correct":0},"rationale":"84, not 86"}}}`, 7),
			convRow(tasktype.TaskRubric, rubric, chatData, `{"turns":{"t2":{"scores":{"correct":1}},"t4":{"scores":{"correct":1},"exclude":true},"t6":{"scores":{"correct":0}}}}`, 8),
		},
	}
}

type convGoldenCase struct {
	name    string
	fixture string
	opts    ExportOptions
	rows    int64
}

func convGoldenCases() []convGoldenCase {
	o := func(f ExportFormat, tt tasktype.TaskType) ExportOptions {
		return ExportOptions{Format: f, TaskType: tt}
	}
	rubricWeights := o(ExportOpenAIChat, tasktype.TaskRubric)
	rubricWeights.WeightZero = []string{WeightBelow, WeightMarked}
	best := o(ExportTRLDPOConv, tasktype.TaskRanking)
	best.Pairs = PairsBestVsRest
	sys := o(ExportTRLSFT, tasktype.TaskRewrite)
	sys.System = "Antworte knapp."
	return []convGoldenCase{
		{"conv-trl-sft", "rewrite", sys, 2},
		{"conv-trl-sft-prompt", "rewrite", o(ExportTRLSFTPrompt, tasktype.TaskRewrite), 2},
		{"conv-trl-prompt-only", "rewrite", o(ExportTRLPromptOnly, tasktype.TaskRewrite), 2},
		{"conv-openai-chat-rewrite", "rewrite", o(ExportOpenAIChat, tasktype.TaskRewrite), 2},
		{"conv-openai-chat-rubric", "rubric", o(ExportOpenAIChat, tasktype.TaskRubric), 2},
		{"conv-openai-chat-rubric-weights", "rubric", rubricWeights, 2},
		{"conv-trl-kto-rubric", "rubric", o(ExportTRLKTO, tasktype.TaskRubric), 5},
		{"conv-trl-stepwise", "rubric", o(ExportTRLStepwise, tasktype.TaskRubric), 1},
		{"conv-trl-dpo-conversational", "pairwise", o(ExportTRLDPOConv, tasktype.TaskPairwise), 2},
		{"conv-trl-preference-implicit", "pairwise", o(ExportTRLImplicit, tasktype.TaskPairwise), 2},
		{"conv-trl-reward", "pairwise", o(ExportTRLReward, tasktype.TaskPairwise), 2},
		{"conv-trl-kto-pairwise", "pairwise", o(ExportTRLKTO, tasktype.TaskPairwise), 4},
		{"conv-openai-dpo", "pairwise", o(ExportOpenAIDPO, tasktype.TaskPairwise), 1},
		{"conv-openai-dpo-tools", "pairwise-tools", o(ExportOpenAIDPO, tasktype.TaskPairwise), 1},
		{"conv-trl-reward-tools", "pairwise-tools", o(ExportTRLReward, tasktype.TaskPairwise), 1},
		{"conv-trl-dpo-ranking-all", "ranking", o(ExportTRLDPOConv, tasktype.TaskRanking), 3},
		{"conv-trl-dpo-ranking-best", "ranking", best, 2},
		{"conv-trl-reward-ranking", "ranking", o(ExportTRLReward, tasktype.TaskRanking), 3},
	}
}

func TestExportConversationGolden(t *testing.T) {
	fx := convFixtures()
	for _, c := range convGoldenCases() {
		t.Run(c.name, func(t *testing.T) {
			got, st := exportWrite(t, c.opts, fx[c.fixture])
			exportGolden(t, c.name, got)
			if st.Rows != c.rows {
				t.Errorf("rows = %d, want %d (skipped %v, dropped %v)", st.Rows, c.rows, st.Skipped, st.Dropped)
			}
			for i, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
				if err := checkTrainingLine(c.opts.Format, []byte(line)); err != nil {
					t.Errorf("line %d: %v\n%s", i+1, err, line)
				}
				// TRL decides conversational/standard per row: every row of a
				// conversation project is conversational but stepwise's (PRMTrainer takes text).
				var obj map[string]json.RawMessage
				_ = json.Unmarshal([]byte(line), &obj)
				if _, trl := trlKeys[c.opts.Format]; trl && trlIsConversational(obj) != (c.opts.Format != ExportTRLStepwise) {
					t.Errorf("line %d: conversational = %v", i+1, trlIsConversational(obj))
				}
			}
		})
	}
}

// Standard rows of the new formats, and the separator rule.
func TestExportStandardNewFormats(t *testing.T) {
	fx := exportFixtures()
	for _, c := range []struct {
		name string
		opts ExportOptions
		want string
	}{
		{"trl-reward", ExportOptions{Format: ExportTRLReward, TaskType: tasktype.TaskPairwise}, `{"prompt":"Capital of France?","chosen":" Paris.","rejected":" Lyon, probably.","margin":3}`},
		{"trl-preference-implicit", ExportOptions{Format: ExportTRLImplicit, TaskType: tasktype.TaskPairwise}, `{"chosen":"Capital of France? Paris.","rejected":"Capital of France? Lyon, probably."}`},
		{"trl-prompt-only", ExportOptions{Format: ExportTRLPromptOnly, TaskType: tasktype.TaskPairwise}, `{"prompt":"Capital of France?"}`},
		{"trl-sft-prompt newline", ExportOptions{Format: ExportTRLSFTPrompt, TaskType: tasktype.TaskRewrite, Separator: SeparatorNewline}, `{"prompt":"Explain photosynthesis in one sentence.","completion":"\nPlants turn light, water and CO₂ into sugar and oxygen."}`},
		{"trl-sft-prompt none", ExportOptions{Format: ExportTRLSFTPrompt, TaskType: tasktype.TaskRewrite, Separator: SeparatorNone}, `{"prompt":"Explain photosynthesis in one sentence.","completion":"Plants turn light, water and CO₂ into sugar and oxygen."}`},
		{"trl-sft-prompt", ExportOptions{Format: ExportTRLSFTPrompt, TaskType: tasktype.TaskRewrite}, `{"prompt":"Explain photosynthesis in one sentence.","completion":" Plants turn light, water and CO₂ into sugar and oxygen."}`},
	} {
		got, _ := exportWrite(t, c.opts, fx[c.opts.TaskType].rows)
		first, _, _ := strings.Cut(got, "\n")
		if first != c.want {
			t.Errorf("%s:\n%s\nwant\n%s", c.name, first, c.want)
		}
		for i, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
			if err := checkTrainingLine(c.opts.Format, []byte(line)); err != nil {
				t.Errorf("%s line %d: %v\n%s", c.name, i+1, err, line)
			}
		}
	}
	w := &exportWriter{}
	for _, c := range [][3]string{{"a.", "b", " b"}, {"a. ", "b", "b"}, {"a.", " b", " b"}, {"", "b", "b"}, {"a\n", "b", "b"}, {"Frage:", "Antwort", " Antwort"}} {
		if got := w.separate(c[0], c[1]); got != c[2] {
			t.Errorf("separate(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

func TestExportConversationUnsupported(t *testing.T) {
	rubricConv := json.RawMessage(`{"conversation_field":"messages","turn":"last_assistant","criteria":[{"id":"c"}]}`)
	rubricPlain := json.RawMessage(`{"criteria":[{"id":"c"}]}`)
	pairConv := json.RawMessage(`{"conversation_field":"messages"}`)
	cases := []struct {
		f      ExportFormat
		tt     tasktype.TaskType
		schema json.RawMessage
		set    ExportSettings
		want   string
		kind   error
	}{
		{ExportTRLStepwise, tasktype.TaskRubric, rubricConv, ExportSettings{}, `trl-stepwise needs per-turn ratings (a rubric over a conversation with turn each_assistant); project "P" has one rating per item`, ErrExportUnsupported},
		{ExportTRLStepwise, tasktype.TaskRubric, rubricPlain, ExportSettings{}, `trl-stepwise needs per-turn ratings`, ErrExportUnsupported},
		{ExportTRLStepwise, tasktype.TaskPairwise, pairConv, ExportSettings{}, `trl-stepwise needs per-turn ratings (a rubric over a conversation with turn each_assistant); project "P" is pairwise`, ErrExportUnsupported},
		{ExportTRLDPO, tasktype.TaskPairwise, pairConv, ExportSettings{}, `trl-dpo needs text prompts and responses (standard rows); project "P" holds conversations`, ErrExportUnsupported},
		{ExportOpenAIChat, tasktype.TaskRubric, rubricPlain, ExportSettings{}, `openai-chat needs a conversation to weight`, ErrExportUnsupported},
		{ExportLabelStudio, tasktype.TaskPairwise, pairConv, ExportSettings{}, `labelstudio needs text candidates`, ErrExportUnsupported},
		{ExportOpenAIChat, tasktype.TaskRubric, rubricConv, ExportSettings{WeightZero: []string{"odd"}}, `weight_zero takes`, ErrExportOptions},
		{ExportTRLDPOConv, tasktype.TaskPairwise, pairConv, ExportSettings{WeightZero: []string{WeightHistory}}, `weight_zero applies to openai-chat only`, ErrExportOptions},
		{ExportTRLDPOConv, tasktype.TaskPairwise, pairConv, ExportSettings{Pairs: PairsBestVsRest}, `applies to ranking projects only`, ErrExportOptions},
		{ExportTRLDPO, tasktype.TaskPairwise, json.RawMessage(`{}`), ExportSettings{Separator: "tab"}, `separator must be`, ErrExportOptions},
	}
	for _, c := range cases {
		err := CheckExportSchemas(c.f, c.tt, []json.RawMessage{c.schema}, c.set, "P")
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, c.kind) {
			t.Errorf("%s/%s: got %v, want %q", c.f, c.tt, err, c.want)
		}
	}
	if err := CheckExportSchemas(ExportTRLStepwise, tasktype.TaskRubric, []json.RawMessage{json.RawMessage(`{"conversation_field":"messages","criteria":[{"id":"c"}]}`)}, ExportSettings{}, "P"); err != nil {
		t.Errorf("stepwise over per-turn ratings: %v", err)
	}
	// The writer refuses too, before writing a line for the item.
	w, err := NewExportWriter(io.Discard, ExportOptions{Format: ExportTRLDPO, TaskType: tasktype.TaskPairwise})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(convFixtures()["pairwise"][0]); !errors.Is(err, ErrExportUnsupported) {
		t.Errorf("writer: %v", err)
	}
}

func TestParseExportSettings(t *testing.T) {
	q := map[string]string{"weight_zero": "marked, below,marked", "pairs": "best-vs-rest", "separator": "newline", "kto_threshold": "0.5"}
	s, err := ParseExportSettings(func(k string) string { return q[k] })
	if err != nil {
		t.Fatal(err)
	}
	// Every named option lands in its field and in the writer options.
	named := map[string]string{"system": "Sei knapp. 🙂", "instruction": "Rewrite this:", "kto_criterion": "correct", "kto_threshold": "1"}
	n, err := ParseExportSettings(func(k string) string { return named[k] })
	var o ExportOptions
	n.Apply(&o)
	if err != nil || o.System != named["system"] || o.Instruction != named["instruction"] || o.KTOCriterion != "correct" || o.KTOThreshold != "1" ||
		n.Key() != "instruction=Rewrite+this%3A&kto_criterion=correct&kto_threshold=1&system=Sei+knapp.+%F0%9F%99%82" {
		t.Errorf("named options: %+v %q %v", o, n.Key(), err)
	}
	if strings.Join(s.WeightZero, ",") != "below,marked" || s.Key() != "kto_threshold=0.5&pairs=best-vs-rest&separator=newline&weight_zero=below%2Cmarked" {
		t.Errorf("%+v %q", s, s.Key())
	}
	if (ExportSettings{Pairs: PairsAll, Separator: SeparatorSpace}).Key() != "" {
		t.Error("defaults must have the empty key")
	}
	if _, err := ParseExportSettings(func(k string) string { return map[string]string{"kto_threshold": "half"}[k] }); !errors.Is(err, ErrExportOptions) {
		t.Errorf("bad threshold: %v", err)
	}
}

// ---- the field rules of TRL and OpenAI, per format ----

// trlIsConversational decides as TRL's is_conversational does: the first
// of prompt, chosen, rejected, completion, messages present is a list
// whose first element is a dict with "role" and "content".
func trlIsConversational(obj map[string]json.RawMessage) bool {
	for _, k := range []string{"prompt", "chosen", "rejected", "completion", "messages"} {
		raw, ok := obj[k]
		if !ok {
			continue
		}
		var list []map[string]json.RawMessage
		if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
			return false
		}
		_, role := list[0]["role"]
		_, content := list[0]["content"]
		return role && content
	}
	return false
}

// trlKeys are the columns of each TRL format (tools optional in
// conversational rows, margin optional in reward rows).
var trlKeys = map[ExportFormat][]string{
	ExportTRLSFT:        {"messages"},
	ExportTRLSFTPrompt:  {"prompt", "completion"},
	ExportTRLPromptOnly: {"prompt"},
	ExportTRLDPO:        {"prompt", "chosen", "rejected"},
	ExportTRLDPOConv:    {"prompt", "chosen", "rejected"},
	ExportTRLImplicit:   {"chosen", "rejected"},
	ExportTRLReward:     {"prompt", "chosen", "rejected"},
	ExportTRLKTO:        {"prompt", "completion", "label"},
	ExportTRLStepwise:   {"prompt", "completions", "labels"},
}

func checkTrainingLine(f ExportFormat, b []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	switch f {
	case ExportOpenAIChat:
		return checkOpenAIChat(obj)
	case ExportOpenAIDPO:
		return checkOpenAIDPO(obj)
	}
	want := trlKeys[f]
	conv := trlIsConversational(obj)
	optional := []string{}
	if conv {
		optional = append(optional, "tools")
	}
	if f == ExportTRLReward {
		optional = append(optional, "margin")
	}
	for _, k := range want {
		if _, ok := obj[k]; !ok {
			return fmt.Errorf("missing %q", k)
		}
	}
	for k := range obj {
		if !slices.Contains(want, k) && !slices.Contains(optional, k) {
			return fmt.Errorf("extra key %q", k)
		}
	}
	if f == ExportTRLStepwise {
		if conv {
			return errors.New("stepwise rows are standard (PRMTrainer takes text)")
		}
		var c []string
		var l []bool
		if json.Unmarshal(obj["completions"], &c) != nil || json.Unmarshal(obj["labels"], &l) != nil || len(c) == 0 || len(c) != len(l) {
			return errors.New("completions and labels must be lists of the same non-zero length")
		}
		return exportNonEmptyString(obj["prompt"])
	}
	if f == ExportTRLKTO {
		if s := string(obj["label"]); s != "true" && s != "false" {
			return fmt.Errorf("label must be a boolean")
		}
	}
	if m, ok := obj["margin"]; ok {
		var n int
		if json.Unmarshal(m, &n) != nil {
			return fmt.Errorf("margin must be a number")
		}
	}
	promptCalls := map[string]bool{}
	for _, k := range want {
		if k == "label" {
			continue
		}
		if !conv {
			if err := exportNonEmptyString(obj[k]); err != nil {
				return fmt.Errorf("%s (standard row): %w", k, err)
			}
			continue
		}
		known := maps.Clone(promptCalls)
		if k == "prompt" || k == "messages" {
			known = promptCalls
		}
		msgs, err := checkMessages(obj[k], false, known)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		first, last := msgs[0].Role, msgs[len(msgs)-1].Role
		switch k {
		case "prompt":
			if first == tasktype.RoleAssistant {
				return errors.New("prompt must not start with an assistant turn")
			}
		case "completion":
			if first != tasktype.RoleAssistant {
				return errors.New("completion must start with an assistant turn")
			}
		case "chosen", "rejected":
			if f == ExportTRLImplicit {
				if last != tasktype.RoleAssistant {
					return fmt.Errorf("%s must end with an assistant turn", k)
				}
			} else if first != tasktype.RoleAssistant {
				return fmt.Errorf("%s must start with an assistant turn", k)
			}
		case "messages":
			if last != tasktype.RoleAssistant {
				return errors.New("messages must end with an assistant turn")
			}
		}
	}
	if t, ok := obj["tools"]; ok {
		return checkTools(t)
	}
	return nil
}

// checkMessages checks message rules; openai says tool call arguments are
// JSON text (TRL: objects) and weights are allowed.
//
// calls holds the tool call ids seen before these messages (a completion's
// tool results may answer calls of the prompt); the ids of these messages'
// own calls are added to it, and every tool message must answer one.
func checkMessages(raw json.RawMessage, openai bool, calls map[string]bool) ([]tasktype.Message, error) {
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
		return nil, fmt.Errorf("must be a non-empty list of messages")
	}
	allowed := []string{"role", "content", "name", "tool_calls", "tool_call_id"}
	if openai {
		allowed = append(allowed, "weight")
	}
	out := make([]tasktype.Message, len(list))
	for i, m := range list {
		for k := range m {
			if !slices.Contains(allowed, k) {
				return nil, fmt.Errorf("message %d: key %q", i, k)
			}
		}
		var role, content string
		if json.Unmarshal(m["role"], &role) != nil || json.Unmarshal(m["content"], &content) != nil {
			return nil, fmt.Errorf("message %d: role and content must be strings", i)
		}
		if !slices.Contains([]string{"system", "user", "assistant", "tool"}, role) {
			return nil, fmt.Errorf("message %d: role %q", i, role)
		}
		if raw, ok := m["tool_calls"]; ok {
			var tcs []struct {
				ID       string `json:"id"`
				Type     string `json:"type"`
				Function struct {
					Name      string          `json:"name"`
					Arguments json.RawMessage `json:"arguments"`
				} `json:"function"`
			}
			if err := json.Unmarshal(raw, &tcs); err != nil || role != "assistant" {
				return nil, fmt.Errorf("message %d: tool_calls", i)
			}
			for _, tc := range tcs {
				args := tc.Function.Arguments
				if openai {
					var s string
					if json.Unmarshal(args, &s) != nil || !json.Valid([]byte(s)) {
						return nil, fmt.Errorf("message %d: arguments must be JSON text", i)
					}
				} else if len(args) == 0 || args[0] != '{' {
					return nil, fmt.Errorf("message %d: arguments must be an object", i)
				}
				calls[tc.ID] = true
			}
		} else if strings.TrimSpace(content) == "" && role != "tool" {
			return nil, fmt.Errorf("message %d: empty content", i)
		}
		if role == "tool" {
			var id string
			if json.Unmarshal(m["tool_call_id"], &id) != nil || !calls[id] {
				return nil, fmt.Errorf("message %d: tool_call_id %s answers no earlier tool call", i, m["tool_call_id"])
			}
		} else if _, ok := m["tool_call_id"]; ok {
			return nil, fmt.Errorf("message %d: tool_call_id on a %s message", i, role)
		}
		if w, ok := m["weight"]; ok && (role != "assistant" || (string(w) != "0" && string(w) != "1")) {
			return nil, fmt.Errorf("message %d: weight %s", i, w)
		}
		out[i] = tasktype.Message{Role: role, Content: content}
	}
	return out, nil
}

func checkTools(raw json.RawMessage) error {
	var tools []struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(raw, &tools); err != nil {
		return fmt.Errorf("tools: %w", err)
	}
	for _, t := range tools {
		if t.Type != "function" || t.Function.Name == "" {
			return errors.New("tools: each is a function with a name")
		}
	}
	return nil
}

func checkOpenAIChat(obj map[string]json.RawMessage) error {
	for k := range obj {
		if k != "messages" && k != "tools" {
			return fmt.Errorf("extra key %q", k)
		}
	}
	msgs, err := checkMessages(obj["messages"], true, map[string]bool{})
	if err != nil {
		return err
	}
	if msgs[len(msgs)-1].Role != "assistant" {
		return errors.New("the last message must be an assistant turn")
	}
	if t, ok := obj["tools"]; ok {
		return checkTools(t)
	}
	return nil
}

func checkOpenAIDPO(obj map[string]json.RawMessage) error {
	in, err := exportKeys(obj["input"], "messages")
	if err != nil {
		if in, err = exportKeys(obj["input"], "messages", "tools"); err != nil {
			return fmt.Errorf("input: %w", err)
		}
	}
	calls := map[string]bool{}
	msgs, err := checkMessages(in["messages"], true, calls)
	if err != nil {
		return fmt.Errorf("input.messages: %w", err)
	}
	if msgs[len(msgs)-1].Role == "assistant" {
		return errors.New("input must end before the assistant turn")
	}
	if t, ok := in["tools"]; ok {
		if err := checkTools(t); err != nil {
			return fmt.Errorf("input.%w", err)
		}
	}
	for _, k := range []string{"preferred_output", "non_preferred_output"} {
		out, err := checkMessages(obj[k], true, maps.Clone(calls))
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if len(out) != 1 || out[0].Role != "assistant" {
			return fmt.Errorf("%s must be one assistant message", k)
		}
	}
	if len(obj) != 3 {
		return errors.New("keys: input, preferred_output, non_preferred_output")
	}
	return nil
}

// The standard golden files pass the same field rules, decided the same way.
func TestExportStandardLinesFollowTRL(t *testing.T) {
	fx := exportFixtures()
	for _, c := range exportGoldenCases() {
		if _, ok := trlKeys[c.opts.Format]; !ok && c.opts.Format != ExportOpenAIChat && c.opts.Format != ExportOpenAIDPO {
			continue
		}
		got, _ := exportWrite(t, c.opts, fx[c.opts.TaskType].rows)
		for i, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
			var obj map[string]json.RawMessage
			_ = json.Unmarshal([]byte(line), &obj)
			conv := trlIsConversational(obj)
			if wantConv := exportConversational(c.opts.Format); conv != wantConv && c.opts.Format != ExportOpenAIDPO {
				t.Errorf("%s line %d: conversational = %v", c.name, i+1, conv)
			}
			if err := checkTrainingLine(c.opts.Format, []byte(line)); err != nil {
				t.Errorf("%s line %d: %v\n%s", c.name, i+1, err, line)
			}
		}
	}
}

// The long format (for `copyhold agreement`) has one unit per turn.
func TestExportLongPerTurn(t *testing.T) {
	rows := convFixtures()["rubric"][:1]
	got, _ := exportWrite(t, ExportOptions{Format: ExportLong, TaskType: tasktype.TaskRubric}, rows)
	for _, want := range []string{"7/t1/correct,otter,1", "7/t3/correct,otter,0"} {
		if !strings.Contains(strings.ReplaceAll(got, "\r", ""), want) {
			t.Errorf("long rubric: want %q in\n%s", want, got)
		}
	}
	spans := `{"conversation_field":"messages","labels":[{"value":"CITY"}]}`
	row := convRow(tasktype.TaskSpans, spans, `{"messages":[{"role":"user","content":"Bern or Zürich?"},{"role":"assistant","content":"Zürich."}]}`,
		`{"spans":[{"turn_id":"t1","start":0,"end":6,"label":"CITY"},{"turn_id":"t0","start":0,"end":4,"label":"CITY"}]}`, 9)
	got, _ = exportWrite(t, ExportOptions{Format: ExportLongJSONL, TaskType: tasktype.TaskSpans}, []ExportRow{row})
	if !strings.Contains(got, `"item":"9/t0"`) || !strings.Contains(got, `"item":"9/t1"`) {
		t.Errorf("long spans:\n%s", got)
	}
}

// An hf folder of conversations: conversational rows, and a card that says so.
func TestExportHFConversations(t *testing.T) {
	rows := convFixtures()["pairwise"]
	schemas := []json.RawMessage{rows[0].Schema}
	if f := ExportHFRowFormatFor(tasktype.TaskPairwise, schemas); f != ExportTRLDPOConv {
		t.Fatalf("row format %s", f)
	}
	m := exportTestManifest()
	m.Conversational = ExportConversational(tasktype.TaskPairwise, schemas)
	dir := t.TempDir()
	w, err := NewExportHFDir(dir, ExportOptions{TaskType: tasktype.TaskPairwise, Project: "Chats", Manifest: m, HFRows: ExportTRLDPOConv})
	if err != nil {
		t.Fatal(err)
	}
	if err := ExportAll(w, exportRows(rows)); err != nil {
		t.Fatal(err)
	}
	card, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	train, _ := os.ReadFile(filepath.Join(dir, "train.jsonl"))
	exportGolden(t, "conv-hf-README.md", string(card))
	exportGolden(t, "conv-hf-train.jsonl", string(train))
	if !strings.Contains(string(card), "TRL's **conversational** form") || !strings.Contains(string(train), `"tools":[`) {
		t.Errorf("card:\n%s\ntrain:\n%s", card, train)
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(train), "\n"), "\n") {
		if err := checkTrainingLine(ExportTRLDPOConv, []byte(line)); err != nil {
			t.Errorf("line %d: %v", i+1, err)
		}
	}
}

// The field-rule checks above refuse what the trainers would: they are the
// proof the golden lines are checked against, so they must be able to fail.
func TestConversationFieldRulesRefuse(t *testing.T) {
	for _, c := range []struct {
		f    ExportFormat
		line string
	}{
		{ExportTRLDPOConv, `{"prompt":[{"role":"user","content":"q"}],"chosen":[{"role":"tool","content":"1","tool_call_id":"c9"},{"role":"assistant","content":"a"}],"rejected":[{"role":"assistant","content":"b"}]}`},
		{ExportTRLDPOConv, `{"prompt":[{"role":"user","content":"q"}],"chosen":[{"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}],"rejected":[{"role":"assistant","content":"b"}]}`},
		{ExportTRLDPOConv, `{"prompt":[{"role":"user","content":"q"}],"chosen":[{"role":"assistant","content":"a"}],"rejected":[{"role":"assistant","content":"b"}],"margin":1}`},
		{ExportTRLSFT, `{"messages":[{"id":"t0","role":"user","content":"q"},{"role":"assistant","content":"a"}]}`},
		{ExportTRLSFT, `{"messages":[{"role":"user","content":"q"}]}`},
		{ExportTRLKTO, `{"prompt":[{"role":"user","content":"q"}],"completion":[{"role":"assistant","content":"a"}],"label":1}`},
		{ExportTRLStepwise, `{"prompt":[{"role":"user","content":"q"}],"completions":["a"],"labels":[true]}`},
		{ExportOpenAIChat, `{"messages":[{"role":"user","content":"q","weight":0},{"role":"assistant","content":"a"}]}`},
		{ExportOpenAIDPO, `{"input":{"messages":[{"role":"user","content":"q"}],"tools":[{"type":"web"}]},"preferred_output":[{"role":"assistant","content":"a"}],"non_preferred_output":[{"role":"assistant","content":"b"}]}`},
		{ExportOpenAIDPO, `{"input":{"messages":[{"role":"user","content":"q"}]},"preferred_output":[{"role":"assistant","content":"a"},{"role":"assistant","content":"c"}],"non_preferred_output":[{"role":"assistant","content":"b"}]}`},
	} {
		if err := checkTrainingLine(c.f, []byte(c.line)); err == nil {
			t.Errorf("%s accepted %s", c.f, c.line)
		}
	}
}
