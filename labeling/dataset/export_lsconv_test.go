package dataset

import (
	"copyhold/labeling/importer"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// Label Studio exports of conversation projects: the conversation is a
// <Paragraphs layout="dialogue"> (nameKey role, textKey content), spans per
// turn are paragraphlabels results in UTF-16 units of the turn's content.

const lsConvSpansSchema = `{"conversation_field":"messages","labels":[{"value":"FOOD","label":"Food"},{"value":"CITY","label":"City"}]}`

// Emoji before the spans make code points and UTF-16 units differ.
const lsConvData = `{"messages":[{"role":"system","content":"Sei freundlich."},` +
	`{"role":"user","content":"🍅🥒 Wo gibt es Gurken in Zürich?"},` +
	`{"role":"assistant","content":"In Zürich 🙂 auf dem Bürkliplatz; Tomaten 🍅 auch."}]}`

// lsConvRow is a row as the store holds it: data normalised (turn ids written).
func lsConvRow(t *testing.T, tt tasktype.TaskType, schema, data, answer string, id int64) ExportRow {
	t.Helper()
	s, err := tasktype.ParseSchema(tt, json.RawMessage(schema))
	if err != nil {
		t.Fatal(err)
	}
	norm, err := tasktype.NormaliseItemData(s, json.RawMessage(data))
	if err != nil {
		t.Fatal(err)
	}
	return convRow(tt, schema, string(norm), answer, id)
}

func lsConvFixtures(t *testing.T) map[string][]ExportRow {
	cls := `{"conversation_field":"messages","choices":[{"value":"helpful"},{"value":"unhelpful","label":"Not helpful"}]}`
	multi := `{"conversation_field":"messages","turn":"last_assistant","choices":[{"value":"polite"},{"value":"on_topic"},{"value":"wrong"}]}`
	rubric := `{"conversation_field":"messages","turn":"last_assistant","criteria":[{"id":"helpful","label":"Helpful"},{"id":"correct"}]}`
	return map[string][]ExportRow{
		"spans": {
			lsConvRow(t, tasktype.TaskSpans, lsConvSpansSchema, lsConvData,
				`{"spans":[{"turn_id":"t1","start":14,"end":20,"label":"FOOD"},{"turn_id":"t1","start":24,"end":30,"label":"CITY"},`+
					`{"turn_id":"t2","start":3,"end":9,"label":"CITY"},{"turn_id":"t2","start":33,"end":40,"label":"FOOD"}]}`, 21),
			lsConvRow(t, tasktype.TaskSpans, lsConvSpansSchema, `{"messages":[{"role":"user","content":"Nichts hier."}]}`, `{"spans":[]}`, 22),
		},
		"classification": {
			lsConvRow(t, tasktype.TaskClassification, cls, lsConvData, `{"choice":"helpful"}`, 23),
		},
		"multilabel": {
			lsConvRow(t, tasktype.TaskMultiLabel, multi, lsConvData, `{"choices":["polite","on_topic"]}`, 24),
		},
		// Ratings of the last assistant turn; the rationale has no Label Studio form.
		"rubric": {
			lsConvRow(t, tasktype.TaskRubric, rubric, lsConvData, `{"scores":{"helpful":4,"correct":5}}`, 25),
		},
	}
}

func TestExportLabelStudioConversation(t *testing.T) {
	fx := lsConvFixtures(t)
	for _, c := range []struct {
		name, fixture string
		tt            tasktype.TaskType
	}{
		{"labelstudio-conv-spans", "spans", tasktype.TaskSpans},
		{"labelstudio-conv-classification", "classification", tasktype.TaskClassification},
		{"labelstudio-conv-multilabel", "multilabel", tasktype.TaskMultiLabel},
		{"labelstudio-conv-rubric", "rubric", tasktype.TaskRubric},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows := fx[c.fixture]
			schema := rows[0].Schema
			if err := CheckExportSchemas(ExportLabelStudio, c.tt, []json.RawMessage{schema}, ExportSettings{}, "P"); err != nil {
				t.Fatalf("check: %v", err)
			}
			out, st := exportWrite(t, ExportOptions{Format: ExportLabelStudio, TaskType: c.tt}, rows)
			exportGolden(t, c.name, out)
			if st.Rows != int64(len(rows)) || len(st.Dropped) != 0 {
				t.Errorf("stats = %+v", st)
			}
			// The generated config shows the dialogue and imports back as a
			// project of the same kind over the same field.
			config, err := importer.SchemaToLSConfig(c.tt, schema)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(config, `<Paragraphs name="messages" value="$messages" layout="dialogue" nameKey="role" textKey="content"/>`) {
				t.Errorf("config:\n%s", config)
			}
			ctt, cschema, err := importer.ParseLSConfig([]byte(config))
			if err != nil || ctt != c.tt {
				t.Fatalf("config parses to %s, %v", ctt, err)
			}
			if field, _ := tasktype.ConversationOf(mustSchema(t, ctt, cschema)); field != "messages" {
				t.Errorf("config schema %s reads no conversation", cschema)
			}
			// Round trip: the export imports back into the project with the
			// same conversations and the same answers.
			n := 0
			err = importer.ReadWithOptions(strings.NewReader(out), "labelstudio", c.tt, schema, importer.Options{Annotations: importer.AnnotationsGold}, func(r importer.Record) error {
				if !exportJSONEqual(t, r.Data, rows[n].Data) {
					t.Errorf("task %d: data %s, want %s", n, r.Data, rows[n].Data)
				}
				if string(r.Gold) != string(rows[n].Answer) {
					t.Errorf("task %d: answer %s, want %s", n, r.Gold, rows[n].Answer)
				}
				n++
				return nil
			})
			if err != nil || n != len(rows) {
				t.Fatalf("re-import: %d tasks, %v", n, err)
			}
		})
	}
}

