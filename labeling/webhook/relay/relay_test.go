package relay_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/event/eventtest"
	"copyhold/labeling/webhook"
	"copyhold/labeling/webhook/relay"
	"copyhold/labeling/webhook/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// verify is an implementation of the Standard Webhooks verification written
// from the specification, independent of webhook.Sign: the signed content is
// id.timestamp.body, the key the base64 after whsec_, the header a
// space-separated list of v1,<base64> signatures, the timestamp within five
// minutes. It checks itself against the specification's test vector first.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || id == "" {
		return errors.New("missing webhook-id or webhook-timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp outside tolerance")
	}
	mac := hmac.New(sha256.New, key)
	io.WriteString(mac, id+"."+ts+".")
	mac.Write(body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		v, b64, ok := strings.Cut(sig, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no valid signature")
}

func TestIndependentVerifierAcceptsTheSpecificationVector(t *testing.T) {
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	body := []byte(`{"test": 2432232314}`)
	if err := verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", h, body, time.Unix(1614265330, 0)); err != nil {
		t.Fatal(err)
	}
	if err := verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", h, []byte(`{"test": 2432232315}`), time.Unix(1614265330, 0)); err == nil {
		t.Fatal("a changed body verified")
	}
}

// receiver is a loopback webhook endpoint that verifies every request and
// answers with the codes it is given, then 200.
type receiver struct {
	t      *testing.T
	ts     *httptest.Server
	secret string
	mu     sync.Mutex
	fail   int // answer 500 to this many requests first
	always bool
	calls  []call
}

type call struct {
	id     string
	status int
	body   webhook.Body
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	r.ts = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.ts.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := verify(r.secret, req.Header, body, time.Now()); err != nil {
		r.t.Errorf("signature: %v", err)
		w.WriteHeader(401)
		return
	}
	var b webhook.Body
	if err := json.Unmarshal(body, &b); err != nil {
		r.t.Errorf("body %s: %v", body, err)
	}
	status := 200
	if r.always || r.fail > 0 {
		status = 500
		r.fail--
	}
	r.calls = append(r.calls, call{id: req.Header.Get("webhook-id"), status: status, body: b})
	w.WriteHeader(status)
}

// delivered is what the receiver accepted, by webhook-id, in arrival order.
func (r *receiver) delivered() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if c.status == 200 {
			out = append(out, c)
		}
	}
	return out
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

type fixture struct {
	db    *gorm.DB
	st    *store.Store
	coord int64
}

func setup(t *testing.T, db *gorm.DB) fixture {
	t.Helper()
	now := time.Now().UTC()
	if err := db.Exec(`INSERT INTO members (login, display_name, created_at, updated_at) VALUES ('coord', 'Coord', ?, ?)`, now, now).Error; err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.Raw(`SELECT id FROM members WHERE login = 'coord'`).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return fixture{db: db, st: store.New(db, nil), coord: id}
}

func (f fixture) register(t *testing.T, r *receiver, types ...string) webhook.Endpoint {
	t.Helper()
	svc := relay.NewService(f.st, webhook.Policy{AllowLoopback: true})
	ep, err := svc.Register(context.Background(), f.coord, webhook.NewEndpoint{URL: r.ts.URL + "/hook", EventTypes: types})
	if err != nil {
		t.Fatal(err)
	}
	r.secret = ep.Secret
	return ep
}

// gather is the workers' review.decided window: short, so that batches fall
// due within a test; a test that must not see one fall due on a slow machine
// sets it long (anything queued after a batch releases it anyway).
var gather = 100 * time.Millisecond

func (f fixture) worker(backoff ...time.Duration) *relay.Worker {
	if len(backoff) == 0 {
		backoff = []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond}
	}
	return relay.NewWorker(relay.Config{Events: event.NewStore(f.db), Policy: webhook.Policy{AllowLoopback: true},
		Backoff: backoff, Gather: gather, Timeout: 5 * time.Second, GapSettle: time.Millisecond, GapWait: 2 * time.Second}, f.st, nil)
}

