package server

// Live tracking over a websocket: GET /ws.
//
// Authentication is the session cookie or "Authorization: Bearer <token>",
// as for the API; anonymous upgrades get 401. A browser's Origin must be the
// page's own host, the configured base URL or one of the allowed origins,
// otherwise 403 (cross-site websocket hijacking). Frames are JSON text, at
// most 4 KB from the client; a bigger frame closes the connection with 1009.
//
// Client → server
//
//	{"op":"subscribe","channel":"project:7","since":123,"presence":true}
//	    since (optional) is the last seq the client saw on this channel: the
//	    server replays the channel's events after it, then goes live, with no
//	    duplicate and no reordering. presence (default true) = false keeps
//	    the member out of the project's presence list while this
//	    subscription lasts. Subscribing again to a channel replaces the
//	    subscription.
//	{"op":"unsubscribe","channel":"project:7"}
//	{"op":"ping"}
//
// Server → client
//
//	{"op":"event","channel":"project:7","seq":130,"type":"task.submitted",
//	 "at":"2025-01-01T12:00:00Z","actor_id":4,"payload":{...}}
//	    seq is the global, gap-tolerant event sequence; per channel it only
//	    grows. Keep the last seq per channel to resume.
//	{"op":"subscribed","channel":"project:7","head":130,"replayed":3}
//	    the subscription is on; replayed events (all with seq <= head) came
//	    before it, live events follow.
//	{"op":"unsubscribed","channel":"project:7"}
//	{"op":"presence","channel":"project:7","count":3,"you":true,"members":[1,4,9]}
//	    who is working in the project now (live lease, or connected and not
//	    opted out). members only for reviewers and coordinators.
//	{"op":"reset","channel":"project:7","reason":"too_far_behind"}
//	    the server cannot bring the client up to date from events (since is
//	    older than the retention window, too many events to replay, or an
//	    event committed out of order): re-fetch the state over HTTP. The
//	    subscription stays on and live events continue.
//	{"op":"error","code":"forbidden","channel":"review:7","message":"..."}
//	    codes: unknown_channel, forbidden, malformed_frame, too_far_behind,
//	    too_many_channels, unavailable. A forbidden error for a channel that
//	    was subscribed (role revoked, removed from the project) means the
//	    subscription has ended.
//	{"op":"pong"}
//
// Channels: "coop" (any member: register and activity feed), "project:<id>"
// (project members, reviewers and coordinators; labellers see who did what
// only for their own actions), "review:<project id>" (reviewers and
// coordinators), "member:<own id>".
//
// Close codes: 1001 server shutting down; 1008 membership ended
// (deactivated); 1009 frame too big; 4008 slow consumer (the client did not
// keep up: reconnect and resume from the last seq per channel).

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
)

const closeSlowConsumer = 4008

var (
	errConnGone        = errors.New("connection closed")
	errTooManyChannels = errors.New("too many channels")
)

// handleWS upgrades an authenticated request to a live-tracking websocket.
func (s *Server) handleWS(c *gin.Context) {
	h := s.cfg.Hub
	if h == nil {
		fail(c, errRouteMissing)
		return
	}
	m, ok := member(c)
	if !ok {
		fail(c, fault.ErrUnauthenticated)
		return
	}
	up := websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		CheckOrigin:      s.wsOriginAllowed,
		WriteBufferPool:  &h.writePool,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			code := "bad_handshake"
			if status == http.StatusForbidden {
				code = "cross_origin"
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(apiError{code, reason.Error()})
		},
	}
	ws, err := up.Upgrade(c.Writer, c.Request, nil)
	if err != nil {
		return // the upgrader has answered
	}
	h.serve(ws, m)
}

// wsOriginAllowed accepts requests without Origin (non-browser clients, which
// have no ambient cookies to abuse), the request's own host, the base URL and
// the allowed origins.
func (s *Server) wsOriginAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	trusted := append([]string{s.cfg.BaseURL}, s.cfg.AllowedOrigins...)
	for _, o := range trusted {
		if t, err := url.Parse(strings.TrimSpace(o)); err == nil && t.Host != "" &&
			strings.EqualFold(t.Scheme, u.Scheme) && strings.EqualFold(t.Host, u.Host) {
			return true
		}
	}
	return false
}

// wsConn is one websocket: a read pump (client commands) and a write pump
// (everything to the client), joined by a bounded outbox.
type wsConn struct {
	hub      *Hub
	ws       *websocket.Conn
	memberID int64
	out      *outbox

	// Guarded by hub.mu.
	member labeling.Member
	subs   map[string]*subscription

	// ctx ends with the connection, stopping a subscribe in progress.
	ctx    context.Context
	cancel context.CancelFunc

	readerDone chan struct{}
	writerDone chan struct{}
}

