package store

import (
	"encoding/json"
	"reflect"
	"testing"

	"copyhold/labeling/dataset"
)

// A frozen row decodes back to the row it was made from: members' and
// external annotations, escapes, non-ASCII text, a missing answer.
func TestDecodeSnapshotRowRoundTrips(t *testing.T) {
	rows := []dataset.ExportRow{
		{ItemID: 7, ExternalID: "ex-\"7\"", TaskType: "pairwise", Data: json.RawMessage(`{"prompt":"é\n\u2028","response_a":"a","response_b":"b"}`),
			Answer: json.RawMessage(`{"choice":"a"}`), Annotator: "ana", Confidence: "0.75",
			Annotations: []dataset.ExportAnnotation{
				{Annotator: "ana", Answer: json.RawMessage(`{"choice":"a"}`), LeadTimeMs: 1200, Status: "accepted"},
				{Annotator: "bo", Answer: json.RawMessage(`{"choice":"a"}`), LeadTimeMs: 900, Status: "accepted", Suggestion: "after_answer", SuggestionAccepted: true},
				{Annotator: "cy", Answer: json.RawMessage(`{"choice":"b"}`), LeadTimeMs: 900, Status: "rejected", Suggestion: "up_front"},
				{Annotator: "external:x", Answer: json.RawMessage(`{"choice":"b"}`), Status: "external",
					CompletedBy: json.RawMessage(`{"email":"x@y"}`), CreatedAt: "2025-01-01T00:00:00Z", SourceID: "42"},
			}},
		{ItemID: 8, TaskType: "pairwise", Data: json.RawMessage(`{}`), Annotations: []dataset.ExportAnnotation{}},
		{ItemID: 9, TaskType: "pairwise", Data: json.RawMessage(`{}`), Annotations: []dataset.ExportAnnotation{},
			Generation: json.RawMessage(`[{"endpoint":"alpha","field":"a","model":"llama"}]`)},
	}
	for _, want := range rows {
		body, err := dataset.ExportCanonicalRow(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeSnapshotRow(body)
		if err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		again, err := dataset.ExportCanonicalRow(got)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(body) {
			t.Errorf("re-encoded row differs:\n got %s\nwant %s", again, body)
		}
		if got.ItemID != want.ItemID || got.ExternalID != want.ExternalID || got.Annotator != want.Annotator ||
			got.Confidence != want.Confidence || len(got.Annotations) != len(want.Annotations) {
			t.Errorf("decoded %+v, want %+v", got, want)
		}
		if (want.Answer == nil) != (got.Answer == nil) {
			t.Errorf("answer %s, want %s", got.Answer, want.Answer)
		}
		for i := range want.Annotations {
			w, g := want.Annotations[i], got.Annotations[i]
			w.Answer, g.Answer, w.CompletedBy, g.CompletedBy = nil, nil, nil, nil
			if !reflect.DeepEqual(w, g) {
				t.Errorf("annotation %d: %+v, want %+v", i, g, w)
			}
		}
	}
	for _, bad := range []string{`{"item_id":"x"}`, `{"annotations":[{"lead_time_ms":1.5}]}`, `{"annotator":1}`, `{"data":{}`, `[]`} {
		if _, err := decodeSnapshotRow([]byte(bad)); err == nil {
			t.Errorf("%s decoded without error", bad)
		}
	}
}
