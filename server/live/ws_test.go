package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/event/eventtest"
	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/live"
	"copyhold/server/servertest"

	"github.com/gorilla/websocket"
	"gorm.io/gorm"
)

// newLiveEnv is a test server with a running hub.
func newLiveEnv(t *testing.T, db *gorm.DB, edit func(*live.Config, *server.Config)) (*env, *live.Hub) {
	t.Helper()
	var hub *live.Hub
	e := newEnv(t, db, func(cfg *server.Config, st **store.Stores) {
		hub = startHub(t, db, *st, func(hc *live.Config) {
			if edit != nil {
				edit(hc, cfg)
			}
		})
		cfg.Hub = hub
	})
	catchUp(t, db, hub)
	return e, hub
}

// catchUp lets the hub dispatch the set-up events first: a subscription
// without "since" starts at the hub's cursor, so it could otherwise see them.
func catchUp(t *testing.T, db *gorm.DB, hub *live.Hub) {
	t.Helper()
	head, err := event.NewStore(db).LastID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return hub.Stats().Cursor >= head }, "the hub to catch up with the set-up events")
}

// startHub runs a hub on db, woken as cmd/copyhold wakes it; it stops, and
// its listener with it, when the test ends.
func startHub(t testing.TB, db *gorm.DB, st *store.Stores, edit func(*live.Config)) *live.Hub {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	events := event.NewStore(db)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	wake, err := events.Listen(ctx, "", log)
	if err != nil {
		t.Fatal(err)
	}
	// Many test clients share a few members and one address: caps off (TestWSConnectionCaps tests them).
	hc := live.Config{Events: events, Wake: wake, Members: st.Members, Projects: st.Projects, Leases: st.Leases, WriteWait: 5 * time.Second, PruneEvery: -1,
		MaxConnsPerMember: 1 << 20, MaxConnsPerIP: 1 << 20}
	if edit != nil {
		edit(&hc)
	}
	hub := live.New(hc, log)
	if err := hub.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Close)
	return hub
}

// inFrame is any server frame.
type inFrame struct {
	Op       string         `json:"op"`
	Channel  string         `json:"channel"`
	Seq      int64          `json:"seq"`
	Type     string         `json:"type"`
	At       time.Time      `json:"at"`
	ActorID  *int64         `json:"actor_id"`
	Payload  map[string]any `json:"payload"`
	Head     int64          `json:"head"`
	Replayed int            `json:"replayed"`
	Code     string         `json:"code"`
	Reason   string         `json:"reason"`
	Message  string         `json:"message"`
	Count    int            `json:"count"`
	Members  []int64        `json:"members"`
	You      bool           `json:"you"`
}

