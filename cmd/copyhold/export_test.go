package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/work"
	"copyhold/migrations"
	"copyhold/migrations/dbtest"
)

// From accepted work to a file: demo, three labellers answer one item, a
// reviewer accepts, then `snapshot create` and `export` write the dataset and
// its manifest; an unknown snapshot is a clear error and leaves no file.
func TestSnapshotAndExportCommands(t *testing.T) {
	vars := dbVars(t, dbtest.SQLite)
	if out, err := runCmd(t, vars, "", "demo", "--bare"); err != nil {
		t.Fatalf("demo: %v %s", err, out)
	}
	ctx := context.Background()
	db, err := migrations.Open(ctx, migrations.Source{DataDir: vars["COPYHOLD_DATA"]})
	if err != nil {
		t.Fatal(err)
	}
	st := newStore(db)
	// No gold mixed in: the three labellers must meet on the same item.
	noGold := 0
	if _, err := st.Projects.UpdateProject(ctx, nil, 1, labeling.ProjectPatch{GoldRateBP: &noGold}); err != nil {
		t.Fatal(err)
	}
	var item int64
	for _, login := range []string{"labeller", "labeller2", "labeller3"} {
		m, err := st.Members.MemberByLogin(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		task, err := st.Leases.ClaimNextTask(ctx, m.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if item != 0 && task.ItemID != item {
			t.Fatalf("breadth-first claim gave item %d after %d", task.ItemID, item)
		}
		item = task.ItemID
		if _, err := work.New(st).Submit(ctx, m.ID, labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: login,
			Answer: json.RawMessage(`{"choice":"negative"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	rev, err := st.Members.MemberByLogin(ctx, "reviewer")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := st.Reviews.ClaimNextReview(ctx, rev.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	var ds []labeling.DecisionInput
	for _, s := range rt.Submissions {
		ds = append(ds, labeling.DecisionInput{SubmissionID: s.ID, Decision: labeling.DecisionAccept})
	}
	if _, err := work.New(st).DecideReview(ctx, rev.ID, labeling.DecisionRequest{LeaseToken: rt.LeaseToken, IdempotencyKey: "r1", Decisions: ds}); err != nil {
		t.Fatal(err)
	}
	closeDB(db)

	out, err := runCmd(t, vars, "", "snapshot", "create", "--model", "1", "--projects", "1")
	if err != nil {
		t.Fatalf("snapshot create: %v %s", err, out)
	}
	var snap struct{ Hash string }
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &snap); err != nil || len(snap.Hash) != 64 {
		t.Fatalf("snapshot create printed %q (%v)", out, err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "sentiment.csv")
	if out, err := runCmd(t, vars, "", "export", "--snapshot", "1", "--format", "csv", "-o", file); err != nil {
		t.Fatalf("export: %v %s", err, out)
	}
	data, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(data), "negative") {
		t.Fatalf("export file: %v %q", err, data)
	}
	if _, err := os.Stat(filepath.Join(dir, "sentiment.manifest.json")); err != nil {
		t.Fatalf("no manifest beside the export: %v", err)
	}
	missing := filepath.Join(dir, "none.jsonl")
	if _, err := runCmd(t, vars, "", "export", "--snapshot", "99", "--format", "trl-dpo", "-o", missing); err == nil {
		t.Fatal("export of an unknown snapshot succeeded")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("a failed export left a file behind")
	}
	if _, err := runCmd(t, vars, "", "export", "--snapshot", "1", "--format", "trl-dpo", "-o", missing); err == nil {
		t.Fatal("a DPO export of classification data succeeded")
	}

	// The release records the snapshot it was trained on; the leaderboard has
	// nothing to rank until an evaluation is judged.
	out, err = runCmd(t, vars, "", "release", "create", "--model", "1", "--version", "2026.1", "--snapshots", snap.Hash, "--checkpoint", "sha256:abc")
	if err != nil || !strings.Contains(out, "release 1: 2026.1") {
		t.Fatalf("release create: %v %s", err, out)
	}
	// Made outside serve, it still names the head that covers the accepted work:
	// the command integrates the committed register entries first.
	var seq int64
	if i := strings.Index(out, "at register #"); i < 0 {
		t.Fatalf("release create printed no register head: %s", out)
	} else if _, err := fmt.Sscanf(out[i:], "at register #%d", &seq); err != nil || seq == 0 {
		t.Fatalf("release recorded register head #%d (%v): %s", seq, err, out)
	}
	if _, err := runCmd(t, vars, "", "release", "create", "--model", "1", "--version", "2026.2", "--snapshots", strings.Repeat("0", 64)); err == nil {
		t.Fatal("a release naming an unknown snapshot was registered")
	}
	if out, err := runCmd(t, vars, "", "release", "list", "--model", "1"); err != nil || !strings.Contains(out, snap.Hash) {
		t.Fatalf("release list: %v %s", err, out)
	}
	if out, err := runCmd(t, vars, "", "leaderboard", "--model", "1"); err != nil || !strings.Contains(out, "no accepted comparisons") {
		t.Fatalf("leaderboard: %v %s", err, out)
	}
}
