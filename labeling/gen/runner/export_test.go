package runner_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/model"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// Generated candidates are compared by a labeller like any item, earn the labeller the normal
// rate and the generator nothing, and the DPO export's manifest names the model of the chosen and
// the rejected candidates.
func TestGeneratedItemsReachTheDPOExportWithTheirModels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		sc := newScript(func(ctx context.Context, c call, n int) (model.Response, error) {
			return reply(c, map[int64]string{1: "llama-3.1-8b", 2: "qwen2.5-7b"}[c.Endpoint]), nil
		})
		job := r.start(2)
		stop := run(r.worker(sc, nil))
		j := r.wait(job.ID, 10*time.Second)
		stop()
		if j.Counts.Items != 2 {
			t.Fatalf("job %+v", j)
		}
		lab := r.Count(`SELECT id FROM members WHERE login = 'lab0'`)
		before := r.Count(`SELECT COUNT(*) FROM equity_postings`)
		for range 2 {
			r.ClaimAnswer(lab, r.project.ID, "a") // a: slot 0, endpoint 1
		}
		if r.Count(`SELECT COUNT(*) FROM equity_postings`) == before {
			t.Fatal("the labeller's comparisons earned nothing: the ledger is not attached, so the no-units check proves nothing")
		}
		rev := r.Member("rev", "reviewer")
		for range 2 {
			rt := r.ClaimReview(rev, r.project.ID)
			var ds []labeling.DecisionInput
			for _, sub := range rt.Submissions {
				ds = append(ds, storetest.Accept(sub.ID))
			}
			if _, err := r.Decide(rev, rt, fmt.Sprintf("r-%d", rt.ItemID), ds...); err != nil {
				t.Fatal(err)
			}
		}
		snap, err := r.S.Datasets.CreateSnapshot(r.Ctx, &r.Coord, dataset.SnapshotRequest{ModelID: r.project.ModelID, ProjectIDs: []int64{r.project.ID}})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		m, err := r.S.Datasets.ExportSnapshot(r.Ctx, snap.ID, dataset.ExportRequest{Format: dataset.ExportTRLDPOConv, License: "cc-by-4.0"}, &out)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(out.String(), "\n"); n != 2 {
			t.Fatalf("%d DPO rows:\n%s", n, out.String())
		}
		if strings.Contains(out.String(), "llama") || strings.Contains(out.String(), "qwen") {
			t.Fatalf("the rows name models (they are in the manifest): %s", out.String())
		}
		got := map[string]dataset.ExportGenerator{}
		for _, g := range m.Generators {
			got[g.Model] = g
		}
		if g := got["llama-3.1-8b"]; g.Endpoint != "alpha" || g.Candidates != 2 || g.Chosen != 2 || g.Rejected != 0 {
			t.Fatalf("chosen model in the manifest: %+v (all %+v)", g, m.Generators)
		}
		if g := got["qwen2.5-7b"]; g.Endpoint != "beta" || g.Rejected != 2 || g.Chosen != 0 {
			t.Fatalf("rejected model in the manifest: %+v", g)
		}
		var mf bytes.Buffer
		if err := dataset.WriteManifest(&mf, m); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(mf.String(), `"generators"`) || !strings.Contains(mf.String(), "qwen2.5-7b") {
			t.Fatalf("manifest sidecar %s", mf.String())
		}
	})
}