// wsClient reads frames on a goroutine of its own, so waiting with a
// timeout does not break the connection (a gorilla read that times out
// does). A raw client reads only when asked, and so can play a slow reader.
type wsClient struct {
	t      testing.TB
	ws     *websocket.Conn
	raw    bool
	once   sync.Once
	frames chan []byte
	err    error // set before frames closes
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "timed out waiting for a frame" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func wsURL(base string) string { return "ws" + strings.TrimPrefix(base, "http") + "/ws" }

// dialWS connects as login ("" for anonymous) with extra header pairs.
func dialWS(t testing.TB, base, token string, dialer *websocket.Dialer, headers ...string) (*wsClient, *http.Response, error) {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	if dialer == nil {
		dialer = websocket.DefaultDialer
	}
	ws, res, err := dialer.Dial(wsURL(base), h)
	if err != nil {
		return nil, res, err
	}
	return &wsClient{t: t, ws: ws}, res, nil
}

func (e *env) ws(t *testing.T, login string) *wsClient {
	t.Helper()
	c, _, err := dialWS(t, e.TS.URL, e.Tokens[login], nil)
	if err != nil {
		t.Fatalf("dial as %s: %v", login, err)
	}
	t.Cleanup(func() { c.ws.Close() })
	return c
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *wsClient) read(timeout time.Duration) (inFrame, error) {
	var f inFrame
	var b []byte
	if c.raw {
		c.ws.SetReadDeadline(time.Now().Add(timeout))
		var err error
		if _, b, err = c.ws.ReadMessage(); err != nil {
			return f, err
		}
	} else {
		c.once.Do(func() {
			c.frames = make(chan []byte, 1024)
			go func() {
				defer close(c.frames)
				for {
					_, b, err := c.ws.ReadMessage()
					if err != nil {
						c.err = err
						return
					}
					c.frames <- b
				}
			}()
		})
		select {
		case m, ok := <-c.frames:
			if !ok {
				return f, c.err
			}
			b = m
		case <-time.After(timeout):
			return f, timeoutError{}
		}
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("bad frame %s: %w", b, err)
	}
	// Every frame the server sends is one the OpenAPI document's annex
	// describes: each new shape is validated once (the many-client and slow
	// client tests read thousands of frames of a few shapes).
	if _, seen := checkedShapes.LoadOrStore(frameShape(b), true); !seen {
		if err := servertest.CheckWSFrame(b); err != nil {
			checkedShapes.Delete(frameShape(b))
			c.t.Errorf("%v", err)
		}
	}
	return f, nil
}

// checkedShapes are the frame shapes validated so far (frameShape).
var checkedShapes sync.Map

// frameShape is what a frame's validity depends on: its op, error code and
// fields, each with the kind of its value.
func frameShape(b []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return string(b)
	}
	keys := make([]string, 0, len(m))
	for k, v := range m {
		kind := "?"
		if len(v) > 0 {
			kind = string(v[0])
		}
		if k == "op" || k == "code" {
			kind = string(v)
		}
		keys = append(keys, k+"="+kind)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// next returns the next frame that is not presence.
func (c *wsClient) next() inFrame {
	c.t.Helper()
	for {
		f, err := c.read(5 * time.Second)
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		if f.Op != "presence" {
			return f
		}
	}
}

// nextOf returns the next event frame of type typ, skipping events of other
// types (on coop, the fixture's own member.joined may still be on its way).
func (c *wsClient) nextOf(typ string) inFrame {
	c.t.Helper()
	for {
		f := c.next()
		if f.Op != "event" || f.Type == typ {
			return f
		}
	}
}

// quiet asserts that no event frame arrives for d.
func (c *wsClient) quiet(d time.Duration) {
	c.t.Helper()
	for {
		f, err := c.read(d)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return
			}
			c.t.Fatalf("read: %v", err)
		}
		if f.Op == "event" || f.Op == "error" {
			c.t.Fatalf("expected silence, got %+v", f)
		}
	}
}

func (c *wsClient) subscribe(channel string, extra ...any) inFrame {
	c.t.Helper()
	m := map[string]any{"op": "subscribe", "channel": channel}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	c.send(m)
	return c.next()
}

func (c *wsClient) mustSubscribe(channel string, extra ...any) inFrame {
	c.t.Helper()
	f := c.subscribe(channel, extra...)
	if f.Op != "subscribed" || f.Channel != channel {
		c.t.Fatalf("subscribe %s: got %+v", channel, f)
	}
	return f
}

