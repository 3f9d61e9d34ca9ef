package runner_test

import (
	"context"
	"os"
	"testing"
	"time"

	"copyhold/labeling/gen"
	"copyhold/labeling/gen/runner"
	"copyhold/labeling/model"
	"copyhold/labeling/model/client"
	"copyhold/labeling/model/modeltest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// The candidates job against the faithful test server, one profile each (vLLM, llama.cpp's server,
// Ollama, a bare server), through the real HTTP client and the probe's capabilities, with a 429
// (Retry-After), a 503, a malformed answer and a slow one on the way: every prompt gets exactly
// one item with two candidates, and the seed reaches only the servers that honour it.
func TestCandidatesAgainstEveryProfile(t *testing.T) {
	for _, p := range []modeltest.Profile{modeltest.VLLM, modeltest.LlamaCpp, modeltest.Ollama, modeltest.Bare} {
		t.Run(p.Name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				srv := modeltest.New(t, p)
				// Generous timeouts: no fault here hangs, and a loaded CI machine
				// (the race detector, PostgreSQL, other packages' tests) once took a
				// request past 3 s.
				c := client.New(client.Config{Timeout: 15 * time.Second})
				ep := model.Endpoint{ID: 1, Name: p.Name + " box", BaseURL: srv.URL, Model: "tiny-" + p.Name, Concurrency: 2}
				caps, err := c.Probe(context.Background(), ep, "")
				if err != nil {
					t.Fatal(err)
				}
				ep.Caps = caps
				r := newRig(t, db)
				r.eps[1] = ep
				delete(r.eps, 2)
				probed := srv.Requests()
				srv.Fail(modeltest.Fault{Status: 429, RetryAfter: "1"})
				srv.Fail(modeltest.Fault{Status: 503})
				srv.Fail(modeltest.Fault{Malformed: true})
				srv.Fail(modeltest.Fault{Delay: 300 * time.Millisecond})
				job := r.start(3, gen.Slot{EndpointID: 1, Seed: seed(7)}, gen.Slot{EndpointID: 1, Seed: seed(8), Temperature: ptr(0.9)})
				stop := run(r.worker(c, func(cfg *runner.Config) { cfg.Timeout = 15 * time.Second }))
				j := r.wait(job.ID, 60*time.Second)
				stop()
				if j.Status != gen.StatusDone || j.Counts.Items != 3 || j.Counts.TasksSkipped != 0 {
					t.Fatalf("job %+v", j)
				}
				items := r.generated()
				if len(items) != 3 {
					t.Fatalf("%d items", len(items))
				}
				for id, o := range items {
					if len(o) != 2 || o[0].Model == "" || o[0].EndpointName != p.Name+" box" {
						t.Fatalf("item %d: %+v", id, o)
					}
				}
				// 6 units + the 3 faulted answers that were retried (the slow one succeeded).
				if got := srv.Requests() - probed; got != 9 {
					t.Fatalf("%d requests, want 9", got)
				}
				seeds := 0
				for _, b := range srv.Bodies()[probed:] {
					if _, ok := b["seed"]; ok {
						seeds++
					}
				}
				if (seeds > 0) != caps.Seed {
					t.Fatalf("%d requests carried a seed; the probe says seed=%v", seeds, caps.Seed)
				}
			})
		})
	}
}

func ptr[T any](v T) *T { return &v }

// The candidates job against a real OpenAI-compatible server when COPYHOLD_TEST_LLM_URL is set
// (README: e.g. Ollama at http://127.0.0.1:11434/v1 with COPYHOLD_TEST_LLM_MODEL=llama3.2).
func TestCandidatesAgainstARealServer(t *testing.T) {
	url := os.Getenv("COPYHOLD_TEST_LLM_URL")
	if url == "" {
		t.Skip("COPYHOLD_TEST_LLM_URL is not set: set it (and COPYHOLD_TEST_LLM_MODEL, COPYHOLD_TEST_LLM_KEY) to generate with a real server")
	}
	db := dbtest.Open(t, dbtest.SQLite)
	c := client.New(client.Config{Timeout: 60 * time.Second})
	name := os.Getenv("COPYHOLD_TEST_LLM_MODEL")
	ep := model.Endpoint{ID: 1, Name: "real", BaseURL: url, Model: name, Concurrency: 1}
	key := os.Getenv("COPYHOLD_TEST_LLM_KEY")
	caps, err := c.Probe(context.Background(), ep, key)
	if err != nil {
		t.Fatal(err)
	}
	ep.Caps = caps
	r := newRig(t, db)
	r.eps = endpoints{1: ep}
	r.svc = runner.NewService(r.st, r.S.Projects, keyed{r.eps, key})
	job := r.start(2, gen.Slot{EndpointID: 1, Seed: seed(1), Temperature: ptr(0.7)}, gen.Slot{EndpointID: 1, Seed: seed(2), Temperature: ptr(1.0)})
	stop := run(r.worker(c, func(cfg *runner.Config) { cfg.Timeout, cfg.Endpoints = 60*time.Second, keyed{r.eps, key} }))
	defer stop()
	j := r.wait(job.ID, 5*time.Minute)
	if j.Status != gen.StatusDone || j.Counts.Items+j.Counts.SourcesFailed != 2 {
		t.Fatalf("job %+v", j)
	}
}

// keyed is an endpoint registry with one real key.
type keyed struct {
	eps endpoints
	key string
}

func (k keyed) Endpoint(ctx context.Context, id int64) (model.Endpoint, string, error) {
	ep, _, err := k.eps.Endpoint(ctx, id)
	return ep, k.key, err
}
