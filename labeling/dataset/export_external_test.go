package dataset

import (
	"copyhold/labeling/importer"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"strings"
	"testing"
)

// externalRows: item 1 has a member's accepted answer and an external
// annotation; item 2 only an external one (no member's work).
func externalRows() []ExportRow {
	schema := json.RawMessage(`{"field":"text","choices":[{"value":"positive"},{"value":"negative"}]}`)
	ext := func(who, answer, completedBy, id string, ms int64) ExportAnnotation {
		a := ExportAnnotation{Annotator: ExportExternalPrefix + who, Answer: json.RawMessage(answer), LeadTimeMs: ms,
			Status: ExportStatusExternal, CreatedAt: "2021-07-06T06:06:25.927570Z", SourceID: id}
		if completedBy != "" {
			a.CompletedBy = json.RawMessage(completedBy)
		}
		return a
	}
	return []ExportRow{
		{ItemID: 1, TaskType: tasktype.TaskClassification, Schema: schema, Data: json.RawMessage(`{"text":"a"}`),
			Answer: json.RawMessage(`{"choice":"positive"}`), Annotator: "otter",
			Annotations: []ExportAnnotation{exportAnn("otter", `{"choice":"positive"}`, 1500, "accepted"),
				ext("x@example.org", `{"choice":"negative"}`, `{"email":"x@example.org","id":42}`, "5678", 346193271)}},
		{ItemID: 2, TaskType: tasktype.TaskClassification, Schema: schema, Data: json.RawMessage(`{"text":"b"}`),
			Answer: json.RawMessage(`{"choice":"negative"}`), Annotator: "external:ls-user-7",
			Annotations: []ExportAnnotation{ext("ls-user-7", `{"choice":"negative"}`, `7`, "abc", 2500)}},
	}
}