func mustSchema(t *testing.T, tt tasktype.TaskType, raw json.RawMessage) tasktype.Schema {
	t.Helper()
	s, err := tasktype.ParseSchema(tt, raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every paragraphlabels result points at the same characters in UTF-16
// units as the span does in code points.
func TestExportLabelStudioConversationOffsets(t *testing.T) {
	rows := lsConvFixtures(t)["spans"]
	out, _ := exportWrite(t, ExportOptions{Format: ExportLabelStudio, TaskType: tasktype.TaskSpans}, rows)
	var tasks []struct {
		Data struct {
			Messages []tasktype.Message `json:"messages"`
		} `json:"data"`
		Annotations []struct {
			Result []struct {
				Type  string `json:"type"`
				Value struct {
					Start, End             string
					StartOffset, EndOffset int
					Text                   string
					Labels                 []string `json:"paragraphlabels"`
				} `json:"value"`
			} `json:"result"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal([]byte(out), &tasks); err != nil {
		t.Fatal(err)
	}
	var a tasktype.SpansAnswer
	if err := json.Unmarshal(rows[0].Answer, &a); err != nil {
		t.Fatal(err)
	}
	res := tasks[0].Annotations[0].Result
	if len(res) != len(a.Spans) {
		t.Fatalf("%d results for %d spans", len(res), len(a.Spans))
	}
	differ := false
	for i, r := range res {
		sp := a.Spans[i]
		p, err := strconv.Atoi(r.Value.Start)
		if err != nil || r.Type != "paragraphlabels" || r.Value.End != r.Value.Start {
			t.Fatalf("result %d: %+v", i, r)
		}
		msg := tasks[0].Data.Messages[p]
		if msg.ID != sp.TurnID {
			t.Errorf("result %d: paragraph %d is turn %s, span is in %s", i, p, msg.ID, sp.TurnID)
		}
		want, err := tasktype.SliceCodePoints(msg.Content, sp.Start, sp.End)
		if err != nil {
			t.Fatal(err)
		}
		u := utf16.Encode([]rune(msg.Content))
		got := string(utf16.Decode(u[r.Value.StartOffset:r.Value.EndOffset]))
		if got != want || r.Value.Text != want || r.Value.Labels[0] != sp.Label {
			t.Errorf("result %d: UTF-16 slice %q, text %q; code point slice %q", i, got, r.Value.Text, want)
		}
		differ = differ || r.Value.StartOffset != sp.Start
	}
	if !differ {
		t.Error("the fixture should have spans whose UTF-16 offsets differ from their code points")
	}
	// The manifest of the file names the convention.
	m := ExportManifest{Format: ExportLabelStudio, TaskType: tasktype.TaskSpans, Conversational: true}
	m.AddStats(ExportStats{})
	if m.Offsets != OffsetsUTF16 {
		t.Errorf("manifest offsets = %q, want %q", m.Offsets, OffsetsUTF16)
	}
}

// Label Studio writes paragraph indices as strings, its docs as numbers:
// both import; a region over two paragraphs or inside a surrogate pair does not.
func TestLabelStudioParagraphResultsImport(t *testing.T) {
	row := lsConvFixtures(t)["spans"][0]
	for _, c := range []struct{ value, want string }{
		{`{"start":"1","end":"1","startOffset":16,"endOffset":22,"text":"Gurken","paragraphlabels":["FOOD"]}`, `{"spans":[{"turn_id":"t1","start":14,"end":20,"label":"FOOD","text":"Gurken"}]}`},
		{`{"start":1,"end":1,"startOffset":16,"endOffset":22,"paragraphlabels":["FOOD"]}`, `{"spans":[{"turn_id":"t1","start":14,"end":20,"label":"FOOD","text":"Gurken"}]}`},
		{`{"start":"1","end":"2","startOffset":17,"endOffset":3,"paragraphlabels":["FOOD"]}`, `stay inside one turn`},
		{`{"start":"1","end":"1","startOffset":1,"endOffset":3,"paragraphlabels":["FOOD"]}`, `surrogate pair`},
		{`{"start":"7","end":"7","startOffset":0,"endOffset":1,"paragraphlabels":["FOOD"]}`, `paragraph 7 is not a message`},
	} {
		result := `[{"from_name":"label","to_name":"messages","type":"paragraphlabels","value":` + c.value + `}]`
		got, err := importer.LSResultToAnswer(tasktype.TaskSpans, row.Schema, row.Data, json.RawMessage(result))
		if err != nil {
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want %q", c.value, err, c.want)
			}
			continue
		}
		if !exportJSONEqual(t, got, json.RawMessage(c.want)) {
			t.Errorf("%s: %s, want %s", c.value, got, c.want)
		}
	}
}

// Task types Label Studio cannot show over a conversation stay refused,
// naming what is missing.
func TestExportLabelStudioConversationRefused(t *testing.T) {
	conv := func(extra string) json.RawMessage {
		return json.RawMessage(`{"conversation_field":"messages"` + extra + `}`)
	}
	for _, c := range []struct {
		tt     tasktype.TaskType
		schema json.RawMessage
		want   string
	}{
		{tasktype.TaskRubric, conv(`,"criteria":[{"id":"c"}]`), `labelstudio needs one rating per task (Label Studio has no rating per dialogue turn); project "P" labels every assistant turn of a conversation`},
		{tasktype.TaskPairwise, conv(``), `labelstudio needs text candidates (Label Studio's <Pairwise> and <Ranker> compare texts, not candidate next turns of a dialogue); project "P" labels candidate next turns`},
		{tasktype.TaskRanking, conv(``), `labelstudio needs text candidates`},
		{tasktype.TaskRewrite, conv(``), `labelstudio needs a text to rewrite`},
		{tasktype.TaskRewrite, conv(`,"turn":"next"`), `labelstudio needs a text to rewrite`},
		{tasktype.TaskModeration, conv(`,"categories":[{"id":"c"}]`), `labelstudio needs a task type Label Studio has results for (moderation has none)`},
	} {
		err := CheckExportSchemas(ExportLabelStudio, c.tt, []json.RawMessage{c.schema}, ExportSettings{}, "P")
		if !errors.Is(err, ErrExportUnsupported) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want %q", c.tt, c.schema, err, c.want)
		}
	}
}

// A project made from a Label Studio config whose dialogue has the default
// keys gets its conversations back as {author, text} entries (with the turn
// ids and tool calls beside them), under the config's names, and the file
// imports back to the same data and answers.
func TestExportLabelStudioConversationAuthorText(t *testing.T) {
	for _, c := range []struct {
		name, config, data, answer, want string
	}{
		{"spans", `<View><Paragraphs name="chat" value="$messages" layout="dialogue"/><ParagraphLabels name="ner" toName="chat"><Label value="Food" alias="FOOD"/><Label value="City" alias="CITY"/></ParagraphLabels></View>`,
			lsConvData, `{"spans":[{"turn_id":"t1","start":14,"end":20,"label":"FOOD"}]}`,
			`"from_name":"ner","id":"ner-1","origin":"manual","to_name":"chat","type":"paragraphlabels","value":{"end":"1","endOffset":22,"paragraphlabels":["FOOD"],"start":"1","startOffset":16,"text":"Gurken"}`},
		{"classification", `<View><Paragraphs name="chat" value="$messages" layout="dialogue"/><Choices name="outcome" toName="chat"><Choice value="resolved"/><Choice value="open"/></Choices></View>`,
			`{` + convHistory + `,` + convTools + `}`, `{"choice":"open"}`,
			`"from_name":"outcome","id":"outcome-1","origin":"manual","to_name":"chat","type":"choices","value":{"choices":["open"]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			tt, schema, names, err := importer.ParseLSConfigNames([]byte(c.config))
			if err != nil || !names.AuthorText {
				t.Fatalf("config: %v %+v", err, names)
			}
			row := lsConvRow(t, tt, string(schema), c.data, c.answer, 30)
			row.LSNames = &names
			out, _ := exportWrite(t, ExportOptions{Format: ExportLabelStudio, TaskType: tt}, []ExportRow{row})
			if !strings.Contains(out, c.want) || !strings.Contains(out, `{"author":"user","text":`) || strings.Contains(out, `"role"`) {
				t.Errorf("export:\n%s", out)
			}
			n := 0
			err = importer.ReadWithOptions(strings.NewReader(out), "labelstudio", tt, schema, importer.Options{Annotations: importer.AnnotationsGold}, func(r importer.Record) error {
				if !exportJSONEqual(t, r.Data, row.Data) {
					t.Errorf("data %s, want %s", r.Data, row.Data)
				}
				if string(r.Gold) != string(row.Answer) {
					t.Errorf("answer %s, want %s", r.Gold, row.Answer)
				}
				n++
				return nil
			})
			if err != nil || n != 1 {
				t.Fatalf("re-import: %d, %v", n, err)
			}
		})
	}
}
