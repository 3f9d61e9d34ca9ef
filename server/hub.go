package server

// The hub is the only reader of the events table. One poller per process
// reads committed rows past its cursor, in id order, and hands each to the
// connections subscribed to its scope. Authorisation is checked on every
// subscribe and re-checked, without touching the database, when an event
// that changes it (role revoked or granted, member deactivated, added to or
// removed from a project) passes through, so the decision and the stream it
// guards stay in the same order.
//
// Ordering on PostgreSQL. BIGSERIAL ids are handed out before commit, so the
// transaction holding id 9 may commit after the one holding id 10. The hub
// therefore delivers only a gap-free prefix: when it sees 10 but not 9 it
// holds everything from 9 on until 9 appears or it is sure 9 never will.
// "Sure" means: after a short settle time (GapSettle) it notes the database
// clock; an INSERT into events takes a row-exclusive lock on the table before
// it draws its id and keeps it until commit or rollback, so once no
// transaction begun before that moment holds the lock and 9 is still not
// visible, 9 was rolled back and is skipped. That usually takes
// milliseconds, and transactions that never write events (or write them in
// another schema on the same server) do not delay it. A long transaction that
// wrote an event early (a big import) would, so GapWait (default 2 s) bounds
// the hold; an id skipped that way and then
// committed late is caught by a periodic re-check, and its channel's
// subscribers get a "reset" (re-fetch the snapshot) rather than an
// out-of-order event.
//
// The alternative, a transaction-level advisory lock taken at event insert,
// makes ids commit in order but serialises every event-writing transaction
// from its insert to its commit, including the WAL flush: claims and submits
// from many labellers would queue on one lock, and a transaction that
// appends an event early (claims append task.expired before the lease) holds
// it for its whole remaining life. The NOTIFY we already send serialises only
// the commit record itself. Holding delivery at a gap costs a few
// milliseconds of latency for events behind a rollback and nothing on the
// write path, so we chose it.
//
// SQLite has a single writer, so ids commit in order and a gap (a deleted
// row) can never fill: it is skipped at once.

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/store"

	"github.com/gorilla/websocket"
	"gorm.io/gorm"
)

// HubConfig configures live delivery. Zero values take the defaults shown.
type HubConfig struct {
	Store  *store.Stores
	Fanout Fanout // required: FanoutFor picks one

	PongWait      time.Duration // 60 s: a connection silent this long is dead
	PingPeriod    time.Duration // 54 s: must be below PongWait
	WriteWait     time.Duration // 10 s per frame write
	SendBuffer    int           // 256 queued frames, then the client is dropped as slow
	MaxFrameBytes int64         // 4 KB client frames; larger closes with 1009
	MaxChannels   int           // 64 subscriptions per connection
	MaxReplay     int           // 5000 events replayed on resume; more gets "reset"

	PollInterval time.Duration // 1 s fallback poll when no wake-up arrives
	BatchSize    int           // 500 events per read
	GapSettle    time.Duration // 20 ms before probing in-flight transactions at a gap
	GapWait      time.Duration // 2 s: the longest delivery is held at a gap

	Retention  time.Duration // 30 days of events kept for resume
	PruneEvery time.Duration // 1 h between prunes; negative disables pruning

	PresenceEvery  time.Duration // 500 ms: presence updates are batched this often
	LateCheckEvery time.Duration // 5 s: how often ids skipped at a gap are looked up again
}

func (c *HubConfig) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	set(&c.PongWait, 60*time.Second)
	set(&c.PingPeriod, c.PongWait*9/10)
	set(&c.WriteWait, 10*time.Second)
	set(&c.PollInterval, time.Second)
	set(&c.GapSettle, 20*time.Millisecond)
	set(&c.GapWait, 2*time.Second)
	set(&c.Retention, 30*24*time.Hour)
	set(&c.PruneEvery, time.Hour)
	set(&c.PresenceEvery, 500*time.Millisecond)
	set(&c.LateCheckEvery, 5*time.Second)
	if c.SendBuffer == 0 {
		c.SendBuffer = 256
	}
	if c.MaxFrameBytes == 0 {
		c.MaxFrameBytes = 4096
	}
	if c.MaxChannels == 0 {
		c.MaxChannels = 64
	}
	if c.MaxReplay == 0 {
		c.MaxReplay = 5000
	}
	if c.BatchSize == 0 {
		c.BatchSize = 500
	}
}