// Members' annotations hash exactly as before external annotations
// existed; external ones add their metadata keys in sorted order.
func TestCanonicalRowExternalAnnotations(t *testing.T) {
	rows := externalRows()
	member := rows[0]
	member.Annotations = member.Annotations[:1]
	got, err := ExportCanonicalRow(member)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"annotations":[{"annotator":"otter","answer":{"choice":"positive"},"lead_time_ms":1500,"status":"accepted"}],"annotator":"otter","answer":{"choice":"positive"},"confidence":"","data":{"text":"a"},"external_id":"","item_id":1,"task_type":"classification"}`; string(got) != want {
		t.Errorf("member row changed:\n got %s\nwant %s", got, want)
	}
	got, _ = ExportCanonicalRow(rows[0])
	if want := `{"annotator":"external:x@example.org","answer":{"choice":"negative"},"completed_by":{"email":"x@example.org","id":42},"created_at":"2021-07-06T06:06:25.927570Z","lead_time_ms":346193271,"source_id":"5678","status":"external"}`; !strings.Contains(string(got), want) {
		t.Errorf("external annotation:\n got %s\nwant it to contain %s", got, want)
	}
	// The metadata is hashed: another completed_by is another snapshot.
	h1, h2 := NewSnapshotHasher(), NewSnapshotHasher()
	other := externalRows()
	other[0].Annotations[1].CompletedBy = json.RawMessage(`{"email":"y@example.org"}`)
	_ = h1.Add(rows[0])
	_ = h2.Add(other[0])
	if h1.Sum() == h2.Sum() {
		t.Error("completed_by is not part of the hash")
	}
}

// The Label Studio export writes external annotations with their original
// completed_by, created_at, lead_time (not clamped) and id; in consensus
// mode an answer that only external annotations gave is not written twice.
// External work is no labour of the co-op's and no contributor.
func TestExportLabelStudioExternalAnnotations(t *testing.T) {
	for _, all := range []bool{false, true} {
		out, st := exportWrite(t, ExportOptions{Format: ExportLabelStudio, TaskType: tasktype.TaskClassification, AllAnnotations: all}, externalRows())
		var tasks []struct {
			Annotations []map[string]json.RawMessage `json:"annotations"`
		}
		if err := json.Unmarshal([]byte(out), &tasks); err != nil {
			t.Fatal(err)
		}
		if len(tasks) != 2 || len(tasks[0].Annotations) != 2 || len(tasks[1].Annotations) != 1 {
			t.Fatalf("all=%v: %s", all, out)
		}
		member, ext, ext2 := tasks[0].Annotations[0], tasks[0].Annotations[1], tasks[1].Annotations[0]
		if !strings.Contains(string(member["completed_by"]), "contributor-otter@") || member["id"] != nil {
			t.Errorf("member annotation %v", member)
		}
		if string(ext["completed_by"]) != `{"email":"x@example.org","id":42}` || string(ext["id"]) != `5678` ||
			string(ext["lead_time"]) != `346193.271` || string(ext["created_at"]) != `"2021-07-06T06:06:25.927570Z"` {
			t.Errorf("external annotation %s", out)
		}
		if string(ext2["completed_by"]) != `7` || string(ext2["id"]) != `"abc"` || string(ext2["lead_time"]) != `2.500` {
			t.Errorf("external annotation %s", out)
		}
		if st.Labour.Annotations != 1 || st.Contributions["otter"] != 1 || len(st.Contributions) != 1 {
			t.Errorf("all=%v: labour %+v, contributions %v", all, st.Labour, st.Contributions)
		}
		// Read back as prior annotations: the same annotators, answers and metadata.
		var recs []importer.Record
		err := importer.ReadWithOptions(strings.NewReader(out), "labelstudio", tasktype.TaskClassification, externalRows()[0].Schema,
			importer.Options{Annotations: importer.AnnotationsPrior}, func(r importer.Record) error { recs = append(recs, r); return nil })
		if err != nil || len(recs) != 2 || len(recs[1].Prior) != 1 {
			t.Fatalf("re-import: %v %+v", err, recs)
		}
		if p := recs[1].Prior[0]; p.Annotator != "ls-user-7" || p.LeadTimeMs != 2500 || p.SourceID != "abc" || p.CreatedAt != "2021-07-06T06:06:25.927570Z" {
			t.Errorf("re-imported prior %+v", p)
		}
		if p := recs[0].Prior[1]; p.Annotator != "x@example.org" || p.LeadTimeMs != 346193271 {
			t.Errorf("re-imported prior %+v", p)
		}
	}
}

// Every other format writes external annotations under "external:<key>".
func TestExportOtherFormatsExternalAnnotations(t *testing.T) {
	out, _ := exportWrite(t, ExportOptions{Format: ExportLong, TaskType: tasktype.TaskClassification}, externalRows())
	if !strings.Contains(out, "1,external:x@example.org,negative") || !strings.Contains(out, "2,external:ls-user-7,negative") {
		t.Errorf("long:\n%s", out)
	}
	out, _ = exportWrite(t, ExportOptions{Format: ExportJSONL, TaskType: tasktype.TaskClassification, AllAnnotations: true}, externalRows())
	if !strings.Contains(out, `{"annotator":"external:x@example.org","answer":{"choice":"negative"},"lead_time_ms":86400000,"status":"external"}`) {
		t.Errorf("jsonl:\n%s", out)
	}
}

// A project's names reach the results; without them the generated config's.
func TestExportLabelStudioNames(t *testing.T) {
	rows := externalRows()[:1]
	rows[0].LSNames = &importer.LSNames{Control: "sentiment", Object: "review"}
	out, _ := exportWrite(t, ExportOptions{Format: ExportLabelStudio, TaskType: tasktype.TaskClassification}, rows)
	if !strings.Contains(out, `"from_name":"sentiment"`) || !strings.Contains(out, `"to_name":"review"`) {
		t.Errorf("names not used:\n%s", out)
	}
	out, _ = exportWrite(t, ExportOptions{Format: ExportLabelStudio, TaskType: tasktype.TaskClassification}, externalRows()[:1])
	if !strings.Contains(out, `"from_name":"label"`) || !strings.Contains(out, `"to_name":"text"`) {
		t.Errorf("default names:\n%s", out)
	}
}
