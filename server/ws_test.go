package server_test

// The websocket route's own policy: who may open /ws from where. What flows
// over the socket is tested in server/live.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/live"

	"github.com/gorilla/websocket"
	"gorm.io/gorm"
)

// newLiveEnv is a test server with a running hub.
func newLiveEnv(t *testing.T, db *gorm.DB, edit func(*server.Config)) (*env, *live.Hub) {
	t.Helper()
	return newLiveEnvVotes(t, db, nil, edit)
}

// newLiveEnvVotes is newLiveEnv with collective rule run by votes.
func newLiveEnvVotes(t *testing.T, db *gorm.DB, votes server.Votes, edit func(*server.Config)) (*env, *live.Hub) {
	t.Helper()
	return newLiveEnvHub(t, db, votes, nil, edit)
}

// newLiveEnvHub is newLiveEnvVotes with the hub's configuration edited too.
func newLiveEnvHub(t *testing.T, db *gorm.DB, votes server.Votes, hubEdit func(*live.Config), edit func(*server.Config)) (*env, *live.Hub) {
	t.Helper()
	var hub *live.Hub
	e := newEnvVotes(t, db, votes, func(cfg *server.Config, st **store.Stores) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		events := event.NewStore(db)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		wake, err := events.Listen(ctx, "", log)
		if err != nil {
			t.Fatal(err)
		}
		hc := live.Config{Events: events, Wake: wake, Members: (*st).Members, Projects: (*st).Projects, Leases: (*st).Leases,
			WriteWait: 5 * time.Second, PruneEvery: -1}
		if hubEdit != nil {
			hubEdit(&hc)
		}
		hub = live.New(hc, log)
		if err := hub.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(hub.Close)
		cfg.Hub = hub
		if edit != nil {
			edit(cfg)
		}
	})
	return e, hub
}

func wsURL(base string) string { return "ws" + strings.TrimPrefix(base, "http") + "/ws" }

// dialWS connects with a bearer token ("" for anonymous) and extra header pairs.
func dialWS(base, token string, headers ...string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	return websocket.DefaultDialer.Dial(wsURL(base), h)
}

func TestWSOriginCheck(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLite)
	e, _ := newLiveEnv(t, db, func(cfg *server.Config) {
		cfg.AllowedOrigins = []string{"https://app.example.org"}
	})
	tok := e.Tokens["lab"]
	for _, c := range []struct {
		origin string
		ok     bool
	}{
		{"https://evil.example", false},
		{"http://evil.example", false},
		{"null", false},
		{e.TS.URL, true},
		{"https://app.example.org", true},
		{"http://app.example.org", false}, // scheme matters for listed origins
		{"", true},                        // not a browser
	} {
		ws, res, err := dialWS(e.TS.URL, tok, "Origin", c.origin)
		if c.ok {
			if err != nil {
				t.Errorf("origin %q refused: %v", c.origin, err)
				continue
			}
			ws.Close()
			continue
		}
		if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
			t.Errorf("origin %q: want 403, got %v %v", c.origin, err, res)
		}
	}
}

// Without a hub, /ws is not a route; anonymous upgrades get 401.
func TestWSWithoutHubOrLogin(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLite)
	e := newEnv(t, db)
	if _, res, err := dialWS(e.TS.URL, e.Tokens["lab"]); err == nil || res == nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("upgrade without a hub: %v %v", err, res)
	}
	e, _ = newLiveEnv(t, dbtest.Open(t, dbtest.SQLite), nil)
	if _, res, err := dialWS(e.TS.URL, ""); err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous upgrade: %v %v", err, res)
	}
}
