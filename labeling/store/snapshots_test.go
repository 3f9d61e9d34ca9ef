package store_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"copyhold/equity/roll"
	equitystore "copyhold/equity/store"
	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/fault"
	"copyhold/labeling/importer"
	"copyhold/labeling/page"
	"copyhold/labeling/store"
	"copyhold/labeling/store/storetest"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

const pairSchema = `{"prompt_field":"prompt","a_field":"response_a","b_field":"response_b"}`

// pairItems have keys out of order, non-ASCII text and characters JSON
// escapers disagree on, so PostgreSQL's JSONB and SQLite's text differ.
var pairItems = []string{
	`{"response_b":"Lyon, probably.","prompt":"Capital of France?","response_a":"Paris."}`,
	`{"prompt":"Name a prime.","response_a":"7","response_b":"4"}`,
	`{"response_a":"CO₂ <in> & out","prompt":"What do plants breathe?","response_b":"O₂\n"}`,
	`{"prompt":"Say hi","response_b":"hello","response_a":"hi"}`,
}

// datasetFixture is a labelling fixture whose store keeps the register.
type datasetFixture struct {
	*storetest.Lab
	labs     []int64
	reviewer int64
}

func newDatasetFixture(t testing.TB, db *gorm.DB) *datasetFixture {
	f := storetest.NewLab(t, db)
	f.S = f.S.WithLedger(equitystore.NewHooks()).WithRegister(equitystore.Reads{})
	f.W = work.New(f.S)
	d := &datasetFixture{Lab: f}
	d.labs = f.Labellers("lab", 2)
	d.reviewer = f.Member("rev", "reviewer")
	return d
}

// name opts a member in to be named in exports.
func (d *datasetFixture) name(member int64) {
	d.T.Helper()
	if err := d.DB.Exec("INSERT INTO equity_member_privacy (member_id, hidden, pseudonym, updated_at) VALUES (?, ?, ?, ?)",
		member, false, fmt.Sprintf("holder-%d", member), time.Now().UTC()).Error; err != nil {
		d.T.Fatal(err)
	}
}

// pairwiseProject builds the reference project: two labellers answer four
// items; item 1 accepted twice (a, a), item 2 accepted with a tie of
// opinions (a, b), item 3 one rejected and one accepted (b), item 4
// corrected to b and accepted (a).
func (d *datasetFixture) pairwiseProject(name string) labeling.Project {
	d.T.Helper()
	p := d.Project(name, func(ps *labeling.ProjectSettings) {
		ps.TaskType, ps.Schema, ps.Overlap = tasktype.TaskPairwise, json.RawMessage(pairSchema), 2
	})
	d.ImportLines(p.ID, pairItems...)
	choices := map[int][2]string{0: {"a", "a"}, 1: {"a", "b"}, 2: {"a", "b"}, 3: {"a", "a"}}
	first := d.firstItem(p.ID)
	for li, lab := range d.labs {
		for range pairItems {
			task := d.Claim(lab, p.ID)
			c := choices[int(task.ItemID-first)][li]
			if _, err := d.W.Submit(d.Ctx, lab, labeling.SubmitRequest{LeaseToken: task.LeaseToken,
				IdempotencyKey: fmt.Sprintf("s-%d-%d", lab, task.ItemID), Answer: json.RawMessage(`{"choice":"` + c + `"}`),
				LeadTimeMs: int64(1000 * (li + 1) * int(task.ItemID-first+1))}); err != nil {
				d.T.Fatal(err)
			}
		}
	}
	for range pairItems {
		rt := d.ClaimReview(d.reviewer, p.ID)
		var ds []labeling.DecisionInput
		for i, s := range rt.Submissions {
			switch {
			case rt.ItemID-first == 2 && i == 0:
				ds = append(ds, storetest.Reject(s.ID, rt.RejectReasons[0]))
			case rt.ItemID-first == 3 && i == 0:
				ds = append(ds, labeling.DecisionInput{SubmissionID: s.ID, Decision: labeling.DecisionCorrect, CorrectedAnswer: json.RawMessage(`{"choice":"b"}`)})
			default:
				ds = append(ds, storetest.Accept(s.ID))
			}
		}
		if _, err := d.Decide(d.reviewer, rt, fmt.Sprintf("r-%d", rt.ItemID), ds...); err != nil {
			d.T.Fatal(err)
		}
	}
	return p
}

func (d *datasetFixture) firstItem(projectID int64) int64 {
	return d.Count("SELECT MIN(id) FROM items WHERE project_id = ?", projectID)
}

