package relay

// Holding the fan-out at a gap in event ids, as live delivery does
// (server/live/deliver.go): on PostgreSQL an id may commit after a higher
// one, so the worker waits until the missing id appears or no event writer
// that was in flight when the gap was seen is still running (then it was
// rolled back). A webhook cannot be taken back, so the longest hold,
// GapWait, is minutes rather than live delivery's seconds.

import (
	"context"
	"time"
)

type gapWatch struct {
	id       int64
	since    time.Time
	probe    string
	hasProbe bool
	settled  bool
}

// gapResolved decides whether the id from, missing while a later one has
// committed, will never appear.
func (w *Worker) gapResolved(ctx context.Context, from int64) bool {
	g := &w.gap
	if g.id != from {
		*g = gapWatch{id: from, since: time.Now()}
	}
	skip := false
	switch {
	case w.cfg.Events.CommitsInOrder():
		skip = true
	case g.settled:
		skip = true
	case time.Since(g.since) >= w.cfg.GapWait:
		w.log.Warn("webhooks: gave up waiting for an event id", "id", from, "waited", time.Since(g.since))
		skip = true
	case !g.hasProbe:
		if time.Since(g.since) >= w.cfg.GapSettle {
			probe, err := w.cfg.Events.GapProbe(ctx)
			if err == nil {
				g.probe, g.hasProbe = probe, true
			} else {
				w.log.Warn("webhooks: gap probe failed", "err", err)
			}
		}
	default:
		n, err := w.cfg.Events.WritersSince(ctx, g.probe)
		if err == nil && n == 0 {
			g.settled = true // skip on the next read if the id is still missing
		} else if err != nil {
			w.log.Warn("webhooks: gap probe failed", "err", err)
		}
	}
	if skip {
		*g = gapWatch{}
	}
	return skip
}
