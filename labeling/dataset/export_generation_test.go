package dataset

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"copyhold/labeling/tasktype"
)

// A DPO export of generated items names the model of every chosen and rejected candidate, and
// the frozen row keeps the provenance through the canonical form.
func TestExportGeneratorsNameChosenAndRejectedModels(t *testing.T) {
	schema := json.RawMessage(`{"conversation_field":"messages","a_field":"a","b_field":"b"}`)
	gen := json.RawMessage(`[{"field":"a","endpoint":"alpha","model":"llama-3","names_self":true},{"field":"b","endpoint":"beta","model":"qwen-2"}]`)
	data := json.RawMessage(`{"messages":[{"role":"user","content":"Hi"}],"a":"Hello!","b":"Hey."}`)
	var out bytes.Buffer
	w, err := NewExportWriter(&out, ExportOptions{Format: ExportTRLDPOConv, TaskType: tasktype.TaskPairwise})
	if err != nil {
		t.Fatal(err)
	}
	for i, choice := range []string{"a", "a", "b"} {
		row := ExportRow{ItemID: int64(i + 1), Schema: schema, Data: data, Answer: json.RawMessage(`{"choice":"` + choice + `"}`),
			Annotator: "ana", Generation: gen}
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	plain := ExportRow{ItemID: 9, Schema: schema, Data: data, Answer: json.RawMessage(`{"choice":"a"}`), Annotator: "ana"}
	if err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var m ExportManifest
	m.AddStats(w.Stats())
	if len(m.Generators) != 2 {
		t.Fatalf("generators %+v", m.Generators)
	}
	byModel := map[string]ExportGenerator{}
	for _, g := range m.Generators {
		byModel[g.Model] = g
	}
	if g := byModel["llama-3"]; g.Endpoint != "alpha" || g.Candidates != 3 || g.Chosen != 2 || g.Rejected != 1 || g.NamesSelf != 3 {
		t.Fatalf("llama-3: %+v", g)
	}
	if g := byModel["qwen-2"]; g.Chosen != 1 || g.Rejected != 2 || g.NamesSelf != 0 {
		t.Fatalf("qwen-2: %+v", g)
	}
	b, _ := json.Marshal(m)
	if !strings.Contains(string(b), `"generators":[`) {
		t.Fatalf("manifest %s", b)
	}
	canon, err := ExportCanonicalRow(ExportRow{ItemID: 1, TaskType: "pairwise", Data: data, Generation: gen})
	if err != nil || !strings.Contains(string(canon), `"external_id":"","generation":[{"endpoint":"alpha"`) {
		t.Fatalf("canonical row %s %v", canon, err)
	}
	if canon, _ := ExportCanonicalRow(plain); strings.Contains(string(canon), "generation") {
		t.Fatalf("a row without provenance changed its canonical form: %s", canon)
	}
}