// integrate runs the register's integrator once, as serve does every second.
func (d *datasetFixture) integrate() {
	d.T.Helper()
	skey, err := roll.GenerateKey(roll.Origin("test.example"))
	if err != nil {
		d.T.Fatal(err)
	}
	key, err := roll.ParseKey(skey)
	if err != nil {
		d.T.Fatal(err)
	}
	if _, _, err := equitystore.NewRoll(d.DB, &key).Integrate(d.Ctx); err != nil {
		d.T.Fatal(err)
	}
}

func (d *datasetFixture) snapshot(mode dataset.SnapshotMode, projects ...int64) dataset.Snapshot {
	d.T.Helper()
	// The register's integrator has taken the credits onto the log (serve
	// runs it about every second), so the snapshot records a head past them.
	d.integrate()
	snap, err := d.S.Datasets.CreateSnapshot(d.Ctx, &d.Coord, dataset.SnapshotRequest{ModelID: d.Model.ID, ProjectIDs: projects, Mode: mode})
	if err != nil {
		d.T.Fatal(err)
	}
	return snap
}

func (d *datasetFixture) export(id int64, f dataset.ExportFormat) (string, dataset.ExportManifest) {
	d.T.Helper()
	var b bytes.Buffer
	m, err := d.S.Datasets.ExportSnapshot(d.Ctx, id, dataset.ExportRequest{Format: f, License: "cc-by-4.0"}, &b)
	if err != nil {
		d.T.Fatal(err)
	}
	return b.String(), m
}

// wantDPO: standard rows carry the separator (a space) before each response (docs/EXPORTS.md).
const wantDPO = `{"prompt":"Capital of France?","chosen":" Paris.","rejected":" Lyon, probably."}
{"prompt":"What do plants breathe?","chosen":" O₂\n","rejected":" CO₂ <in> & out"}
{"prompt":"Say hi","chosen":" hello","rejected":" hi"}
`

func TestSnapshotAndExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d := newDatasetFixture(t, db)
		d.name(d.labs[0])
		p := d.pairwiseProject("prefs")
		snap := d.snapshot(dataset.SnapshotConsensus, p.ID)
		if snap.Items != 4 || snap.Annotations != 7 || snap.Contributors != 2 || len(snap.Hash) != 64 || snap.TaskType != tasktype.TaskPairwise {
			t.Fatalf("snapshot = %+v", snap)
		}
		if snap.LedgerSeq == 0 || snap.LedgerHead == strings.Repeat("0", 64) {
			t.Fatalf("ledger head not recorded: %d %s", snap.LedgerSeq, snap.LedgerHead)
		}
		// The snapshot is itself an entry of the register, and verifies.
		d.integrate()
		var onRoll int64
		if err := db.Raw("SELECT COUNT(*) FROM equity_log WHERE kind = 'snapshot' AND ref_id = ?", snap.ID).Scan(&onRoll).Error; err != nil || onRoll != 1 {
			t.Fatalf("snapshot %d on the register %d times (%v)", snap.ID, onRoll, err)
		}
		if rep, err := equitystore.New(db).Verify(d.Ctx); err != nil || !rep.OK {
			t.Fatalf("verify with a snapshot entry: %+v %v", rep, err)
		}
		var cards []map[string]any
		if err := json.Unmarshal(snap.RateCards, &cards); err != nil || len(cards) != 1 || cards[0]["project_id"] != float64(p.ID) {
			t.Fatalf("rate cards = %s (%v)", snap.RateCards, err)
		}

		// The hash is SnapshotHasher over the frozen rows.
		rows, err := d.S.Datasets.SnapshotRows(d.Ctx, snap.ID)
		if err != nil {
			t.Fatal(err)
		}
		h := dataset.NewSnapshotHasher()
		for _, r := range rows {
			if err := h.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		if h.Sum() != snap.Hash {
			t.Fatalf("rehash %s != %s", h.Sum(), snap.Hash)
		}
		if rows[1].Answer != nil || rows[3].Annotator == "" || string(rows[3].Annotations[0].Answer) != `{"choice":"b"}` {
			t.Fatalf("consensus rows: %+v / %+v", rows[1], rows[3])
		}

		// Golden DPO: item 2 is an undecided tie, so it gives nothing.
		out, m := d.export(snap.ID, dataset.ExportTRLDPO)
		if out != wantDPO {
			t.Fatalf("dpo export:\n%s\nwant:\n%s", out, wantDPO)
		}
		again, _ := d.export(snap.ID, dataset.ExportTRLDPO)
		if again != out {
			t.Fatal("two exports of one snapshot differ")
		}
		if m.SnapshotHash != snap.Hash || m.LedgerHead != snap.LedgerHead || m.Counts.Rows != 3 || m.Counts.Items != 4 {
			t.Fatalf("manifest = %+v", m)
		}
		if m.Labour.Annotations != 8 || m.Labour.Reviewed != 8 || m.Labour.Rejected != 1 || m.Labour.RejectionRate != "0.1250" {
			t.Fatalf("labour = %+v", m.Labour)
		}
		if m.UnitsIssued == "" || m.UnitsIssued == "0.000000" {
			t.Fatalf("units issued = %q", m.UnitsIssued)
		}
		named, pseudo := 0, 0
		for _, c := range m.Contributors {
			if c.Named {
				named++
				if c.Name != "lab0" {
					t.Fatalf("named contributor %q", c.Name)
				}
			} else if strings.HasPrefix(c.Name, "contributor-") {
				pseudo++
			}
		}
		if named != 1 || pseudo != 1 {
			t.Fatalf("contributors = %+v", m.Contributors)
		}
		if strings.Contains(out, "lab1") {
			t.Fatal("a pseudonymous member's login leaked")
		}

		// Mode all: one example per accepted annotation, and another hash.
		all := d.snapshot(dataset.SnapshotAll, p.ID)
		if all.Hash == snap.Hash {
			t.Fatal("modes share a hash")
		}
		outAll, _ := d.export(all.ID, dataset.ExportTRLDPO)
		if n := strings.Count(outAll, "\n"); n != 7 {
			t.Fatalf("all-annotations DPO has %d lines, want 7:\n%s", n, outAll)
		}
		// Every other format that can represent pairwise exports.
		for _, f := range []dataset.ExportFormat{dataset.ExportLabelStudio, dataset.ExportJSONL, dataset.ExportCSV, dataset.ExportTRLKTO, dataset.ExportHF} {
			if _, err := d.S.Datasets.ExportSnapshot(d.Ctx, snap.ID, dataset.ExportRequest{Format: f, TempDir: t.TempDir()}, &bytes.Buffer{}); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}

		// Immutable: the tables refuse changes.
		for _, q := range []string{
			"UPDATE snapshot_rows SET body = '{}' WHERE snapshot_id = ?",
			"DELETE FROM snapshot_rows WHERE snapshot_id = ?",
			"UPDATE snapshots SET hash = 'x' WHERE id = ?",
			"DELETE FROM snapshots WHERE id = ?",
			"UPDATE snapshot_members SET annotations = 0 WHERE snapshot_id = ?",
		} {
			if err := db.Exec(q, snap.ID).Error; err == nil {
				t.Fatalf("%s: no error", q)
			}
		}
		if err := db.Exec("INSERT INTO snapshot_rows (snapshot_id, item_id, project_id, body) VALUES (?, 999999, ?, '{}')", snap.ID, p.ID).Error; err == nil {
			t.Fatal("a row was added to a sealed snapshot")
		}
		if d.Events("snapshot.created") != 2 {
			t.Fatal("snapshot.created events missing")
		}
	})
}

// TestSnapshotHashSameOnBothDatabases builds the same project on SQLite and
// on PostgreSQL: the hashes and the export bytes must be equal.
func TestSnapshotHashSameOnBothDatabases(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("needs TEST_DATABASE_URL")
	}
	var hashes, exports []string
	for _, dialect := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		d := newDatasetFixture(t, dbtest.Open(t, dialect))
		d.name(d.labs[0])
		d.name(d.labs[1]) // pseudonyms are salted per snapshot; named members hash alike
		p := d.pairwiseProject("prefs")
		snap := d.snapshot(dataset.SnapshotConsensus, p.ID)
		hashes = append(hashes, snap.Hash)
		out, _ := d.export(snap.ID, dataset.ExportLabelStudio)
		exports = append(exports, out)
	}
	if hashes[0] != hashes[1] {
		t.Fatalf("sqlite %s != postgres %s", hashes[0], hashes[1])
	}
	if exports[0] != exports[1] {
		t.Fatalf("exports differ:\n%s\n%s", exports[0], exports[1])
	}
}

func TestSnapshotErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d := newDatasetFixture(t, db)
		empty := d.Project("empty", nil)
		d.Items(empty.ID, 3)
		_, err := d.S.Datasets.CreateSnapshot(d.Ctx, &d.Coord, dataset.SnapshotRequest{ModelID: d.Model.ID, ProjectIDs: []int64{empty.ID}})
		storetest.WantCode(t, err, dataset.ErrSnapshotEmpty)
		if d.Count("SELECT COUNT(*) FROM snapshots") != 0 {
			t.Fatal("an empty snapshot was kept")
		}
		_, err = d.S.Datasets.ExportSnapshot(d.Ctx, 12345, dataset.ExportRequest{Format: dataset.ExportJSONL}, &bytes.Buffer{})
		storetest.WantCode(t, err, dataset.ErrSnapshotNotFound)

		p := d.pairwiseProject("prefs")
		snap := d.snapshot("", p.ID)
		var b bytes.Buffer
		_, err = d.S.Datasets.ExportSnapshot(d.Ctx, snap.ID, dataset.ExportRequest{Format: dataset.ExportTRLSFT}, &b)
		storetest.WantCode(t, err, dataset.ErrExportUnsupported)
		if b.Len() != 0 {
			t.Fatal("bytes written before the format check")
		}
		_, err = d.S.Datasets.ExportSnapshot(d.Ctx, snap.ID, dataset.ExportRequest{Format: "parquet"}, &b)
		storetest.WantCode(t, err, dataset.ErrExportFormat)

		_, err = d.S.Datasets.CreateSnapshot(d.Ctx, &d.Coord, dataset.SnapshotRequest{ModelID: d.Model.ID, ProjectIDs: []int64{p.ID, empty.ID}})
		storetest.WantCode(t, err, dataset.ErrSnapshotMixed)
		other, _ := d.S.Projects.CreateModel(d.Ctx, &d.Coord, labeling.Model{Name: "other"})
		_, err = d.S.Datasets.CreateSnapshot(d.Ctx, &d.Coord, dataset.SnapshotRequest{ModelID: other.ID, ProjectIDs: []int64{p.ID}})
		storetest.WantCode(t, err, dataset.ErrSnapshotProject)
		_, err = d.S.Datasets.CreateSnapshot(d.Ctx, &d.Coord, dataset.SnapshotRequest{ModelID: d.Model.ID, ProjectIDs: []int64{p.ID}, Mode: "some"})
		storetest.WantCode(t, err, fault.ErrInvalid)
	})
}

func TestReleases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d := newDatasetFixture(t, db)
		p := d.pairwiseProject("prefs")
		snap := d.snapshot("", p.ID)
		req := dataset.ReleaseRequest{ModelID: d.Model.ID, Version: "v1.0", BaseModel: "base-7b",
			TrainingNotes: "DPO, 1 epoch", Checkpoint: "sha256:abc", SnapshotHashes: []string{snap.Hash}}
		r, err := d.S.Datasets.CreateRelease(d.Ctx, &d.Coord, req)
		if err != nil {
			t.Fatal(err)
		}
		if r.ID == 0 || len(r.Hash) != 64 || r.LedgerHead != snap.LedgerHead || len(r.SnapshotIDs) != 1 || r.SnapshotIDs[0] != snap.ID {
			t.Fatalf("release = %+v", r)
		}
		again, err := d.S.Datasets.CreateRelease(d.Ctx, &d.Coord, req)
		if err != nil || !again.Replayed || again.ID != r.ID {
			t.Fatalf("replay = %+v, %v", again, err)
		}
		req.TrainingNotes = "other"
		_, err = d.S.Datasets.CreateRelease(d.Ctx, &d.Coord, req)
		storetest.WantCode(t, err, dataset.ErrReleaseExists)
		req.Version, req.SnapshotHashes = "v2", []string{strings.Repeat("ab", 32)}
		_, err = d.S.Datasets.CreateRelease(d.Ctx, &d.Coord, req)
		storetest.WantCode(t, err, dataset.ErrUnknownSnapshot)
		req.SnapshotHashes = []string{"nothex"}
		_, err = d.S.Datasets.CreateRelease(d.Ctx, &d.Coord, req)
		storetest.WantCode(t, err, fault.ErrInvalid)
		if d.Events("release.created") != 1 {
			t.Fatal("release.created event missing")
		}
		mine, err := d.S.Datasets.MyReleases(d.Ctx, d.labs[0], page.All)
		if err != nil || len(mine) != 1 || mine[0].ID != r.ID || mine[0].MyAnnotations != 3 {
			t.Fatalf("my releases = %+v, %v", mine, err)
		}
		nobody := d.Member("nobody", "labeller")
		if mine, _ := d.S.Datasets.MyReleases(d.Ctx, nobody, page.All); len(mine) != 0 {
			t.Fatalf("a member without work sees %+v", mine)
		}
		if err := db.Exec("UPDATE releases SET version = 'x'").Error; err == nil {
			t.Fatal("releases are not append-only")
		}
	})
}

func TestMyDataExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d := newDatasetFixture(t, db)
		d.pairwiseProject("prefs")
		var b bytes.Buffer
		if err := d.S.Datasets.ExportMyData(d.Ctx, d.labs[0], "json", &b); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Member      map[string]any
			Submissions []store.MyDataSubmission
			Ledger      []store.MyDataPosting
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		if doc.Member["login"] != "lab0" || len(doc.Submissions) != 4 || len(doc.Ledger) == 0 {
			t.Fatalf("doc = %+v", doc)
		}
		decisions := map[string]int{}
		for _, s := range doc.Submissions {
			decisions[s.Decision]++
			if len(s.Data) == 0 || len(s.Answer) == 0 {
				t.Fatalf("submission without data: %+v", s)
			}
		}
		if decisions["accept"] != 2 || decisions["reject"] != 1 || decisions["correct"] != 1 {
			t.Fatalf("decisions = %v", decisions)
		}
		b.Reset()
		if err := d.S.Datasets.ExportMyData(d.Ctx, d.labs[0], "csv", &b); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, r := range recs[1:] {
			kinds[r[0]]++
		}
		if kinds["submission"] != 4 || kinds["ledger"] != len(doc.Ledger) {
			t.Fatalf("csv kinds = %v", kinds)
		}
		storetest.WantCode(t, d.S.Datasets.ExportMyData(d.Ctx, d.labs[0], "xml", &b), dataset.ErrDataExportFormat)
	})
}

// TestLabelStudioRoundTrip imports Label Studio's own sample tasks, labels
// them, snapshots, exports Label Studio JSON and reads it back.
func TestLabelStudioRoundTrip(t *testing.T) {
	fixture, err := os.ReadFile("../testdata/labelstudio/import/text_with_2_tasks.json")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d := newDatasetFixture(t, db)
		p := d.Project("ls", func(ps *labeling.ProjectSettings) { ps.Overlap = 1 })
		if _, err := d.S.Projects.ImportItems(d.Ctx, &d.Coord, p.ID, bytes.NewReader(fixture), "labelstudio", "t.json"); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			d.ClaimAnswer(d.labs[0], p.ID, "positive")
		}
		for range 2 {
			rt := d.ClaimReview(d.reviewer, p.ID)
			if _, err := d.Decide(d.reviewer, rt, fmt.Sprint("r", rt.ItemID), storetest.Accept(rt.Submissions[0].ID)); err != nil {
				t.Fatal(err)
			}
		}
		snap := d.snapshot("", p.ID)
		out, _ := d.export(snap.ID, dataset.ExportLabelStudio)
		var tasks []struct {
			Data        json.RawMessage
			Annotations []struct{ Result json.RawMessage }
		}
		if err := json.Unmarshal([]byte(out), &tasks); err != nil || len(tasks) != 2 {
			t.Fatalf("%v\n%s", err, out)
		}
		for i, task := range tasks {
			if want := fmt.Sprintf(`{"text":"Example %d"}`, i+1); string(task.Data) != want {
				t.Fatalf("data %s, want %s", task.Data, want)
			}
			a, err := importer.LSResultToAnswer(tasktype.TaskClassification, json.RawMessage(storetest.SentimentSchema), task.Data, task.Annotations[0].Result)
			if err != nil || string(a) != `{"choice":"positive"}` {
				t.Fatalf("answer back = %s, %v", a, err)
			}
		}
		back := d.Project("ls-back", nil)
		// Annotations and no choice: refused, and nothing is stored.
		_, err = d.S.Projects.ImportItems(d.Ctx, &d.Coord, back.ID, strings.NewReader(out), "labelstudio", "export.json")
		storetest.WantCode(t, err, importer.ErrAnnotationsChoiceRequired)
		if items, _ := d.S.Projects.Items(d.Ctx, back.ID, 0, 10); len(items) != 0 {
			t.Fatalf("a refused import stored %d items", len(items))
		}
		rep, err := d.S.Projects.ImportItemsWith(d.Ctx, &d.Coord, back.ID, strings.NewReader(out),
			importer.Request{Format: "labelstudio", Filename: "export.json", Options: importer.Options{Annotations: importer.AnnotationsPrior}})
		if err != nil || rep.Imported != 2 || rep.PriorAnnotations != 2 {
			t.Fatalf("re-import: %+v, %v", rep, err)
		}
	})
}
