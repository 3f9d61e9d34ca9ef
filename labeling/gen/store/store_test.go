package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/gen"
	"copyhold/labeling/gen/store"
	"copyhold/labeling/store/storetest"
	"copyhold/labeling/tasktype"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func newJob(t *testing.T, db *gorm.DB, sources int) (*storetest.Lab, *store.Store, gen.Job) {
	lab := storetest.NewLab(t, db)
	p := lab.Project("prefs", func(ps *labeling.ProjectSettings) {
		ps.TaskType = tasktype.TaskPairwise
		ps.Schema = json.RawMessage(`{}`)
	})
	var srcs []gen.Source
	for i := range sources {
		s, _ := gen.NewSource([]tasktype.Message{{Role: "user", Content: fmt.Sprint("p", i)}})
		srcs = append(srcs, s, s) // each twice: planned once
	}
	st := store.New(db, nil)
	j, err := st.Create(context.Background(), store.NewJob{Kind: gen.KindCandidates, ProjectID: p.ID, Params: json.RawMessage(`{}`),
		CreatedBy: lab.Coord, Sources: srcs, Slots: []gen.Slot{{EndpointID: 7}, {EndpointID: 7}}})
	if err != nil {
		t.Fatal(err)
	}
	return lab, st, j
}

// An endpoint's concurrency holds across claims (instances); a released or expired lease frees
// its place; the per-minute bound counts requests started.
func TestClaimRespectsEndpointLimits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		_, st, j := newJob(t, db, 5)
		ctx := context.Background()
		if j.Counts.Tasks != 10 || j.Counts.Sources != 5 {
			t.Fatalf("planned %+v", j.Counts)
		}
		a, err := st.Claim(ctx, 7, store.Limits{Concurrency: 2}, 5, time.Minute)
		if err != nil || len(a) != 2 {
			t.Fatalf("first claim: %v %d", err, len(a))
		}
		if b, _ := st.Claim(ctx, 7, store.Limits{Concurrency: 2}, 5, time.Minute); len(b) != 0 {
			t.Fatalf("a second instance got %d beyond the concurrency", len(b))
		}
		if err := st.Release(ctx, a[0]); err != nil {
			t.Fatal(err)
		}
		c, _ := st.Claim(ctx, 7, store.Limits{Concurrency: 2}, 5, 50*time.Millisecond)
		if len(c) != 1 || c[0].ID == a[1].ID {
			t.Fatalf("after a release: %+v", c)
		}
		// A stale claim cannot finish what it no longer holds.
		stale := a[0]
		if held, err := st.Finish(ctx, stale, store.Outcome{Skip: true, Reason: "x"}, nil); err != nil || held {
			t.Fatalf("a released claim finished: %v %v", held, err)
		}
		time.Sleep(60 * time.Millisecond) // c's lease runs out
		if d, _ := st.Claim(ctx, 7, store.Limits{Concurrency: 2}, 5, time.Minute); len(d) != 1 {
			t.Fatalf("after the lease ran out: %d", len(d))
		}
		if other, _ := st.Claim(ctx, 8, store.Limits{Concurrency: 5}, 5, time.Minute); len(other) != 0 {
			t.Fatalf("endpoint 8 has no tasks but got %d", len(other))
		}
	})
}

func TestClaimPerMinute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		_, st, _ := newJob(t, db, 5)
		ctx := context.Background()
		lim := store.Limits{Concurrency: 10, PerMinute: 3}
		a, _ := st.Claim(ctx, 7, lim, 10, time.Minute)
		if len(a) != 3 {
			t.Fatalf("claimed %d, per minute is 3", len(a))
		}
		for _, c := range a {
			if _, err := st.Finish(ctx, c, store.Outcome{Retry: time.Now().Add(-time.Second), Reason: "429"}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if b, _ := st.Claim(ctx, 7, lim, 10, time.Minute); len(b) != 0 {
			t.Fatalf("claimed %d more within the minute", len(b))
		}
	})
}

// gen.progress is throttled per job; gen.finished is written once, with the job's end.
func TestProgressIsThrottled(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		lab, st, j := newJob(t, db, 2)
		st.ProgressEvery = time.Hour
		ctx := context.Background()
		done := 0
		for done < 4 {
			cs, err := st.Claim(ctx, 7, store.Limits{Concurrency: 4}, 4, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				write := func(tx *gorm.DB, job gen.Job, input json.RawMessage, outputs []json.RawMessage) (int64, bool, error) {
					return 0, false, nil // the project already had the item
				}
				if held, err := st.Finish(ctx, c, store.Outcome{Output: json.RawMessage(`{}`)}, write); err != nil || !held {
					t.Fatalf("finish: %v %v", held, err)
				}
				done++
			}
		}
		// One at creation, then silence until the end.
		if n := lab.Count(`SELECT COUNT(*) FROM events WHERE type = 'gen.progress'`); n != 1 {
			t.Fatalf("%d gen.progress events", n)
		}
		if n := lab.Count(`SELECT COUNT(*) FROM events WHERE type = 'gen.finished'`); n != 1 {
			t.Fatalf("%d gen.finished events", n)
		}
		got, err := st.Get(ctx, j.ID)
		if err != nil || got.Status != gen.StatusDone || got.Counts.TasksDone != 4 || got.Counts.Items != 0 {
			t.Fatalf("job %+v %v", got, err)
		}
	})
}