func closeCode(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

func TestWSAuthorisationMatrix(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e, hub := newLiveEnv(t, db, nil)
		p := e.Project(t) // lab, rev and target are project members
		catchUp(t, db, hub)
		out := e.AddMember(t, "outsider", member.RoleLabeller)
		ctx := context.Background()
		coord := e.Members["coord"].ID
		P := fmt.Sprint(p.ID)

		if _, res, err := dialWS(t, e.TS.URL, "", nil); err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous upgrade: %v %v", err, res)
		}
		if _, res, err := dialWS(t, e.TS.URL, "not-a-token", nil); err == nil || res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("bad token upgrade: %v %v", err, res)
		}

		cases := []struct {
			login, channel, want string
		}{
			{"lab", "review:" + P, "forbidden"},
			{"lab", fmt.Sprintf("member:%d", e.Members["rev"].ID), "forbidden"},
			{"lab", fmt.Sprintf("member:%d", e.Members["lab"].ID), "subscribed"},
			{"lab", "project:" + P, "subscribed"},
			{"lab", "coop", "subscribed"},
			{"lab", "audit", "unknown_channel"},
			{"lab", "project:0" + P, "unknown_channel"},
			{"lab", "project:x", "unknown_channel"},
			{"outsider", "project:" + P, "forbidden"},
			{"outsider", "coop", "subscribed"},
			{"rev", "project:" + P, "subscribed"},
			{"rev", "review:" + P, "subscribed"},
			{"coord", "project:" + P, "subscribed"},
			{"coord", "review:" + P, "subscribed"},
			{"coord", "project:99999", "subscribed"},
			{"coord", fmt.Sprintf("member:%d", e.Members["lab"].ID), "forbidden"},
		}
		conns := map[string]*wsClient{}
		for _, c := range cases {
			w := conns[c.login]
			if w == nil {
				w = e.ws(t, c.login)
				conns[c.login] = w
			}
			f := w.subscribe(c.channel)
			got := f.Op
			if f.Op == "error" {
				got = f.Code
			}
			if got != c.want {
				t.Errorf("%s subscribing %s: got %+v, want %s", c.login, c.channel, f, c.want)
			}
		}
		_ = out

		// Labellers see who did what only for their own actions.
		rev, lab := e.Members["rev"].ID, e.Members["lab"].ID
		eventtest.Append(t, db, "task.submitted", "project:"+P, &rev, map[string]any{"member_id": rev, "item_id": 1})
		eventtest.Append(t, db, "task.submitted", "project:"+P, &lab, map[string]any{"member_id": lab, "item_id": 2})
		for _, who := range []string{"lab", "rev", "coord"} {
			w := conns[who]
			a, b := w.nextOf("task.submitted"), w.nextOf("task.submitted")
			if a.Type != "task.submitted" || b.Type != "task.submitted" || b.Seq <= a.Seq {
				t.Fatalf("%s: %+v %+v", who, a, b)
			}
			hidden := who == "lab"
			if (a.ActorID == nil) != hidden || (a.Payload["member_id"] == nil) != hidden {
				t.Errorf("%s sees someone else's action as %+v (hidden=%v)", who, a, hidden)
			}
			if b.ActorID == nil || b.Payload["member_id"] == nil || b.Payload["item_id"] == nil {
				t.Errorf("%s: own/visible fields missing: %+v", who, b)
			}
			// Nor on which item others worked (gold items take any number of answers).
			if (a.Payload["item_id"] == nil) != hidden {
				t.Errorf("%s sees the item of someone else's action as %+v (hidden=%v)", who, a, hidden)
			}
		}

		// A reviewer who loses the role loses review:<p> at once, and keeps
		// the project as a labeller with the labeller's view.
		tw := e.ws(t, "target")
		tw.mustSubscribe("review:" + P)
		tw.mustSubscribe("project:" + P)
		tw.mustSubscribe(fmt.Sprintf("member:%d", e.Members["target"].ID))
		target := e.Members["target"].ID
		if err := e.Stores.Members.RevokeRole(ctx, &coord, target, member.RoleReviewer); err != nil {
			t.Fatal(err)
		}
		f := tw.next()
		if f.Op != "error" || f.Code != "forbidden" || f.Channel != "review:"+P {
			t.Fatalf("after revoke: %+v", f)
		}
		if f = tw.next(); f.Type != "role.revoked" {
			t.Fatalf("own member channel: %+v", f)
		}
		eventtest.Append(t, db, "review.queued", "review:"+P, &rev, map[string]any{"n": 1})
		eventtest.Append(t, db, "task.claimed", "project:"+P, &rev, map[string]any{"member_id": rev})
		if f = tw.next(); f.Channel != "project:"+P || f.ActorID != nil || f.Payload["member_id"] != nil {
			t.Fatalf("revoked reviewer still has the full view or the review channel: %+v", f)
		}
		if f := tw.subscribe("review:" + P); f.Code != "forbidden" {
			t.Fatalf("resubscribe after revoke: %+v", f)
		}

		// Removed from the project: the subscription ends.
		if err := e.Stores.Projects.RemoveProjectMember(ctx, &coord, p.ID, target); err != nil {
			t.Fatal(err)
		}
		if f = tw.next(); f.Op != "error" || f.Code != "forbidden" || f.Channel != "project:"+P {
			t.Fatalf("after removal: %+v", f)
		}

		// Deactivated: the connection closes with 1008.
		if err := e.Stores.Members.Deactivate(ctx, &coord, target); err != nil {
			t.Fatal(err)
		}
		for {
			_, err := tw.read(5 * time.Second)
			if err != nil {
				if closeCode(err) != websocket.ClosePolicyViolation {
					t.Fatalf("deactivated member's socket ended with %v", err)
				}
				break
			}
		}
	})
}

