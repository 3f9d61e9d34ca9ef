package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"
	"copyhold/migrations/dbtest"
	"copyhold/server"

	"gorm.io/gorm"
)

// acceptedPairwise builds a pairwise project in which "lab" answered n
// items and every answer was accepted (synthetically, in SQL).
func (e *env) acceptedPairwise(t *testing.T, n int) labeling.Project {
	t.Helper()
	ctx := context.Background()
	coord, lab := e.Members["coord"].ID, e.Members["lab"].ID
	m, err := e.Stores.Projects.CreateModel(ctx, &coord, labeling.Model{Name: "pairs-model"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Stores.Projects.CreateProject(ctx, &coord, labeling.ProjectSettings{ModelID: m.ID, Name: "prefs", TaskType: tasktype.TaskPairwise,
		Overlap: 1, Schema: json.RawMessage(`{}`)}, true)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.Stores.Projects.SetProjectStatus(ctx, &coord, p.ID, labeling.ProjectOpen); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"prompt":"q%d","response_a":"good %d","response_b":"bad %d"}`+"\n", i, i, i)
	}
	if _, err := e.Stores.Projects.ImportItems(ctx, &coord, p.ID, strings.NewReader(b.String()), "jsonl", ""); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		task, err := e.Stores.Leases.ClaimNextTask(ctx, lab, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := work.New(e.Stores).Submit(ctx, lab, labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: fmt.Sprint("k", i),
			Answer: json.RawMessage(`{"choice":"a"}`), LeadTimeMs: 2000}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.DB.Exec("UPDATE submissions SET status = 'accepted' WHERE project_id = ?", p.ID).Error; err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDatasetsHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.acceptedPairwise(t, 5)
		coord, lab := e.as("coord"), e.as("lab")
		body := map[string]any{"model_id": p.ModelID, "project_ids": []int64{p.ID}, "mode": "consensus"}
		if r := lab.do("POST", "/api/snapshots", body); r.status != 403 {
			t.Fatalf("labeller creates a snapshot: %d %s", r.status, r.body)
		}
		r := coord.do("POST", "/api/snapshots", body)
		if r.status != 201 {
			t.Fatalf("create snapshot: %d %s", r.status, r.body)
		}
		var snap dataset.Snapshot
		json.Unmarshal(r.body, &snap)
		if snap.Items != 5 || len(snap.Hash) != 64 || strings.Contains(string(r.body), "salt") {
			t.Fatalf("snapshot = %s", r.body)
		}

		url := fmt.Sprintf("/api/snapshots/%d/export?format=trl-dpo", snap.ID)
		first, second := coord.do("GET", url, nil), coord.do("GET", url, nil)
		if first.status != 200 || string(first.body) != string(second.body) || strings.Count(string(first.body), "\n") != 5 {
			t.Fatalf("downloads: %d %q / %q", first.status, first.body, second.body)
		}
		if et := first.header.Get("ETag"); !strings.Contains(et, snap.Hash) || !strings.Contains(et, "trl-dpo") || second.header.Get("ETag") != et {
			t.Fatalf("etag %q", et)
		}
		if cd := first.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
			t.Fatalf("content-disposition %q", cd)
		}
		part := coord.do("GET", url, nil, "Range", "bytes=10-39")
		if part.status != 206 || string(part.body) != string(first.body[10:40]) {
			t.Fatalf("range: %d %q", part.status, part.body)
		}
		resume := coord.do("GET", url, nil, "Range", "bytes=40-", "If-Range", first.header.Get("ETag"))
		if resume.status != 206 || string(first.body[:40])+string(resume.body) != string(first.body) {
			t.Fatalf("resume: %d", resume.status)
		}
		if r := coord.do("GET", url, nil, "If-None-Match", first.header.Get("ETag")); r.status != 304 {
			t.Fatalf("if-none-match: %d", r.status)
		}
		if r := lab.do("GET", url, nil); r.status != 403 {
			t.Fatalf("labeller downloads: %d", r.status)
		}
		// Options give another file with its own ETag; the defaults spelled out give the default one.
		plain := coord.do("GET", url+"&separator=none", nil)
		if plain.status != 200 || strings.Contains(string(plain.body), `"chosen":" `) || !strings.Contains(string(first.body), `"chosen":" `) ||
			plain.header.Get("ETag") == first.header.Get("ETag") || !strings.Contains(plain.header.Get("Link"), "separator=none") {
			t.Fatalf("separator=none: %d %s %q", plain.status, plain.body, plain.header.Get("ETag"))
		}
		if d := coord.do("GET", url+"&separator=space&pairs=all", nil); d.header.Get("ETag") != first.header.Get("ETag") || string(d.body) != string(first.body) {
			t.Fatalf("default options spelled out: %q", d.header.Get("ETag"))
		}
		man := coord.do("GET", fmt.Sprintf("/api/snapshots/%d/manifest?format=trl-dpo", snap.ID), nil)
		var m dataset.ExportManifest
		if json.Unmarshal(man.body, &m); man.status != 200 || m.SnapshotHash != snap.Hash || m.Counts.Rows != 5 || m.Labour.Annotations != 5 {
			t.Fatalf("manifest: %d %s", man.status, man.body)
		}

		for _, c := range []struct {
			path   string
			status int
			code   string
		}{
			{fmt.Sprintf("/api/snapshots/%d/export?format=trl-sft", snap.ID), 400, "export_unsupported"},
			{fmt.Sprintf("/api/snapshots/%d/export?format=nope", snap.ID), 400, "export_format"},
			{"/api/snapshots/9999/export?format=jsonl", 404, "snapshot_not_found"},
			{fmt.Sprintf("/api/snapshots/%d/export?format=trl-dpo&separator=tab", snap.ID), 400, "export_options"},
			{fmt.Sprintf("/api/snapshots/%d/export?format=trl-dpo&pairs=some", snap.ID), 400, "export_options"},
			{fmt.Sprintf("/api/snapshots/%d/export?format=trl-dpo&weight_zero=marked", snap.ID), 400, "export_options"},
			{fmt.Sprintf("/api/snapshots/%d/export?format=trl-stepwise", snap.ID), 400, "export_unsupported"},
			{fmt.Sprintf("/api/snapshots/%d/manifest?format=openai-chat&weight_zero=history", snap.ID), 400, "export_unsupported"},
		} {
			if r := coord.do("GET", c.path, nil); r.status != c.status || r.code() != c.code {
				t.Fatalf("%s: %d %s", c.path, r.status, r.body)
			}
		}

		// A training job registers its release with a coordinator's API token.
		rel := map[string]any{"model_id": p.ModelID, "version": "2026.1", "base_model": "base-7b", "checkpoint": "s3://bucket/ckpt",
			"training_notes": "DPO", "snapshot_hashes": []string{snap.Hash}}
		if r := lab.do("POST", "/api/releases", rel); r.status != 403 {
			t.Fatalf("labeller registers a release: %d", r.status)
		}
		r = coord.do("POST", "/api/releases", rel)
		if r.status != 201 {
			t.Fatalf("release: %d %s", r.status, r.body)
		}
		if r := coord.do("POST", "/api/releases", rel); r.status != 200 || !strings.Contains(string(r.body), `"replayed":true`) {
			t.Fatalf("replay: %d %s", r.status, r.body)
		}
		rel["version"], rel["snapshot_hashes"] = "2026.2", []string{strings.Repeat("0", 64)}
		if r := coord.do("POST", "/api/releases", rel); r.status != 400 || r.code() != "unknown_snapshot" {
			t.Fatalf("unknown snapshot: %d %s", r.status, r.body)
		}
		// The release is on the model's public register, with the register head it was made at.
		if r := lab.do("GET", fmt.Sprintf("/api/equity/models/%d/register", p.ModelID), nil); r.status != 200 ||
			!strings.Contains(string(r.body), `"version":"2026.1"`) || !strings.Contains(string(r.body), `"ledger_head":`) {
			t.Fatalf("register lacks the release: %d %s", r.status, r.body)
		}
		mine := lab.do("GET", "/api/me/releases", nil)
		if mine.status != 200 || !strings.Contains(string(mine.body), `"version":"2026.1"`) {
			t.Fatalf("my releases: %d %s", mine.status, mine.body)
		}
		if r := e.as("rev").do("GET", "/api/me/releases", nil); !strings.Contains(string(r.body), `"items":[]`) {
			t.Fatalf("reviewer's releases: %s", r.body)
		}

		data := lab.do("GET", "/api/me/export?format=csv", nil)
		if data.status != 200 || !strings.HasPrefix(data.header.Get("Content-Disposition"), "attachment;") || strings.Count(string(data.body), "submission,") != 5 {
			t.Fatalf("my data: %d %s", data.status, data.body)
		}
		if r := lab.do("GET", "/api/me/export?format=xml", nil); r.status != 400 {
			t.Fatalf("bad format: %d", r.status)
		}
		if r := lab.do("GET", fmt.Sprintf("/api/models/%d/leaderboard", p.ModelID), nil); r.status != 200 {
			t.Fatalf("leaderboard: %d %s", r.status, r.body)
		}

		// Empty projects cannot be snapshotted.
		empty := e.Project(t)
		if r := coord.do("POST", "/api/snapshots", map[string]any{"model_id": empty.ModelID, "project_ids": []int64{empty.ID}}); r.status != 400 || r.code() != "snapshot_empty" {
			t.Fatalf("empty: %d %s", r.status, r.body)
		}
	})
}

// The export cache is the server's own (passed in, in a folder of its
// choosing): a pruned export is rebuilt on the next download, byte for byte.
func TestExportCachePrunedAndRebuilt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		dir := filepath.Join(t.TempDir(), "exports")
		cache := server.NewExportCache(dir, server.ExportCacheLimits{MaxBytes: 1}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		e := newEnv(t, db, func(cfg *server.Config, _ **store.Stores) { cfg.Exports = cache })
		p := e.acceptedPairwise(t, 3)
		coord := e.as("coord")
		r := coord.do("POST", "/api/snapshots", map[string]any{"model_id": p.ModelID, "project_ids": []int64{p.ID}, "mode": "consensus"})
		var snap dataset.Snapshot
		if json.Unmarshal(r.body, &snap); r.status != 201 {
			t.Fatalf("create snapshot: %d %s", r.status, r.body)
		}
		url := fmt.Sprintf("/api/snapshots/%d/export?format=trl-dpo", snap.ID)
		first := coord.do("GET", url, nil)
		if first.status != 200 {
			t.Fatalf("download: %d %s", first.status, first.body)
		}
		files, _ := os.ReadDir(dir)
		if len(files) != 3 { // the export, its manifest, and the scratch folder
			t.Fatalf("cache folder holds %v", files)
		}
		if n, _, err := cache.Prune(); err != nil || n != 1 {
			t.Fatalf("prune over the size limit: %d %v", n, err)
		}
		if files, _ := os.ReadDir(dir); len(files) != 1 {
			t.Fatalf("after pruning the cache folder holds %v", files)
		}
		again := coord.do("GET", url, nil)
		if again.status != 200 || string(again.body) != string(first.body) || again.header.Get("ETag") != first.header.Get("ETag") {
			t.Fatalf("rebuilt download: %d %q, want %q", again.status, again.body, first.body)
		}
		// Options give another file with its own ETag; the defaults spelled out give the default one.
		plain := coord.do("GET", url+"&separator=none", nil)
		if plain.status != 200 || strings.Contains(string(plain.body), `"chosen":" `) || !strings.Contains(string(first.body), `"chosen":" `) ||
			plain.header.Get("ETag") == first.header.Get("ETag") || !strings.Contains(plain.header.Get("Link"), "separator=none") {
			t.Fatalf("separator=none: %d %s %q", plain.status, plain.body, plain.header.Get("ETag"))
		}
		if d := coord.do("GET", url+"&separator=space&pairs=all", nil); d.header.Get("ETag") != first.header.Get("ETag") || string(d.body) != string(first.body) {
			t.Fatalf("default options spelled out: %q", d.header.Get("ETag"))
		}
		man := coord.do("GET", fmt.Sprintf("/api/snapshots/%d/manifest?format=trl-dpo", snap.ID), nil)
		if man.status != 200 || !strings.Contains(string(man.body), snap.Hash) {
			t.Fatalf("manifest: %d %s", man.status, man.body)
		}

		// Without a cache, downloads are refused, not written somewhere else.
		bare := newEnv(t, dbtest.Open(t, dbtest.SQLite), func(cfg *server.Config, _ **store.Stores) { cfg.Exports = nil })
		if r := bare.as("coord").do("GET", url, nil); r.status != 503 || r.code() != "exports_unavailable" {
			t.Fatalf("download without a cache: %d %s", r.status, r.body)
		}
	})
}