// Hub fans committed events out to websocket connections.
type Hub struct {
	cfg HubConfig
	db  *gorm.DB
	st  *store.Stores
	log *slog.Logger

	writePool sync.Pool // write buffers are held only while writing

	mu       sync.Mutex
	started  bool
	closed   bool
	cursor   int64 // last event id dispatched or given up on
	conns    map[*wsConn]struct{}
	channels map[string]map[*subscription]struct{}
	byMember map[int64]map[*wsConn]struct{}
	authSeq  map[int64]int64     // member id → id of the last event that changed what they may see
	skipped  map[int64]time.Time // ids given up on at a gap, watched for a late commit
	presence map[int64]*presenceState

	presenceDirty chan struct{}
	gap           gapWatch // poller goroutine only

	cancel context.CancelFunc
	wg     sync.WaitGroup

	slowDrops   atomic.Int64
	delivered   atomic.Int64
	gapsSkipped atomic.Int64
}

// NewHub returns a hub; Start it before serving.
func NewHub(cfg HubConfig, log *slog.Logger) *Hub {
	cfg.defaults()
	return &Hub{
		cfg: cfg, st: cfg.Store, db: cfg.Store.DB(), log: log,
		conns:         map[*wsConn]struct{}{},
		channels:      map[string]map[*subscription]struct{}{},
		byMember:      map[int64]map[*wsConn]struct{}{},
		authSeq:       map[int64]int64{},
		skipped:       map[int64]time.Time{},
		presence:      map[int64]*presenceState{},
		presenceDirty: make(chan struct{}, 1),
	}
}

