package live_test

// Live-tracking benchmark. The server runs in a child process (this test
// binary re-run as TestLiveBenchChild) so its memory per connection is
// measured without the clients'; the clients run here.
//
//	go test ./server/live/ -run '^$' -bench BenchmarkLive -benchtime 1x -timeout 20m
//
// Set COPYHOLD_WS_BENCH_DB=postgres (with TEST_DATABASE_URL) to run the
// server on PostgreSQL instead of SQLite.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/event/eventtest"
	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/live"
	"copyhold/server/servertest"

	"github.com/gorilla/websocket"
	"golang.org/x/crypto/bcrypt"
)

type benchChildInfo struct {
	URL      string `json:"url"`
	Token    string `json:"token"`
	LabToken string `json:"lab_token"`
	Project  int64  `json:"project"`
}

// TestLiveBenchChild is the benchmark's server process; it does nothing in
// an ordinary test run.
func TestLiveBenchChild(t *testing.T) {
	if os.Getenv("COPYHOLD_WS_BENCH_CHILD") == "" {
		t.Skip("only the live-tracking benchmark's server process")
	}
	d := dbtest.SQLite
	if os.Getenv("COPYHOLD_WS_BENCH_DB") == "postgres" {
		d = dbtest.Postgres
	}
	db := dbtest.Open(t, d)
	st := store.New(db)
	ctx := context.Background()
	cost := member.PasswordCost(bcrypt.MinCost)
	coord, err := st.Members.CreateMember(ctx, nil, member.NewMember{Login: "coord", DisplayName: "c", Password: servertest.Password, Roles: []member.Role{member.RoleCoordinator}, Cost: cost})
	if err != nil {
		t.Fatal(err)
	}
	lab, err := st.Members.CreateMember(ctx, nil, member.NewMember{Login: "lab", DisplayName: "l", Password: servertest.Password, Roles: []member.Role{member.RoleLabeller}, Cost: cost})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, _ := st.Members.CreateToken(ctx, coord.ID, "bench")
	_, labTok, _ := st.Members.CreateToken(ctx, lab.ID, "bench")
	model, err := st.Projects.CreateModel(ctx, &coord.ID, labeling.Model{Name: "m"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Projects.CreateProject(ctx, &coord.ID, labeling.ProjectSettings{ModelID: model.ID, Name: "p", TaskType: tasktype.TaskClassification,
		Overlap: 1, Schema: json.RawMessage(`{"choices":[{"value":"a"},{"value":"b"}]}`)}, true)
	if err != nil {
		t.Fatal(err)
	}
	var items strings.Builder
	for i := range 500 {
		fmt.Fprintf(&items, "{\"text\":\"item %d\"}\n", i)
	}
	if _, err := st.Projects.ImportItems(ctx, &coord.ID, p.ID, strings.NewReader(items.String()), "jsonl", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Projects.SetProjectStatus(ctx, &coord.ID, p.ID, labeling.ProjectOpen); err != nil {
		t.Fatal(err)
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	events := event.NewStore(db)
	wake, err := events.Listen(ctx, "", log)
	if err != nil {
		t.Fatal(err)
	}
	hub := live.New(live.Config{Events: events, Wake: wake, Members: st.Members, Projects: st.Projects, Leases: st.Leases, PruneEvery: -1,
		MaxConnsPerMember: 1 << 20, MaxConnsPerIP: 1 << 20}, log)
	if err := hub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer hub.Close()
	srv := server.New(server.Config{Hub: hub, PasswordCost: cost}, servertest.Deps(db, st), log)

	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	mux.HandleFunc("/bench/mem", func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		json.NewEncoder(w).Encode(map[string]any{"bytes": ms.HeapInuse + ms.StackInuse, "stats": hub.Stats()})
	})
	mux.HandleFunc("/bench/emit", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.URL.Query().Get("n"), &n)
		for i := range n {
			eventtest.Append(t, db, "bench.tick", "coop", nil, map[string]any{"i": i, "note": "a progress tick"})
		}
	})
	mux.HandleFunc("/bench/submit", func(w http.ResponseWriter, r *http.Request) {
		task, err := st.Leases.ClaimNextTask(r.Context(), lab.ID, p.ID)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		_, err = work.New(st).Submit(r.Context(), lab.ID, labeling.SubmitRequest{LeaseToken: task.LeaseToken,
			IdempotencyKey: task.LeaseToken, Answer: json.RawMessage(`{"choice":"a"}`)})
		committed := time.Now()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, committed.UnixNano())
	})
	hs := &http.Server{Handler: mux}
	ln, err := listenLoopback()
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	json.NewEncoder(os.Stdout).Encode(benchChildInfo{URL: "http://" + ln.Addr().String(), Token: tok, LabToken: labTok, Project: p.ID})
	io.Copy(io.Discard, os.Stdin) // until the parent is done
	hs.Close()
}

