package relay_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/webhook"
	"copyhold/labeling/webhook/relay"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// TestASlowReceiverTimesOutAndIsRetried: an attempt that gets no answer
// within the timeout is a failure, logged with no status code and the
// reason, and the message is retried with the same webhook-id.
func TestASlowReceiverTimesOutAndIsRetried(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := setup(t, db)
		r := newReceiver(t)
		var stalls atomic.Int32
		stalls.Store(1)
		inner := r.ts.Config.Handler
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		r.ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if stalls.Add(-1) >= 0 {
				select { // answer only after the worker has given up
				case <-release:
				case <-time.After(5 * time.Second):
				}
				return
			}
			inner.ServeHTTP(w, req)
		})
		ep := f.register(t, r, webhook.SnapshotCreated)
		const timeout = 300 * time.Millisecond
		w := relay.NewWorker(relay.Config{Events: event.NewStore(f.db), Policy: webhook.Policy{AllowLoopback: true},
			Backoff: []time.Duration{time.Millisecond, time.Millisecond}, Gather: gather, Timeout: timeout,
			GapSettle: time.Millisecond, GapWait: 2 * time.Second}, f.st, nil)
		snapshot(t, db, 1)
		start := time.Now()
		drive(t, func() bool { return len(r.delivered()) == 1 }, w)
		if el := time.Since(start); el < timeout || el > 4*time.Second {
			t.Fatalf("delivered after %s: the stalled attempt did not time out at %s", el, timeout)
		}
		atts, err := f.st.Attempts(context.Background(), ep.ID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(atts) != 2 || atts[0].StatusCode != 200 || atts[1].StatusCode != 0 || atts[1].Error == "" ||
			!strings.Contains(strings.ToLower(atts[1].Error), "timeout") && !strings.Contains(atts[1].Error, "deadline") ||
			atts[0].MessageID != atts[1].MessageID {
			t.Fatalf("attempt log %+v", atts)
		}
	})
}
