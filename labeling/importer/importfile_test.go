package importer

import (
	"copyhold/labeling/sensitive"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// uciSentences is a committed sample of the UCI sentiment sentences: 152
// records, 78 of them positive (see ../testdata/README.md).
const uciSentences = "../testdata/uci_sentiment_sample.jsonl"

var sentimentSchema = json.RawMessage(`{"field":"text","choices":[{"value":"negative"},{"value":"positive"}]}`)

// collect reads a whole import into memory (tests only).
func collect(t *testing.T, r io.Reader, format string, tt tasktype.TaskType, schema json.RawMessage, opts Options) ([]Record, error) {
	t.Helper()
	var recs []Record
	err := ReadWithOptions(r, format, tt, schema, opts, func(rec Record) error {
		recs = append(recs, rec)
		return nil
	})
	return recs, err
}

func TestImportUCISentences(t *testing.T) {
	f, err := os.Open(uciSentences)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if got := DetectFormat("uci_sentiment_labelled_sentences.jsonl", head[:n]); got != JSONL {
		t.Fatalf("DetectFormat = %q", got)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	// Plain import: every record is a bare data object.
	recs, err := collect(t, f, JSONL, tasktype.TaskClassification, sentimentSchema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 152 {
		t.Fatalf("got %d records, want 152", len(recs))
	}
	if recs[0].Line != 1 || recs[151].Line != 152 || recs[0].ExternalID != "" || recs[0].Gold != nil {
		t.Errorf("first/last record: %+v / %+v", recs[0], recs[151])
	}
	var d map[string]any
	if err := json.Unmarshal(recs[1].Data, &d); err != nil || d["text"] != "Good case, Excellent value." || d["label_name"] != "positive" {
		t.Errorf("record 2 data = %s", recs[1].Data)
	}

	// With options: id becomes the external id, label_name the gold answer,
	// and the gold field leaves the data.
	f2, _ := os.Open(uciSentences)
	defer f2.Close()
	recs, err = collect(t, f2, JSONL, tasktype.TaskClassification, sentimentSchema, Options{IDField: "id", GoldField: "label_name"})
	if err != nil {
		t.Fatal(err)
	}
	r := recs[0]
	if r.ExternalID != "amazon-0001" || string(r.Gold) != `{"choice":"negative"}` || strings.Contains(string(r.Data), "label_name") {
		t.Errorf("record 1 = id %q gold %s data %s", r.ExternalID, r.Gold, r.Data)
	}
	pos := 0
	for _, r := range recs {
		if string(r.Gold) == `{"choice":"positive"}` {
			pos++
		}
	}
	if pos != 78 {
		t.Errorf("%d positive gold labels, want 78", pos)
	}
}

func TestImportJSONL(t *testing.T) {
	input := "\ufeff" + `{"text":"bare one"}` + "\r\n" +
		"\n" + // blank lines are skipped but counted
		`{"data":{"text":"wrapped"},"id":42,"priority":5,"sensitive":true,"gold":"positive","prediction":{"choice":"negative"}}` + "\n" +
		`{"data":{"text":"ext"},"external_id":"abc-1"}` + "\n" +
		`{"data":"not an object","text":"a bare record whose data field is a string"}`
	recs, err := collect(t, strings.NewReader(input), JSONL, tasktype.TaskClassification, sentimentSchema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("got %d records", len(recs))
	}
	if recs[0].Line != 1 || string(recs[0].Data) != `{"text":"bare one"}` {
		t.Errorf("record 1: %+v", recs[0])
	}
	w := recs[1]
	if w.Line != 3 || string(w.Data) != `{"text":"wrapped"}` || w.ExternalID != "42" || w.Priority != 5 || !w.Sensitive ||
		string(w.Gold) != `{"choice":"positive"}` || string(w.Prediction) != `{"choice":"negative"}` {
		t.Errorf("wrapped record: %+v (gold %s, prediction %s)", w, w.Gold, w.Prediction)
	}
	if recs[2].ExternalID != "abc-1" || recs[2].Line != 4 {
		t.Errorf("record 3: %+v", recs[2])
	}
	if recs[3].Line != 5 || !strings.Contains(string(recs[3].Data), `"data":"not an object"`) {
		t.Errorf("record 4: %+v", recs[3])
	}
}

func TestImportJSONLErrors(t *testing.T) {
	good := `{"text":"fine"}` + "\n"
	cases := []struct {
		name  string
		input string
		err   error
		msg   string
	}{
		{"bad JSON on line 3", good + good + `{"text":"broken"` + "\n" + good, ErrImportFormat, "line 3: invalid JSON: unexpected end of JSON input"},
		{"syntax error offset", good + `{"text" "x"}`, ErrImportFormat, "line 2: invalid JSON: invalid character '\"' after object key (at byte 9)"},
		{"missing field", good + `{"body":"no text"}`, ErrImportFormat, `line 2: item data is missing field "text"`},
		{"wrong type", `{"text":["a"]}`, ErrImportFormat, `line 1: item data field "text" must be a string, got an array`},
		{"array line", good + good + good + `["text"]`, ErrImportFormat, "line 4: expected a JSON object, got an array"},
		{"two objects on a line", `{"text":"a"} {"text":"b"}`, ErrImportFormat, "line 1: invalid JSON"},
		{"unknown wrapper key", `{"data":{"text":"x"},"meta":{}}`, ErrImportFormat, `line 1: unknown key "meta" in a wrapped record`},
		{"id and external_id", `{"data":{"text":"x"},"id":1,"external_id":"1"}`, ErrImportFormat, `line 1: give either "id" or "external_id"`},
		{"bad priority", `{"data":{"text":"x"},"priority":1.5}`, ErrImportFormat, `line 1: priority "1.5" must be a whole number`},
		{"bad sensitive", `{"data":{"text":"x"},"sensitive":"yes"}`, ErrImportFormat, `line 1: sensitive must be true or false, got string "yes"`},
		{"bad categories", `{"data":{"text":"x"},"categories":"hate"}`, ErrImportFormat, `line 1: categories must be a list of names`},
		{"unknown category", `{"data":{"text":"x"},"categories":["gore"]}`, ErrImportFormat, `line 1: unknown sensitive category "gore"`},
		{"bad gold", good + `{"data":{"text":"x"},"gold":"meh"}`, ErrImportFormat, `line 2: gold: unknown label: choice "meh" is not one of "negative", "positive"`},
		{"bad prediction", `{"data":{"text":"x"},"prediction":{"choice":"positive","score":0.3}}`, ErrImportFormat, `line 1: prediction: invalid answer: top level: unknown field "score"`},
		{"too long", good + `{"text":"` + strings.Repeat("a", MaxRecordBytes) + `"}` + "\n" + good, ErrImportTooLarge, "line 2: larger than the limit of 1048576 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := collect(t, strings.NewReader(c.input), JSONL, tasktype.TaskClassification, sentimentSchema, Options{})
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q does not contain %q", err.Error(), c.msg)
			}
		})
	}
}

func TestImportStopsOnCallbackError(t *testing.T) {
	stop := errors.New("store full")
	calls := 0
	input := strings.Repeat(`{"text":"x"}`+"\n", 10)
	err := Read(strings.NewReader(input), JSONL, tasktype.TaskClassification, sentimentSchema, func(Record) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 3 {
		t.Errorf("err = %v after %d calls; want the callback's error after 3", err, calls)
	}
	for _, format := range []string{CSV, LabelStudio} {
		in := "text\nx\ny\n"
		if format == LabelStudio {
			in = `[{"text":"x"},{"text":"y"}]`
		}
		err := Read(strings.NewReader(in), format, tasktype.TaskClassification, sentimentSchema, func(Record) error { return stop })
		if err != stop {
			t.Errorf("%s: err = %v, want the callback's error", format, err)
		}
	}
}

func TestImportCSV(t *testing.T) {
	input := "\ufeffexternal_id,text,source,priority,sensitive,gold\n" +
		"a1,\"Good case, Excellent value.\",amazon,3,true,positive\n" +
		"a2,\"multi\nline\",imdb,,,\n" +
		"a3,Awful.,yelp,-1,no,\"{\"\"choice\"\":\"\"negative\"\"}\"\n"
	recs, err := collect(t, strings.NewReader(input), CSV, tasktype.TaskClassification, sentimentSchema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("got %d records", len(recs))
	}
	r := recs[0]
	if r.Line != 2 || r.ExternalID != "a1" || r.Priority != 3 || !r.Sensitive || string(r.Gold) != `{"choice":"positive"}` ||
		string(r.Data) != `{"source":"amazon","text":"Good case, Excellent value."}` {
		t.Errorf("row 1: %+v gold %s data %s", r, r.Gold, r.Data)
	}
	if recs[1].Line != 3 || recs[1].Gold != nil || string(recs[1].Data) != `{"source":"imdb","text":"multi\nline"}` {
		t.Errorf("row 2: %+v data %s", recs[1], recs[1].Data)
	}
	if recs[2].Line != 5 || recs[2].Priority != -1 || recs[2].Sensitive || string(recs[2].Gold) != `{"choice":"negative"}` {
		t.Errorf("row 3: %+v gold %s", recs[2], recs[2].Gold)
	}

	// Multilabel gold shorthand "a|b".
	ml := json.RawMessage(`{"choices":[{"value":"a"},{"value":"b"},{"value":"c"}]}`)
	recs, err = collect(t, strings.NewReader("text,gold\nhello,c|a\n"), CSV, tasktype.TaskMultiLabel, ml, Options{})
	if err != nil || string(recs[0].Gold) != `{"choices":["a","c"]}` {
		t.Errorf("multilabel gold: %v %v", recs, err)
	}
}

func TestImportCSVErrors(t *testing.T) {
	cases := []struct {
		name, input string
		err         error
		msg         string
	}{
		{"wrong field count", "text,source\nok,amazon\nfine,imdb\nthree,fields,here\n", ErrImportFormat, "line 4: wrong number of fields"},
		{"bad quote", "text,source\n\"ok\" x,amazon\n", ErrImportFormat, "line 2, column 4: extraneous or missing \" in quoted-field"},
		{"missing text column", "body,source\nhello,amazon\n", ErrImportFormat, `line 2: item data is missing field "text"`},
		{"empty text", "text,source\nhi,a\n  ,b\n", ErrImportFormat, `line 3: item data field "text" is empty`},
		{"bad priority", "text,priority\nhi,high\n", ErrImportFormat, `line 2: priority "high" must be a whole number`},
		{"bad sensitive", "text,sensitive\nhi,maybe\n", ErrImportFormat, `line 2: sensitive "maybe" must be true or false`},
		{"bad category", "text,categories\nhi,violence;gore\n", ErrImportFormat, `line 2: unknown sensitive category "gore"`},
		{"bad gold", "text,gold\nhi,neutral\n", ErrImportFormat, `line 2: gold: unknown label: choice "neutral"`},
		{"bad gold JSON", "text,gold\nhi,{oops\n", ErrImportFormat, "line 2: gold column is not valid JSON"},
		{"duplicate column", "text,text\na,b\n", ErrImportFormat, `line 1: column 2 "text" repeats column 1`},
		{"empty file", "", ErrImportFormat, "line 1: the CSV file is empty"},
		{"too long line", "text\nok\n" + strings.Repeat("x", MaxRecordBytes+10) + "\n", ErrImportTooLarge, "line 3: larger than the limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := collect(t, strings.NewReader(c.input), CSV, tasktype.TaskClassification, sentimentSchema, Options{})
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q does not contain %q", err.Error(), c.msg)
			}
		})
	}
}

