package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/gen"
	"copyhold/labeling/gen/runner"
	"copyhold/labeling/gen/store"
	"copyhold/labeling/model"
	"copyhold/labeling/tasktype"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// A job writes one pairwise item per prompt, each candidate with its provenance; a candidate that
// names its own model is flagged; progress and the end go out as gen.* events on the gen channel.
func TestCandidatesJobWritesOneItemPerSource(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		sc := newScript(func(ctx context.Context, c call, n int) (model.Response, error) {
			resp := reply(c, "served-"+map[int64]string{1: "llama", 2: "qwen"}[c.Endpoint])
			if c.Prompt == "prompt 0" && c.Endpoint == 1 {
				resp.Choices[0].Message.Content = "As Llama 3, I would say hello."
			}
			return resp, nil
		})
		postings := r.Count(`SELECT COUNT(*) FROM equity_postings`)
		job := r.start(3)
		if job.Status != gen.StatusQueued || job.Counts.Tasks != 6 || job.Counts.Sources != 3 {
			t.Fatalf("new job %+v", job)
		}
		stop := run(r.worker(sc, nil))
		defer stop()
		j := r.wait(job.ID, 10*time.Second)
		if j.Status != gen.StatusDone || j.Counts.Items != 3 || j.Counts.TasksDone != 6 || sc.count() != 6 {
			t.Fatalf("job %+v after %d calls", j, sc.count())
		}
		items := r.generated()
		if len(items) != 3 {
			t.Fatalf("%d items, want 3", len(items))
		}
		flagged := 0
		for id, origins := range items {
			if len(origins) != 2 || origins[0].Field != "a" || origins[1].Field != "b" ||
				origins[0].Model != "served-llama" || origins[1].Model != "served-qwen" || origins[1].EndpointName != "beta" ||
				origins[0].Params.Seed == nil || *origins[0].Params.Seed != 1 || origins[0].At.IsZero() {
				t.Fatalf("item %d provenance %+v", id, origins)
			}
			if origins[0].NamesSelf {
				flagged++
			}
			if origins[1].NamesSelf {
				t.Fatalf("item %d: a neutral candidate was flagged", id)
			}
		}
		if flagged != 1 || j.Counts.Flagged != 1 || len(j.Flags) != 1 || j.Flags[0].Slot != 0 || j.Flags[0].ItemID == nil || len(items[*j.Flags[0].ItemID]) != 2 {
			t.Fatalf("%d candidates flagged as naming their model, want 1", flagged)
		}
		// Only the seed-capable endpoint was sent a seed.
		for _, c := range sc.callsFor("prompt 1") {
			if c.Endpoint == 2 && c.Seed != 0 {
				t.Fatalf("endpoint without seed support got seed %d", c.Seed)
			}
		}
		scope := event.CoordinatorScope
		if n := r.Count(`SELECT COUNT(*) FROM events WHERE type = 'gen.finished' AND scope = ?`, scope); n != 1 {
			t.Fatalf("%d gen.finished events", n)
		}
		if n := r.Count(`SELECT COUNT(*) FROM events WHERE type = 'gen.progress' AND scope = ?`, scope); n < 2 {
			t.Fatalf("%d gen.progress events", n)
		}
		// Generation earns no units.
		if n := r.Count(`SELECT COUNT(*) FROM equity_postings`); n != postings {
			t.Fatalf("%d ledger postings after generation, %d before", n, postings)
		}
	})
}

