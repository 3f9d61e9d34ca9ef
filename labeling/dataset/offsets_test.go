package dataset

import (
	"bytes"
	"strings"
	"testing"

	"copyhold/labeling/tasktype"
)

// Every export that carries span offsets says which convention it uses.
func TestOffsetConventionInManifestAndCard(t *testing.T) {
	for _, f := range ExportFormats() {
		got := OffsetConvention(f, tasktype.TaskSpans)
		want := OffsetsCodePoints
		if f == ExportLabelStudio {
			want = OffsetsUTF16
		}
		if got != want {
			t.Errorf("%s: %q, want %q", f, got, want)
		}
	}
	if OffsetConvention(ExportJSONL, tasktype.TaskClassification) != "" {
		t.Errorf("classification has no offsets")
	}
	m := ExportManifest{Project: "ner", TaskType: tasktype.TaskSpans, Format: ExportHF}
	m.AddStats(ExportStats{})
	if m.Offsets != OffsetsCodePoints {
		t.Fatalf("manifest offsets %q", m.Offsets)
	}
	var card bytes.Buffer
	if err := WriteExportCard(&card, m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(card.String(), "count Unicode code points of the item text") {
		t.Errorf("card does not state the offsets:\n%s", card.String())
	}
	// Spans inside conversation turns: offsets are relative to the turn's content.
	m.Conversational = true
	card.Reset()
	if err := WriteExportCard(&card, m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(card.String(), "code points of the `content` of the message each span names by `turn_id`") ||
		!strings.Contains(card.String(), "the conversation field of `data` is a list of messages") || strings.Contains(card.String(), "TRL's **conversational** form") {
		t.Errorf("conversation card does not state per-turn offsets:\n%s", card.String())
	}
}
