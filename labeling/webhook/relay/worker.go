package relay

// The worker: fan out committed events into the delivery queue, then claim
// due deliveries and send them. Every instance of `copyhold serve` runs one;
// the cursor's conditional UPDATE and the claim's SKIP LOCKED make them share
// the work without sending anything twice.

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"copyhold/labeling/event/feed"
	"copyhold/labeling/webhook"
	"copyhold/labeling/webhook/store"
)

// Events is what the worker reads of the events table (labeling/event's
// Store): committed rows after a cursor, and the gap checks that tell a
// rolled-back id from one still to commit (see server/live/deliver.go).
type Events interface {
	After(ctx context.Context, after int64, limit int) ([]feed.Event, error)
	CommitsInOrder() bool
	GapProbe(ctx context.Context) (string, error)
	WritersSince(ctx context.Context, probe string) (int64, error)
}

// DefaultBackoff is the pause before each retry: seven retries over about
// nine hours, then the endpoint is disabled.
var DefaultBackoff = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute,
	30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// Config configures the worker. Zero values take the defaults shown.
type Config struct {
	Events Events          // required
	Wake   <-chan struct{} // events may have committed (Store.Listen); nil: poll only
	Policy webhook.Policy  // where deliveries may go

	Timeout   time.Duration   // 15 s per attempt, connection included
	Backoff   []time.Duration // DefaultBackoff; when spent, the endpoint is disabled
	Gather    time.Duration   // 1 min: how long review.decided gathers per project
	Poll      time.Duration   // 1 s fallback poll
	Batch     int             // 500 events per read
	Parallel  int             // 8 deliveries in flight per instance
	GapSettle time.Duration   // 20 ms before probing in-flight writers at a gap
	GapWait   time.Duration   // 5 min: the longest the fan-out holds at a gap
	Retention time.Duration   // 30 days: delivered messages and their attempts are kept this long

	// Client sends the requests (nil: one built on Policy.Control with
	// Timeout, no proxy and no redirects).
	Client *http.Client
}

func (c *Config) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&c.Timeout, 15*time.Second)
	set(&c.Gather, time.Minute)
	set(&c.Poll, time.Second)
	set(&c.GapSettle, 20*time.Millisecond)
	set(&c.GapWait, 5*time.Minute)
	set(&c.Retention, 30*24*time.Hour)
	if len(c.Backoff) == 0 {
		c.Backoff = DefaultBackoff
	}
	if c.Batch <= 0 {
		c.Batch = 500
	}
	if c.Parallel <= 0 {
		c.Parallel = 8
	}
	if c.Client == nil {
		c.Client = NewClient(c.Policy, c.Timeout)
	}
}

// NewClient is the HTTP client deliveries go through: every connection is
// checked by policy at dial time, after name resolution; no proxy (it would
// dial for us, unchecked); redirects are not followed (a 3xx is a failure).
func NewClient(policy webhook.Policy, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: policy.Control}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Worker delivers webhooks.
type Worker struct {
	cfg Config
	st  *store.Store
	log *slog.Logger
	gap gapWatch
}

// NewWorker makes a worker over st.
func NewWorker(cfg Config, st *store.Store, log *slog.Logger) *Worker {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{cfg: cfg, st: st, log: log}
}

// Run works until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.cfg.Wake:
		case <-timer.C:
		case <-prune.C:
			if n, err := w.st.Prune(ctx, w.cfg.Retention); err != nil {
				w.log.Warn("webhooks: pruning delivered messages failed", "err", err)
			} else if n > 0 {
				w.log.Info("webhooks: pruned delivered messages", "count", n)
			}
			continue
		}
		again := w.Step(ctx)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(again)
	}
}

// Step fans out what committed and sends what is due, once, and says when
// to look again.
func (w *Worker) Step(ctx context.Context) time.Duration {
	again := w.cfg.Poll
	for ctx.Err() == nil {
		more, held, err := w.fanout(ctx)
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("webhooks: fan-out failed", "err", err)
			}
			break
		}
		if held {
			again = 5 * time.Millisecond
		}
		if !more {
			break
		}
	}
	for ctx.Err() == nil {
		n, err := w.deliver(ctx)
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("webhooks: claiming deliveries failed", "err", err)
			}
			break
		}
		if n < w.cfg.Parallel {
			break
		}
	}
	if due, err := w.st.NextDue(ctx); err == nil && !due.IsZero() {
		again = min(again, max(time.Until(due), time.Millisecond))
	}
	return again
}

// fanout queues one batch of committed events: only a gap-free prefix, as
// live delivery does, so nothing goes out ahead of an event still to commit.
func (w *Worker) fanout(ctx context.Context) (more, held bool, err error) {
	from, err := w.st.Cursor(ctx)
	if err != nil {
		return false, false, err
	}
	rows, err := w.cfg.Events.After(ctx, from, w.cfg.Batch)
	if err != nil {
		return false, false, err
	}
	upTo := from
	var ready []feed.Event
	for _, e := range rows {
		if e.ID != upTo+1 && !w.gapResolved(ctx, upTo+1) {
			held = true
			break
		}
		ready = append(ready, e)
		upTo = e.ID
	}
	if upTo == from {
		return false, held, nil
	}
	err = w.st.Fanout(ctx, from, upTo, ready, w.cfg.Gather)
	if errors.Is(err, store.ErrCursorMoved) {
		return true, held, nil // another instance did it; read on from its cursor
	}
	return err == nil && !held && len(rows) == w.cfg.Batch, held, err
}

// deliver claims due deliveries and sends them in parallel.
func (w *Worker) deliver(ctx context.Context) (int, error) {
	claimed, err := w.st.Claim(ctx, w.cfg.Parallel, w.lease())
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, c := range claimed {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.send(ctx, c)
		}()
	}
	wg.Wait()
	return len(claimed), nil
}

// lease is how long a claim holds a delivery: past the attempt's timeout,
// so a live worker never loses the delivery it is sending.
func (w *Worker) lease() time.Duration { return w.cfg.Timeout + 30*time.Second }

// Fanout queues what has committed, without sending: for tests and tools.
func (w *Worker) Fanout(ctx context.Context) error {
	for {
		more, _, err := w.fanout(ctx)
		if err != nil || !more {
			return err
		}
	}
}
