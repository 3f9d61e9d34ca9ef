package store_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// Many labellers claim and submit at once until the project is done. Some
// also release, skip, heartbeat and retry their submits, as real clients do.
// Afterwards every item has exactly k submissions from k different members
// and every counter matches the rows it counts: no slot lost or doubled.
func TestConcurrentLabellersFinishProject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		workers, items, k := 8, 300, 3
		if db.Dialector.Name() == "postgres" {
			workers, items = 64, 2000
		}
		if testing.Short() {
			items /= 4
		}
		f := storetest.NewLab(t, db)
		ls := f.Labellers("w", workers)
		p := f.Project("race", func(ps *labeling.ProjectSettings) { ps.Overlap = k })
		f.Items(p.ID, items)

		start := time.Now()
		var submitted, replays, releases, skips atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w, member := range ls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 7))
				for n := 0; ; n++ {
					task, err := f.S.Leases.ClaimNextTask(f.Ctx, member, p.ID)
					if storetest.HasCode(err, labeling.ErrNoTasks) {
						// Nothing left for this member now; but a lease someone
						// else holds may still be skipped or released. Stop
						// only when no lease is out.
						var leased int64
						if err := db.Raw(`SELECT COUNT(*) FROM assignments WHERE project_id = ? AND state = 'leased'`, p.ID).Scan(&leased).Error; err != nil {
							errs <- err
							return
						}
						if leased == 0 {
							return
						}
						time.Sleep(20 * time.Millisecond)
						continue
					}
					if err != nil {
						errs <- fmt.Errorf("worker %d claim: %w", w, err)
						return
					}
					switch r := rng.IntN(100); {
					case r < 4:
						if err := f.S.Leases.Release(f.Ctx, member, task.LeaseToken); err != nil {
							errs <- fmt.Errorf("worker %d release: %w", w, err)
							return
						}
						releases.Add(1)
						continue
					case r < 6:
						if err := f.S.Leases.Skip(f.Ctx, member, task.LeaseToken, "test"); err != nil {
							errs <- fmt.Errorf("worker %d skip: %w", w, err)
							return
						}
						skips.Add(1)
						continue
					case r < 10:
						if _, err := f.S.Leases.Heartbeat(f.Ctx, member, task.LeaseToken, 500); err != nil {
							errs <- fmt.Errorf("worker %d heartbeat: %w", w, err)
							return
						}
					}
					req := labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: fmt.Sprintf("w%d-%d", w, n),
						Answer: json.RawMessage(`{"choice":"negative"}`), LeadTimeMs: 700}
					if _, err := f.W.Submit(f.Ctx, member, req); err != nil {
						errs <- fmt.Errorf("worker %d submit: %w", w, err)
						return
					}
					submitted.Add(1)
					if rng.IntN(100) < 5 { // a retry after a lost response
						sub, err := f.W.Submit(f.Ctx, member, req)
						if err != nil || !sub.Replayed {
							errs <- fmt.Errorf("worker %d retry: %v replayed=%v", w, err, sub.Replayed)
							return
						}
						replays.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if t.Failed() {
			return
		}
		t.Logf("%s: %d labellers, %d items × k=%d: %d submits, %d replays, %d releases, %d skips in %v",
			db.Dialector.Name(), workers, items, k, submitted.Load(), replays.Load(), releases.Load(), skips.Load(),
			time.Since(start).Round(time.Millisecond))

		if got := submitted.Load(); got != int64(items*k) {
			t.Fatalf("%d submits, want %d", got, items*k)
		}
		if n := f.Count(`SELECT COUNT(*) FROM items WHERE project_id = ? AND NOT (done = ? AND held = 0 AND status = 'complete')`, p.ID, k); n != 0 {
			t.Fatalf("%d items not exactly complete", n)
		}
		if n := f.Count(`SELECT COUNT(*) FROM (SELECT item_id FROM submissions WHERE project_id = ?
GROUP BY item_id HAVING COUNT(DISTINCT member_id) <> ? OR COUNT(*) <> ?) x`, p.ID, k, k); n != 0 {
			t.Fatalf("%d items without %d submissions from %d members", n, k, k)
		}
		if n := f.Count(`SELECT COUNT(*) FROM assignments WHERE project_id = ? AND state = 'leased'`, p.ID); n != 0 {
			t.Fatalf("%d assignments still leased", n)
		}
		if n := f.Count(`SELECT COUNT(*) FROM submissions WHERE project_id = ?`, p.ID); n != int64(items*k) {
			t.Fatalf("%d submission rows", n)
		}
		if n := f.Events("task.submitted"); n != int64(items*k) {
			t.Fatalf("%d submitted events", n)
		}
		if n := f.Events("item.completed"); n != int64(items) {
			t.Fatalf("%d completed events", n)
		}
		f.CheckInvariants(p.ID, k)
		prog, err := f.S.Projects.ProjectProgress(f.Ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if prog.SlotsLeft != 0 || prog.SlotsDone != int64(items*k) || prog.Leased != 0 {
			t.Fatalf("progress = %+v", prog)
		}
	})
}

// Two claims by the same member at once (a double click) get the same lease.
func TestConcurrentClaimsBySameMember(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		l := f.Member("l", "labeller")
		p := f.Project("double", nil)
		f.Items(p.ID, 50)
		var wg sync.WaitGroup
		tasks := make([]labeling.Task, 8)
		errs := make([]error, 8)
		for i := range tasks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tasks[i], errs[i] = f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
			}()
		}
		wg.Wait()
		for i := range tasks {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if tasks[i].AssignmentID != tasks[0].AssignmentID {
				t.Fatalf("same member got two leases: %d and %d", tasks[0].AssignmentID, tasks[i].AssignmentID)
			}
		}
		if n := f.Count(`SELECT COUNT(*) FROM assignments WHERE state = 'leased'`); n != 1 {
			t.Fatalf("%d leases", n)
		}
		f.CheckInvariants(p.ID, 3)
	})
}