func TestImportLabelStudioFixtures(t *testing.T) {
	open := func(t *testing.T, rel string) io.Reader {
		return strings.NewReader(string(readFixture(t, rel)))
	}
	lsSchema := func(t *testing.T, rel string) (tasktype.TaskType, json.RawMessage) {
		tt, s, err := ParseLSConfig(readFixture(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		return tt, s
	}

	t.Run("bare tasks", func(t *testing.T) {
		tt, schema := lsSchema(t, "configs/text-classification.config.yml")
		recs, err := collect(t, open(t, "import/text_with_2_tasks.json"), LabelStudio, tt, schema, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[1].Line != 2 || string(recs[1].Data) != `{"text":"Example 2"}` {
			t.Errorf("records: %+v", recs)
		}
	})

	t.Run("pairwise", func(t *testing.T) {
		tt, schema := lsSchema(t, "configs/pairwise-classification.config.xml")
		recs, err := collect(t, open(t, "import/pairwise_tasks.json"), LabelStudio, tt, schema, Options{})
		if err != nil || len(recs) != 1 || !strings.Contains(string(recs[0].Data), "forgotten everything") {
			t.Errorf("records: %+v, %v", recs, err)
		}
	})

	t.Run("ranker", func(t *testing.T) {
		tt, schema := lsSchema(t, "configs/ranker.config.xml")
		recs, err := collect(t, open(t, "import/ranker_tasks.json"), LabelStudio, tt, schema, Options{})
		if err != nil || len(recs) != 1 || recs[0].Prediction != nil { // "predictions": [] → none
			t.Errorf("records: %+v, %v", recs, err)
		}
	})

	t.Run("NER config field does not match the tasks", func(t *testing.T) {
		// The template reads $ner, the example tasks carry "text": reported with the record.
		tt, schema := lsSchema(t, "configs/named-entity-recognition.config.yml")
		_, err := collect(t, open(t, "import/named_entity_tasks.json"), LabelStudio, tt, schema, Options{})
		if !errors.Is(err, ErrImportFormat) || !strings.Contains(err.Error(), `record 1: item data is missing field "ner"`) {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("NER prediction converted when its labels exist", func(t *testing.T) {
		schema := json.RawMessage(`{"field":"text","labels":[{"value":"Date"},{"value":"Person"}]}`)
		recs, err := collect(t, open(t, "import/named_entity_tasks.json"), LabelStudio, tasktype.TaskSpans, schema, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := `{"spans":[{"start":343,"end":354,"label":"Date","text":"February 22"}]}`
		if string(recs[0].Prediction) != want {
			t.Errorf("prediction = %s, want %s", recs[0].Prediction, want)
		}
	})

	t.Run("NER prediction skipped when it does not fit", func(t *testing.T) {
		schema := json.RawMessage(`{"field":"text","labels":[{"value":"PER"},{"value":"LOC"}]}`)
		recs, err := collect(t, open(t, "import/named_entity_tasks.json"), LabelStudio, tasktype.TaskSpans, schema, Options{})
		if err != nil || len(recs) != 1 || recs[0].Prediction != nil {
			t.Errorf("records: %+v, %v", recs, err)
		}
	})

	t.Run("single exported task object", func(t *testing.T) {
		tt, schema := lsSchema(t, "configs/pairwise-classification.config.xml")
		b := readFixture(t, "export/pairwise_annotation.json")
		if f := DetectFormat("pairwise_annotation.json", b[:200]); f != LabelStudio {
			t.Fatalf("DetectFormat = %q", f)
		}
		recs, err := collect(t, strings.NewReader(string(b)), LabelStudio, tt, schema, Options{Annotations: AnnotationsDrop})
		if err != nil || len(recs) != 1 || recs[0].ExternalID != "1" || recs[0].Gold != nil || recs[0].Tally.Annotations.Dropped != 1 {
			t.Errorf("records: %+v, %v", recs, err)
		}
		// Without a choice the annotation is not lost silently: the import fails and hands on nothing.
		recs, err = collect(t, strings.NewReader(string(b)), LabelStudio, tt, schema, Options{})
		if !errors.Is(err, ErrAnnotationsChoiceRequired) || !strings.Contains(err.Error(), "carry 1 Label Studio annotations") || len(recs) != 0 {
			t.Errorf("no choice: records %+v, err %v", recs, err)
		}
	})
}

func TestImportLabelStudioMixedAndGold(t *testing.T) {
	// "wrapped 🙂 Anna": 🙂 is one code point but two UTF-16 units, so "Anna"
	// is UTF-16 11..15 in Label Studio and code points 10..14 here.
	input := `[
	  {"text": "bare task"},
	  {"id": "t-2", "data": {"text": "wrapped 🙂 Anna"}, "meta": {"x": 1},
	   "predictions": [{"model_version": "m1", "result": [{"type": "labels", "from_name": "label", "to_name": "text", "value": {"start": 11, "end": 15, "labels": ["PER"]}}]}],
	   "annotations": [
	     {"result": [{"type": "labels", "value": {"start": 0, "end": 7, "labels": ["PER"]}}]},
	     {"ground_truth": true, "result": [{"type": "labels", "value": {"start": 11, "end": 15, "text": "Anna", "labels": ["PER"]}}]}
	   ]},
	  {"id": 3, "data": {"text": "wrapped 🙂 Anna"},
	   "annotations": [{"ground_truth": true, "result": [{"type": "labels", "value": {"start": 10, "end": 14, "text": "Anna", "labels": ["PER"]}}]}]}
	]`
	schema := json.RawMessage(`{"labels":[{"value":"PER"}]}`)
	recs, err := collect(t, strings.NewReader(input), LabelStudio, tasktype.TaskSpans, schema, Options{Annotations: AnnotationsGold})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1].ExternalID != "t-2" || recs[2].ExternalID != "3" || string(recs[1].Data) != `{"text":"wrapped 🙂 Anna"}` {
		t.Fatalf("records: %+v", recs)
	}
	if recs[0].ExternalID != "" || recs[0].Prediction != nil || recs[0].Gold != nil {
		t.Errorf("bare task: %+v", recs[0])
	}
	want := `{"spans":[{"start":10,"end":14,"label":"PER","text":"Anna"}]}`
	if string(recs[1].Prediction) != want || string(recs[1].Gold) != want {
		t.Errorf("prediction = %s, gold = %s; want %s", recs[1].Prediction, recs[1].Gold, want)
	}
	// UTF-16 10..14 covers " Ann", not the "Anna" the result claims: skipped, not fatal.
	if recs[2].Gold != nil {
		t.Errorf("gold with mismatching text should be skipped, got %s", recs[2].Gold)
	}
}

func TestImportLabelStudioErrors(t *testing.T) {
	schema := sentimentSchema
	cases := []struct {
		name, input string
		err         error
		msg         string
	}{
		{"bad JSON in record 2", `[{"text":"a"},{"text":"b",}]`, ErrImportFormat, "record 2: invalid JSON"},
		{"not an object", `[{"text":"a"},"b"]`, ErrImportFormat, `record 2: a task must be a JSON object, got string "b"`},
		{"missing field", `[{"text":"a"},{"data":{"body":"x"}}]`, ErrImportFormat, `record 2: item data is missing field "text"`},
		{"truncated", `[{"text":"a"},{"text":`, ErrImportFormat, "record 2: "},
		{"trailing garbage", `[{"text":"a"}] x`, ErrImportFormat, "record 2: unexpected data after the end of the tasks"},
		{"not json", `text,label`, ErrImportFormat, "record 1: expected a JSON array of Label Studio tasks"},
		{"empty", ``, ErrImportFormat, "record 1: the file is empty"},
		{"too large", `[{"text":"a"},{"text":"` + strings.Repeat("b", MaxRecordBytes+1) + `"}]`, ErrImportTooLarge, "record 2: larger than the limit"},
		{"far too large", `[{"text":"a"},{"text":"` + strings.Repeat("b", 3*MaxRecordBytes) + `"}]`, ErrImportTooLarge, "record 2: larger than the limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := collect(t, strings.NewReader(c.input), LabelStudio, tasktype.TaskClassification, schema, Options{})
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q does not contain %q", err.Error(), c.msg)
			}
		})
	}
	if err := Read(strings.NewReader(""), "xml", tasktype.TaskClassification, schema, func(Record) error { return nil }); !errors.Is(err, ErrImportFormat) {
		t.Errorf("unknown format: %v", err)
	}
	if err := Read(strings.NewReader(""), JSONL, tasktype.TaskClassification, json.RawMessage(`{}`), func(Record) error { return nil }); !errors.Is(err, tasktype.ErrInvalidSchema) {
		t.Errorf("bad schema: %v", err)
	}
}

func TestDetectFormat(t *testing.T) {
	cases := []struct {
		name, file, head, want string
	}{
		{"jsonl ext", "a.jsonl", `{"text":"x"}`, JSONL},
		{"ndjson ext", "a.NDJSON", `{"text":"x"}`, JSONL},
		{"csv ext", "a.csv", "text,label\n", CSV},
		{"json array", "tasks.json", "\n  [ {\"text\": 1} ]", LabelStudio},
		{"json lines in .json", "tasks.json", "{\"text\":\"a\"}\n{\"text\":\"b\"}\n", JSONL},
		{"single pretty object", "task.json", "{\n  \"data\": {\"text\": \"a\"}\n}\n", LabelStudio},
		{"truncated object in .json", "task.json", `{"data": {"text": "aaaa`, LabelStudio},
		{"truncated object, no ext", "upload", `{"data": {"text": "aaaa`, JSONL},
		{"no ext array", "upload", `[{"text":"a"}]`, LabelStudio},
		{"no ext csv", "upload", "text,label\nhi,1\n", CSV},
		{"bom", "upload.txt", "\ufeff[{}]", LabelStudio},
		{"unknown", "notes.txt", "hello world", ""},
		{"empty", "x", "", ""},
	}
	for _, c := range cases {
		if got := DetectFormat(c.file, []byte(c.head)); got != c.want {
			t.Errorf("%s: DetectFormat(%q, %q) = %q, want %q", c.name, c.file, c.head, got, c.want)
		}
	}
}

// The reader streams: a long file is consumed record by record from a reader
// that never holds more than one chunk.
func TestImportStreamsLargeInput(t *testing.T) {
	const n = 20000
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < n; i++ {
			if _, err := io.WriteString(pw, `{"text":"sentence number `+strings.Repeat("x", i%50)+`"}`+"\n"); err != nil {
				return
			}
		}
		pw.Close()
	}()
	count := 0
	err := Read(pr, JSONL, tasktype.TaskClassification, sentimentSchema, func(r Record) error {
		count++
		if r.Line != count {
			t.Fatalf("line %d, want %d", r.Line, count)
		}
		return nil
	})
	if err != nil || count != n {
		t.Errorf("read %d records, err %v", count, err)
	}
}

func TestImportCategoriesMakeSensitive(t *testing.T) {
	for _, c := range []struct {
		format string
		input  string
	}{
		{JSONL, `{"data":{"text":"x"},"categories":["hate","violence"]}`},
		{CSV, "text,categories\nx,Violence;hate\n"},
	} {
		recs, err := collect(t, strings.NewReader(c.input), c.format, tasktype.TaskClassification, sentimentSchema, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 || !recs[0].Sensitive || recs[0].Categories != sensitive.Mask(1|8) {
			t.Fatalf("%v: %+v", c.format, recs)
		}
	}
}