// Start reads the current head of the events table and starts the poller,
// the fanout, presence and pruning. Clients that connect later and want
// older events resume with "since".
func (h *Hub) Start(ctx context.Context) error {
	head, err := event.LastID(ctx, h.db)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h.mu.Lock()
	h.cursor, h.started, h.cancel = head, true, cancel
	h.mu.Unlock()
	h.wg.Add(4)
	go func() { defer h.wg.Done(); h.cfg.Fanout.Run(ctx) }()
	go func() { defer h.wg.Done(); h.poll(ctx) }()
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

// HubStats is a snapshot of the hub's counters.
type HubStats struct {
	Connections   int   `json:"connections"`
	Subscriptions int   `json:"subscriptions"`
	Cursor        int64 `json:"cursor"`
	SlowDrops     int64 `json:"slow_drops"`
	Delivered     int64 `json:"delivered"`
	GapsSkipped   int64 `json:"gaps_skipped"`
}

// Stats reports connections, subscriptions and counters.
func (h *Hub) Stats() HubStats {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, subs := range h.channels {
		n += len(subs)
	}
	return HubStats{Connections: len(h.conns), Subscriptions: n, Cursor: h.cursor,
		SlowDrops: h.slowDrops.Load(), Delivered: h.delivered.Load(), GapsSkipped: h.gapsSkipped.Load()}
}

// ---- channels and authorisation ----

type channelKind int

const (
	chCoop channelKind = iota
	chProject
	chReview
	chMember
)

type channel struct {
	name string
	kind channelKind
	id   int64
}

// parseChannel accepts exactly the scope names events carry. "audit" and
// anything else is unknown.
func parseChannel(s string) (channel, bool) {
	if s == event.CoopScope {
		return channel{name: s, kind: chCoop}, true
	}
	prefix, num, ok := strings.Cut(s, ":")
	if !ok {
		return channel{}, false
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != num {
		return channel{}, false
	}
	switch prefix {
	case "project":
		return channel{name: s, kind: chProject, id: id}, true
	case "review":
		return channel{name: s, kind: chReview, id: id}, true
	case "member":
		return channel{name: s, kind: chMember, id: id}, true
	}
	return channel{}, false
}

func isStaff(m labeling.Member) bool {
	return m.Has(labeling.RoleReviewer) || m.Has(labeling.RoleCoordinator)
}

// access decides whether m may subscribe to ch and whether they get the full
// view. projectMember is whether m is a member of the channel's project.
// Labellers see their projects' progress but not who else did what: their
// view is redacted (see redactFor).
func access(m labeling.Member, ch channel, projectMember bool) (ok, full bool) {
	if !m.Active {
		return false, false
	}
	switch ch.kind {
	case chCoop:
		return true, true
	case chMember:
		return ch.id == m.ID, true
	case chReview:
		return isStaff(m), true
	case chProject:
		if isStaff(m) {
			return true, true
		}
		return projectMember, false
	}
	return false, false
}

// ---- connections and subscriptions ----

type subscription struct {
	conn          *wsConn
	ch            channel
	full          bool
	projectMember bool
	presence      bool // shown in the project's presence list
	gotPresence   bool

	// While replaying, live events queue here instead of the socket.
	replaying bool
	pending   []*encodedEvent
	overflow  bool
	removed   bool

	lastSent int64 // owned by the replaying goroutine until replaying ends, then by h.mu
}

// register adds a connection; false once the hub is closed or not started.
func (h *Hub) register(c *wsConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || !h.started {
		return false
	}
	h.conns[c] = struct{}{}
	if h.byMember[c.memberID] == nil {
		h.byMember[c.memberID] = map[*wsConn]struct{}{}
	}
	h.byMember[c.memberID][c] = struct{}{}
	return true
}

func (h *Hub) drop(c *wsConn) {
	h.mu.Lock()
	h.dropLocked(c)
	h.mu.Unlock()
}

func (h *Hub) dropLocked(c *wsConn) {
	if _, ok := h.conns[c]; !ok {
		return
	}
	delete(h.conns, c)
	if set := h.byMember[c.memberID]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(h.byMember, c.memberID)
		}
	}
	for _, sub := range c.subs {
		h.removeSubLocked(sub)
	}
}

func (h *Hub) removeSubLocked(sub *subscription) {
	sub.removed = true
	delete(sub.conn.subs, sub.ch.name)
	if set := h.channels[sub.ch.name]; set != nil {
		delete(set, sub)
		if len(set) == 0 {
			delete(h.channels, sub.ch.name)
		}
	}
	if sub.ch.kind == chProject {
		h.markPresenceLocked(sub.ch.id)
	}
}

// slowLocked drops a client whose send buffer is full. It never waits on
// the client: its writer sends the close frame when the socket drains, or
// gives up after WriteWait.
func (h *Hub) slowLocked(c *wsConn) {
	h.slowDrops.Add(1)
	h.dropLocked(c)
	c.out.close(closeSlowConsumer, "slow consumer: resume from your last seq")
}

// cursorNow is the id the hub has dispatched through.
func (h *Hub) cursorNow() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cursor
}

var errAuthRace = errors.New("authorisation changed while subscribing")

// attach registers sub in replaying mode. before is the hub cursor read
// before m and the project membership were loaded: if an event that changes
// m's authorisation was dispatched since, the decision may be stale and
// attach refuses (the caller re-checks). It returns the cursor at which
// live delivery takes over from replay.
func (h *Hub) attach(sub *subscription, m labeling.Member, before int64) (int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := sub.conn
	if _, ok := h.conns[c]; !ok {
		return 0, errConnGone
	}
	if h.authSeq[m.ID] > before {
		return 0, errAuthRace
	}
	if old := c.subs[sub.ch.name]; old != nil {
		h.removeSubLocked(old)
	} else if len(c.subs) >= h.cfg.MaxChannels {
		return 0, errTooManyChannels
	}
	c.member = m
	c.subs[sub.ch.name] = sub
	if h.channels[sub.ch.name] == nil {
		h.channels[sub.ch.name] = map[*subscription]struct{}{}
	}
	h.channels[sub.ch.name][sub] = struct{}{}
	sub.replaying = true
	return h.cursor, nil
}

