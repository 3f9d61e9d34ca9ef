package runner

// The worker: every instance of `copyhold serve` runs one. It claims due units per endpoint (the
// store keeps each endpoint's concurrency and per-minute limits across instances), asks the model,
// and reports each attempt fenced on its lease. A unit whose worker died is claimable again when
// its lease runs out; the idempotency key and the fence keep its output, and its item, single.

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"copyhold/labeling/gen"
	"copyhold/labeling/gen/store"
	"copyhold/labeling/model"
)

// Config configures the worker. Zero values take the defaults shown.
type Config struct {
	Completer model.Completer // required: the HTTP client (labeling/model/client)
	Endpoints Endpoints       // required
	Projects  Projects        // required (the candidates kind writes items through it)
	// Handlers add or replace job kinds (candidates is always there unless replaced).
	Handlers map[gen.Kind]Handler
	Policy   gen.Policy

	Lease    time.Duration // 3 min: how long a claimed unit is held (longer than Timeout)
	Timeout  time.Duration // 2 min per request
	Poll     time.Duration // 500 ms between claims when idle
	Parallel int           // 8 requests in flight per instance
}

// Worker runs generation jobs.
type Worker struct {
	cfg Config
	st  *store.Store
	log *slog.Logger

	mu  sync.Mutex
	rnd *rand.Rand
}

// NewWorker makes a worker over st.
func NewWorker(cfg Config, st *store.Store, log *slog.Logger) *Worker {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&cfg.Timeout, 2*time.Minute)
	set(&cfg.Lease, cfg.Timeout+time.Minute)
	set(&cfg.Poll, 500*time.Millisecond)
	if cfg.Parallel <= 0 {
		cfg.Parallel = 8
	}
	hs := map[gen.Kind]Handler{gen.KindCandidates: Candidates(cfg.Projects), gen.KindSuggestions: Suggestions()}
	if w, ok := cfg.Projects.(EvaluationWriter); ok {
		hs[gen.KindEvaluation] = Evaluation(w)
	}
	for k, h := range cfg.Handlers {
		hs[k] = h
	}
	cfg.Handlers = hs
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{cfg: cfg, st: st, log: log, rnd: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x67656e))}
}

// Run works until ctx ends, then waits for the requests in flight to stop (their units are released
// for another worker).
func (w *Worker) Run(ctx context.Context) {
	sem := make(chan struct{}, w.cfg.Parallel)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		n, err := w.round(ctx, sem, &wg)
		if err != nil && ctx.Err() == nil {
			w.log.Warn("generation: claim failed", "error", err)
		}
		if n > 0 && err == nil && len(sem) < cap(sem) {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(w.cfg.Poll):
		}
	}
}

// round claims what each due endpoint has room for and starts it; it returns how many it started.
func (w *Worker) round(ctx context.Context, sem chan struct{}, wg *sync.WaitGroup) (int, error) {
	eps, err := w.st.DueEndpoints(ctx)
	if err != nil {
		return 0, err
	}
	started := 0
	for _, id := range eps {
		free := cap(sem) - len(sem)
		if free == 0 {
			break
		}
		ep, key, err := w.cfg.Endpoints.Endpoint(ctx, id)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return started, err
		}
		lim := store.Limits{Concurrency: ep.Concurrency, PerMinute: ep.PerMinute}
		if err != nil {
			lim = store.Limits{Concurrency: 1} // the endpoint is gone: fail its jobs one unit at a time
		}
		claimed, cerr := w.st.Claim(ctx, id, lim, free, w.cfg.Lease)
		if cerr != nil {
			return started, cerr
		}
		for _, c := range claimed {
			sem <- struct{}{}
			wg.Add(1)
			started++
			go func(c store.Claimed) {
				defer func() { <-sem; wg.Done() }()
				w.process(ctx, ep, key, err, c)
			}(c)
		}
	}
	return started, nil
}

// process runs one unit and reports it. epErr is the error of looking its endpoint up.
func (w *Worker) process(ctx context.Context, ep model.Endpoint, key string, epErr error, c store.Claimed) {
	h, ok := w.cfg.Handlers[c.Kind]
	var out []byte
	var flagged bool
	err := epErr
	if err == nil && !ok {
		err = gen.ErrInvalidJob.With("no handler for job kind %q", c.Kind)
	}
	if err == nil {
		var req model.Request
		if req, err = h.Request(ep, c); err == nil {
			rctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
			var resp model.Response
			resp, err = w.cfg.Completer.Complete(rctx, ep, key, req)
			if err != nil && rctx.Err() == context.DeadlineExceeded && ctx.Err() == nil && !errors.Is(err, model.ErrTimeout) {
				err = errors.Join(model.ErrTimeout, err)
			}
			cancel()
			if err == nil {
				out, flagged, err = h.Accept(ep, c, resp, time.Now())
			}
		}
	}
	if ctx.Err() != nil {
		// Stopping: hand the unit back without counting the attempt.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if rerr := w.st.Release(rctx, c); rerr != nil {
			w.log.Warn("generation: release failed; the lease will run out", "task", c.ID, "error", rerr)
		}
		return
	}
	o := store.Outcome{Output: out, Flagged: flagged}
	if err != nil {
		attempt := c.Attempts + 1
		act, reason := w.cfg.Policy.Decide(err, attempt)
		o = store.Outcome{Reason: reason}
		switch act {
		case gen.Retry:
			w.mu.Lock()
			o.Retry = time.Now().Add(w.cfg.Policy.Backoff(err, attempt, w.rnd))
			w.mu.Unlock()
		case gen.Skip:
			o.Skip = true
		case gen.FailJob:
			o.FailJob = true
		}
	}
	if _, ferr := w.st.Finish(ctx, c, o, h.Write); ferr != nil {
		w.log.Warn("generation: finishing a unit failed; it will be retried", "task", c.ID, "error", ferr)
	}
}
