// Package live delivers committed events to websocket clients, in order and authorised per channel.
package live

// The hub is the only reader of the events table, through Reader. One
// poller per process reads committed rows past its cursor, in id order
// (deliver.go), and hands each to the connections subscribed to its scope.
// Authorisation is checked on every subscribe and re-checked, without
// touching the database, when an event that changes it (role revoked or
// granted, member deactivated, added to or removed from a project) passes
// through (access.go), so the decision and the stream it guards stay in the
// same order. Files: config.go (what the hub needs), hub.go (lifecycle),
// registry.go (connections and subscriptions), deliver.go (the poller and
// gaps), access.go (channels, policy, authorisation changes), frames.go
// (encoding and redaction), presence.go, prune.go, conn.go (the read pump and
// subscribe/replay), outbox.go (the write pump and send queue), upgrade.go,
// credential.go (sockets end with their session or token; per-member and
// per-address caps).

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Hub fans committed events out to websocket connections.
type Hub struct {
	cfg Config
	ev  Reader
	log *slog.Logger

	writePool sync.Pool // write buffers are held only while writing

	mu        sync.Mutex
	started   bool
	closed    bool
	cursor    int64 // last event id dispatched or given up on
	conns     map[*wsConn]struct{}
	channels  map[string]map[*subscription]struct{}
	byMember  map[int64]map[*wsConn]struct{}
	authSeq   map[int64]int64     // member id → id of the last event that changed what they may see
	skipped   map[int64]time.Time // ids given up on at a gap, watched for a late commit
	presence  map[int64]*presenceState
	perMember map[int64]int  // open or opening sockets per member (the cap)
	perIP     map[string]int // and per client address

	presenceDirty chan struct{}
	gap           gapWatch // poller goroutine only

	cancel context.CancelFunc
	wg     sync.WaitGroup

	slowDrops   atomic.Int64
	delivered   atomic.Int64
	gapsSkipped atomic.Int64
}

// New returns a hub; Start it before serving.
func New(cfg Config, log *slog.Logger) *Hub {
	cfg.defaults()
	return &Hub{
		cfg: cfg, ev: cfg.Events, log: log,
		conns:         map[*wsConn]struct{}{},
		channels:      map[string]map[*subscription]struct{}{},
		byMember:      map[int64]map[*wsConn]struct{}{},
		authSeq:       map[int64]int64{},
		skipped:       map[int64]time.Time{},
		presence:      map[int64]*presenceState{},
		perMember:     map[int64]int{},
		perIP:         map[string]int{},
		presenceDirty: make(chan struct{}, 1),
	}
}

// Start reads the current head of the events table and starts the poller,
// presence and pruning. Clients that connect later and want older events
// resume with "since".
func (h *Hub) Start(ctx context.Context) error {
	head, err := h.ev.LastID(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h.mu.Lock()
	h.cursor, h.started, h.cancel = head, true, cancel
	h.mu.Unlock()
	h.wg.Add(4)
	go func() { defer h.wg.Done(); h.poll(ctx) }()
	go func() { defer h.wg.Done(); h.recheckLoop(ctx) }()
	go func() { defer h.wg.Done(); h.presenceLoop(ctx) }()
	go func() { defer h.wg.Done(); h.pruneLoop(ctx) }()
	return nil
}

// Close stops delivery and closes every connection with 1001 (going away),
// waiting up to WriteWait for the close frames to go out.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	conns := make([]*wsConn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
		h.dropLocked(c)
		c.out.close(websocket.CloseGoingAway, "server shutting down")
	}
	cancel := h.cancel
	h.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	deadline := time.After(h.cfg.WriteWait)
	for _, c := range conns {
		select {
		case <-c.writerDone:
		case <-deadline:
			c.ws.Close()
		}
	}
	h.wg.Wait()
}

// Stats is a snapshot of the hub's counters.
type Stats struct {
	Connections   int   `json:"connections"`
	Subscriptions int   `json:"subscriptions"`
	Cursor        int64 `json:"cursor"`
	SlowDrops     int64 `json:"slow_drops"`
	Delivered     int64 `json:"delivered"`
	GapsSkipped   int64 `json:"gaps_skipped"`
}

// Stats reports connections, subscriptions and counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, subs := range h.channels {
		n += len(subs)
	}
	return Stats{Connections: len(h.conns), Subscriptions: n, Cursor: h.cursor,
		SlowDrops: h.slowDrops.Load(), Delivered: h.delivered.Load(), GapsSkipped: h.gapsSkipped.Load()}
}