// goLive ends sub's replay: it sends "subscribed" and then the live events
// that queued meanwhile, in order, past what replay sent.
func (h *Hub) goLive(sub *subscription, head int64, replayed int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if sub.removed {
		return
	}
	c := sub.conn
	sub.replaying = false
	pending := sub.pending
	sub.pending = nil
	if sub.overflow {
		pending = nil
		c.pushLocked(h, frame(resetFrame{Op: "reset", Channel: sub.ch.name, Reason: "too_far_behind"}))
		sub.lastSent = max(sub.lastSent, h.cursor)
	}
	if !c.pushLocked(h, frame(subscribedFrame{Op: "subscribed", Channel: sub.ch.name, Head: head, Replayed: replayed})) {
		return
	}
	for _, ev := range pending {
		if ev.e.ID <= sub.lastSent {
			continue
		}
		if !c.pushLocked(h, ev.frameFor(sub)) {
			return
		}
		sub.lastSent = ev.e.ID
	}
	if sub.ch.kind == chProject {
		h.markPresenceLocked(sub.ch.id)
	}
}

func (h *Hub) unsubscribe(c *wsConn, name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	sub := c.subs[name]
	if sub == nil {
		return false
	}
	h.removeSubLocked(sub)
	return true
}

// ---- the poller ----

func (h *Hub) poll(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	lateCheck := time.NewTicker(h.cfg.LateCheckEvery)
	defer lateCheck.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.cfg.Fanout.Wake():
		case <-timer.C:
		case <-lateCheck.C:
			h.checkLate(ctx)
			continue
		}
		again := h.drain(ctx)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(again)
	}
}

// gapWatch is the gap the poller is holding delivery at.
type gapWatch struct {
	id       int64
	since    time.Time
	probeAt  string
	hasProbe bool
	settled  bool
}

// drain delivers every committed event it may, and says when to look again.
func (h *Hub) drain(ctx context.Context) time.Duration {
	cursor := h.cursorNow()
	for ctx.Err() == nil {
		rows, err := event.After(ctx, h.db, cursor, h.cfg.BatchSize)
		if err != nil {
			if ctx.Err() == nil {
				h.log.Warn("live delivery: reading events failed", "err", err)
			}
			return h.cfg.PollInterval
		}
		var ready []event.Event
		held := false
		for _, e := range rows {
			if e.ID != cursor+1 && !h.gapResolved(ctx, cursor+1, e.ID) {
				held = true
				break
			}
			ready = append(ready, e)
			cursor = e.ID
		}
		if len(ready) > 0 {
			h.dispatch(ready)
		}
		if held {
			return 5 * time.Millisecond
		}
		if len(rows) < h.cfg.BatchSize {
			return h.cfg.PollInterval
		}
	}
	return h.cfg.PollInterval
}

// gapResolved decides whether ids from..to-1, missing while to is
// committed, will never appear; if so it records them as skipped.
func (h *Hub) gapResolved(ctx context.Context, from, to int64) bool {
	g := &h.gap
	if g.id != from {
		*g = gapWatch{id: from, since: time.Now()}
	}
	skip := false
	switch {
	case h.db.Dialector.Name() != "postgres":
		skip = true // one writer: a gap below a committed id is permanent
	case g.settled:
		skip = true // every event writer in flight at the probe has ended, and we re-read since
	case time.Since(g.since) >= h.cfg.GapWait:
		h.log.Warn("live delivery: gave up waiting for an event id", "id", from, "waited", time.Since(g.since))
		skip = true
	case !g.hasProbe:
		if time.Since(g.since) >= h.cfg.GapSettle {
			at, ok, err := event.GapProbeTime(ctx, h.db)
			if err == nil && ok {
				g.probeAt, g.hasProbe = at, true
			} else if err != nil {
				h.log.Warn("live delivery: gap probe failed", "err", err)
			}
		}
	default:
		n, err := event.WritersSince(ctx, h.db, g.probeAt)
		if err == nil && n == 0 {
			g.settled = true // skip on the next read if the id is still missing
		} else if err != nil {
			h.log.Warn("live delivery: gap probe failed", "err", err)
		}
	}
	if !skip {
		return false
	}
	h.mu.Lock()
	now := time.Now()
	for id := from; id < to && id-from < 10000; id++ {
		h.skipped[id] = now
	}
	h.mu.Unlock()
	h.gapsSkipped.Add(to - from)
	*g = gapWatch{}
	return true
}

