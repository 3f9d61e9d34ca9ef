package live

// Presence: who is working in a project right now.

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"copyhold/labeling/event/feed"
)

// presenceState is who is working in one project right now.
type presenceState struct {
	last    []int64
	leaseAt time.Time
	leases  []int64
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

func (h *Hub) noteForPresenceLocked(e feed.Event) {
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
			if len(h.channels[feed.ProjectScope(id)]) == 0 {
				delete(h.presence, id)
				continue
			}
			if ps.leaseAt.IsZero() {
				todo = append(todo, id)
			}
		}
		h.mu.Unlock()
		for _, id := range todo {
			holders, err := h.cfg.Leases.LeaseHolders(ctx, id)
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
	name := feed.ProjectScope(projectID)
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
	changed := !slices.Equal(ids, ps.last)
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