// Two workers on one database send each (source, slot) exactly once and write each item once;
// neither exceeds an endpoint's concurrency.
func TestTwoWorkersExactlyOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		sc := newScript(func(ctx context.Context, c call, n int) (model.Response, error) {
			time.Sleep(5 * time.Millisecond)
			return reply(c, "m"), nil
		})
		job := r.start(15)
		stopA := run(r.worker(sc, nil))
		stopB := run(r.worker(sc, nil))
		j := r.wait(job.ID, 30*time.Second)
		stopA()
		stopB()
		if j.Status != gen.StatusDone || j.Counts.Items != 15 || sc.count() != 30 {
			t.Fatalf("job %+v after %d calls, want 30", j, sc.count())
		}
		seen := map[string]int{}
		for _, c := range sc.calls {
			seen[c.Prompt+"/"+string(rune('0'+c.Endpoint))]++
		}
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("%s was asked %d times", k, n)
			}
		}
		if sc.maxIn[1] > 4 || sc.maxIn[2] > 2 {
			t.Fatalf("in flight: alpha %d (limit 4), beta %d (limit 2)", sc.maxIn[1], sc.maxIn[2])
		}
		if n := len(r.generated()); n != 15 {
			t.Fatalf("%d items, want 15", n)
		}
	})
}

// A worker that dies with units leased (its process killed: nothing released) and one stopped
// mid-request: a new worker finishes the job with exactly K candidates per item.
func TestRestartMidJobResumesWithoutDuplicates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		job := r.start(6)
		// The dead process: it claimed units of both endpoints and never came back.
		for _, ep := range []int64{1, 2} {
			if c, err := r.st.Claim(r.Ctx, ep, store.Limits{Concurrency: 2}, 2, 300*time.Millisecond); err != nil || len(c) != 2 {
				t.Fatalf("claim: %v %d", err, len(c))
			}
		}
		// A worker stopped while its requests hang.
		var hung atomic.Int32
		hang := newScript(func(ctx context.Context, c call, n int) (model.Response, error) {
			hung.Add(1)
			<-ctx.Done()
			return model.Response{}, ctx.Err()
		})
		stop := run(r.worker(hang, nil))
		for hung.Load() < 2 {
			time.Sleep(5 * time.Millisecond)
		}
		stop()
		sc := newScript(ok)
		stop = run(r.worker(sc, nil))
		defer stop()
		j := r.wait(job.ID, 20*time.Second)
		if j.Status != gen.StatusDone || j.Counts.Items != 6 || j.Counts.TasksDone != 12 {
			t.Fatalf("job %+v", j)
		}
		items := r.generated()
		if len(items) != 6 {
			t.Fatalf("%d items, want 6", len(items))
		}
		for id, o := range items {
			if len(o) != 2 {
				t.Fatalf("item %d has %d candidates", id, len(o))
			}
		}
		if n := r.Count(`SELECT COUNT(*) FROM gen_tasks WHERE job_id = ? AND attempts <> 1`, job.ID); n != 0 {
			t.Fatalf("%d tasks counted more than one attempt (a stop or a dead lease must not count)", n)
		}
	})
}

// A 429 with Retry-After is waited out before the unit is asked again.
func TestRetryAfterIsHonoured(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		const wait = 400 * time.Millisecond
		sc := newScript(func(ctx context.Context, c call, n int) (model.Response, error) {
			if n == 0 && c.Endpoint == 1 {
				return model.Response{}, &model.RetryAfter{Err: model.ErrRateLimited, Delay: wait}
			}
			if n == 0 && c.Endpoint == 2 {
				return model.Response{}, model.ErrUpstream
			}
			return reply(c, "m"), nil
		})
		job := r.start(1)
		stop := run(r.worker(sc, nil))
		defer stop()
		j := r.wait(job.ID, 10*time.Second)
		if j.Status != gen.StatusDone || j.Counts.Items != 1 {
			t.Fatalf("job %+v", j)
		}
		var first, second time.Time
		for _, c := range sc.callsFor("prompt 0") {
			if c.Endpoint == 1 {
				if first.IsZero() {
					first = c.At
				} else {
					second = c.At
				}
			}
		}
		if second.IsZero() || second.Sub(first) < wait {
			t.Fatalf("retried after %v, Retry-After was %v", second.Sub(first), wait)
		}
		if len(sc.callsFor("prompt 0")) != 4 {
			t.Fatalf("%d calls, want 4 (two failures, two successes)", len(sc.callsFor("prompt 0")))
		}
	})
}