// checkLate looks for skipped ids that committed after all (a transaction
// that outlived GapWait). Their event cannot be delivered in order any more,
// so subscribers of its channel are told to reset. Watching stops after ten
// minutes.
func (h *Hub) checkLate(ctx context.Context) {
	h.mu.Lock()
	var ids []int64
	for id, at := range h.skipped {
		if time.Since(at) > 10*time.Minute {
			delete(h.skipped, id)
			continue
		}
		ids = append(ids, id)
	}
	h.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if len(ids) > 1000 {
		ids = ids[len(ids)-1000:]
	}
	late, err := event.ByID(ctx, h.db, ids)
	if err != nil || len(late) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range late {
		delete(h.skipped, e.ID)
		h.log.Warn("live delivery: event committed after its gap was skipped; resetting its channel", "id", e.ID, "scope", e.Scope)
		reset := frame(resetFrame{Op: "reset", Channel: e.Scope, Reason: "late_commit"})
		for sub := range h.channels[e.Scope] {
			sub.conn.pushLocked(h, reset)
		}
	}
}

// dispatch hands events, in id order, to their subscribers.
func (h *Hub) dispatch(events []event.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range events {
		if e.ID <= h.cursor {
			continue
		}
		h.cursor = e.ID
		h.applyAuthChangeLocked(e)
		h.noteForPresenceLocked(e)
		subs := h.channels[e.Scope]
		if len(subs) == 0 {
			continue
		}
		if e.Scope == event.CoopScope {
			e = coopView(e)
		}
		ev := &encodedEvent{e: e}
		for sub := range subs {
			if sub.replaying {
				if len(sub.pending) >= 4*h.cfg.SendBuffer {
					sub.overflow, sub.pending = true, nil
				} else if !sub.overflow {
					sub.pending = append(sub.pending, ev)
				}
				continue
			}
			if e.ID <= sub.lastSent {
				continue
			}
			if sub.conn.pushLocked(h, ev.frameFor(sub)) {
				sub.lastSent = e.ID
				h.delivered.Add(1)
			}
		}
	}
}

// memberPayload is the subject of events that change authorisation.
type memberPayload struct {
	MemberID  int64         `json:"member_id"`
	ProjectID int64         `json:"project_id"`
	Role      labeling.Role `json:"role"`
}

// applyAuthChangeLocked updates what connected members may see from the
// events that change it, and ends subscriptions they lost.
func (h *Hub) applyAuthChangeLocked(e event.Event) {
	switch e.Type {
	case "role.revoked", "role.granted", "member.deactivated", "project.member_added", "project.member_removed":
	default:
		return
	}
	var p memberPayload
	if json.Unmarshal(e.Payload, &p) != nil || p.MemberID == 0 {
		return
	}
	h.authSeq[p.MemberID] = e.ID
	for c := range h.byMember[p.MemberID] {
		switch e.Type {
		case "member.deactivated":
			c.member.Active = false
			h.dropLocked(c)
			c.out.close(websocket.ClosePolicyViolation, "membership ended")
			continue
		case "role.revoked":
			roles := c.member.Roles[:0:0]
			for _, r := range c.member.Roles {
				if r != p.Role {
					roles = append(roles, r)
				}
			}
			c.member.Roles = roles
		case "role.granted":
			if !c.member.Has(p.Role) {
				c.member.Roles = append(append([]labeling.Role{}, c.member.Roles...), p.Role)
			}
		case "project.member_added", "project.member_removed":
			if sub := c.subs[event.ProjectScope(p.ProjectID)]; sub != nil {
				sub.projectMember = e.Type == "project.member_added"
			}
		}
		for _, sub := range c.subs {
			ok, full := access(c.member, sub.ch, sub.projectMember)
			if ok {
				sub.full = full
				continue
			}
			h.removeSubLocked(sub)
			c.pushLocked(h, frame(errorFrame{Op: "error", Code: "forbidden", Channel: sub.ch.name,
				Message: "you may no longer see this channel; it has been unsubscribed"}))
		}
	}
}