// drive steps w until done says so, for at most 15 seconds.
func drive(t *testing.T, done func() bool, ws ...*relay.Worker) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		for _, w := range ws {
			w.Step(context.Background())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func snapshot(t *testing.T, db *gorm.DB, n int) int64 {
	return eventtest.Append(t, db, "snapshot.created", event.CoopScope, nil, map[string]any{"snapshot_id": n, "hash": "h" + strconv.Itoa(n)})
}

func TestDeliversSignedEventsInOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := setup(t, db)
		before := snapshot(t, db, 0) // committed before the endpoint: not sent
		r := newReceiver(t)
		f.register(t, r, webhook.SnapshotCreated, webhook.ProjectCompleted)
		w := f.worker()
		var want []int64
		for i := 1; i <= 5; i++ {
			want = append(want, snapshot(t, db, i))
			eventtest.Append(t, db, "task.claimed", event.ProjectScope(1), nil, map[string]any{"item_id": i}) // not a webhook
		}
		eventtest.Append(t, db, "project.status_changed", event.ProjectScope(7), nil, map[string]any{"project_id": 7, "from": "open", "to": "paused"})
		done := eventtest.Append(t, db, "project.status_changed", event.ProjectScope(7), nil, map[string]any{"project_id": 7, "from": "paused", "to": "closed"})
		drive(t, func() bool { return len(r.delivered()) == 6 }, w)
		got := r.delivered()
		for i, c := range got[:5] {
			var d struct{ Seq, SnapshotID int64 }
			d.Seq = -1
			json.Unmarshal(c.body.Data, &map[string]any{})
			var m map[string]any
			json.Unmarshal(c.body.Data, &m)
			if c.body.Type != "snapshot.created" || int64(m["seq"].(float64)) != want[i] || int64(m["seq"].(float64)) == before {
				t.Fatalf("delivery %d: %+v (want seq %d)", i, c.body, want[i])
			}
		}
		var m map[string]any
		json.Unmarshal(got[5].body.Data, &m)
		if got[5].body.Type != "project.completed" || int64(m["seq"].(float64)) != done {
			t.Fatalf("last delivery %+v", got[5].body)
		}
		time.Sleep(20 * time.Millisecond)
		w.Step(context.Background())
		if n := r.count(); n != 6 {
			t.Fatalf("%d requests, want 6", n)
		}
	})
}

func TestRetriesWithBackoffThenDeliversOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := setup(t, db)
		r := newReceiver(t)
		r.fail = 3
		ep := f.register(t, r, webhook.SnapshotCreated)
		w := f.worker(30*time.Millisecond, 30*time.Millisecond, 30*time.Millisecond, 30*time.Millisecond)
		snapshot(t, db, 1)
		second := snapshot(t, db, 2)
		start := time.Now()
		drive(t, func() bool { return len(r.delivered()) == 2 }, w)
		if el := time.Since(start); el < 90*time.Millisecond {
			t.Fatalf("three retries took %s, less than the backoff", el)
		}
		r.mu.Lock()
		calls := append([]call(nil), r.calls...)
		r.mu.Unlock()
		if len(calls) != 5 {
			t.Fatalf("%d requests, want 4 for the first message and 1 for the second", len(calls))
		}
		for _, c := range calls[:4] {
			if c.id != calls[0].id {
				t.Fatalf("retries changed webhook-id: %s then %s", calls[0].id, c.id)
			}
		}
		var m map[string]any
		json.Unmarshal(calls[4].body.Data, &m)
		if calls[4].id == calls[0].id || int64(m["seq"].(float64)) != second {
			t.Fatalf("the second message came out of order: %+v", calls[4])
		}
		atts, err := f.st.Attempts(context.Background(), ep.ID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		var codes []int
		for i := len(atts) - 1; i >= 0; i-- {
			codes = append(codes, atts[i].StatusCode)
		}
		if len(codes) != 5 || codes[0] != 500 || codes[2] != 500 || codes[3] != 200 || atts[1].Attempt != 4 || atts[1].Error != "" || atts[2].Error != "HTTP 500" {
			t.Fatalf("attempt log %+v", atts)
		}
	})
}

func TestDisabledAfterRepeatedFailuresAndTheCoordinatorIsTold(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := setup(t, db)
		r := newReceiver(t)
		r.always = true
		ep := f.register(t, r, webhook.SnapshotCreated)
		w := f.worker(time.Millisecond, time.Millisecond)
		snapshot(t, db, 1)
		ctx := context.Background()
		drive(t, func() bool {
			e, err := f.st.Get(ctx, ep.ID)
			return err == nil && e.DisabledAt != nil
		}, w)
		if n := r.count(); n != 3 {
			t.Fatalf("%d attempts before disabling, want 3", n)
		}
		evs, err := event.NewStore(db).InScope(ctx, event.MemberScope(f.coord), 0, 1<<62, 10)
		if err != nil || len(evs) != 1 || evs[0].Type != webhook.DisabledEvent || !strings.Contains(string(evs[0].Payload), r.ts.URL) {
			t.Fatalf("the coordinator's events: %+v %v", evs, err)
		}
		// A disabled endpoint gets nothing more, and no new messages.
		snapshot(t, db, 2)
		time.Sleep(10 * time.Millisecond)
		w.Step(ctx)
		if n := r.count(); n != 3 {
			t.Fatalf("a disabled endpoint was called: %d", n)
		}
		// Enabled again, it gets the message it stopped at.
		r.mu.Lock()
		r.always = false
		r.mu.Unlock()
		if _, err := f.st.Enable(ctx, ep.ID); err != nil {
			t.Fatal(err)
		}
		drive(t, func() bool { return len(r.delivered()) == 1 }, w)
		if e, _ := f.st.Get(ctx, ep.ID); e.DisabledAt != nil || e.Pending != 0 {
			t.Fatalf("after enabling: %+v", e)
		}
	})
}