func TestWSMalformedAndOversizeFrames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e, hub := newLiveEnv(t, db, nil)
		w := e.ws(t, "lab")
		for _, raw := range []string{`not json`, `{"op":"subscribe","channel":7}`, `{"op":"dance"}`, `[]`,
			`{"op":"subscribe","channel":"coop","since":-3}`, `{"op":"subscribe","channel":"coop","extra":1}`, ``} {
			if err := w.ws.WriteMessage(websocket.TextMessage, []byte(raw)); err != nil {
				t.Fatal(err)
			}
			if f := w.next(); f.Op != "error" || f.Code != "malformed_frame" {
				t.Errorf("%q: %+v", raw, f)
			}
		}
		w.ws.WriteMessage(websocket.BinaryMessage, []byte{0, 1, 2})
		if f := w.next(); f.Code != "malformed_frame" {
			t.Errorf("binary: %+v", f)
		}
		w.send(map[string]string{"op": "unsubscribe", "channel": "coop"})
		if f := w.next(); f.Code != "unknown_channel" {
			t.Errorf("unsubscribe without subscription: %+v", f)
		}
		w.send(map[string]string{"op": "ping"})
		if f := w.next(); f.Op != "pong" {
			t.Errorf("ping: %+v", f)
		}
		w.mustSubscribe("coop")
		w.send(map[string]string{"op": "unsubscribe", "channel": "coop"})
		if f := w.next(); f.Op != "unsubscribed" {
			t.Errorf("unsubscribe: %+v", f)
		}

		// Oversize: close 1009.
		big := `{"op":"subscribe","channel":"` + strings.Repeat("x", 5000) + `"}`
		w.ws.WriteMessage(websocket.TextMessage, []byte(big))
		var err error
		for err == nil {
			_, err = w.read(5 * time.Second)
		}
		if closeCode(err) != websocket.CloseMessageTooBig {
			t.Fatalf("oversize frame: %v", err)
		}

		// The server is fine: a new client subscribes and gets events.
		w2 := e.ws(t, "lab")
		w2.mustSubscribe("coop")
		seq := eventtest.Append(t, db, "test.after", "coop", nil, map[string]any{})
		if f := w2.next(); f.Seq != seq {
			t.Fatalf("after oversize: %+v", f)
		}
		waitFor(t, func() bool { return hub.Stats().Connections == 1 }, "the closed connection to leave the hub")
	})
}

func waitFor(t testing.TB, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWSResumeFromSince(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e, _ := newLiveEnv(t, db, nil)
		w := e.ws(t, "lab")
		sub := w.mustSubscribe("coop")
		var got []int64
		for i := range 3 {
			eventtest.Append(t, db, "test.n", "coop", nil, map[string]any{"n": i})
			got = append(got, w.next().Seq)
		}
		w.ws.Close()
		var want []int64
		for i := range 5 {
			eventtest.Append(t, db, "test.other", "project:1", nil, map[string]any{"n": i})
			want = append(want, eventtest.Append(t, db, "test.n", "coop", nil, map[string]any{"n": 10 + i}))
		}

		w = e.ws(t, "lab")
		w.send(map[string]any{"op": "subscribe", "channel": "coop", "since": got[len(got)-1]})
		live := make(chan int64, 10)
		go func() { // events committed during replay must follow it, once
			for i := range 3 {
				live <- eventtest.Append(t, db, "test.live", "coop", nil, map[string]any{"n": i})
			}
			close(live)
		}()
		var replay []int64
		var f inFrame
		for f = w.next(); f.Op == "event"; f = w.next() {
			replay = append(replay, f.Seq)
		}
		if f.Op != "subscribed" || f.Replayed != len(replay) {
			t.Fatalf("replay %v then %+v", replay, f)
		}
		for _, s := range replay {
			if s > f.Head {
				t.Fatalf("replayed %d past head %d", s, f.Head)
			}
		}
		// Everything after since comes once, in order: up to head in the
		// replay, the rest (including what was committed during the replay)
		// live after "subscribed".
		for s := range live {
			want = append(want, s)
		}
		all := replay
		for len(all) < len(want) {
			g := w.next()
			if g.Seq <= f.Head {
				t.Fatalf("live event %d at or below head %d", g.Seq, f.Head)
			}
			all = append(all, g.Seq)
		}
		if fmt.Sprint(all) != fmt.Sprint(want) {
			t.Fatalf("replay+live %v, want %v (head %d)", all, want, f.Head)
		}
		w.quiet(200 * time.Millisecond)
		_ = sub

		// Resuming from before the retention window gets reset, then live.
		if _, err := event.NewStore(db).Prune(context.Background(), time.Nanosecond); err != nil {
			t.Fatal(err)
		}
		w2 := e.ws(t, "lab")
		w2.send(map[string]any{"op": "subscribe", "channel": "coop", "since": got[0]})
		if f := w2.next(); f.Op != "reset" || f.Reason != "too_far_behind" {
			t.Fatalf("resume from pruned history: %+v", f)
		}
		w2.next() // subscribed
		seq := eventtest.Append(t, db, "test.n", "coop", nil, map[string]any{})
		if f := w2.next(); f.Seq != seq {
			t.Fatalf("live after reset: %+v", f)
		}
	})
}

