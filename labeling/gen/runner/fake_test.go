package runner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote/govern"
	"copyhold/labeling"
	"copyhold/labeling/gen"
	"copyhold/labeling/gen/runner"
	"copyhold/labeling/gen/store"
	"copyhold/labeling/model"
	"copyhold/labeling/store/storetest"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"

	"gorm.io/gorm"
)

// endpoints is an in-test registry.
type endpoints map[int64]model.Endpoint

func (e endpoints) Endpoint(_ context.Context, id int64) (model.Endpoint, string, error) {
	ep, ok := e[id]
	if !ok {
		return model.Endpoint{}, "", model.ErrNotFound
	}
	return ep, "key-" + ep.Name, nil
}

// call is one request the scripted completer saw.
type call struct {
	Endpoint int64
	Prompt   string
	Seed     int64
	At       time.Time
}

// script is a Completer double: answer decides each reply (n counts earlier calls for the same
// endpoint and prompt); it records every call and the most requests in flight per endpoint.
type script struct {
	mu       sync.Mutex
	calls    []call
	inFlight map[int64]int
	maxIn    map[int64]int
	answer   func(ctx context.Context, c call, n int) (model.Response, error)
}

func newScript(answer func(ctx context.Context, c call, n int) (model.Response, error)) *script {
	return &script{inFlight: map[int64]int{}, maxIn: map[int64]int{}, answer: answer}
}

func (s *script) Complete(ctx context.Context, ep model.Endpoint, key string, req model.Request) (model.Response, error) {
	if key != "key-"+ep.Name {
		return model.Response{}, model.ErrAuth
	}
	c := call{Endpoint: ep.ID, Prompt: req.Messages[len(req.Messages)-1].Content, At: time.Now()}
	if req.Seed != nil {
		c.Seed = *req.Seed
	}
	s.mu.Lock()
	n := 0
	for _, p := range s.calls {
		if p.Endpoint == c.Endpoint && p.Prompt == c.Prompt && p.Seed == c.Seed {
			n++
		}
	}
	s.calls = append(s.calls, c)
	s.inFlight[ep.ID]++
	s.maxIn[ep.ID] = max(s.maxIn[ep.ID], s.inFlight[ep.ID])
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.inFlight[ep.ID]--; s.mu.Unlock() }()
	return s.answer(ctx, c, n)
}

func (s *script) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.calls) }

func (s *script) callsFor(prompt string) []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []call
	for _, c := range s.calls {
		if c.Prompt == prompt {
			out = append(out, c)
		}
	}
	return out
}

// reply is a normal answer naming the model.
func reply(c call, modelName string) model.Response {
	return model.Response{Model: modelName, Choices: []model.Choice{{FinishReason: "stop",
		Message: tasktype.Message{Role: "assistant", Content: fmt.Sprintf("answer to %s (seed %d)", c.Prompt, c.Seed)}}}}
}

func ok(ctx context.Context, c call, n int) (model.Response, error) {
	return reply(c, "served-model"), nil
}

// rig is a lab with a pairwise conversation project, two endpoints and a job service.
type rig struct {
	*storetest.Lab
	st      *store.Store
	svc     *runner.Service
	eps     endpoints
	project labeling.Project
}

func newRig(t *testing.T, db *gorm.DB) *rig {
	lab := storetest.NewLab(t, db)
	// The real ledger and register, so that a test can see that generation earns nothing.
	lab.S = lab.S.WithLedger(govern.NewLedger(db, nil)).WithRegister(equitystore.Reads{})
	lab.W = work.New(lab.S)
	lab.Labellers("lab", 1) // a project member, to compare what was generated
	p := lab.Project("prefs", func(ps *labeling.ProjectSettings) {
		ps.TaskType = tasktype.TaskPairwise
		ps.Schema = json.RawMessage(`{"conversation_field":"messages","a_field":"a","b_field":"b"}`)
		ps.Overlap = 1
	})
	eps := endpoints{
		1: {ID: 1, Name: "alpha", Model: "meta-llama/Llama-3.1-8B-Instruct", Concurrency: 4, Caps: model.Capabilities{Chat: true, Seed: true}},
		2: {ID: 2, Name: "beta", Model: "qwen2.5:7b", Concurrency: 2, Caps: model.Capabilities{Chat: true}},
	}
	st := store.New(db, nil)
	st.ProgressEvery = 0
	return &rig{Lab: lab, st: st, svc: runner.NewService(st, lab.S.Projects, eps), eps: eps, project: p}
}

func (r *rig) worker(c model.Completer, edit func(*runner.Config)) *runner.Worker {
	cfg := runner.Config{Completer: c, Endpoints: r.eps, Projects: r.S.Projects, Poll: 10 * time.Millisecond,
		Timeout: 5 * time.Second, Policy: gen.Policy{Base: 10 * time.Millisecond, Cap: 50 * time.Millisecond}}
	if edit != nil {
		edit(&cfg)
	}
	return runner.NewWorker(cfg, r.st, nil)
}

// run starts w until the returned stop is called.
func run(w *runner.Worker) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func prompts(n int) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range out {
		out[i] = json.RawMessage(fmt.Sprintf(`{"prompt":"prompt %d"}`, i))
	}
	return out
}

func seed(v int64) *int64 { return &v }

func (r *rig) start(n int, slots ...gen.Slot) gen.Job {
	r.T.Helper()
	if len(slots) == 0 {
		slots = []gen.Slot{{EndpointID: 1, Seed: seed(1)}, {EndpointID: 2, Seed: seed(2)}}
	}
	j, err := r.svc.StartCandidates(r.Ctx, r.Coord, r.project.ID, gen.CandidateParams{Slots: slots, Prompts: prompts(n)})
	if err != nil {
		r.T.Fatal(err)
	}
	return j
}

// wait polls the job until it is terminal.
func (r *rig) wait(id int64, within time.Duration) gen.Job {
	r.T.Helper()
	deadline := time.Now().Add(within)
	for {
		j, err := r.svc.Get(r.Ctx, id)
		if err != nil {
			r.T.Fatal(err)
		}
		if j.Status.Terminal() {
			return j
		}
		if time.Now().After(deadline) {
			r.T.Fatalf("job %d still %s after %v: %+v", id, j.Status, within, j.Counts)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// generated reads every item of the project with its provenance.
func (r *rig) generated() map[int64][]gen.Origin {
	r.T.Helper()
	var rows []struct {
		ID         int64
		Generation *string
	}
	if err := r.DB.Raw(`SELECT id, generation FROM items WHERE project_id = ?`, r.project.ID).Scan(&rows).Error; err != nil {
		r.T.Fatal(err)
	}
	out := map[int64][]gen.Origin{}
	for _, row := range rows {
		var o []gen.Origin
		if row.Generation == nil || json.Unmarshal([]byte(*row.Generation), &o) != nil {
			r.T.Fatalf("item %d has no provenance", row.ID)
		}
		out[row.ID] = o
	}
	return out
}
