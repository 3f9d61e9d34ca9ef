package runner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/gen"
	"copyhold/labeling/model"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// releaseEndpoints is an in-test map of release → serving endpoint.
type releaseEndpoints map[int64]int64

func (r releaseEndpoints) ReleaseEndpoint(_ context.Context, id int64) (int64, error) {
	return r[id], nil
}

// An evaluation job asks each release's endpoint to answer every prompt and writes, per prompt, a
// blinded pairwise item whose sides only evaluation_items can tell; accepted answers feed the
// model's Bradley–Terry leaderboard.
func TestEvaluationJobFeedsTheLeaderboard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		rel := map[string]int64{}
		for _, v := range []string{"v1", "v2", "v3"} {
			var id int64
			if err := db.Raw(`INSERT INTO releases (model_id, version, hash, ledger_seq, ledger_head, created_by, created_at)
VALUES (?, ?, ?, 0, '', ?, ?) RETURNING id`, r.project.ModelID, v, "h-"+v, r.Coord, time.Now().UTC()).Scan(&id).Error; err != nil {
				t.Fatal(err)
			}
			rel[v] = id
		}
		svc := r.svc.WithEvaluations(r.S.Datasets, releaseEndpoints{rel["v1"]: 1, rel["v2"]: 2})
		prompts := []json.RawMessage{json.RawMessage(`{"prompt":"q1"}`), json.RawMessage(`{"prompt":"q2"}`)}
		if _, err := svc.StartEvaluation(r.Ctx, r.Coord, gen.EvaluationParams{ModelID: r.project.ModelID, Name: "arena",
			ReleaseIDs: []int64{rel["v1"], rel["v3"]}, Prompts: prompts}); !strings.Contains(fmt.Sprint(err), "names no endpoint") {
			t.Fatalf("a release without an endpoint: %v", err)
		}
		job, err := svc.StartEvaluation(r.Ctx, r.Coord, gen.EvaluationParams{ModelID: r.project.ModelID, Name: "arena",
			ReleaseIDs: []int64{rel["v1"], rel["v2"]}, Prompts: prompts})
		if err != nil {
			t.Fatal(err)
		}
		if job.Kind != gen.KindEvaluation || job.ProjectID == r.project.ID || job.Counts.Tasks != 4 {
			t.Fatalf("job %+v", job)
		}
		sc := newScript(func(ctx context.Context, c call, n int) (model.Response, error) {
			return reply(c, map[int64]string{1: "model-one", 2: "model-two"}[c.Endpoint]), nil
		})
		stop := run(r.worker(sc, nil))
		j := r.wait(job.ID, 10*time.Second)
		stop()
		if j.Status != gen.StatusDone || j.Counts.TasksDone != 4 {
			t.Fatalf("job %+v", j)
		}
		var rows []struct {
			Slots      string
			Data       string
			Generation string
		}
		db.Raw(`SELECT e.slots, i.data, i.generation FROM evaluation_items e JOIN items i ON i.id = e.item_id WHERE e.project_id = ?`, job.ProjectID).Scan(&rows)
		if len(rows) != 2 {
			t.Fatalf("%d evaluation items, want 2", len(rows))
		}
		for _, row := range rows {
			var s map[string]int64
			json.Unmarshal([]byte(row.Slots), &s)
			if s["a"]+s["b"] != rel["v1"]+rel["v2"] || s["a"] == s["b"] {
				t.Fatalf("slots %s", row.Slots)
			}
			if strings.Contains(row.Data, "model-") || strings.Contains(row.Data, "v1") || !strings.Contains(row.Generation, "model-") {
				t.Fatalf("item %s / provenance %s", row.Data, row.Generation)
			}
		}
		if _, err := r.S.Projects.SetProjectStatus(r.Ctx, &r.Coord, job.ProjectID, labeling.ProjectOpen); err != nil {
			t.Fatal(err)
		}
		lab := r.Count(`SELECT id FROM members WHERE login = 'lab0'`)
		rev := r.Member("rev", "reviewer")
		for range 2 {
			r.ClaimAnswer(lab, job.ProjectID, "a")
			rt := r.ClaimReview(rev, job.ProjectID)
			if _, err := r.Decide(rev, rt, fmt.Sprintf("r-%d", rt.ItemID), storetest.Accept(rt.Submissions[0].ID)); err != nil {
				t.Fatal(err)
			}
		}
		lb, err := r.S.Datasets.Leaderboard(r.Ctx, r.project.ModelID, dataset.BTOptions{Resamples: 50})
		if err != nil {
			t.Fatal(err)
		}
		if lb.Comparisons != 2 || len(lb.Evaluations) != 1 || lb.Evaluations[0] != job.ProjectID {
			t.Fatalf("leaderboard %+v", lb)
		}
	})
}

