package store_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/importer"
	"copyhold/labeling/store/storetest"
	"copyhold/labeling/tasktype"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func TestImportDuplicatesAndReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		p := f.Project("dups", nil)
		rep := f.ImportLines(p.ID,
			`{"text":"a"}`,
			`{"text":"b"}`,
			`{ "text" : "a" }`, // same data, other spelling
			`{"data":{"text":"c"},"id":"ext-c","priority":5,"gold":"negative"}`,
			`{"data":{"text":"d"},"prediction":{"choice":"positive"}}`)
		if rep.Records != 5 || rep.Imported != 4 || rep.Duplicates != 1 || rep.Rejected != 0 || rep.ImportID == 0 {
			t.Fatalf("report = %+v", rep)
		}
		// Importing again: everything is a duplicate of what the project has.
		rep = f.ImportLines(p.ID, `{"text":"b"}`, `{"text":"e"}`)
		if rep.Imported != 1 || rep.Duplicates != 1 {
			t.Fatalf("second report = %+v", rep)
		}
		items, err := f.S.Projects.Items(f.Ctx, p.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 5 {
			t.Fatalf("%d items", len(items))
		}
		var seqs []int64
		for _, it := range items {
			seqs = append(seqs, it.Seq)
		}
		// Import order survives duplicates; the second import continues after the first.
		if fmt.Sprint(seqs) != "[1 2 4 5 7]" {
			t.Fatalf("seqs = %v", seqs)
		}
		c := items[2]
		if c.ExternalID != "ext-c" || c.Priority != 5 || c.Status != labeling.ItemGold || !strings.Contains(string(c.Gold), "negative") {
			t.Fatalf("gold item = %+v", c)
		}
		if !strings.Contains(string(items[3].Prediction), "positive") {
			t.Fatalf("prediction = %s", items[3].Prediction)
		}
		if n := f.Count(`SELECT COUNT(*) FROM imports WHERE project_id = ?`, p.ID); n != 2 {
			t.Fatalf("%d import rows", n)
		}
		if f.Events("import.finished") != 2 {
			t.Fatal("missing import.finished events")
		}
	})
}

func TestImportErrorRollsBackEverything(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		p := f.Project("rollback", nil)
		// 1,200 good lines span two flushed batches before the bad one.
		var b strings.Builder
		for i := range 1200 {
			fmt.Fprintf(&b, `{"text":"ok %d"}`+"\n", i)
		}
		b.WriteString(`{"data":{"text":"bad gold"},"gold":"maybe"}` + "\n")
		b.WriteString(`{"text":"never read"}` + "\n")
		var progress []int
		rep, err := f.S.Projects.ImportItemsWith(f.Ctx, &f.Coord, p.ID, strings.NewReader(b.String()),
			importer.Request{Filename: "items.jsonl", Progress: func(n int) { progress = append(progress, n) }})
		storetest.WantCode(t, err, importer.ErrImportFormat)
		if !strings.Contains(err.Error(), "line 1201") {
			t.Fatalf("error does not name the line: %v", err)
		}
		if rep.Imported != 0 || rep.Rejected != 1 || !strings.Contains(rep.FirstError, "line 1201") {
			t.Fatalf("report = %+v", rep)
		}
		if len(progress) != 2 || progress[0] != 500 {
			t.Fatalf("progress calls = %v", progress)
		}
		for _, q := range []string{`SELECT COUNT(*) FROM items`, `SELECT COUNT(*) FROM imports`,
			`SELECT COUNT(*) FROM events WHERE type = 'import.finished'`} {
			if n := f.Count(q); n != 0 {
				t.Fatalf("%s = %d after a failed import", q, n)
			}
		}
		var next int64
		db.Raw(`SELECT next_seq FROM projects WHERE id = ?`, p.ID).Scan(&next)
		if next != 1 {
			t.Fatalf("next_seq moved to %d", next)
		}
		// Item data that does not fit the schema.
		_, err = f.S.Projects.ImportItems(f.Ctx, &f.Coord, p.ID, strings.NewReader("{\"text\":\"x\"}\n{\"title\":\"no text\"}\n"), "jsonl", "")
		storetest.WantCode(t, err, importer.ErrImportFormat)
		if !strings.Contains(err.Error(), "line 2") || f.Count(`SELECT COUNT(*) FROM items`) != 0 {
			t.Fatalf("schema error: %v", err)
		}
		_, err = f.S.Projects.ImportItems(f.Ctx, &f.Coord, p.ID, strings.NewReader("hello"), "", "notes.txt")
		storetest.WantCode(t, err, importer.ErrImportFormat)
		// Size limits.
		_, err = f.S.Projects.ImportItemsWith(f.Ctx, &f.Coord, p.ID, strings.NewReader(b.String()),
			importer.Request{Format: "jsonl", MaxBytes: 1000})
		storetest.WantCode(t, err, importer.ErrImportTooLarge)
		_, err = f.S.Projects.ImportItemsWith(f.Ctx, &f.Coord, p.ID, strings.NewReader(b.String()),
			importer.Request{Format: "jsonl", MaxRecords: 10})
		storetest.WantCode(t, err, importer.ErrImportTooLarge)
		if n := f.Count(`SELECT COUNT(*) FROM items`); n != 0 {
			t.Fatalf("%d items after imports over the limits", n)
		}
	})
}

