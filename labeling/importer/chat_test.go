package importer

import (
	"copyhold/labeling/tasktype"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const chatDir = "../testdata/chat/"

var (
	convRubric   = json.RawMessage(`{"conversation_field":"messages","criteria":[{"id":"helpful"}]}`)
	convRewrite  = json.RawMessage(`{"conversation_field":"messages","turn":"next"}`)
	convPairwise = json.RawMessage(`{"conversation_field":"messages"}`)
)

func readChat(t *testing.T, file, format string, tt tasktype.TaskType, schema json.RawMessage) ([]Record, error) {
	t.Helper()
	f, err := os.Open(chatDir + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return collect(t, f, format, tt, schema, Options{Annotations: AnnotationsDrop})
}

func messagesOf(t *testing.T, rec Record, field string) []tasktype.Message {
	t.Helper()
	var d map[string]json.RawMessage
	if err := json.Unmarshal(rec.Data, &d); err != nil {
		t.Fatal(err)
	}
	var msgs []tasktype.Message
	if err := json.Unmarshal(d[field], &msgs); err != nil {
		t.Fatalf("%s: %v in %s", field, err, rec.Data)
	}
	return msgs
}

func TestImportOpenAIChat(t *testing.T) {
	recs, err := readChat(t, "openai_chat.jsonl", JSONL, tasktype.TaskRubric, convRubric)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d records", len(recs))
	}
	msgs := messagesOf(t, recs[2], "messages")
	if len(msgs) != 5 || msgs[2].ID != "t2" || msgs[2].ToolCalls[0].Function.Arguments != `{"city":"Zürich","unit":"celsius"}` || msgs[3].ToolCallID != "call_w1" {
		t.Errorf("tool chat: %+v", msgs)
	}
	if !strings.Contains(string(recs[2].Data), `"tools":[{"type":"function"`) {
		t.Errorf("tools lost: %s", recs[2].Data)
	}
	if msgs := messagesOf(t, recs[3], "messages"); msgs[1].Weight == nil || *msgs[1].Weight != 0 || !strings.Contains(msgs[1].Content, "🙏") {
		t.Errorf("weight/emoji: %+v", msgs[1])
	}
}

func TestImportChatRefusals(t *testing.T) {
	_, err := readChat(t, "bad_openai.jsonl", JSONL, tasktype.TaskRubric, convRubric)
	want := `line 2: messages[3].role must be one of system, user, assistant, tool, not "narrator"`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	cases := []struct{ line, want string }{
		{`{"messages":[{"role":"user","content":"hi"}]}`, `line 1: messages has no assistant turn`},
		{`{"messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"x","content":"1"},{"role":"assistant","content":"a"}]}`, `line 1: messages[1].tool_call_id "x" does not name an earlier tool call`},
		{`{"conversations":[{"from":"narrator","value":"x"}]}`, `line 1: conversations[0].from "narrator" is not a ShareGPT role`},
		{`{"prompt":[{"role":"user","content":"q"}],"chosen":[{"role":"assistant","content":"a"}],"rejected":[{"role":"assistant","content":"b"}]}`, `line 1: a preference row (chosen, rejected) fits a pairwise project; this project is Rubric`},
		{`{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"not json"}}]}]}`, `line 1: messages[1].tool_calls[0].function.arguments must be a JSON object written as a string`},
	}
	// Over the size limits: one turn, and the whole conversation.
	long := strings.Repeat("a", tasktype.MaxTurnLen+1)
	cases = append(cases, struct{ line, want string }{`{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"` + long + `"}]}`,
		`line 1: messages[1].content is 100001 characters long; the limit is 100000`})
	turn := `{"role":"user","content":"` + strings.Repeat("x", 90_000) + `"}`
	cases = append(cases, struct{ line, want string }{`{"messages":[` + strings.Repeat(turn+",", 5) + `{"role":"assistant","content":"` + strings.Repeat("y", 89_999) + "🙂" + `"}]}`,
		`line 1: messages[5]: the conversation is over the limit of 500000 characters`})
	for _, c := range cases {
		var stored int
		err := ReadWithOptions(strings.NewReader(c.line), JSONL, tasktype.TaskRubric, convRubric, Options{}, func(Record) error { stored++; return nil })
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || stored != 0 {
			t.Errorf("got %v (stored %d)\nwant %s", err, stored, c.want)
		}
	}
}

func TestImportTRLRows(t *testing.T) {
	recs, err := readChat(t, "trl_conversational.jsonl", JSONL, tasktype.TaskRewrite, convRewrite)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d records", len(recs))
	}
	if m := messagesOf(t, recs[1], "messages"); len(m) != 2 || m[1].Content != "11 (13 works too)." {
		t.Errorf("prompt+completion: %+v", m)
	}
	m := messagesOf(t, recs[2], "messages")
	if len(m) != 5 || m[2].ToolCalls[0].ID != "call_0_0" || m[2].ToolCalls[0].Function.Arguments != `{"item":"tomato seeds"}` ||
		m[3].ToolCallID != "call_0_0" || m[3].Name != "count_stock" {
		t.Errorf("TRL tool call: %+v", m)
	}
	if strings.Contains(string(recs[2].Data), `"prompt"`) || strings.Contains(string(recs[2].Data), `"completion"`) {
		t.Errorf("prompt/completion kept: %s", recs[2].Data)
	}
	prefs, err := readChat(t, "trl_preference.jsonl", JSONL, tasktype.TaskPairwise, convPairwise)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"messages":[{"id":"t0","role":"user","content":"Explain photosynthesis in one sentence."}],"response_a":[{"role":"assistant","content":"Plants use light to make sugar from water and CO₂, releasing oxygen."}],"response_b":[{"role":"assistant","content":"Photosynthesis is a process."}]}`,
		`{"messages":[{"id":"t0","role":"user","content":"¿Cuál es la capital de Australia?"}],"response_a":[{"role":"assistant","content":"Canberra."}],"response_b":[{"role":"assistant","content":"Sídney."}]}`,
	}
	for i, w := range want {
		if string(prefs[i].Data) != w {
			t.Errorf("preference %d:\n%s\nwant\n%s", i, prefs[i].Data, w)
		}
	}
}

func TestImportShareGPT(t *testing.T) {
	recs, err := readChat(t, "sharegpt.jsonl", JSONL, tasktype.TaskRubric, convRubric)
	if err != nil {
		t.Fatal(err)
	}
	m := messagesOf(t, recs[0], "messages")
	if len(m) != 4 || m[0].Role != "user" || m[1].Role != "assistant" || !strings.Contains(m[1].Content, "🍵") {
		t.Errorf("plain: %+v", m)
	}
	m = messagesOf(t, recs[1], "messages")
	if len(m) != 5 || m[0].Role != "system" || m[2].ToolCalls[0].Function.Name != "convert" ||
		m[2].ToolCalls[0].Function.Arguments != `{"amount": 20, "from": "EUR", "to": "CHF"}` || m[3].Role != "tool" || m[3].ToolCallID != m[2].ToolCalls[0].ID {
		t.Errorf("tools: %+v", m)
	}
	if !strings.Contains(string(recs[1].Data), `"tools":[{"function":{"name":"convert"`) || strings.Contains(string(recs[1].Data), "conversations") {
		t.Errorf("data: %s", recs[1].Data)
	}
}

func TestImportLabelStudioDialogue(t *testing.T) {
	schema := json.RawMessage(`{"conversation_field":"dialogue","turn":"last_assistant","choices":[{"value":"resolved"},{"value":"unresolved"}]}`)
	recs, err := readChat(t, "labelstudio_dialogue.json", LabelStudio, tasktype.TaskClassification, schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].ExternalID != "101" {
		t.Fatalf("%+v", recs)
	}
	m := messagesOf(t, recs[1], "dialogue")
	if len(m) != 2 || m[0].Role != "user" || m[1].Role != "assistant" || m[0].Content != "Is the café open on Sundays?" || m[1].ID != "t1" {
		t.Errorf("dialogue: %+v", m)
	}
	bad := `[{"data":{"dialogue":[{"author":"Alice","text":"hi"}]}}]`
	err = Read(strings.NewReader(bad), LabelStudio, tasktype.TaskClassification, schema, func(Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `record 1: dialogue[0].author "Alice" is not a role`) {
		t.Errorf("got %v", err)
	}
}

func TestLSConfigParagraphsDialogue(t *testing.T) {
	cases := []struct {
		config string
		tt     tasktype.TaskType
		want   string
	}{
		{`<View><Paragraphs name="chat" value="$dialogue" layout="dialogue"/><Choices name="outcome" toName="chat"><Choice value="resolved"/><Choice value="unresolved"/></Choices></View>`,
			tasktype.TaskClassification, `"conversation_field":"dialogue","turn":"conversation"`},
		{`<View><Paragraphs name="chat" value="$dialogue" layout="dialogue"/><Rating name="quality" toName="chat"/></View>`,
			tasktype.TaskRubric, `"conversation_field":"dialogue","turn":"last_assistant"`},
		{`<View><Paragraphs name="chat" value="$dialogue" layout="dialogue"/><TextArea name="reply" toName="chat"/></View>`,
			tasktype.TaskRewrite, `"conversation_field":"dialogue","turn":"next"`},
	}
	for _, c := range cases {
		tt, schema, err := ParseLSConfig([]byte(c.config))
		if err != nil || tt != c.tt || !strings.Contains(string(schema), c.want) {
			t.Errorf("%s: %s %s %v", c.tt, tt, schema, err)
		}
	}
	// The dialogue fixture imports into the classification project made from the config.
	tt, schema, _ := ParseLSConfig([]byte(cases[0].config))
	if recs, err := readChat(t, "labelstudio_dialogue.json", LabelStudio, tt, schema); err != nil || len(recs) != 2 {
		t.Errorf("import: %d, %v", len(recs), err)
	}
	for _, bad := range []struct{ config, want string }{
		{`<View><Paragraphs name="chat" value="$d"/><Choices name="c" toName="chat"><Choice value="a"/><Choice value="b"/></Choices></View>`, `needs layout="dialogue"`},
		{`<View><Paragraphs name="chat" value="$d" layout="dialogue" nameKey="speaker"/><Choices name="c" toName="chat"><Choice value="a"/><Choice value="b"/></Choices></View>`, `nameKey="speaker"`},
	} {
		if _, _, err := ParseLSConfig([]byte(bad.config)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("got %v, want %q", err, bad.want)
		}
	}
}

// <ParagraphLabels> on a dialogue makes a spans project over the
// conversation; copyhold's own message keys (nameKey role, textKey content)
// are read like the defaults, a half-changed pair is refused.
func TestLSConfigParagraphLabels(t *testing.T) {
	config := `<View><Paragraphs name="chat" value="$messages" layout="dialogue" nameKey="role" textKey="content"/>` +
		`<ParagraphLabels name="ner" toName="chat"><Label value="City" alias="CITY" background="#ff0000"/><Label value="FOOD"/></ParagraphLabels></View>`
	tt, schema, names, err := ParseLSConfigNames([]byte(config))
	if err != nil || tt != tasktype.TaskSpans {
		t.Fatalf("%s %v", tt, err)
	}
	for _, want := range []string{`"conversation_field":"messages"`, `"turn":"each"`, `"value":"CITY"`, `"label":"City"`, `"allow_overlap":true`} {
		if !strings.Contains(string(schema), want) {
			t.Errorf("schema %s lacks %s", schema, want)
		}
	}
	if names.Control != "ner" || names.Object != "chat" {
		t.Errorf("names = %+v", names)
	}
	data := json.RawMessage(`{"messages":[{"role":"user","content":"🙂 Bern?"}]}`)
	result := json.RawMessage(`[{"from_name":"ner","to_name":"chat","type":"paragraphlabels","value":{"start":"0","end":"0","startOffset":3,"endOffset":7,"text":"Bern","paragraphlabels":["CITY"]}}]`)
	ans, err := LSResultToAnswer(tt, schema, data, result)
	if err != nil || string(ans) != `{"spans":[{"turn_id":"t0","start":2,"end":6,"label":"CITY","text":"Bern"}]}` {
		t.Errorf("answer = %s, %v", ans, err)
	}
	back, err := AnswerToLSResultNamed(tt, schema, data, ans, names)
	if err != nil || !strings.Contains(string(back), `"startOffset":3`) || !strings.Contains(string(back), `"start":"0"`) || !strings.Contains(string(back), `"from_name":"ner"`) {
		t.Errorf("result = %s, %v", back, err)
	}
	if _, err := CheckLSConfigFits(config, tt, schema); err != nil {
		t.Errorf("fits: %v", err)
	}
	other := strings.Replace(string(schema), `"conversation_field":"messages"`, `"conversation_field":"chat"`, 1)
	if _, err := CheckLSConfigFits(config, tt, json.RawMessage(other)); err == nil {
		t.Errorf("a config over messages fits a project over chat")
	}
	// A rubric over a dialogue still compares its criteria.
	rating := `<View><Paragraphs name="chat" value="$messages" layout="dialogue"/><Rating name="quality" toName="chat"/></View>`
	rtt, rschema, _ := ParseLSConfig([]byte(rating))
	if _, err := CheckLSConfigFits(rating, rtt, rschema); err != nil {
		t.Errorf("rubric fits: %v", err)
	}
	if _, err := CheckLSConfigFits(rating, rtt, json.RawMessage(strings.Replace(string(rschema), `"quality"`, `"other"`, 1))); err == nil {
		t.Errorf("a rubric config fits other criteria")
	}
	for _, bad := range []struct{ config, want string }{
		{`<View><Paragraphs name="chat" value="$d" layout="dialogue" nameKey="role"/><Choices name="c" toName="chat"><Choice value="a"/><Choice value="b"/></Choices></View>`, `nameKey="role" textKey=""`},
		{`<View><Text name="t" value="$t"/><ParagraphLabels name="l" toName="t"><Label value="A"/></ParagraphLabels></View>`, `supported here: Paragraphs`},
	} {
		if _, _, err := ParseLSConfig([]byte(bad.config)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("got %v, want %q", err, bad.want)
		}
	}
}
