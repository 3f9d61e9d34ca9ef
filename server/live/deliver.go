package live

// Ordering. On PostgreSQL, BIGSERIAL ids are handed out before commit, so
// the transaction holding id 9 may commit after the one holding id 10. The
// hub therefore delivers only a gap-free prefix: when it sees 10 but not 9 it
// holds everything from 9 on until 9 appears or it is sure 9 never will.
// "Sure" means: after a short settle time (GapSettle) it takes a probe of the
// database clock (Reader.GapProbe); an INSERT into events takes a
// row-exclusive lock on the table before it draws its id and keeps it until
// commit or rollback, so once no transaction begun before that moment holds
// the lock (Reader.WritersSince) and 9 is still not visible, 9 was rolled
// back and is skipped. That usually takes milliseconds, and transactions that
// never write events (or write them in another schema on the same server) do
// not delay it. A long transaction that wrote an event early (a big import)
// would, so GapWait (default 2 s) bounds the hold; an id skipped that way and
// then committed late is caught by a periodic re-check, and its channel's
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
// SQLite has a single writer, so ids commit in order (Reader.CommitsInOrder)
// and a gap (a deleted row) can never fill: it is skipped at once.

import (
	"context"
	"sort"
	"time"

	"copyhold/labeling/event/feed"
)

func (h *Hub) poll(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	lateCheck := time.NewTicker(h.cfg.LateCheckEvery)
	defer lateCheck.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.cfg.Wake:
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
	probe    string
	hasProbe bool
	settled  bool
}

// drain delivers every committed event it may, and says when to look again.
func (h *Hub) drain(ctx context.Context) time.Duration {
	cursor := h.cursorNow()
	for ctx.Err() == nil {
		rows, err := h.ev.After(ctx, cursor, h.cfg.BatchSize)
		if err != nil {
			if ctx.Err() == nil {
				h.log.Warn("live delivery: reading events failed", "err", err)
			}
			return h.cfg.PollInterval
		}
		var ready []feed.Event
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
	case h.ev.CommitsInOrder():
		skip = true // one writer: a gap below a committed id is permanent
	case g.settled:
		skip = true // every event writer in flight at the probe has ended, and we re-read since
	case time.Since(g.since) >= h.cfg.GapWait:
		h.log.Warn("live delivery: gave up waiting for an event id", "id", from, "waited", time.Since(g.since))
		skip = true
	case !g.hasProbe:
		if time.Since(g.since) >= h.cfg.GapSettle {
			probe, err := h.ev.GapProbe(ctx)
			if err == nil {
				g.probe, g.hasProbe = probe, true
			} else {
				h.log.Warn("live delivery: gap probe failed", "err", err)
			}
		}
	default:
		n, err := h.ev.WritersSince(ctx, g.probe)
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
	late, err := h.ev.ByID(ctx, ids)
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
func (h *Hub) dispatch(events []feed.Event) {
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
		if e.Scope == feed.CoopScope {
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
