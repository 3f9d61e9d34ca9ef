package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/store"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// usefulProject is a k=1 project ordered by usefulness with n open items,
// each with a suggestion of confidence conf(i), and gold gold items.
func usefulProject(t *testing.T, f *storetest.Lab, name string, n, gold, goldBP int, conf func(i int) int) labeling.Project {
	t.Helper()
	p := f.Project(name, func(ps *labeling.ProjectSettings) {
		ps.Overlap = 1
		ps.OrderByUsefulness = true
		ps.GoldRateBP = goldBP
	})
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf(`{"data":{"text":"t%d"}}`, i))
	}
	for i := range gold {
		lines = append(lines, fmt.Sprintf(`{"data":{"text":"g%d"},"gold":{"choice":"positive"}}`, i))
	}
	f.ImportLines(p.ID, lines...)
	var ids []int64
	if err := f.DB.Raw(`SELECT id FROM items WHERE project_id = ? AND status = 'open' ORDER BY seq`, p.ID).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		c := conf(i)
		if err := f.S.Projects.SetSuggestion(f.Ctx, id, labeling.ItemSuggestion{Answer: []byte(`{"choice":"positive"}`),
			Source: labeling.SuggestionFromEndpoint, Model: "m", Confidence: &c}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// TestUsefulOrderMixesStreams: over many claims each stream keeps its
// share (uncertain ~50 %, oldest ~25 %, random ~25 % of the non-gold
// claims; gold near its rate), and the uncertain stream serves the least
// confident item open.
func TestUsefulOrderMixesStreams(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 1)
		const n = 300
		p := usefulProject(t, f, "mix", n, 80, 1000, func(i int) int { return []int{1000, 9000, 9000, 9000}[i%4] })
		var mu sync.Mutex
		count := map[string]int{}
		var last string
		defer store.OnClaimStream(func(st string) {
			mu.Lock()
			count[st]++
			last = st
			mu.Unlock()
		})()
		var uncertainConf []int
		for range n {
			task := f.Claim(ls[0], p.ID)
			if last == "uncertain" {
				var c int
				db.Raw(`SELECT suggestion_confidence FROM items WHERE id = ?`, task.ItemID).Scan(&c)
				uncertainConf = append(uncertainConf, c)
			}
			f.Answer(ls[0], task, "positive")
		}
		nonGold := n - count["gold"]
		share := func(st string) int { return count[st] * 100 / nonGold }
		if g := count["gold"] * 100 / n; g < 4 || g > 18 {
			t.Errorf("gold %d %% of claims, want about 10: %v", g, count)
		}
		if s := share("uncertain"); s < 38 || s > 62 {
			t.Errorf("uncertain %d %%, want about 50: %v", s, count)
		}
		for _, st := range []string{"oldest", "random"} {
			if s := share(st); s < 14 || s > 36 {
				t.Errorf("%s %d %%, want about 25: %v", st, s, count)
			}
		}
		// The uncertain stream takes the 75 hard items first; then the rest.
		hard := 0
		for i, c := range uncertainConf {
			if c == 1000 {
				hard++
			} else if hard < 75 && i < 40 {
				t.Fatalf("uncertain claim %d took confidence %d while hard items were open", i, c)
			}
		}
		if hard == 0 {
			t.Fatalf("the uncertain stream never served a hard item: %v", uncertainConf)
		}
	})
}

// TestUsefulOrderDrainsHardProjects: a project of only hard items (and one
// with no confidence at all) still gives every item to its k labellers,
// with two labellers at once.
func TestUsefulOrderDrainsHardProjects(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 2)
		p := usefulProject(t, f, "hard", 40, 0, 0, func(int) int { return 500 })
		var mu sync.Mutex
		streams := map[string]int{}
		defer store.OnClaimStream(func(st string) {
			mu.Lock()
			streams[st]++
			mu.Unlock()
		})()
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, m := range ls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					task, err := f.S.Leases.ClaimNextTask(f.Ctx, m, p.ID)
					if errors.Is(err, labeling.ErrNoTasks) {
						return
					}
					if err != nil {
						errs <- err
						return
					}
					if _, err := f.W.Submit(f.Ctx, m, labeling.SubmitRequest{LeaseToken: task.LeaseToken,
						IdempotencyKey: fmt.Sprint("k", task.ItemID), Answer: []byte(`{"choice":"negative"}`), LeadTimeMs: 10}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if open := f.Count(`SELECT COUNT(*) FROM items WHERE project_id = ? AND status = 'open'`, p.ID); open != 0 {
			t.Fatalf("%d items left open", open)
		}
		f.CheckInvariants(p.ID, 1)
		if streams["uncertain"] == 0 {
			t.Fatalf("no claim came from the uncertain stream: %v", streams)
		}
	})
}
