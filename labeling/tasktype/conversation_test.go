package tasktype

import (
	"encoding/json"
	"strings"
	"testing"
)

const chatData = `{"messages":[
{"role":"system","content":"You are terse."},
{"role":"user","content":"Weather in Zürich? 🌦"},
{"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Zürich\"}"}}]},
{"role":"tool","tool_call_id":"call_1","content":"{\"temp_c\":7}"},
{"role":"assistant","content":"7 °C and cloudy 🌥"}],
"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}`

func TestParseMessagesAssignsIDs(t *testing.T) {
	var d ItemFields
	if err := json.Unmarshal([]byte(chatData), &d); err != nil {
		t.Fatal(err)
	}
	msgs, err := d.Conversation("messages")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range msgs {
		ids = append(ids, m.ID)
	}
	if got := strings.Join(ids, ","); got != "t0,t1,t2,t3,t4" {
		t.Fatalf("ids %s", got)
	}
	out, _ := EncodeMessages(msgs[2:3], false)
	want := `[{"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Zürich\"}"}}]}]`
	if string(out) != want {
		t.Fatalf("encoded\n%s\nwant\n%s", out, want)
	}
}

func TestParseMessagesRefuses(t *testing.T) {
	long := strings.Repeat("x", MaxTurnLen+1)
	cases := []struct{ msgs, want string }{
		{`[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"user","content":"c"},{"role":"bot","content":"d"}]`,
			`messages[3].role must be one of system, user, assistant, tool, not "bot"`},
		{`[{"role":"user","content":"a"},{"role":"tool","tool_call_id":"nope","content":"x"}]`,
			`messages[1].tool_call_id "nope" does not name an earlier tool call`},
		{`[{"role":"assistant","content":"","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{city:"}}]}]`,
			`messages[0].tool_calls[0].function.arguments must be a JSON object written as a string`},
		{`[{"role":"user","content":"` + long + `"}]`, `messages[0].content is 100001 characters long`},
		{`[{"role":"user","content":"a","colour":"red"}]`, `messages[0]: unknown field "colour"`},
		{`[{"role":"user","content":[{"type":"text","text":"a"}]}]`, `messages[0].content must be a string; content parts`},
		{`[{"role":"user","content":"  "}]`, `messages[0].content must not be empty`},
		{`[{"id":"x","role":"user","content":"a"},{"id":"x","role":"assistant","content":"b"}]`, `messages[1].id "x" is also the id of messages[0]`},
		{`[{"role":"user","content":"a","tool_calls":[{"id":"c","function":{"name":"f","arguments":"{}"}}]}]`, `tool_calls is only allowed on assistant messages`},
		{`[{"role":"user","content":"a","weight":0}]`, `weight is only allowed on assistant messages`},
		{`[]`, `must hold at least 1 message`},
		{`{"role":"user"}`, `messages must be an array of messages`},
	}
	for _, c := range cases {
		_, err := ParseMessages("messages", json.RawMessage(c.msgs))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.60s: got %v, want %q", c.msgs, err, c.want)
		}
	}
	if _, err := ParseMessages("messages", json.RawMessage(`[{"role":"user","content":"a\u0000b"}]`)); err == nil || !strings.Contains(err.Error(), "messages[0].content: NUL") {
		t.Errorf("NUL: %v", err)
	}
}