// A restart mid-retry: the first worker fails once and goes away; a new
// one, on the same database, delivers the message, once.
func TestARestartMidRetryStillDelivers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := setup(t, db)
		r := newReceiver(t)
		r.fail = 1
		f.register(t, r, webhook.SnapshotCreated)
		snapshot(t, db, 1)
		first := f.worker(50 * time.Millisecond)
		drive(t, func() bool { return r.count() == 1 }, first)
		// Restart: a new store and worker, as a new process would make.
		f.st = store.New(db, nil)
		second := f.worker(50 * time.Millisecond)
		drive(t, func() bool { return len(r.delivered()) == 1 }, second)
		// A worker that died holding a claim: its lease runs out and the
		// delivery is taken again.
		snapshot(t, db, 2)
		if err := second.Fanout(context.Background()); err != nil {
			t.Fatal(err)
		}
		held, err := f.st.Claim(context.Background(), 5, time.Millisecond)
		if err != nil || len(held) != 1 {
			t.Fatalf("claim: %v %v", held, err)
		}
		time.Sleep(5 * time.Millisecond)
		third := f.worker()
		drive(t, func() bool { return len(r.delivered()) == 2 }, third)
		if n := r.count(); n != 3 {
			t.Fatalf("%d requests, want 3", n)
		}
	})
}

// Several workers (several serve instances) deliver every event once.
func TestTwoWorkersDeliverEachEventOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := setup(t, db)
		r1, r2 := newReceiver(t), newReceiver(t)
		f.register(t, r1, webhook.SnapshotCreated, webhook.ReleaseCreated)
		f.register(t, r2, webhook.ReleaseCreated)
		a, b := f.worker(), f.worker()
		const n = 30
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, w := range []*relay.Worker{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					w.Step(ctx)
					time.Sleep(time.Millisecond)
				}
			}()
		}
		for i := 0; i < n; i++ {
			if i%3 == 0 {
				eventtest.Append(t, db, "release.created", event.CoopScope, nil, map[string]any{"release_id": i})
			} else {
				snapshot(t, db, i)
			}
		}
		deadline := time.Now().Add(20 * time.Second)
		for (len(r1.delivered()) < n || len(r2.delivered()) < n/3) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		cancel()
		wg.Wait()
		for name, r := range map[string]*receiver{"r1": r1, "r2": r2} {
			seen := map[string]bool{}
			last := int64(0)
			for _, c := range r.delivered() {
				if seen[c.id] {
					t.Fatalf("%s got %s twice", name, c.id)
				}
				seen[c.id] = true
				var m map[string]any
				json.Unmarshal(c.body.Data, &m)
				if s := int64(m["seq"].(float64)); s <= last {
					t.Fatalf("%s: seq %d after %d", name, s, last)
				} else {
					last = s
				}
			}
		}
		if len(r1.delivered()) != n || len(r2.delivered()) != n/3 || r1.count() != n || r2.count() != n/3 {
			t.Fatalf("r1 %d/%d, r2 %d/%d", len(r1.delivered()), r1.count(), len(r2.delivered()), r2.count())
		}
	})
}