// Cancelling a job stops new requests; what was in flight is dropped.
func TestCancelStopsNewRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		sc := newScript(func(ctx context.Context, c call, n int) (model.Response, error) {
			time.Sleep(30 * time.Millisecond)
			return reply(c, "m"), nil
		})
		job := r.start(40)
		stop := run(r.worker(sc, func(c *runner.Config) { c.Parallel = 2 }))
		defer stop()
		for sc.count() < 4 {
			time.Sleep(5 * time.Millisecond)
		}
		j, err := r.svc.Cancel(r.Ctx, r.Coord, job.ID)
		if err != nil || j.Status != gen.StatusCancelled {
			t.Fatalf("cancel: %v %+v", err, j)
		}
		at := sc.count()
		time.Sleep(300 * time.Millisecond)
		if after := sc.count(); after > at+2 { // at most the two already claimed
			t.Fatalf("%d requests after cancel", after-at)
		}
		if _, err := r.svc.Cancel(r.Ctx, r.Coord, job.ID); !errors.Is(err, gen.ErrJobFinished) {
			t.Fatalf("second cancel: %v", err)
		}
		if n := r.Count(`SELECT COUNT(*) FROM events WHERE type = 'gen.finished'`); n != 1 {
			t.Fatalf("%d gen.finished events", n)
		}
	})
}

// An answer that is unusable is retried, then skipped with its reason; its source gets no item,
// the others do; an item_failed event carries the reason.
func TestBadOutputIsRecordedPerItem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		sc := newScript(func(ctx context.Context, c call, n int) (model.Response, error) {
			if c.Prompt == "prompt 1" && c.Endpoint == 2 {
				return model.Response{Model: "m", Choices: []model.Choice{{Message: tasktype.Message{Role: "assistant", Content: "  "}}}}, nil
			}
			return reply(c, "m"), nil
		})
		job := r.start(3)
		stop := run(r.worker(sc, func(c *runner.Config) { c.Policy.MaxInvalidAttempts = 2 }))
		defer stop()
		j := r.wait(job.ID, 10*time.Second)
		if j.Status != gen.StatusDone || j.Counts.Items != 2 || j.Counts.SourcesFailed != 1 || j.Counts.TasksSkipped != 1 {
			t.Fatalf("job %+v", j)
		}
		if len(j.Failures) != 1 || j.Failures[0].Attempts != 2 || !strings.Contains(j.Failures[0].Reason, "empty") || j.Failures[0].Slot != 1 {
			t.Fatalf("failures %+v", j.Failures)
		}
		if n := r.Count(`SELECT COUNT(*) FROM events WHERE type = 'gen.item_failed' AND CAST(payload AS TEXT) LIKE '%empty%'`); n != 1 {
			t.Fatalf("%d item_failed events", n)
		}
		if len(r.generated()) != 2 {
			t.Fatal("a source with a skipped candidate got an item")
		}
	})
}

// A refused key fails the job at once, with the reason, after one request.
func TestAuthErrorFailsFast(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		sc := newScript(func(ctx context.Context, c call, n int) (model.Response, error) {
			return model.Response{}, model.ErrAuth.With("the model server refused the key (401)")
		})
		job := r.start(5)
		stop := run(r.worker(sc, func(c *runner.Config) { c.Parallel = 1 }))
		defer stop()
		j := r.wait(job.ID, 10*time.Second)
		if j.Status != gen.StatusFailed || !strings.Contains(j.Reason, "401") || sc.count() != 1 {
			t.Fatalf("job %+v after %d calls", j, sc.count())
		}
	})
}

