package dataset

import (
	"encoding/json"
	"strings"
	"testing"

	"copyhold/labeling/tasktype"
)

// Answers that began from a suggestion say so, row by row (canonical row,
// JSONL annotations) and in the labour manifest; others hash as before.
func TestExportMarksAnswersFromSuggestions(t *testing.T) {
	rows := []ExportRow{{ItemID: 1, TaskType: tasktype.TaskClassification, Schema: json.RawMessage(`{"field":"text","choices":[{"value":"positive"},{"value":"negative"}]}`), Data: json.RawMessage(`{"text":"a"}`),
		Answer: json.RawMessage(`{"choice":"positive"}`), Annotator: "otter",
		Annotations: []ExportAnnotation{
			{Annotator: "otter", Answer: json.RawMessage(`{"choice":"positive"}`), LeadTimeMs: 1000, Status: "accepted", Suggestion: "up_front", SuggestionAccepted: true},
			{Annotator: "vole", Answer: json.RawMessage(`{"choice":"positive"}`), LeadTimeMs: 1000, Status: "accepted", Suggestion: "after_answer"},
			{Annotator: "hare", Answer: json.RawMessage(`{"choice":"positive"}`), LeadTimeMs: 1000, Status: "accepted"},
		}}}
	got, err := ExportCanonicalRow(rows[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"status":"accepted","suggestion":"up_front","suggestion_accepted":true}`,
		`"status":"accepted","suggestion":"after_answer","suggestion_accepted":false}`,
		`{"annotator":"hare","answer":{"choice":"positive"},"lead_time_ms":1000,"status":"accepted"}`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("canonical row %s lacks %s", got, want)
		}
	}
	out, st := exportWrite(t, ExportOptions{Format: ExportJSONL, TaskType: tasktype.TaskClassification, AllAnnotations: true}, rows)
	if !strings.Contains(out, `"status":"accepted","suggestion":"up_front","suggestion_accepted":true}`) ||
		!strings.Contains(out, `"lead_time_ms":1000,"status":"accepted"}]`) {
		t.Errorf("jsonl %s", out)
	}
	if st.Labour.FromSuggestion != 2 || st.Labour.SuggestionUnchanged != 1 || st.Labour.Annotations != 3 {
		t.Fatalf("labour %+v", st.Labour)
	}
	m := ExportManifest{Project: "p", TaskType: tasktype.TaskClassification, Format: ExportJSONL}
	m.AddStats(st)
	if m.Labour.FromSuggestion != 2 {
		t.Fatalf("manifest labour %+v", m.Labour)
	}
}