func (h *Hub) serve(ws *websocket.Conn, m labeling.Member) {
	c := &wsConn{hub: h, ws: ws, memberID: m.ID, member: m, out: newOutbox(),
		subs: map[string]*subscription{}, readerDone: make(chan struct{}), writerDone: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if !h.register(c) {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "live tracking is not running"),
			time.Now().Add(time.Second))
		ws.Close()
		return
	}
	go c.writePump()
	go c.readPump()
}

// pushLocked queues a frame without waiting; a full outbox drops the client.
// Call with hub.mu held.
func (c *wsConn) pushLocked(h *Hub, b []byte) bool {
	if c.out.push(b, h.cfg.SendBuffer) {
		return true
	}
	h.slowLocked(c)
	return false
}

func (c *wsConn) push(b []byte) {
	c.hub.mu.Lock()
	c.pushLocked(c.hub, b)
	c.hub.mu.Unlock()
}

func (c *wsConn) sendError(code, ch, msg string) {
	c.push(frame(errorFrame{Op: "error", Code: code, Channel: ch, Message: msg}))
}

// clientFrame is every command a client may send.
type clientFrame struct {
	Op       string `json:"op"`
	Channel  string `json:"channel"`
	Since    *int64 `json:"since"`
	Presence *bool  `json:"presence"`
}

func (c *wsConn) readPump() {
	h := c.hub
	defer func() {
		c.cancel()
		close(c.readerDone)
		h.drop(c)
		c.out.close(websocket.CloseNormalClosure, "")
	}()
	c.ws.SetReadLimit(h.cfg.MaxFrameBytes)
	alive := func() { c.ws.SetReadDeadline(time.Now().Add(h.cfg.PongWait)) }
	alive()
	c.ws.SetPongHandler(func(string) error { alive(); return nil })
	ctx := c.ctx
	for {
		mt, data, err := c.ws.ReadMessage()
		if err != nil {
			return // closed, timed out, or too big (gorilla has sent 1009)
		}
		alive()
		if mt != websocket.TextMessage {
			c.sendError("malformed_frame", "", "frames are JSON text")
			continue
		}
		var f clientFrame
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			c.sendError("malformed_frame", "", "a frame is one JSON object: {\"op\":\"subscribe\"|\"unsubscribe\"|\"ping\", ...}")
			continue
		}
		switch f.Op {
		case "subscribe":
			c.subscribe(ctx, f)
			alive()
		case "unsubscribe":
			if h.unsubscribe(c, f.Channel) {
				c.push(frame(map[string]string{"op": "unsubscribed", "channel": f.Channel}))
			} else {
				c.sendError("unknown_channel", f.Channel, "not subscribed to this channel")
			}
		case "ping":
			c.push([]byte(`{"op":"pong"}`))
		default:
			c.sendError("malformed_frame", "", "unknown op; ops are subscribe, unsubscribe and ping")
		}
	}
}

// subscribe authorises, attaches, replays from since and goes live.
func (c *wsConn) subscribe(ctx context.Context, f clientFrame) {
	h := c.hub
	ch, ok := parseChannel(f.Channel)
	if !ok {
		c.sendError("unknown_channel", f.Channel, "channels are coop, project:<id>, review:<project id> and member:<your id>")
		return
	}
	if f.Since != nil && *f.Since < 0 {
		c.sendError("malformed_frame", f.Channel, "since is a seq you received, 0 or more")
		return
	}
	sub := &subscription{conn: c, ch: ch, presence: f.Presence == nil || *f.Presence}
	var head int64
	for attempt := 0; ; attempt++ {
		before := h.cursorNow()
		m, err := h.st.Members.Member(ctx, c.memberID)
		if err != nil {
			c.sendError("unavailable", ch.name, "could not check your access; try again")
			return
		}
		if !m.Active {
			h.drop(c)
			c.out.close(websocket.ClosePolicyViolation, "membership ended")
			return
		}
		sub.projectMember = false
		if ch.kind == chProject { // also for staff: kept in case they lose the role
			if sub.projectMember, err = h.st.Projects.IsProjectMember(ctx, ch.id, m.ID); err != nil {
				c.sendError("unavailable", ch.name, "could not check your access; try again")
				return
			}
		}
		ok, full := access(m, ch, sub.projectMember)
		if !ok {
			c.sendError("forbidden", ch.name, "you may not see this channel")
			return
		}
		sub.full = full
		head, err = h.attach(sub, m, before)
		if err == nil {
			break
		}
		switch {
		case errors.Is(err, errAuthRace) && attempt < 5:
			continue
		case errors.Is(err, errTooManyChannels):
			c.sendError("too_many_channels", ch.name, "unsubscribe from a channel first")
		case errors.Is(err, errConnGone):
		default:
			c.sendError("unavailable", ch.name, "try again")
		}
		return
	}

	sub.lastSent = head
	replayed := 0
	if f.Since != nil {
		sub.lastSent = *f.Since
		n, ok := c.replay(ctx, sub, *f.Since, head)
		replayed = n
		if !ok {
			if ctx.Err() != nil {
				return
			}
			c.push(frame(resetFrame{Op: "reset", Channel: ch.name, Reason: "too_far_behind"}))
			sub.lastSent = head
		}
	}
	h.goLive(sub, head, replayed)
}

