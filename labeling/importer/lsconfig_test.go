package importer

import (
	"copyhold/labeling/tasktype"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Label Studio fixtures live beside the repository (see their README.md).
const lsFixtures = "../testdata/labelstudio"

func readFixture(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(lsFixtures, rel))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

func TestParseLSConfigFixtures(t *testing.T) {
	cases := []struct {
		file   string
		tt     tasktype.TaskType
		schema string
	}{
		{"configs/text-classification.config.yml", tasktype.TaskClassification,
			`{"field":"text","choices":[{"value":"Positive","label":"Positive","hotkey":"1"},{"value":"Negative","label":"Negative","hotkey":"2"},{"value":"Neutral","label":"Neutral","hotkey":"3"}]}`},
		{"configs/named-entity-recognition.config.yml", tasktype.TaskSpans,
			`{"field":"ner","labels":[{"value":"PER","label":"PER","hotkey":"1","color":"red"},{"value":"ORG","label":"ORG","hotkey":"2","color":"darkorange"},{"value":"LOC","label":"LOC","hotkey":"3","color":"orange"},{"value":"MISC","label":"MISC","hotkey":"4","color":"green"}],"allow_overlap":true}`},
		{"configs/pairwise-classification.config.xml", tasktype.TaskPairwise,
			`{"prompt_field":"","a_field":"text1","b_field":"text2","strength":false,"rationale":"optional","allow_tie":false,"allow_both_bad":false}`},
		{"configs/ranker.config.xml", tasktype.TaskRanking,
			`{"prompt_field":"","responses_field":"items","allow_ties":false}`},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			tt, schema, err := ParseLSConfig(readFixture(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if tt != c.tt || string(schema) != c.schema {
				t.Errorf("got %s %s\nwant %s %s", tt, schema, c.tt, c.schema)
			}
			// Generating a config from the schema and parsing it back is stable.
			x, err := SchemaToLSConfig(tt, schema)
			if err != nil {
				t.Fatal(err)
			}
			tt2, schema2, err := ParseLSConfig([]byte(x))
			if err != nil || tt2 != tt || string(schema2) != string(schema) {
				t.Errorf("SchemaToLSConfig round trip:\n%s\n→ %s %s %v", x, tt2, schema2, err)
			}
		})
	}
}

func TestParseLSConfigInline(t *testing.T) {
	cases := []struct {
		name, xml string
		tt        tasktype.TaskType
		schema    string
	}{
		{"multiple choices with alias and prompt", `<View><Text name="t" value="$review"/>
			<Choices name="topics" toName="t" choice="multiple">
			  <Choice value="Food &amp; drink" alias="food" hotkey="f"/><Choice value="Service"/></Choices></View>`,
			tasktype.TaskMultiLabel, `{"field":"review","choices":[{"value":"food","label":"Food & drink","hotkey":"f"},{"value":"Service","label":"Service","hotkey":"1"}],"min":0,"max":2}`},
		{"ratings become a rubric", `<View><Text name="q" value="$prompt"/><Text name="a" value="$answer"/>
			<Rating name="helpful" toName="a" maxRating="5"/><Rating name="honest" toName="a" maxRating="3"/></View>`,
			tasktype.TaskRubric, `{"prompt_field":"prompt","response_field":"answer","criteria":[{"id":"helpful","label":"helpful","scale":[{"value":1,"label":"1"},{"value":2,"label":"2"},{"value":3,"label":"3"},{"value":4,"label":"4"},{"value":5,"label":"5"}]},{"id":"honest","label":"honest","scale":[{"value":1,"label":"1"},{"value":2,"label":"2"},{"value":3,"label":"3"}]}],"rationale":"optional"}`},
		{"textarea becomes rewrite", `<View><Text name="text" value="$draft"/><TextArea name="fix" toName="text" rows="4"/></View>`,
			tasktype.TaskRewrite, `{"field":"draft","prompt_field":"","min_length":1,"max_length":100000}`},
		{"yaml block scalar", "title: x\nconfig: |\n  <View>\n    <Text name=\"text\" value=\"$text\"/>\n    <Choices name=\"c\" toName=\"text\"><Choice value=\"A\"/><Choice value=\"B\"/></Choices>\n  </View>\nother: 1\n",
			tasktype.TaskClassification, `{"field":"text","choices":[{"value":"A","label":"A","hotkey":"1"},{"value":"B","label":"B","hotkey":"2"}]}`},
		{"yaml single quotes with escaped quote", "config: '<View><Text name=\"text\" value=\"$text\"/><Choices name=\"c\" toName=\"text\"><Choice value=\"it''s\"/><Choice value=\"no\"/></Choices></View>'\n",
			tasktype.TaskClassification, `{"field":"text","choices":[{"value":"it's","label":"it's","hotkey":"1"},{"value":"no","label":"no","hotkey":"2"}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tt, schema, err := ParseLSConfig([]byte(c.xml))
			if err != nil {
				t.Fatal(err)
			}
			if tt != c.tt || string(schema) != c.schema {
				t.Errorf("got %s %s\nwant %s %s", tt, schema, c.tt, c.schema)
			}
		})
	}
}

func TestParseLSConfigErrors(t *testing.T) {
	cases := []struct{ name, xml, msg string }{
		{"image object", `<View><Image name="img" value="$image"/><Choices name="c" toName="img"><Choice value="Cat"/><Choice value="Dog"/></Choices></View>`, "tag <Image> is not supported"},
		{"rectangle labels", `<View><Text name="t" value="$t"/><RectangleLabels name="r" toName="t"/></View>`, "tag <RectangleLabels> is not supported"},
		{"two controls", `<View><Text name="t" value="$t"/><Choices name="c" toName="t"><Choice value="a"/><Choice value="b"/></Choices><TextArea name="n" toName="t"/></View>`, `<Choices name="c"> and <TextArea name="n"> cannot share a project`},
		{"no control", `<View><Text name="t" value="$t"/></View>`, "no control tag found"},
		{"dangling toName", `<View><Text name="t" value="$t"/><Labels name="l" toName="body"><Label value="X"/></Labels></View>`, `toName="body", but no object tag has that name`},
		{"literal value", `<View><Text name="t" value="hello"/><TextArea name="n" toName="t"/></View>`, `value="hello" must be a $variable`},
		{"ranker buckets", `<View><List name="l" value="$items"/><Ranker name="r" toName="l"><Bucket name="good"/></Ranker></View>`, "with <Bucket> children"},
		{"ranker on text", `<View><Text name="t" value="$t"/><Ranker name="r" toName="t"/></View>`, `points at <Text name="t">; supported here: List`},
		{"one choice", `<View><Text name="t" value="$t"/><Choices name="c" toName="t"><Choice value="a"/></Choices></View>`, "choices: needs at least 2 entries"},
		{"bad xml", `<View><Text name="t" value="$t/></View>`, "invalid XML"},
		{"not a config", `title: no config here`, "expected XML"},
		{"pairwise one object", `<View><Text name="t" value="$t"/><Pairwise name="p" toName="t"/></View>`, `toName="t" must name two objects`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ParseLSConfig([]byte(c.xml))
			if !errors.Is(err, ErrLSConfig) {
				t.Fatalf("err = %v, want ErrLSConfig", err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q does not contain %q", err.Error(), c.msg)
			}
		})
	}
}

// lsExport is the part of an exported Label Studio task the tests read.
type lsExport struct {
	Data        json.RawMessage `json:"data"`
	Annotations []struct {
		Result json.RawMessage `json:"result"`
	} `json:"annotations"`
}

// lsValues reduces a result array to its type and value objects, the parts
// that must survive a round trip (ids and names are ours on export).
func lsValues(t *testing.T, result json.RawMessage) []map[string]any {
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

func TestLSResultRoundTripFixtures(t *testing.T) {
	rankerData := func(t *testing.T) json.RawMessage {
		var tasks []lsExport
		if err := json.Unmarshal(readFixture(t, "import/ranker_tasks.json"), &tasks); err != nil {
			t.Fatal(err)
		}
		return tasks[0].Data
	}
	pairwiseSchema := func(t *testing.T) json.RawMessage {
		_, s, err := ParseLSConfig(readFixture(t, "configs/pairwise-classification.config.xml"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rankerSchema := func(t *testing.T) json.RawMessage {
		_, s, err := ParseLSConfig(readFixture(t, "configs/ranker.config.xml"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cases := []struct {
		file   string
		tt     tasktype.TaskType
		schema func(*testing.T) json.RawMessage
		data   func(*testing.T) json.RawMessage // nil: the export's own data
		answer string
	}{
		{"export/named_entity_annotation_labels_span.json", tasktype.TaskSpans,
			func(*testing.T) json.RawMessage {
				return json.RawMessage(`{"field":"text","labels":[{"value":"Person"},{"value":"Organization"},{"value":"Date"}]}`)
			}, nil,
			`{"spans":[{"start":343,"end":354,"label":"Date","text":"February 22"}]}`},
		{"export/pairwise_annotation.json", tasktype.TaskPairwise, pairwiseSchema, nil, `{"choice":"b"}`},
		{"export/previous_export_choices.json", tasktype.TaskClassification,
			func(*testing.T) json.RawMessage {
				return json.RawMessage(`{"field":"image","choices":[{"value":"Cat"},{"value":"Dog"}]}`)
			}, nil, `{"choice":"Cat"}`},
		{"export/ranker_annotation.json", tasktype.TaskRanking, rankerSchema, rankerData,
			`{"ranking":[["1234"],["123"],["12345"],["123456"],["1234567"]]}`},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			var task lsExport
			if err := json.Unmarshal(readFixture(t, c.file), &task); err != nil {
				t.Fatal(err)
			}
			data := task.Data
			if c.data != nil {
				data = c.data(t)
			}
			schema := c.schema(t)
			result := task.Annotations[0].Result
			answer, err := LSResultToAnswer(c.tt, schema, data, result)
			if err != nil {
				t.Fatalf("LSResultToAnswer: %v", err)
			}
			if string(answer) != c.answer {
				t.Errorf("answer = %s, want %s", answer, c.answer)
			}
			back, err := AnswerToLSResult(c.tt, schema, data, answer)
			if err != nil {
				t.Fatalf("AnswerToLSResult: %v", err)
			}
			if got, want := lsValues(t, back), lsValues(t, result); !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed the result\n got %v\nwant %v", got, want)
			}
		})
	}
}

// Label Studio offsets are UTF-16 units; ours are code points.
func TestLSResultSpansUTF16(t *testing.T) {
	schema := json.RawMessage(`{"labels":[{"value":"PER"},{"value":"LOC"}],"allow_overlap":true}`)
	data := json.RawMessage(`{"text":"👩‍👩‍👧 Anna moved to 東京𠮷 city"}`)
	// JavaScript: "👩‍👩‍👧 Anna moved to 東京𠮷 city".indexOf("Anna") == 9, indexOf("東京𠮷") == 23.
	result := json.RawMessage(`[
	  {"id":"a","from_name":"label","to_name":"text","type":"labels","value":{"start":9,"end":13,"text":"Anna","labels":["PER"]}},
	  {"id":"b","from_name":"label","to_name":"text","type":"labels","value":{"start":23,"end":27,"text":"東京𠮷","labels":["LOC","PER"]}},
	  {"id":"c","from_name":"comment","to_name":"text","type":"textarea","value":{"text":["ignored"]}}
	]`)
	answer, err := LSResultToAnswer(tasktype.TaskSpans, schema, data, result)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"spans":[{"start":6,"end":10,"label":"PER","text":"Anna"},{"start":20,"end":23,"label":"LOC","text":"東京𠮷"},{"start":20,"end":23,"label":"PER","text":"東京𠮷"}]}`
	if string(answer) != want {
		t.Fatalf("answer\n got %s\nwant %s", answer, want)
	}
	back, err := AnswerToLSResult(tasktype.TaskSpans, schema, data, answer)
	if err != nil {
		t.Fatal(err)
	}
	var items []struct {
		Value struct {
			Start, End int
			Labels     []string
		}
	}
	_ = json.Unmarshal(back, &items)
	if len(items) != 3 || items[0].Value.Start != 9 || items[0].Value.End != 13 || items[1].Value.Start != 23 || items[1].Value.End != 27 {
		t.Errorf("back to UTF-16: %s", back)
	}

	bad := []struct {
		name, result string
		err          error
	}{
		{"inside surrogate pair", `[{"type":"labels","value":{"start":1,"end":4,"labels":["PER"]}}]`, tasktype.ErrOffsetOutOfRange},
		{"past end", `[{"type":"labels","value":{"start":9,"end":99,"labels":["PER"]}}]`, tasktype.ErrOffsetOutOfRange},
		{"text mismatch", `[{"type":"labels","value":{"start":9,"end":13,"text":"Anne","labels":["PER"]}}]`, tasktype.ErrInvalidAnswer},
		{"unknown label", `[{"type":"labels","value":{"start":9,"end":13,"labels":["ORG"]}}]`, tasktype.ErrUnknownLabel},
		{"xpath region", `[{"type":"hypertextlabels","value":{"startOffset":1,"endOffset":3,"labels":["PER"]}}]`, ErrLSResult},
		{"not an array", `{"type":"labels"}`, ErrLSResult},
	}
	for _, b := range bad {
		if _, err := LSResultToAnswer(tasktype.TaskSpans, schema, data, json.RawMessage(b.result)); !errors.Is(err, b.err) {
			t.Errorf("%s: err = %v, want %v", b.name, err, b.err)
		}
	}
}

func TestLSResultOtherTypes(t *testing.T) {
	rubric := json.RawMessage(`{"prompt_field":"","criteria":[{"id":"helpful"},{"id":"honest","scale":[{"value":1},{"value":2},{"value":3}]}]}`)
	rdata := json.RawMessage(`{"response":"r"}`)
	ans, err := LSResultToAnswer(tasktype.TaskRubric, rubric, rdata, json.RawMessage(`[{"from_name":"helpful","type":"rating","value":{"rating":4}},{"from_name":"honest","type":"rating","value":{"rating":2}}]`))
	if err != nil || string(ans) != `{"scores":{"helpful":4,"honest":2}}` {
		t.Fatalf("rubric: %s, %v", ans, err)
	}
	back, err := AnswerToLSResult(tasktype.TaskRubric, rubric, rdata, ans)
	if err != nil || !strings.Contains(string(back), `"from_name":"helpful"`) || !strings.Contains(string(back), `"value":{"rating":2}`) {
		t.Errorf("rubric back: %s, %v", back, err)
	}

	rewrite := json.RawMessage(`{"prompt_field":""}`)
	wdata := json.RawMessage(`{"response":"old"}`)
	ans, err = LSResultToAnswer(tasktype.TaskRewrite, rewrite, wdata, json.RawMessage(`[{"type":"textarea","value":{"text":["new line 1","new line 2"]}}]`))
	if err != nil || string(ans) != `{"text":"new line 1\nnew line 2"}` {
		t.Fatalf("rewrite: %s, %v", ans, err)
	}

	ml := json.RawMessage(`{"choices":[{"value":"a"},{"value":"b"},{"value":"c"}]}`)
	ans, err = LSResultToAnswer(tasktype.TaskMultiLabel, ml, json.RawMessage(`{"text":"t"}`), json.RawMessage(`[{"type":"choices","value":{"choices":["c","a"]}}]`))
	if err != nil || string(ans) != `{"choices":["a","c"]}` {
		t.Fatalf("multilabel: %s, %v", ans, err)
	}

	ranking := json.RawMessage(`{"prompt_field":""}`)
	rkdata := json.RawMessage(`{"responses":[{"id":"x","text":"1"},{"id":"y","text":"2"}]}`)
	ans, err = LSResultToAnswer(tasktype.TaskRanking, ranking, rkdata, json.RawMessage(`[{"type":"ranker","value":{"ranker":{"search":["y","x"]}}}]`))
	if err != nil || string(ans) != `{"ranking":[["y"],["x"]]}` {
		t.Fatalf("ranker bucket form: %s, %v", ans, err)
	}

	// Answers Label Studio cannot express.
	unconvertible := []struct {
		tt           tasktype.TaskType
		schema, data string
		answer       string
	}{
		{tasktype.TaskPairwise, `{"prompt_field":""}`, `{"response_a":"a","response_b":"b"}`, `{"choice":"tie"}`},
		{tasktype.TaskRanking, `{"prompt_field":""}`, string(rkdata), `{"ranking":[["x","y"]]}`},
		{tasktype.TaskModeration, `{"categories":[{"value":"spam"}]}`, `{"text":"t"}`, `{"categories":["spam"],"severity":1}`},
	}
	for _, u := range unconvertible {
		if _, err := AnswerToLSResult(u.tt, json.RawMessage(u.schema), json.RawMessage(u.data), json.RawMessage(u.answer)); !errors.Is(err, ErrLSResult) {
			t.Errorf("%s %s: err = %v, want ErrLSResult", u.tt, u.answer, err)
		}
	}
	// Results of the wrong kind are refused, not guessed.
	cls := json.RawMessage(`{"field":"text","choices":[{"value":"positive","label":"Positive"},{"value":"negative","label":"Negative"}]}`)
	data := json.RawMessage(`{"text":"Great for the jawbone."}`)
	if _, err := LSResultToAnswer(tasktype.TaskClassification, cls, data, json.RawMessage(`[{"type":"rating","value":{"rating":3}}]`)); !errors.Is(err, ErrLSResult) {
		t.Errorf("no choices: %v", err)
	}
	if _, err := LSResultToAnswer(tasktype.TaskClassification, cls, data, json.RawMessage(`[{"type":"choices","value":{"choices":["positive","negative"]}}]`)); !errors.Is(err, ErrLSResult) {
		t.Errorf("two choices: %v", err)
	}
}

// The names results carry come from the config's control and object tags.
func TestParseLSConfigNames(t *testing.T) {
	cases := []struct {
		file            string
		control, object string
	}{
		{"configs/text-classification.config.yml", "sentiment", "text"},
		{"configs/named-entity-recognition.config.yml", "label", "text"}, // the object "text" reads $ner
		{"configs/pairwise-classification.config.xml", "pw", "pw"},       // Label Studio's pairwise results point at the control
		{"configs/ranker.config.xml", "rank", "search"},                  // the object "search" reads $items
	}
	for _, c := range cases {
		tt, schema, names, err := ParseLSConfigNames(readFixture(t, c.file))
		if err != nil || names.Control != c.control || names.Object != c.object {
			t.Errorf("%s: names %+v, %v; want %s/%s", c.file, names, err, c.control, c.object)
			continue
		}
		x, err := LSConfigXML(readFixture(t, c.file))
		if err != nil {
			t.Fatal(err)
		}
		got, stored, err := ProjectLSConfig(x, tt, schema)
		if err != nil || got != x || stored.Control != c.control {
			t.Errorf("%s: ProjectLSConfig = %q %+v %v", c.file, got, stored, err)
		}
	}
	x := `<View><Text name="review" value="$text"/><Rating name="helpful" toName="review"/><Rating name="safe" toName="review" maxRating="3"/></View>`
	tt, schema, names, err := ParseLSConfigNames([]byte(x))
	if err != nil || names.Ratings["helpful"] != "review" || names.Ratings["safe"] != "review" {
		t.Fatalf("rubric names %+v %v", names, err)
	}
	res, err := AnswerToLSResultNamed(tt, schema, json.RawMessage(`{"text":"hi"}`), json.RawMessage(`{"scores":{"helpful":4,"safe":2}}`), names)
	if err != nil || !strings.Contains(string(res), `"from_name":"safe"`) || !strings.Contains(string(res), `"to_name":"review"`) {
		t.Errorf("rubric result %s %v", res, err)
	}
}

// A config that no longer fits the schema gives way to the generated one;
// one that does not fit at creation is refused.
func TestLSConfigFits(t *testing.T) {
	x := `<View><Text name="review" value="$text"/><Choices name="sentiment" toName="review"><Choice value="pos"/><Choice value="neg"/></Choices></View>`
	schema := json.RawMessage(`{"field":"text","choices":[{"value":"pos","hotkey":"p"},{"value":"neg"},{"value":"mixed"}]}`)
	if n, err := CheckLSConfigFits(x, tasktype.TaskClassification, schema); err != nil || n.Control != "sentiment" || n.Object != "review" {
		t.Errorf("other labels, same field: %+v %v", n, err)
	}
	other := json.RawMessage(`{"field":"body","choices":[{"value":"pos"},{"value":"neg"}]}`)
	if _, err := CheckLSConfigFits(x, tasktype.TaskClassification, other); !errors.Is(err, ErrLSConfig) {
		t.Errorf("another field: %v", err)
	}
	if _, err := CheckLSConfigFits(x, tasktype.TaskMultiLabel, schema); !errors.Is(err, ErrLSConfig) {
		t.Errorf("another task type: %v", err)
	}
	got, names, err := ProjectLSConfig(x, tasktype.TaskClassification, other)
	if err != nil || got == x || names.Control != "label" || names.Object != "body" {
		t.Errorf("fallback: %q %+v %v", got, names, err)
	}
}