func TestImportUCISentences(t *testing.T) {
	// A committed sample of the UCI sentences (../testdata/README.md): 152
	// records that keep every duplicate of the full file.
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "uci_sentiment_sample.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// The file's records carry id, source and label next to the text. Wrapped
	// as {id, data:{text}, gold}, exact duplicate texts collapse. The data
	// README's 18 duplicates include one pair that differs only by trailing
	// spaces, which is different data to us: 17 are skipped.
	var wrapped strings.Builder
	texts := map[string]bool{}
	dupTexts := 0
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	for sc.Scan() {
		var r struct {
			ID        string `json:"id"`
			Text      string `json:"text"`
			LabelName string `json:"label_name"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if texts[r.Text] {
			dupTexts++
		}
		texts[r.Text] = true
		line, _ := json.Marshal(map[string]any{"id": r.ID, "data": map[string]string{"text": r.Text}, "gold": r.LabelName})
		wrapped.Write(append(line, '\n'))
	}
	if dupTexts != 17 {
		t.Fatalf("the data file changed: %d exact duplicate texts", dupTexts)
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		// The file as it is: every record is distinct data (ids differ).
		p := f.Project("uci-raw", nil)
		rep, err := f.S.Projects.ImportItems(f.Ctx, &f.Coord, p.ID, strings.NewReader(string(raw)), "", "uci_sentiment_labelled_sentences.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Records != 152 || rep.Imported != 152 || rep.Duplicates != 0 {
			t.Fatalf("raw report = %+v", rep)
		}
		q := f.Project("uci-gold", nil)
		rep, err = f.S.Projects.ImportItems(f.Ctx, &f.Coord, q.ID, strings.NewReader(wrapped.String()), "jsonl", "uci.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Records != 152 || rep.Imported != 152-17 || rep.Duplicates != 17 {
			t.Fatalf("wrapped report = %+v", rep)
		}
		if n := f.Count(`SELECT COUNT(*) FROM items WHERE project_id = ? AND status = 'gold'`, q.ID); n != 152-17 {
			t.Fatalf("%d gold items", n)
		}
	})
}

func TestImportLabelStudioFixtures(t *testing.T) {
	dir := filepath.Join("..", "testdata", "labelstudio", "import")
	cases := []struct {
		file   string
		tt     tasktype.TaskType
		schema string
		want   int
	}{
		{"text_with_2_tasks.json", tasktype.TaskClassification, storetest.SentimentSchema, 2},
		{"named_entity_tasks.json", tasktype.TaskSpans, `{"field":"text","labels":[{"value":"PER"},{"value":"ORG"}]}`, -1},
		{"pairwise_tasks.json", tasktype.TaskPairwise, `{"prompt_field":"","a_field":"text1","b_field":"text2"}`, -1},
		{"ranker_tasks.json", tasktype.TaskRanking, `{"prompt_field":"","responses_field":"items"}`, -1},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		for _, c := range cases {
			raw, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			var tasks []json.RawMessage
			if err := json.Unmarshal(raw, &tasks); err != nil {
				t.Fatal(err)
			}
			want := c.want
			if want < 0 {
				want = len(tasks)
			}
			schema := c.schema
			p, err := f.S.Projects.CreateProject(f.Ctx, &f.Coord, labeling.ProjectSettings{ModelID: f.Model.ID, Name: c.file,
				TaskType: c.tt, Schema: json.RawMessage(schema), Overlap: 1}, false)
			if err != nil {
				t.Fatalf("%s: %v", c.file, err)
			}
			rep, err := f.S.Projects.ImportItems(f.Ctx, &f.Coord, p.ID, strings.NewReader(string(raw)), "", c.file)
			if err != nil {
				t.Fatalf("%s: %v", c.file, err)
			}
			if rep.Imported != want {
				t.Fatalf("%s: report %+v, want %d imported", c.file, rep, want)
			}
		}
	})
}

// A large import leaves PostgreSQL's statistics counting its rows, so the
// first claims are planned for the project as it is, not as an empty table
// (autovacuum would get there a minute or more later).
func TestLargeImportRefreshesStatistics(t *testing.T) {
	db := dbtest.Open(t, dbtest.Postgres)
	f := storetest.NewLab(t, db)
	p := f.Project("stats", nil)
	f.Items(p.ID, 1000)
	var tuples float64
	if err := db.Raw("SELECT reltuples FROM pg_class WHERE oid = 'items'::regclass").Scan(&tuples).Error; err != nil {
		t.Fatal(err)
	}
	if tuples < 1000 {
		t.Fatalf("items has %v rows by PostgreSQL's statistics after importing 1000 (-1: never analyzed)", tuples)
	}
}
