package agreement

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestReadRatingsCSV(t *testing.T) {
	in := "\ufeffUnit, Annotator ,value,note\n" +
		"u1,ann,3,\n" +
		"u1,bob,,blank is missing\n" +
		"\n" +
		"\"u,2\",ann,\" 4 \",quoted\n"
	got, err := ReadRatings(strings.NewReader(in), RatingsCSV)
	want := []Rating{{"u1", "ann", "3"}, {"u1", "bob", ""}, {"u,2", "ann", "4"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
}

func TestReadRatingsCSVBadLines(t *testing.T) {
	in := "item,annotator,value\n" + // line 1
		"u1,ann,1\n" + // 2
		"u2,,1\n" + // 3: no annotator
		",ann,2\n" + // 4: no item
		"u3,ann\n" + // 5: short
		"u4,bob,2\n" + // 6
		"u5,b\"ob,2\n" + // 7: stray quote
		"u6,cat,3\n" // 8
	got, err := ReadRatings(strings.NewReader(in), RatingsCSV)
	if !errors.Is(err, ErrBadRatingRow) {
		t.Fatalf("err = %v, want ErrBadRatingRow", err)
	}
	for _, s := range []string{`line 3: missing "annotator"`, `line 4: missing "item"`, "line 5: has 2 fields", `line 7: bare "`, "4 malformed rows"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if len(got) != 3 {
		t.Errorf("good rows = %v, want the three good ones", got)
	}
	if _, err := ReadRatings(strings.NewReader("item,rater,value\nu1,a,1\n"), RatingsCSV); err == nil || !strings.Contains(err.Error(), `"annotator"`) {
		t.Errorf("header without annotator: err = %v", err)
	}
	if _, err := ReadRatings(strings.NewReader(""), RatingsCSV); !errors.Is(err, ErrBadRatingRow) {
		t.Errorf("empty file: err = %v", err)
	}
}

func TestReadRatingsJSONL(t *testing.T) {
	in := `{"item":"u1","annotator":"ann","value":"yes"}
{"item":"u1","annotator":"bob","value":null}

{"unit":7,"annotator":"ann","value":3.5}
{"item":"u2","annotator":"cat"}
{"item":"u3","annotator":"dan","value":[ {"start":0, "end":2, "label":"X"} ]}
`
	got, err := ReadRatings(strings.NewReader(in), RatingsJSONL)
	want := []Rating{
		{"u1", "ann", "yes"}, {"u1", "bob", ""}, {"7", "ann", "3.5"}, {"u2", "cat", ""},
		{"u3", "dan", `[{"start":0,"end":2,"label":"X"}]`},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	if _, err := ParseSpanMarks(got[4].Value); err != nil {
		t.Errorf("span value from JSONL does not parse: %v", err)
	}
	// No trailing newline on the last line.
	got, err = ReadRatings(strings.NewReader(`{"item":"u","annotator":"a","value":"1"}`), RatingsJSONL)
	if err != nil || len(got) != 1 {
		t.Errorf("unterminated line: %v, %v", got, err)
	}
}

func TestReadRatingsJSONLBadLines(t *testing.T) {
	in := `{"item":"u1","annotator":"ann","value":"1"}
{"item":"u2","value":"1"}
not json
{"item":"","annotator":"x","value":"1"}
{"item":{"nested":1},"annotator":"x","value":"1"}
["a","b"]
`
	_, err := ReadRatings(strings.NewReader(in), RatingsJSONL)
	if !errors.Is(err, ErrBadRatingRow) {
		t.Fatalf("err = %v", err)
	}
	for _, s := range []string{`line 2: missing "annotator"`, "line 3: not a JSON object", `line 4: missing "item"`, `line 5: "item" must be a string or number`, "line 6: not a JSON object"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
}

func TestReadRatingsCapsReportedLines(t *testing.T) {
	var b strings.Builder
	b.WriteString("item,annotator,value\n")
	for i := range 30 {
		fmt.Fprintf(&b, "u%d,,1\n", i)
	}
	_, err := ReadRatings(strings.NewReader(b.String()), RatingsCSV)
	msg := err.Error()
	if !strings.HasPrefix(msg, "30 malformed rows") || strings.Count(msg, "line ") != 20 || !strings.Contains(msg, "line 21:") ||
		strings.Contains(msg, "line 22:") || !strings.HasSuffix(msg, "and 10 more") {
		t.Errorf("error = %q", msg)
	}
}

func TestReadRatingsFormat(t *testing.T) {
	for path, want := range map[string]string{"a.csv": RatingsCSV, "dir/b.JSONL": RatingsJSONL, "c.ndjson": RatingsJSONL} {
		if got, err := RatingsFormatFromPath(path); err != nil || got != want {
			t.Errorf("%s: %q, %v", path, got, err)
		}
	}
	if _, err := RatingsFormatFromPath("x.xlsx"); !errors.Is(err, ErrUnknownRatingFmt) {
		t.Errorf("xlsx: err = %v", err)
	}
	if _, err := ReadRatings(strings.NewReader(""), "xml"); !errors.Is(err, ErrUnknownRatingFmt) {
		t.Errorf("xml: err = %v", err)
	}
}