func BenchmarkLiveFanout(b *testing.B) {
	raiseFileLimit()
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			for range b.N {
				benchFanout(b, n)
			}
		})
	}
}

func raiseFileLimit() {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}

// latencies collects receipt delays.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }
func (l *latencies) reset()              { l.mu.Lock(); l.d = l.d[:0]; l.mu.Unlock() }
func (l *latencies) pct(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func benchFanout(b *testing.B, n int) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestLiveBenchChild$", "-test.timeout=30m")
	cmd.Env = append(os.Environ(), "COPYHOLD_WS_BENCH_CHILD=1")
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	var info benchChildInfo
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if json.Unmarshal(sc.Bytes(), &info) == nil && info.URL != "" {
			break
		}
	}
	if info.URL == "" {
		b.Fatal("the server process did not start")
	}
	go io.Copy(io.Discard, stdout)
	get := func(path string) []byte {
		res, err := http.Get(info.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			b.Fatalf("%s: %s", path, body)
		}
		return body
	}
	mem := func() int64 {
		var v struct{ Bytes int64 }
		json.Unmarshal(get("/bench/mem"), &v)
		return v.Bytes
	}

	var lat latencies
	var received atomic.Int64
	// Clients decode only what they need, so the client side eats as
	// little as possible of the two cores the server also runs on.
	type benchFrame struct {
		Op   string    `json:"op"`
		Type string    `json:"type"`
		At   time.Time `json:"at"`
	}
	dial := func(token, channel string, onEvent func(benchFrame)) *websocket.Conn {
		h := http.Header{"Authorization": {"Bearer " + token}}
		var ws *websocket.Conn
		var err error
		for try := 0; try < 5; try++ {
			if ws, _, err = websocket.DefaultDialer.Dial(wsURL(info.URL), h); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			b.Fatal(err)
		}
		ws.WriteJSON(map[string]any{"op": "subscribe", "channel": channel})
		ready := make(chan struct{})
		go func() {
			for {
				_, m, err := ws.ReadMessage()
				if err != nil {
					return
				}
				var f benchFrame
				json.Unmarshal(m, &f)
				switch f.Op {
				case "subscribed":
					close(ready)
				case "event":
					onEvent(f)
				}
			}
		}()
		<-ready
		return ws
	}

	before := mem()
	conns := make([]*websocket.Conn, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conns[i] = dial(info.Token, "coop", func(f benchFrame) {
				lat.add(time.Since(f.At))
				received.Add(1)
			})
		}()
	}
	wg.Wait()
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	time.Sleep(500 * time.Millisecond)
	perConn := float64(mem()-before) / float64(n)

	// Fan-out latency: one event to every client, twice a second.
	lat.reset()
	const steady = 20
	for range steady {
		get("/bench/emit?n=1")
		time.Sleep(500 * time.Millisecond)
	}
	waitReceived := func(want int64) {
		deadline := time.Now().Add(60 * time.Second)
		for received.Load() < want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitReceived(int64(steady * n))
	p50, p99 := lat.pct(0.50), lat.pct(0.99)

	// Throughput: a burst of events as fast as the writer commits them.
	received.Store(0)
	const burst = 200
	start := time.Now()
	get(fmt.Sprintf("/bench/emit?n=%d", burst))
	waitReceived(int64(burst * n))
	rate := float64(received.Load()) / time.Since(start).Seconds()

	// Submit → event latency at light load: one labeller watching the
	// project, one submit every 50 ms, with the other clients connected.
	var subLat latencies
	arrived := make(chan time.Time, 100)
	lab := dial(info.LabToken, event.ProjectScope(info.Project), func(f benchFrame) {
		if f.Type == "task.submitted" {
			arrived <- time.Now()
		}
	})
	defer lab.Close()
	for range 40 {
		var committed int64
		fmt.Sscan(string(get("/bench/submit")), &committed)
		select {
		case at := <-arrived:
			subLat.add(at.Sub(time.Unix(0, committed)))
		case <-time.After(5 * time.Second):
			b.Fatal("task.submitted never arrived")
		}
		time.Sleep(50 * time.Millisecond)
	}

	b.ReportMetric(float64(p50.Microseconds())/1000, "fanout-p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "fanout-p99-ms")
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(perConn/1024, "KB/idle-conn")
	b.ReportMetric(float64(subLat.pct(0.5).Microseconds())/1000, "submit-p50-ms")
	b.ReportMetric(float64(subLat.pct(0.99).Microseconds())/1000, "submit-p99-ms")
}

func listenLoopback() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