// replay sends sub's events in (since, head] from the table. It reports
// false when the client must reset instead: since is older than what the
// table retains or ahead of anything it holds, or the replay is too long.
func (c *wsConn) replay(ctx context.Context, sub *subscription, since, head int64) (int, bool) {
	h := c.hub
	if since > head {
		// Another instance may have delivered a little further than this
		// one has read: fine, live delivery skips up to since. Past the end
		// of the table, though, the client's seq is from another database.
		last, err := event.LastID(ctx, h.db)
		return 0, err == nil && since <= last
	}
	if since == head {
		return 0, true
	}
	oldest, any, err := event.OldestDeliverableID(ctx, h.db)
	if err != nil || (any && oldest > since+1) || (!any && since < head) {
		return 0, false
	}
	sent := 0
	for after := since; ; {
		evs, err := event.InScope(ctx, h.db, sub.ch.name, after, head, 500)
		if err != nil {
			return sent, false
		}
		for _, e := range evs {
			if sent >= h.cfg.MaxReplay {
				return sent, false
			}
			h.mu.Lock()
			if sub.ch.kind == chCoop {
				e = coopView(e)
			}
			b := (&encodedEvent{e: e}).frameFor(sub) // frameFor reads the member under hub.mu
			h.mu.Unlock()
			if !c.out.pushWait(ctx, b, h.cfg.SendBuffer/2, h.cfg.WriteWait) {
				return sent, false
			}
			sub.lastSent = e.ID
			after = e.ID
			sent++
		}
		if len(evs) < 500 {
			return sent, true
		}
	}
}

func (c *wsConn) writePump() {
	h := c.hub
	ping := time.NewTicker(h.cfg.PingPeriod)
	defer func() {
		ping.Stop()
		c.cancel()
		c.ws.Close()
		close(c.writerDone)
		h.drop(c)
	}()
	for {
		select {
		case <-c.out.wake:
			msgs, code, reason, closing := c.out.take()
			if len(msgs) > 0 {
				c.ws.SetWriteDeadline(time.Now().Add(h.cfg.WriteWait)) // per batch: a deadline per frame costs a timer update each
			}
			for _, m := range msgs {
				if err := c.ws.WriteMessage(websocket.TextMessage, m); err != nil {
					return
				}
			}
			if closing {
				deadline := time.Now().Add(h.cfg.WriteWait)
				if code != websocket.CloseNormalClosure {
					c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), deadline)
				}
				// Give the client a moment to answer the close, so our close
				// of the socket does not reset data it has not read yet.
				select {
				case <-c.readerDone:
				case <-time.After(time.Second):
				}
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.cfg.WriteWait)); err != nil {
				return
			}
		}
	}
}

// outbox is a connection's bounded send queue. The hub pushes without
// waiting; the writer takes everything queued at once.
type outbox struct {
	mu      sync.Mutex
	q       [][]byte
	closing bool
	code    int
	reason  string
	wake    chan struct{} // to the writer
	space   chan struct{} // to a replay waiting for room
}

func newOutbox() *outbox {
	return &outbox{wake: make(chan struct{}, 1), space: make(chan struct{}, 1)}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// push queues b unless limit frames are already waiting. Frames pushed after
// close are dropped (and count as sent).
func (o *outbox) push(b []byte, limit int) bool {
	o.mu.Lock()
	if o.closing {
		o.mu.Unlock()
		return true
	}
	if len(o.q) >= limit {
		o.mu.Unlock()
		return false
	}
	o.q = append(o.q, b)
	o.mu.Unlock()
	signal(o.wake)
	return true
}

// pushWait queues b once fewer than limit frames wait, for at most wait.
func (o *outbox) pushWait(ctx context.Context, b []byte, limit int, wait time.Duration) bool {
	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	for {
		o.mu.Lock()
		if o.closing {
			o.mu.Unlock()
			return false
		}
		if len(o.q) < limit {
			o.q = append(o.q, b)
			o.mu.Unlock()
			signal(o.wake)
			return true
		}
		o.mu.Unlock()
		select {
		case <-o.space:
		case <-timeout.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

func (o *outbox) take() (msgs [][]byte, code int, reason string, closing bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closing {
		return nil, o.code, o.reason, true
	}
	msgs, o.q = o.q, nil
	signal(o.space)
	return msgs, 0, "", false
}

// close asks the writer to send a close frame (code) and end; queued frames
// are dropped. The first close wins.
func (o *outbox) close(code int, reason string) {
	o.mu.Lock()
	if !o.closing {
		o.closing, o.code, o.reason, o.q = true, code, reason, nil
	}
	o.mu.Unlock()
	signal(o.wake)
	signal(o.space)
}
