package store

import (
	"encoding/json"
	"fmt"
	"testing"

	"copyhold/labeling/dataset"
)

// Batches filled again after the writer hands them back decode every row
// as it was stored, with its own project's schema.
func TestSnapshotBatchesRecycled(t *testing.T) {
	schemas := map[int64]json.RawMessage{1: json.RawMessage(`{"p":1}`), 2: json.RawMessage(`{"p":2}`)}
	b := newSnapshotBatcher(schemas, nil)
	const n = snapshotBatchRows*5 + 3
	want := int64(0)
	check := func(batch *snapshotBatch) {
		if batch.err != nil {
			t.Fatal(batch.err)
		}
		for _, r := range batch.rows {
			want++
			if r.ItemID != want || string(r.Data) != fmt.Sprintf(`{"n":"%d"}`, want) || r.Annotator != fmt.Sprintf("m%d", want%3) ||
				len(r.Annotations) != int(want%2) || string(r.Schema) != string(schemas[1+want%2]) {
				t.Fatalf("row %d decoded as %+v", want, r)
			}
		}
		b.recycle(batch)
	}
	for i := int64(1); i <= n; i++ {
		row := dataset.ExportRow{ItemID: i, Data: json.RawMessage(fmt.Sprintf(`{"n":"%d"}`, i)), Annotator: fmt.Sprintf("m%d", i%3),
			Annotations: []dataset.ExportAnnotation{}}
		if i%2 == 1 {
			row.Annotations = append(row.Annotations, dataset.ExportAnnotation{Annotator: "x", Answer: json.RawMessage(`{}`), Status: "accepted"})
		}
		body, err := dataset.ExportCanonicalRow(row)
		if err != nil {
			t.Fatal(err)
		}
		if b.add(1+i%2, body) {
			check(b.decode())
		}
	}
	check(b.decode())
	if want != n {
		t.Fatalf("decoded %d rows, want %d", want, n)
	}
}
