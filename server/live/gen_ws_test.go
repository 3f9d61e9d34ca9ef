package live_test

import (
	"fmt"
	"testing"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/event/eventtest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// Generation job events go to the coordinators' channel: a labeller or a reviewer is refused it,
// and gets none of its events on the channels they may join.
func TestWSGenerationEventsReachCoordinatorsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e, hub := newLiveEnv(t, db, nil)
		p := e.Project(t)
		catchUp(t, db, hub)
		ch := event.CoordinatorScope
		lab, rev, target, coord := e.ws(t, "lab"), e.ws(t, "rev"), e.ws(t, "target"), e.ws(t, "coord")
		for name, w := range map[string]*wsClient{"lab": lab, "rev": rev, "target": target} {
			if f := w.subscribe(ch); f.Op != "error" || f.Code != "forbidden" {
				t.Fatalf("%s subscribing %s: %+v", name, ch, f)
			}
			w.mustSubscribe(fmt.Sprintf("project:%d", p.ID))
			w.mustSubscribe("coop")
		}
		coord.mustSubscribe(ch)
		eventtest.Append(t, db, "gen.progress", ch, nil, map[string]any{"job_id": 1, "project_id": p.ID, "status": "running"})
		eventtest.Append(t, db, "gen.item_failed", ch, nil, map[string]any{"job_id": 1, "project_id": p.ID, "reason": "model_timeout"})
		if f := coord.nextOf("gen.progress"); f.Channel != ch || f.Payload["status"] != "running" {
			t.Fatalf("coordinator got %+v", f)
		}
		if f := coord.nextOf("gen.item_failed"); f.Payload["reason"] != "model_timeout" {
			t.Fatalf("coordinator got %+v", f)
		}
		for _, w := range []*wsClient{lab, rev, target} {
			w.quiet(300 * time.Millisecond)
		}
	})
}