// Bad requests are refused before anything is planned.
func TestStartRefusesBadJobs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		for name, p := range map[string]gen.CandidateParams{
			"unknown endpoint": {Slots: []gen.Slot{{EndpointID: 1}, {EndpointID: 9}}, Prompts: prompts(1)},
			"three slots":      {Slots: []gen.Slot{{EndpointID: 1}, {EndpointID: 1}, {EndpointID: 2}}, Prompts: prompts(1)},
			"bad prompt":       {Slots: []gen.Slot{{EndpointID: 1}, {EndpointID: 2}}, Prompts: []json.RawMessage{json.RawMessage(`{"x":1}`)}},
		} {
			if _, err := r.svc.StartCandidates(r.Ctx, r.Coord, r.project.ID, p); !errors.Is(err, gen.ErrInvalidJob) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if n := r.Count(`SELECT COUNT(*) FROM gen_jobs`); n != 0 {
			t.Fatalf("%d jobs stored", n)
		}
	})
}

// A project closed while its job runs takes no more items: each remaining prompt fails with the
// reason, nothing is half-written, and the job still ends.
func TestClosedProjectFailsRemainingSources(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		job := r.start(2)
		if _, err := r.S.Projects.SetProjectStatus(r.Ctx, &r.Coord, r.project.ID, labeling.ProjectClosed); err != nil {
			t.Fatal(err)
		}
		stop := run(r.worker(newScript(ok), nil))
		defer stop()
		j := r.wait(job.ID, 10*time.Second)
		if j.Status != gen.StatusDone || j.Counts.Items != 0 || j.Counts.SourcesFailed != 2 {
			t.Fatalf("job %+v", j)
		}
		if n := r.Count(`SELECT COUNT(*) FROM events WHERE type = 'gen.item_failed' AND CAST(payload AS TEXT) LIKE '%closed%'`); n != 2 {
			t.Fatalf("%d item_failed events naming the closed project", n)
		}
		if n := r.Count(`SELECT COUNT(*) FROM items WHERE project_id = ?`, r.project.ID); n != 0 {
			t.Fatalf("%d items in a closed project", n)
		}
	})
}

// A project's items are a source too: the conversations of one project become ranking items of
// K=3 candidates in another; a conversation ending in the assistant's turn is continued from the
// turn before it.
func TestCandidatesFromAProjectIntoRanking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := newRig(t, db)
		src := r.Project("chats", func(ps *labeling.ProjectSettings) {
			ps.TaskType = tasktype.TaskClassification
			ps.Schema = json.RawMessage(`{"conversation_field":"messages","turn":"conversation","choices":[{"value":"ok"},{"value":"bad"}]}`)
		})
		r.ImportLines(src.ID,
			`{"messages":[{"role":"user","content":"first"}]}`,
			`{"messages":[{"role":"user","content":"second"},{"role":"assistant","content":"old answer"}]}`)
		rank := r.Project("ranked", func(ps *labeling.ProjectSettings) {
			ps.TaskType = tasktype.TaskRanking
			ps.Schema = json.RawMessage(`{"conversation_field":"messages"}`)
		})
		sc := newScript(ok)
		job, err := r.svc.StartCandidates(r.Ctx, r.Coord, rank.ID, gen.CandidateParams{SourceProjectID: src.ID,
			Slots: []gen.Slot{{EndpointID: 1, Seed: seed(1)}, {EndpointID: 1, Seed: seed(2)}, {EndpointID: 2}}})
		if err != nil {
			t.Fatal(err)
		}
		stop := run(r.worker(sc, nil))
		defer stop()
		j := r.wait(job.ID, 10*time.Second)
		if j.Status != gen.StatusDone || j.Counts.Items != 2 || j.Counts.TasksDone != 6 {
			t.Fatalf("job %+v", j)
		}
		var data []string
		db.Raw(`SELECT data FROM items WHERE project_id = ? ORDER BY id`, rank.ID).Scan(&data)
		if len(data) != 2 {
			t.Fatalf("ranking items %v", data)
		}
		for _, d := range data {
			if strings.Contains(d, "old answer") || !strings.Contains(d, `"r3"`) {
				t.Fatalf("ranking item %s", d)
			}
		}
		if len(sc.callsFor("second")) != 3 {
			t.Fatalf("the continued conversation was asked %d times", len(sc.callsFor("second")))
		}
	})
}