// ---- frames ----

type eventFrame struct {
	Op      string          `json:"op"`
	Channel string          `json:"channel"`
	Seq     int64           `json:"seq"`
	Type    string          `json:"type"`
	At      time.Time       `json:"at"`
	ActorID *int64          `json:"actor_id,omitempty"`
	Payload json.RawMessage `json:"payload"`
}

type subscribedFrame struct {
	Op       string `json:"op"`
	Channel  string `json:"channel"`
	Head     int64  `json:"head"`
	Replayed int    `json:"replayed"`
}

type errorFrame struct {
	Op      string `json:"op"`
	Code    string `json:"code"`
	Channel string `json:"channel,omitempty"`
	Message string `json:"message"`
}

type resetFrame struct {
	Op      string `json:"op"`
	Channel string `json:"channel"`
	Reason  string `json:"reason"`
}

func frame(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own frame types reach here
	}
	return b
}

// encodedEvent encodes an event once per view, shared by every subscriber.
type encodedEvent struct {
	e        event.Event
	full     []byte
	redacted []byte
	subjects []int64 // actor and payload member_id: who a labeller view hides
	parsed   bool
}

func (ev *encodedEvent) encode(actor *int64, payload json.RawMessage) []byte {
	if !json.Valid(payload) {
		payload = json.RawMessage("null")
	}
	return frame(eventFrame{Op: "event", Channel: ev.e.Scope, Seq: ev.e.ID, Type: ev.e.Type,
		At: ev.e.CreatedAt.UTC(), ActorID: actor, Payload: payload})
}

func (ev *encodedEvent) fullFrame() []byte {
	if ev.full == nil {
		ev.full = ev.encode(ev.e.ActorID, ev.e.Payload)
	}
	return ev.full
}

func (ev *encodedEvent) frameFor(sub *subscription) []byte {
	if sub.full {
		return ev.fullFrame()
	}
	viewer := sub.conn.member.ID
	if !ev.parsed {
		ev.parsed = true
		if ev.e.ActorID != nil {
			ev.subjects = append(ev.subjects, *ev.e.ActorID)
		}
		var p struct {
			MemberID *int64 `json:"member_id"`
		}
		if json.Unmarshal(ev.e.Payload, &p) == nil && p.MemberID != nil {
			ev.subjects = append(ev.subjects, *p.MemberID)
		}
	}
	if len(ev.subjects) == 0 {
		return ev.fullFrame()
	}
	for _, id := range ev.subjects {
		if id == viewer {
			return redactFor(ev, viewer) // their own action: not cached, rare
		}
	}
	if ev.redacted == nil {
		ev.redacted = redactFor(ev, 0)
	}
	return ev.redacted
}

// redactFor is the labeller's view of a project event: the acting member
// and a payload member_id are dropped unless they are the viewer.
func redactFor(ev *encodedEvent, viewer int64) []byte {
	actor := ev.e.ActorID
	if actor != nil && *actor != viewer {
		actor = nil
	}
	var m map[string]json.RawMessage
	payload := ev.e.Payload
	if json.Unmarshal(payload, &m) == nil {
		if raw, ok := m["member_id"]; ok {
			if id, err := strconv.ParseInt(string(raw), 10, 64); err != nil || id != viewer {
				delete(m, "member_id")
				payload, _ = json.Marshal(m)
			}
		}
	}
	return ev.encode(actor, payload)
}