func TestConversationSchemas(t *testing.T) {
	rubric := `{"conversation_field":"messages","criteria":[{"id":"helpful","scale":[{"value":0},{"value":1}]}]}`
	cases := []struct {
		tt             TaskType
		schema, answer string
		want           string // normalised answer, or an error fragment after "!"
	}{
		{TaskClassification, `{"conversation_field":"messages","choices":[{"value":"ok"},{"value":"bad"}]}`, `{"choice":"ok"}`, `{"choice":"ok"}`},
		{TaskModeration, `{"conversation_field":"messages","turn":"last_assistant","categories":[{"value":"none","exclusive":true}]}`, `{"categories":["none"]}`, `{"categories":["none"]}`},
		{TaskRubric, rubric, `{"turns":{"t4":{"scores":{"helpful":1},"rationale":" fine "},"t2":{"scores":{"helpful":0},"exclude":true}}}`,
			`{"turns":{"t2":{"scores":{"helpful":0},"exclude":true},"t4":{"scores":{"helpful":1},"rationale":"fine"}}}`},
		{TaskRubric, rubric, `{"turns":{"t4":{"scores":{"helpful":1}}}}`, `!turns.t2: is required`},
		{TaskRubric, rubric, `{"turns":{"t1":{"scores":{"helpful":1}}}}`, `!"t1" is not an assistant turn`},
		{TaskRubric, rubric, `{"turns":{"t2":{"scores":{"helpful":1}},"t4":{"scores":{"helpful":7}}}}`, `!turns.t4.scores.helpful: 7 is not on the scale`},
		{TaskRewrite, `{"conversation_field":"messages"}`, `{"text":"7 °C, cloudy."}`, `{"text":"7 °C, cloudy."}`},
		{TaskSpans, `{"conversation_field":"messages","labels":[{"value":"CITY"},{"value":"EMOJI"}]}`,
			`{"spans":[{"turn_id":"t4","start":16,"end":17,"label":"EMOJI"},{"turn_id":"t1","start":11,"end":17,"label":"CITY"},{"turn_id":"t1","start":19,"end":20,"label":"EMOJI"}]}`,
			`{"spans":[{"turn_id":"t1","start":11,"end":17,"label":"CITY","text":"Zürich"},{"turn_id":"t1","start":19,"end":20,"label":"EMOJI","text":"🌦"},{"turn_id":"t4","start":16,"end":17,"label":"EMOJI","text":"🌥"}]}`},
		{TaskSpans, `{"conversation_field":"messages","labels":[{"value":"CITY"}]}`, `{"spans":[{"start":0,"end":1,"label":"CITY"}]}`, `!turn_id: is required`},
		{TaskSpans, `{"conversation_field":"messages","labels":[{"value":"CITY"}]}`, `{"spans":[{"turn_id":"t9","start":0,"end":1,"label":"CITY"}]}`, `!"t9" is not a turn`},
	}
	for i, c := range cases {
		got, err := ValidateAnswer(c.tt, json.RawMessage(c.schema), json.RawMessage(chatData), json.RawMessage(c.answer))
		if strings.HasPrefix(c.want, "!") {
			if err == nil || !strings.Contains(err.Error(), c.want[1:]) {
				t.Errorf("case %d: got %v / %s, want error %q", i, err, got, c.want[1:])
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("case %d: got %s, %v\nwant %s", i, got, err, c.want)
		}
	}
	key, err := AnswerKey(TaskRubric, json.RawMessage(`{"turns":{"t4":{"scores":{"helpful":1}},"t2":{"scores":{"helpful":0}}}}`))
	if err != nil || strings.Join(key, " ") != "t2/helpful=0 t4/helpful=1" {
		t.Errorf("rubric turns key %v %v", key, err)
	}
	key, _ = AnswerKey(TaskSpans, json.RawMessage(`{"spans":[{"turn_id":"t4","start":1,"end":2,"label":"A"},{"turn_id":"t1","start":0,"end":1,"label":"A"}]}`))
	if strings.Join(key, " ") != "t4/1:2:A t1/0:1:A" {
		t.Errorf("spans turns key %v", key)
	}
}

func TestConversationItemData(t *testing.T) {
	history := `"messages":[{"role":"user","content":"Call it"},{"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}]`
	cases := []struct {
		tt           TaskType
		schema, data string
		want         string
	}{
		{TaskPairwise, `{"conversation_field":"messages"}`, `{` + history + `,"response_a":[{"role":"tool","tool_call_id":"c1","content":"x"}],"response_b":"ok"}`, `response_a[0].role must be assistant`},
		{TaskPairwise, `{"conversation_field":"messages"}`, `{` + history + `,"response_a":[{"role":"assistant","content":"a"},{"role":"tool","tool_call_id":"c9","content":"x"}],"response_b":"ok"}`, `response_a[1].tool_call_id "c9" does not name`},
		{TaskPairwise, `{"conversation_field":"messages"}`, `{` + history + `,"response_a":"A","response_b":"B"}`, ``},
		{TaskRanking, `{"conversation_field":"messages"}`, `{` + history + `,"responses":[{"id":"r1","messages":[{"role":"tool","tool_call_id":"c1","content":"x"}]},{"id":"r2","text":"b"}]}`, `responses[0].messages[0].role must be assistant`},
		{TaskRanking, `{"conversation_field":"messages"}`, `{` + history + `,"responses":[{"id":"r1","messages":[{"role":"assistant","content":"a"}]},{"id":"r2","text":"b"}]}`, ``},
		{TaskRubric, `{"conversation_field":"messages","criteria":[{"id":"c"}]}`, `{"messages":[{"role":"user","content":"hi"}]}`, `messages has no assistant turn`},
		{TaskRewrite, `{"conversation_field":"messages"}`, `{` + history + `}`, `the last assistant turn has no text to rewrite`},
		{TaskRewrite, `{"conversation_field":"messages","turn":"next"}`, `{"messages":[{"role":"user","content":"hi"}]}`, ``},
		{TaskClassification, `{"conversation_field":"messages","choices":[{"value":"a"},{"value":"b"}]}`, `{` + history + `,"tools":[{"type":"web"}]}`, `tools[0].type must be "function"`},
	}
	for i, c := range cases {
		err := ValidateItemData(c.tt, json.RawMessage(c.schema), json.RawMessage(c.data))
		if c.want == "" {
			if err != nil {
				t.Errorf("case %d: %v", i, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: got %v, want %q", i, err, c.want)
		}
	}
	for _, c := range []struct {
		tt     TaskType
		schema string
		want   string
	}{
		{TaskPairwise, `{"conversation_field":"messages","turn":"each"}`, `unknown field "turn"`},
		{TaskRubric, `{"conversation_field":"messages","turn":"next","criteria":[{"id":"c"}]}`, `turn: "next" must be one of each_assistant, last_assistant`},
		{TaskClassification, `{"turn":"last_assistant","choices":[{"value":"a"},{"value":"b"}]}`, "needs conversation_field"},
	} {
		if _, err := ValidateSchema(c.tt, json.RawMessage(c.schema)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s schema: got %v, want %q", c.tt, err, c.want)
		}
	}
}

func TestNormaliseItemData(t *testing.T) {
	s, err := ParseSchema(TaskPairwise, json.RawMessage(`{"conversation_field":"messages"}`))
	if err != nil {
		t.Fatal(err)
	}
	data := `{"response_b":"B <ok>","messages":[{"content":"Hi","role":"user"}],"response_a":[{"role":"assistant","content":"A"}]}`
	got, err := NormaliseItemData(s, json.RawMessage(data))
	want := `{"messages":[{"id":"t0","role":"user","content":"Hi"}],"response_a":[{"role":"assistant","content":"A"}],"response_b":"B <ok>"}`
	if err != nil || string(got) != want {
		t.Fatalf("got %s %v\nwant %s", got, err, want)
	}
	again, _ := NormaliseItemData(s, got)
	if string(again) != want {
		t.Fatalf("not stable: %s", again)
	}
	plain, _ := ParseSchema(TaskPairwise, json.RawMessage(`{}`))
	if out, err := NormaliseItemData(plain, json.RawMessage(`{"prompt":"p","response_a":"a","response_b":"b"}`)); err != nil || out != nil {
		t.Fatalf("plain schema: %s %v", out, err)
	}
}