type smallBufListener struct{ net.Listener }

func (l smallBufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(8192)
	}
	return c, err
}

func TestWSSlowClientIsolation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e, hub := newLiveEnv(t, db, func(hc *live.Config, _ *server.Config) {
			hc.WriteWait = 30 * time.Second
		})
		fast := e.ws(t, "rev") // on the ordinary server
		fast.mustSubscribe("coop")
		// Small kernel socket buffers on the server side, so a client that
		// does not read backs up into the hub after a few frames, not after
		// megabytes.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewUnstartedServer(e.Server.Handler())
		ts.Listener.Close()
		ts.Listener = smallBufListener{ln}
		ts.Start()
		defer ts.Close()
		// The slow client has a tiny receive window and does not read.
		slowDialer := &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetReadBuffer(4096)
			}
			return c, err
		}}
		slow, _, err := dialWS(t, ts.URL, e.Tokens["lab"], slowDialer)
		if err != nil {
			t.Fatal(err)
		}
		slow.raw = true
		defer slow.ws.Close()
		slow.mustSubscribe("coop")

		pad := strings.Repeat("x", 1000)
		var lastSeq int64
		var worst time.Duration
		done := make(chan struct{})
		var received atomic.Int64
		go func() {
			defer close(done)
			for {
				f, err := fast.read(10 * time.Second)
				if err != nil {
					t.Errorf("fast client: %v", err)
					return
				}
				if f.Op != "event" || f.Type != "test.pad" {
					continue // the hub may still be delivering the setup's member.joined
				}
				received.Add(1)
				if lag := time.Since(f.At); lag > worst {
					worst = lag
				}
				if f.Payload["last"] == true {
					return
				}
			}
		}()
		const total = 1000
		start := time.Now()
		defer func() { t.Logf("slow-client test took %v", time.Since(start)) }()
		for i := 0; i < total; i += 10 {
			if err := db.Transaction(func(tx *gorm.DB) error {
				for j := i; j < i+10; j++ {
					if err := event.Append(tx, "test.pad", "coop", nil, map[string]any{"pad": pad, "last": j == total-1}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			// Pace the writes to the fast client, which reads as fast as
			// it is scheduled: on a loaded machine a burst of 1000 could
			// fill its queue too. The slow client never reads, so it falls
			// behind all the same.
			for deadline := time.Now().Add(10 * time.Second); received.Load() < int64(i+10) && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
		}
		lastSeq, _ = event.NewStore(db).LastID(context.Background())
		t.Logf("written after %v", time.Since(start))
		<-done
		t.Logf("fast client done after %v; stats %+v", time.Since(start), hub.Stats())
		if n := received.Load(); n != total {
			t.Fatalf("fast client got %d of %d events", n, total)
		}
		if worst > time.Second {
			t.Errorf("fast client lagged %v behind commits", worst)
		}
		if hub.Stats().SlowDrops != 1 {
			t.Fatalf("stats: %+v", hub.Stats())
		}
		// The slow client, reading at last, finds the slow-consumer close.
		var last int64
		for {
			f, err := slow.read(10 * time.Second)
			if err != nil {
				if closeCode(err) != 4008 {
					t.Fatalf("slow client ended with %v", err)
				}
				if !strings.Contains(err.Error(), "slow consumer") {
					t.Errorf("close reason: %v", err)
				}
				break
			}
			last = f.Seq
		}
		if last >= lastSeq {
			t.Fatalf("slow client got everything (%d); the test did not make it slow", last)
		}
		t.Logf("fast client worst lag %v; slow client dropped after seq %d of %d", worst, last, lastSeq)
	})
}