// coopView is the hook for the co-op feed's view of an event: when equity
// brings pseudonyms, member ids in coop events are swapped for the member's
// chosen public name here. Today it passes events through.
func coopView(e event.Event) event.Event { return e }

// ---- presence ----

// presenceState is who is working in one project right now.
type presenceState struct {
	last    []int64
	leaseAt time.Time
	leases  []int64
}

type presenceFrame struct {
	Op      string  `json:"op"`
	Channel string  `json:"channel"`
	Count   int     `json:"count"`
	Members []int64 `json:"members,omitempty"`
	You     bool    `json:"you"`
}

func (h *Hub) markPresenceLocked(projectID int64) {
	ps := h.presence[projectID]
	if ps == nil {
		ps = &presenceState{}
		h.presence[projectID] = ps
	}
	ps.leaseAt = time.Time{}
	select {
	case h.presenceDirty <- struct{}{}:
	default:
	}
}

func (h *Hub) noteForPresenceLocked(e event.Event) {
	if !strings.HasPrefix(e.Type, "task.") || !strings.HasPrefix(e.Scope, "project:") {
		return
	}
	if ch, ok := parseChannel(e.Scope); ok && len(h.channels[e.Scope]) > 0 {
		h.markPresenceLocked(ch.id)
	}
}

// presenceLoop recomputes presence for projects marked dirty, at most once
// per PresenceEvery: members with a live lease (from the database, so across
// instances) plus members connected to the project channel on this instance,
// less anyone who asked not to be shown.
func (h *Hub) presenceLoop(ctx context.Context) {
	tick := time.NewTicker(h.cfg.PresenceEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.presenceDirty:
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		h.mu.Lock()
		var todo []int64
		for id, ps := range h.presence {
			if len(h.channels[event.ProjectScope(id)]) == 0 {
				delete(h.presence, id)
				continue
			}
			if ps.leaseAt.IsZero() {
				todo = append(todo, id)
			}
		}
		h.mu.Unlock()
		for _, id := range todo {
			holders, err := h.st.Leases.LeaseHolders(ctx, id)
			if err != nil {
				continue
			}
			h.mu.Lock()
			if ps := h.presence[id]; ps != nil {
				ps.leases, ps.leaseAt = holders, time.Now()
				h.sendPresenceLocked(id, ps)
			}
			h.mu.Unlock()
		}
	}
}

func (h *Hub) sendPresenceLocked(projectID int64, ps *presenceState) {
	name := event.ProjectScope(projectID)
	hidden := map[int64]bool{}
	here := map[int64]bool{}
	for sub := range h.channels[name] {
		if sub.presence {
			here[sub.conn.memberID] = true
		} else {
			hidden[sub.conn.memberID] = true
		}
	}
	for _, id := range ps.leases {
		here[id] = true
	}
	var ids []int64
	for id := range here {
		if !hidden[id] {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	changed := !equalIDs(ids, ps.last)
	ps.last = ids
	for sub := range h.channels[name] {
		if sub.replaying || (!changed && sub.gotPresence) {
			continue
		}
		f := presenceFrame{Op: "presence", Channel: name, Count: len(ids)}
		for _, id := range ids {
			f.You = f.You || id == sub.conn.memberID
		}
		if sub.full {
			f.Members = ids
			if f.Members == nil {
				f.Members = []int64{}
			}
		}
		sub.gotPresence = true
		sub.conn.pushLocked(h, frame(f))
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ---- retention ----

func (h *Hub) pruneLoop(ctx context.Context) {
	if h.cfg.PruneEvery < 0 {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(h.cfg.PruneEvery):
		}
		n, err := event.Prune(ctx, h.db, h.cfg.Retention)
		if err != nil && ctx.Err() == nil {
			h.log.Warn("pruning events failed", "err", err)
		} else if n > 0 {
			h.log.Info("pruned events", "rows", n, "older_than", h.cfg.Retention)
		}
	}
}
