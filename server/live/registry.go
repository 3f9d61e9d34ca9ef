package live

// The subscription registry: connections by member, subscriptions by
// channel, and the hand-over from replay to live delivery.

import (
	"errors"

	"copyhold/labeling/member"
)

var (
	errConnGone        = errors.New("connection closed")
	errTooManyChannels = errors.New("too many channels")
	errAuthRace        = errors.New("authorisation changed while subscribing")
)

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
	h.releaseLocked(c.memberID, c.ip)
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

// attach registers sub in replaying mode. before is the hub cursor read
// before m and the project membership were loaded: if an event that changes
// m's authorisation was dispatched since, the decision may be stale and
// attach refuses (the caller re-checks). It returns the cursor at which
// live delivery takes over from replay.
func (h *Hub) attach(sub *subscription, m member.Member, before int64) (int64, error) {
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
