package live

// One websocket connection: its read pump (client commands), and
// subscribing with authorisation and replay.

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"copyhold/labeling/member"

	"github.com/gorilla/websocket"
)

// wsConn is one websocket: a read pump (client commands) and a write pump
// (everything to the client), joined by a bounded outbox.
type wsConn struct {
	hub      *Hub
	ws       *websocket.Conn
	memberID int64
	cred     member.Credential // the session or token it lives no longer than
	ip       string
	out      *outbox

	// Guarded by hub.mu.
	member member.Member
	subs   map[string]*subscription

	// ctx ends with the connection, stopping a subscribe in progress.
	ctx    context.Context
	cancel context.CancelFunc

	readerDone chan struct{}
	writerDone chan struct{}
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
		m, err := h.cfg.Members.CredentialMember(ctx, c.cred)
		if reason := credentialEnded(err); reason != "" {
			h.end(c, reason)
			return
		}
		if err != nil {
			c.sendError("unavailable", ch.name, "could not check your access; try again")
			return
		}
		if !m.Active {
			h.end(c, "membership ended")
			return
		}
		sub.projectMember = false
		if ch.kind == chProject { // also for staff: kept in case they lose the role
			if sub.projectMember, err = h.cfg.Projects.IsProjectMember(ctx, ch.id, m.ID); err != nil {
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
		last, err := h.ev.LastID(ctx)
		return 0, err == nil && since <= last
	}
	if since == head {
		return 0, true
	}
	oldest, any, err := h.ev.OldestDeliverableID(ctx)
	if err != nil || (any && oldest > since+1) || (!any && since < head) {
		return 0, false
	}
	sent := 0
	for after := since; ; {
		evs, err := h.ev.InScope(ctx, sub.ch.name, after, head, 500)
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
