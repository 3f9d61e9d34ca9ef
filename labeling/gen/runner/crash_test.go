package runner_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"copyhold/labeling/gen"
	"copyhold/labeling/gen/runner"
	"copyhold/labeling/gen/store"
	"copyhold/labeling/model"
	labelstore "copyhold/labeling/store"
	"copyhold/migrations"
	"copyhold/migrations/dbtest"
)

// Two "instances" on one database, each with its own connections. The first claims units and
// loses its database while its requests hang (its process dies: nothing is handed back); the
// second takes the units when their leases run out and finishes the job with exactly K
// candidates per item.
func TestInstanceLosesItsDatabaseMidJob(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			src := dbtest.Source(t, d)
			dbB, err := migrations.Open(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if s, err := dbB.DB(); err == nil {
					s.Close()
				}
			})
			if _, err := migrations.Up(ctx, dbB); err != nil {
				t.Fatal(err)
			}
			r := newRig(t, dbB)
			job := r.start(4)

			dbA, err := migrations.Open(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			var hung atomic.Int32
			hang := newScript(func(ctx context.Context, c call, n int) (model.Response, error) {
				hung.Add(1)
				<-ctx.Done()
				return model.Response{}, ctx.Err()
			})
			stA := store.New(dbA, nil)
			a := runner.NewWorker(runner.Config{Completer: hang, Endpoints: r.eps, Projects: labelstore.New(dbA).Projects,
				Poll: 10 * time.Millisecond, Lease: 300 * time.Millisecond, Timeout: 5 * time.Second}, stA, nil)
			stopA := run(a)
			for hung.Load() < 4 {
				time.Sleep(5 * time.Millisecond)
			}
			sqlA, _ := dbA.DB()
			sqlA.Close() // the database is gone for A: it cannot report or release anything
			stopA()

			sc := newScript(ok)
			stopB := run(r.worker(sc, nil))
			defer stopB()
			j := r.wait(job.ID, 20*time.Second)
			if j.Status != gen.StatusDone || j.Counts.Items != 4 || j.Counts.TasksDone != 8 {
				t.Fatalf("job %+v", j)
			}
			for id, o := range r.generated() {
				if len(o) != 2 {
					t.Fatalf("item %d has %d candidates", id, len(o))
				}
			}
			if n := len(r.generated()); n != 4 {
				t.Fatalf("%d items", n)
			}
			if sc.count() != 8 {
				t.Fatalf("the second instance sent %d requests, want 8", sc.count())
			}
		})
	}
}
