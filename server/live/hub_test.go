package live_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/event/eventtest"
	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/migrations"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/live"
	"copyhold/server/servertest"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// openTx appends an event in a transaction left open until the returned
// function is called with true (commit) or false (roll back).
func openTx(t *testing.T, db *gorm.DB, scope string) (finish func(commit bool)) {
	t.Helper()
	tx := db.Begin()
	if err := event.Append(tx, "test.slow", scope, nil, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	return func(commit bool) {
		if commit {
			if err := tx.Commit().Error; err != nil {
				t.Fatal(err)
			}
			return
		}
		tx.Rollback()
	}
}

// On PostgreSQL a later id can commit first. The hub holds it until the
// earlier one commits, skips an id that rolled back within milliseconds,
// and resets a channel whose skipped id commits very late.
func TestHubHoldsDeliveryAtIdGaps(t *testing.T) {
	db := dbtest.Open(t, dbtest.Postgres)
	e, hub := newLiveEnv(t, db, func(hc *live.Config, _ *server.Config) {
		hc.GapWait = 700 * time.Millisecond
		hc.LateCheckEvery = 200 * time.Millisecond
	})
	w := e.ws(t, "lab")
	w.mustSubscribe("coop")

	// In flight: 10 waits for 9.
	finish := openTx(t, db, "coop")
	later := eventtest.Append(t, db, "test.later", "coop", nil, map[string]any{})
	w.quiet(400 * time.Millisecond)
	finish(true)
	if a, b := w.next(), w.next(); a.Seq != later-1 || b.Seq != later {
		t.Fatalf("got %d then %d, want %d then %d", a.Seq, b.Seq, later-1, later)
	}

	// Rolled back: skipped as soon as the transactions in flight are gone.
	finish = openTx(t, db, "coop")
	later = eventtest.Append(t, db, "test.later", "coop", nil, map[string]any{})
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	finish(false)
	if f := w.next(); f.Seq != later {
		t.Fatalf("after rollback got %+v, want seq %d", f, later)
	}
	if waited := time.Since(start); waited > 500*time.Millisecond {
		t.Errorf("a rolled-back id held delivery for %v after the rollback", waited)
	}

	// Held past GapWait: delivered without it; when it commits at last, the
	// channel is reset rather than fed out of order.
	finish = openTx(t, db, "coop")
	later = eventtest.Append(t, db, "test.later", "coop", nil, map[string]any{})
	if f := w.next(); f.Seq != later {
		t.Fatalf("after GapWait got %+v, want %d", f, later)
	}
	finish(true)
	if f := w.next(); f.Op != "reset" || f.Reason != "late_commit" {
		t.Fatalf("late commit: %+v", f)
	}
	if s := hub.Stats(); s.GapsSkipped != 2 {
		t.Errorf("stats: %+v", s)
	}
}

// The LISTEN connection comes back after the database drops it, and
// delivery resumes without the fallback poll.
func TestFanoutReconnectsAfterOutage(t *testing.T) {
	db := dbtest.Open(t, dbtest.Postgres)
	e, _ := newLiveEnv(t, db, func(hc *live.Config, _ *server.Config) { hc.PollInterval = time.Hour })
	w := e.ws(t, "lab")
	w.mustSubscribe("coop")
	seq := eventtest.Append(t, db, "test.before", "coop", nil, map[string]any{})
	if f := w.next(); f.Seq != seq {
		t.Fatalf("before outage: %+v", f)
	}
	var killed int64
	if err := db.Raw(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE application_name = 'copyhold-listen' AND pid <> pg_backend_pid()`).Scan(&killed).Error; err != nil || killed == 0 {
		t.Fatalf("terminate listeners: %d, %v", killed, err)
	}
	// Committed during the outage: picked up by the catch-up after reconnecting.
	during := eventtest.Append(t, db, "test.during", "coop", nil, map[string]any{})
	if f := w.next(); f.Seq != during {
		t.Fatalf("during outage: %+v", f)
	}
	time.Sleep(300 * time.Millisecond)
	after := eventtest.Append(t, db, "test.after", "coop", nil, map[string]any{})
	if f := w.next(); f.Seq != after {
		t.Fatalf("after reconnect: %+v", f)
	}
}

// Two instances on one PostgreSQL, 200 clients spread across them with
// random disconnects and resumes, writes through both instances from many
// goroutines with rolled-back transactions in between: every client gets
// every event of its channels exactly once and in order.
func TestLiveTwoInstancesManyClients(t *testing.T) {
	db1 := dbtest.Open(t, dbtest.Postgres)
	dsn := db1.Dialector.(*postgres.Dialector).Config.DSN
	db2, err := migrations.Open(context.Background(), migrations.Source{URL: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d, _ := db2.DB(); d.Close() })
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	st := store.New(db1)
	mk := func(login string, roles ...member.Role) (member.Member, string) {
		m, err := st.Members.CreateMember(ctx, nil, member.NewMember{Login: login, DisplayName: login, Password: servertest.Password, Roles: roles, Cost: member.PasswordCost(bcrypt.MinCost)})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := st.Members.CreateToken(ctx, m.ID, "t")
		if err != nil {
			t.Fatal(err)
		}
		return m, tok
	}
	coord, coordTok := mk("coord", member.RoleCoordinator)
	_, revTok := mk("rev", member.RoleReviewer)
	model, err := st.Projects.CreateModel(ctx, &coord.ID, labeling.Model{Name: "m"})
	if err != nil {
		t.Fatal(err)
	}
	var projects []int64
	for i := range 4 {
		p, err := st.Projects.CreateProject(ctx, &coord.ID, labeling.ProjectSettings{ModelID: model.ID, Name: fmt.Sprint("p", i),
			TaskType: tasktype.TaskClassification, Overlap: 1,
			Schema: []byte(`{"choices":[{"value":"a"},{"value":"b"}]}`)}, false)
		if err != nil {
			t.Fatal(err)
		}
		projects = append(projects, p.ID)
	}
	type who struct {
		token    string
		channels []string
	}
	var people []who
	people = append(people, who{coordTok, []string{"coop", event.ProjectScope(projects[0]), event.ProjectScope(projects[1])}})
	people = append(people, who{revTok, []string{"coop", event.ProjectScope(projects[2]), event.ReviewScope(projects[2])}})
	for i := range 20 {
		m, tok := mk(fmt.Sprint("lab", i), member.RoleLabeller)
		chans := []string{"coop", event.MemberScope(m.ID)}
		for _, p := range []int64{projects[i%4], projects[(i+1)%4]} {
			if err := st.Projects.AddProjectMember(ctx, &coord.ID, p, m.ID); err != nil {
				t.Fatal(err)
			}
			chans = append(chans, event.ProjectScope(p))
		}
		people = append(people, who{tok, chans})
	}
	scopes := []string{"coop", event.ReviewScope(projects[2])}
	for _, p := range projects {
		scopes = append(scopes, event.ProjectScope(p))
	}
	for _, p := range people[2:] {
		scopes = append(scopes, p.channels[1])
	}

	// Two instances, each with its own pool, hub and LISTEN connection.
	var urls []string
	for _, db := range []*gorm.DB{db1, db2} {
		s := store.New(db)
		hub := startHub(t, db, s, func(hc *live.Config) { hc.PollInterval = 5 * time.Second })
		srv := server.New(server.Config{Hub: hub, PasswordCost: member.PasswordCost(bcrypt.MinCost)}, servertest.Deps(db, s), log)
		ts := httptest.NewServer(srv.Handler())
		t.Cleanup(ts.Close)
		urls = append(urls, ts.URL)
	}

	// Clients: each records, per channel, the seqs it received, drops its
	// connection now and then, and resumes on either instance with since.
	type liveClient struct {
		who
		mu        sync.Mutex
		got       map[string][]int64
		last      map[string]int64 // resume point: max(head, last seq)
		firstHead map[string]int64
		problems  []string
		drops     int
	}
	noDrops := make(chan struct{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	run := func(c *liveClient, instance int, rng *rand.Rand) {
		defer wg.Done()
		for {
			w, _, err := dialWS(t, urls[instance], c.token, nil)
			if err != nil {
				c.mu.Lock()
				c.problems = append(c.problems, "dial: "+err.Error())
				c.mu.Unlock()
				return
			}
			subscribed := make(chan struct{}, len(c.channels))
			c.mu.Lock()
			for _, ch := range c.channels {
				m := map[string]any{"op": "subscribe", "channel": ch}
				if s, ok := c.last[ch]; ok {
					m["since"] = s
				}
				w.ws.WriteJSON(m)
			}
			c.mu.Unlock()
			readerDone := make(chan struct{})
			go func() {
				defer close(readerDone)
				for {
					f, err := w.read(time.Minute)
					if err != nil {
						return
					}
					c.mu.Lock()
					switch f.Op {
					case "subscribed":
						if _, ok := c.firstHead[f.Channel]; !ok {
							c.firstHead[f.Channel] = f.Head
						}
						c.last[f.Channel] = max(c.last[f.Channel], f.Head)
						subscribed <- struct{}{}
					case "event":
						c.got[f.Channel] = append(c.got[f.Channel], f.Seq)
						c.last[f.Channel] = max(c.last[f.Channel], f.Seq)
					case "presence":
					default:
						c.problems = append(c.problems, fmt.Sprintf("unexpected frame %+v", f))
					}
					c.mu.Unlock()
				}
			}()
			for range c.channels {
				select {
				case <-subscribed:
				case <-readerDone:
				}
			}
			var drop <-chan time.Time
			if rng.IntN(4) != 0 {
				drop = time.After(time.Duration(200+rng.IntN(2500)) * time.Millisecond)
			}
			select {
			case <-noDrops:
				drop = nil
			default:
			}
			select {
			case <-stop:
				w.ws.Close()
				<-readerDone
				return
			case <-drop:
				c.drops++
			case <-readerDone:
				c.mu.Lock()
				c.problems = append(c.problems, "connection ended by the server")
				c.mu.Unlock()
			}
			w.ws.Close()
			<-readerDone
			instance = rng.IntN(2)
			time.Sleep(time.Duration(rng.IntN(50)) * time.Millisecond)
		}
	}
	servertest.OpenAPI(t) // the document frames are checked against, loaded before the clients' clock starts
	var clients []*liveClient
	for i := range 200 {
		c := &liveClient{who: people[i%len(people)], got: map[string][]int64{}, last: map[string]int64{}, firstHead: map[string]int64{}}
		clients = append(clients, c)
		wg.Add(1)
		go run(c, i%2, rand.New(rand.NewPCG(uint64(i), 7)))
	}
	waitFor(t, func() bool {
		for _, c := range clients {
			c.mu.Lock()
			n := len(c.firstHead)
			c.mu.Unlock()
			if n < len(c.channels) {
				return false
			}
		}
		return true
	}, "every client to subscribe")

	// Writers: through both instances' pools, some transactions rolled back
	// after taking ids, some holding their ids open for a moment so later
	// ids commit first.
	var writers sync.WaitGroup
	var committed, rolledBack int
	var wmu sync.Mutex
	for g := range 8 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 99))
			db := []*gorm.DB{db1, db2}[g%2]
			for i := range 50 {
				rollback := rng.IntN(7) == 0
				err := db.Transaction(func(tx *gorm.DB) error {
					for range 1 + rng.IntN(2) {
						scope := scopes[rng.IntN(len(scopes))]
						if err := event.Append(tx, "test.write", scope, nil, map[string]any{"g": g, "i": i}); err != nil {
							return err
						}
						time.Sleep(time.Duration(rng.IntN(3)) * time.Millisecond)
					}
					if rollback {
						return errors.New("roll back")
					}
					return nil
				})
				wmu.Lock()
				if err == nil {
					committed++
				} else if rollback {
					rolledBack++
				} else {
					t.Errorf("write: %v", err)
				}
				wmu.Unlock()
				time.Sleep(time.Duration(rng.IntN(120)) * time.Millisecond)
			}
		}()
	}
	writers.Wait()
	close(noDrops)

	// Expected: every committed event of each channel after the client's
	// first head.
	var all []struct {
		ID    int64
		Scope string
	}
	if err := db1.Raw("SELECT id, scope FROM events ORDER BY id").Scan(&all).Error; err != nil {
		t.Fatal(err)
	}
	byScope := map[string][]int64{}
	for _, r := range all {
		byScope[r.Scope] = append(byScope[r.Scope], r.ID)
	}
	expected := func(c *liveClient, ch string) []int64 {
		var out []int64
		for _, id := range byScope[ch] {
			if id > c.firstHead[ch] {
				out = append(out, id)
			}
		}
		return out
	}
	complete := func() bool {
		for _, c := range clients {
			c.mu.Lock()
			for _, ch := range c.channels {
				if len(c.got[ch]) < len(expected(c, ch)) {
					c.mu.Unlock()
					return false
				}
			}
			c.mu.Unlock()
		}
		return true
	}
	deadline := time.Now().Add(20 * time.Second)
	for !complete() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let duplicates, if any, arrive
	close(stop)
	wg.Wait()

	delivered, drops := 0, 0
	for i, c := range clients {
		c.mu.Lock()
		for _, p := range c.problems {
			t.Errorf("client %d: %s", i, p)
		}
		drops += c.drops
		for _, ch := range c.channels {
			want := expected(c, ch)
			if !slices.Equal(c.got[ch], want) {
				t.Errorf("client %d channel %s (first head %d):\n got  %v\n want %v", i, ch, c.firstHead[ch], c.got[ch], want)
			}
			delivered += len(c.got[ch])
		}
		c.mu.Unlock()
		if t.Failed() && i > 5 {
			break
		}
	}
	t.Logf("%d events committed in %d transactions (%d rolled back); %d deliveries to 200 clients; %d drops and resumes",
		len(all), committed, rolledBack, delivered, drops)
}