// review.decided is gathered per project, never sent per decision; the
// member and project copies of a decision are not counted again.
func TestReviewDecisionsAreGathered(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := setup(t, db)
		r := newReceiver(t)
		f.register(t, r, webhook.ReviewDecided, webhook.ImportFinished)
		gather = time.Hour // project 3's batch stays open until what follows it releases it
		w := f.worker()
		gather = 100 * time.Millisecond
		decide := func(project int64, decision string) {
			for _, scope := range []string{event.ReviewScope(project), event.MemberScope(9), event.ProjectScope(project)} {
				eventtest.Append(t, db, "review.decided", scope, nil, map[string]any{"review_id": 1, "decision": decision, "final": true})
			}
		}
		decide(3, "accept")
		decide(3, "accept")
		w.Step(context.Background())
		decide(3, "reject")
		decide(4, "accept")
		eventtest.Append(t, db, "import.finished", event.ProjectScope(4), nil, map[string]any{"import_id": 2, "imported": 10})
		drive(t, func() bool { return len(r.delivered()) == 3 }, w)
		got := r.delivered()
		var p3, p4 webhook.ReviewBatch
		json.Unmarshal(got[0].body.Data, &p3)
		json.Unmarshal(got[1].body.Data, &p4)
		if got[0].body.Type != "review.decided" || p3.ProjectID != 3 || p3.Decisions != 3 || p3.ByDecision["accept"] != 2 || p3.ByDecision["reject"] != 1 || p3.Final != 3 {
			t.Fatalf("project 3's batch: %+v %+v", got[0].body, p3)
		}
		if p4.ProjectID != 4 || p4.Decisions != 1 {
			t.Fatalf("project 4's batch: %+v", p4)
		}
		var imp map[string]any
		json.Unmarshal(got[2].body.Data, &imp)
		if got[2].body.Type != "import.finished" || imp["project_id"].(float64) != 4 {
			t.Fatalf("import: %+v", got[2].body)
		}
	})
}

// Only what committed is sent: a rolled-back event never is, and on
// PostgreSQL an event committed after a later one is still sent first.
func TestOnlyCommittedEventsAreSent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := setup(t, db)
		r := newReceiver(t)
		f.register(t, r, webhook.SnapshotCreated)
		w := f.worker()
		ctx := context.Background()
		boom := errors.New("roll back")
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := event.Append(tx, "snapshot.created", event.CoopScope, nil, map[string]any{"snapshot_id": 666}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		snapshot(t, db, 1)
		drive(t, func() bool { return len(r.delivered()) == 1 }, w)
		if !event.NewStore(db).CommitsInOrder() {
			// A transaction holds an id below one that commits: nothing
			// after it goes out until it commits.
			tx := db.Begin()
			defer tx.Rollback() // a failed check must not leave the connection held
			if err := event.Append(tx, "snapshot.created", event.CoopScope, nil, map[string]any{"snapshot_id": 2}); err != nil {
				t.Fatal(err)
			}
			snapshot(t, db, 3)
			for i := 0; i < 20; i++ {
				w.Step(ctx)
				time.Sleep(5 * time.Millisecond)
			}
			if n := r.count(); n != 1 {
				t.Fatalf("%d requests while an earlier event was uncommitted", n)
			}
			if err := tx.Commit().Error; err != nil {
				t.Fatal(err)
			}
			drive(t, func() bool { return len(r.delivered()) == 3 }, w)
		}
		for _, c := range r.delivered() {
			var m map[string]any
			json.Unmarshal(c.body.Data, &m)
			if m["snapshot_id"].(float64) == 666 {
				t.Fatal("a rolled-back event was sent")
			}
		}
		var ids []float64
		for _, c := range r.delivered() {
			var m map[string]any
			json.Unmarshal(c.body.Data, &m)
			ids = append(ids, m["snapshot_id"].(float64))
		}
		if len(ids) > 1 && (ids[1] != 2 || ids[2] != 3) {
			t.Fatalf("order %v, want 1 2 3", ids)
		}
	})
}

// An endpoint deleted while its message is being sent: the attempt's
// result is dropped quietly, and nothing more is sent.
func TestDeleteDuringAnAttempt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := setup(t, db)
		r := newReceiver(t)
		ep := f.register(t, r, webhook.SnapshotCreated)
		snapshot(t, db, 1)
		w := f.worker()
		ctx := context.Background()
		if err := w.Fanout(ctx); err != nil {
			t.Fatal(err)
		}
		held, err := f.st.Claim(ctx, 5, time.Minute)
		if err != nil || len(held) != 1 {
			t.Fatalf("claim: %v %v", held, err)
		}
		if err := f.st.Delete(ctx, ep.ID); err != nil {
			t.Fatal(err)
		}
		ok, err := f.st.Finish(ctx, held[0], store.Result{StatusCode: 200, At: time.Now().UTC()}, store.Outcome{Delivered: true})
		if err != nil || ok {
			t.Fatalf("finish after delete: held %v, err %v", ok, err)
		}
		if _, err := f.st.Attempts(ctx, ep.ID, 0, 10); !errors.Is(err, webhook.ErrNotFound) {
			t.Fatalf("attempts of a deleted endpoint: %v", err)
		}
	})
}