// An evaluation can take its prompts from a snapshot of the model's data: each item's prompt once,
// items of another model's snapshot refused, and prompts and a snapshot not both.
func TestEvaluationPromptsFromASnapshot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		pp := r.Project("trained on", func(ps *labeling.ProjectSettings) {
			ps.ModelID = r.project.ModelID
			ps.TaskType = "pairwise"
			ps.Schema = json.RawMessage(`{}`)
			ps.Overlap = 1
		})
		r.ImportLines(pp.ID, `{"prompt":"Capital of France?","response_a":"Paris.","response_b":"Lyon."}`,
			`{"prompt":"Capital of France?","response_a":"Paris, of course.","response_b":"Nice."}`,
			`{"prompt":"Two plus two?","response_a":"4","response_b":"5"}`)
		lab := r.Count(`SELECT id FROM members WHERE login = 'lab0'`)
		rev := r.Member("rev", "reviewer")
		for range 3 {
			r.ClaimAnswer(lab, pp.ID, "a")
			rt := r.ClaimReview(rev, pp.ID)
			if _, err := r.Decide(rev, rt, fmt.Sprintf("r-%d", rt.ItemID), storetest.Accept(rt.Submissions[0].ID)); err != nil {
				t.Fatal(err)
			}
		}
		snap, err := r.S.Datasets.CreateSnapshot(r.Ctx, &r.Coord, dataset.SnapshotRequest{ModelID: r.project.ModelID, ProjectIDs: []int64{pp.ID}, Mode: dataset.SnapshotConsensus})
		if err != nil {
			t.Fatal(err)
		}
		rel := map[string]int64{}
		for _, v := range []string{"v1", "v2"} {
			var id int64
			if err := db.Raw(`INSERT INTO releases (model_id, version, hash, ledger_seq, ledger_head, created_by, created_at)
VALUES (?, ?, ?, 0, '', ?, ?) RETURNING id`, r.project.ModelID, v, "h-"+v, r.Coord, time.Now().UTC()).Scan(&id).Error; err != nil {
				t.Fatal(err)
			}
			rel[v] = id
		}
		svc := r.svc.WithEvaluations(r.S.Datasets, releaseEndpoints{rel["v1"]: 1, rel["v2"]: 2})
		params := gen.EvaluationParams{ModelID: r.project.ModelID, Name: "from the snapshot", ReleaseIDs: []int64{rel["v1"], rel["v2"]}, SnapshotID: snap.ID}
		both := params
		both.Prompts = []json.RawMessage{json.RawMessage(`{"prompt":"q"}`)}
		if _, err := svc.StartEvaluation(r.Ctx, r.Coord, both); !strings.Contains(fmt.Sprint(err), "not both") {
			t.Fatalf("prompts and a snapshot: %v", err)
		}
		other := params
		other.ModelID = r.project.ModelID + 1000
		if _, err := svc.StartEvaluation(r.Ctx, r.Coord, other); err == nil {
			t.Fatal("a snapshot of another model was taken")
		}
		job, err := svc.StartEvaluation(r.Ctx, r.Coord, params)
		if err != nil {
			t.Fatal(err)
		}
		// Two distinct prompts, each answered by both releases.
		if job.Counts.Sources != 2 || job.Counts.Tasks != 4 {
			t.Fatalf("job %+v", job.Counts)
		}
	})
}
