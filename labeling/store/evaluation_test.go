package store_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/tasktype"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// TestLeaderboardRecoversOrder: three releases of known strength are judged
// blind in an evaluation project; synthetic accepted answers follow the
// Bradley–Terry odds, and the leaderboard recovers the order.
func TestLeaderboardRecoversOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d := newDatasetFixture(t, db)
		p := d.pairwiseProject("prefs")
		snap := d.snapshot("", p.ID)
		strength := map[string]float64{"weak": 1, "mid": 3, "strong": 9}
		ids := map[int64]string{}
		var relIDs []int64
		for _, v := range []string{"weak", "mid", "strong"} {
			r, err := d.S.Datasets.CreateRelease(d.Ctx, &d.Coord, dataset.ReleaseRequest{ModelID: d.Model.ID, Version: v, SnapshotHashes: []string{snap.Hash}})
			if err != nil {
				t.Fatal(err)
			}
			ids[r.ID] = v
			relIDs = append(relIDs, r.ID)
		}
		var prompts []dataset.EvaluationPrompt
		for i := range 60 {
			out := map[int64]string{}
			for _, id := range relIDs {
				out[id] = fmt.Sprintf("answer %d by %d", i, id*7+3)
			}
			prompts = append(prompts, dataset.EvaluationPrompt{Prompt: fmt.Sprintf("question %d", i), Outputs: out})
		}
		ev, proj, err := d.S.Datasets.CreateEvaluation(d.Ctx, &d.Coord, dataset.EvaluationRequest{ModelID: d.Model.ID, Name: "arena",
			ReleaseIDs: relIDs, Prompts: prompts, Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		if ev.Items != 180 || proj.TaskType != tasktype.TaskPairwise {
			t.Fatalf("evaluation = %+v", ev)
		}
		if _, err := d.S.Projects.SetProjectStatus(d.Ctx, &d.Coord, proj.ID, labeling.ProjectOpen); err != nil {
			t.Fatal(err)
		}
		var slots []struct {
			ItemID int64
			Slots  string
			Data   string
		}
		db.Raw("SELECT e.item_id, e.slots, i.data FROM evaluation_items e JOIN items i ON i.id = e.item_id WHERE e.project_id = ?", proj.ID).Scan(&slots)
		slotOf := map[int64]map[string]int64{}
		firstA := map[int64]int{}
		for _, s := range slots {
			var m map[string]int64
			json.Unmarshal([]byte(s.Slots), &m)
			slotOf[s.ItemID] = m
			firstA[m["a"]]++
			for _, v := range []string{"weak", "mid", "strong", "release"} {
				if strings.Contains(s.Data, v) {
					t.Fatalf("item data reveals the release: %s", s.Data)
				}
			}
		}
		if len(firstA) != 3 {
			t.Fatalf("sides are not shuffled: %v", firstA)
		}
		rng := rand.New(rand.NewPCG(7, 7))
		for range slots {
			lab := d.labs[rng.IntN(2)]
			task, err := d.S.Leases.ClaimNextTask(d.Ctx, lab, proj.ID)
			if err != nil {
				lab = d.labs[0] + d.labs[1] - lab
				task = d.Claim(lab, proj.ID)
			}
			sl := slotOf[task.ItemID]
			sa, sb := strength[ids[sl["a"]]], strength[ids[sl["b"]]]
			choice := "b"
			if rng.Float64() < sa/(sa+sb) {
				choice = "a"
			}
			d.Answer(lab, task, choice)
		}
		db.Exec("UPDATE submissions SET status = 'accepted' WHERE project_id = ?", proj.ID)
		lb, err := d.S.Datasets.Leaderboard(d.Ctx, d.Model.ID, dataset.BTOptions{Resamples: 200})
		if err != nil {
			t.Fatal(err)
		}
		if lb.Comparisons != 180 || lb.BradleyTerry == nil {
			t.Fatalf("leaderboard = %+v", lb)
		}
		var order []string
		for _, r := range lb.BradleyTerry.Ratings {
			order = append(order, r.Player)
			if r.Lower > r.Score || r.Upper < r.Score {
				t.Fatalf("interval %+v", r)
			}
		}
		if strings.Join(order, ",") != "strong,mid,weak" {
			t.Fatalf("order = %v", order)
		}
		if len(lb.BradleyTerry.WinRates.Players) != 3 {
			t.Fatalf("win rates = %+v", lb.BradleyTerry.WinRates)
		}
	})
}
