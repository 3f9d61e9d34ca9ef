package live

// Retention: the events table is the resume window, pruned by age.

import (
	"context"
	"time"
)

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
		n, err := h.ev.Prune(ctx, h.cfg.Retention)
		if err != nil && ctx.Err() == nil {
			h.log.Warn("pruning events failed", "err", err)
		} else if n > 0 {
			h.log.Info("pruned events", "rows", n, "older_than", h.cfg.Retention)
		}
	}
}
