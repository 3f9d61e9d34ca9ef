package server_test

// Findings 1 and 15 of issue 17: a websocket lives no longer than the
// credential that opened it, and open sockets are capped per member and per
// address. Real sockets (gorilla/websocket) against the real server.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/live"
	"copyhold/server/servertest"

	"github.com/gorilla/websocket"
	"gorm.io/gorm"
)

// sessionCookie logs b in and returns its session cookie as a header value.
func sessionCookie(t *testing.T, e *env, b *client, login string) string {
	t.Helper()
	if r := b.login(login, servertest.Password); r.status != 200 {
		t.Fatalf("login %s = %d %s", login, r.status, r.body)
	}
	return freshCookie(t, e, b)
}

// subscribed opens a socket with the header pairs and subscribes to coop.
func subscribed(t *testing.T, e *env, token string, headers ...string) *websocket.Conn {
	t.Helper()
	ws, res, err := dialWS(e.TS.URL, token, headers...)
	if err != nil {
		t.Fatalf("dial: %v %v", err, res)
	}
	t.Cleanup(func() { ws.Close() })
	subscribeOn(t, ws, "coop", "subscribed")
	return ws
}

// subscribeOn sends a subscribe and waits for a frame with op want.
func subscribeOn(t *testing.T, ws *websocket.Conn, channel, want string) {
	t.Helper()
	if err := ws.WriteJSON(map[string]any{"op": "subscribe", "channel": channel}); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var f struct{ Op, Code string }
		if err := ws.ReadJSON(&f); err != nil {
			t.Fatalf("waiting for %s: %v", want, err)
		}
		if f.Op == want || f.Code == want {
			return
		}
	}
}

// closedWith reads until the socket closes and checks the close code and
// that the reason contains reason.
func closedWith(t *testing.T, ws *websocket.Conn, within time.Duration, reason string) {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(within))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("socket did not close within %s: %v", within, err)
		}
		if ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, reason) {
			t.Fatalf("closed with %d %q, want 1008 %q", ce.Code, ce.Text, reason)
		}
		return
	}
}

// stillOpen checks that the socket answers a ping.
func stillOpen(t *testing.T, ws *websocket.Conn) {
	t.Helper()
	if err := ws.WriteJSON(map[string]string{"op": "ping"}); err != nil {
		t.Fatalf("ping: %v", err)
	}
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var f struct{ Op string }
		if err := ws.ReadJSON(&f); err != nil {
			t.Fatalf("socket closed: %v", err)
		}
		if f.Op == "pong" {
			return
		}
	}
}

func eachLiveEnv(t *testing.T, hubEdit func(*live.Config), edit func(*server.Config), fn func(t *testing.T, e *env)) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e, _ := newLiveEnvHub(t, db, nil, hubEdit, edit)
		fn(t, e)
	})
}

// Finding 1: logging out closes the sockets that session opened, and only those.
func TestWSClosesOnLogout(t *testing.T) {
	eachLiveEnv(t, nil, nil, func(t *testing.T, e *env) {
		b := e.browser()
		ws := subscribed(t, e, "", "Cookie", sessionCookie(t, e, b, "lab"))
		other := subscribed(t, e, "", "Cookie", sessionCookie(t, e, e.browser(), "lab"))
		byToken := subscribed(t, e, e.Tokens["lab"])
		if r := b.do("POST", "/api/auth/logout", nil); r.status != 204 {
			t.Fatalf("logout = %d", r.status)
		}
		closedWith(t, ws, 5*time.Second, "logged out")
		stillOpen(t, other)
		stillOpen(t, byToken)
	})
}

// Finding 1: revoking an API token closes its sockets.
func TestWSClosesOnTokenRevocation(t *testing.T) {
	eachLiveEnv(t, nil, nil, func(t *testing.T, e *env) {
		b := e.browser()
		b.login("lab", servertest.Password)
		r := b.do("POST", "/api/tokens", map[string]string{"name": "script"})
		var tok struct {
			ID    int64
			Token string
		}
		mustJSON(t, r.body, &tok)
		ws := subscribed(t, e, tok.Token)
		if r := b.do("DELETE", fmt.Sprintf("/api/tokens/%d", tok.ID), nil); r.status != 204 {
			t.Fatalf("revoke = %d", r.status)
		}
		closedWith(t, ws, 5*time.Second, "API token revoked")
	})
}

// Finding 1: a password change closes the sockets of every session, and of
// the API tokens when they are revoked with it.
func TestWSClosesOnPasswordChange(t *testing.T) {
	eachLiveEnv(t, nil, nil, func(t *testing.T, e *env) {
		b := e.browser()
		ws := subscribed(t, e, "", "Cookie", sessionCookie(t, e, b, "lab"))
		byToken := subscribed(t, e, e.Tokens["lab"])
		r := b.do("POST", "/api/me/password", map[string]any{"current_password": servertest.Password, "new_password": "a-brand-new-password"})
		if r.status != 204 {
			t.Fatalf("change = %d %s", r.status, r.body)
		}
		closedWith(t, ws, 5*time.Second, "password changed")
		stillOpen(t, byToken)
		// The browser's fresh session opens a socket that stays.
		fresh := subscribed(t, e, "", "Cookie", freshCookie(t, e, b))
		r = b.do("POST", "/api/me/password", map[string]any{"current_password": "a-brand-new-password", "new_password": "another-fresh-secret", "revoke_tokens": true})
		if r.status != 204 {
			t.Fatalf("change with revoke_tokens = %d %s", r.status, r.body)
		}
		closedWith(t, byToken, 5*time.Second, "password changed")
		closedWith(t, fresh, 5*time.Second, "password changed")
	})
}

// freshCookie is b's current session cookie as a header value.
func freshCookie(t *testing.T, e *env, b *client) string {
	t.Helper()
	u, _ := url.Parse(e.TS.URL)
	for _, c := range b.hc.Jar.Cookies(u) {
		if c.Name == "copyhold_session" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// Finding 1: an expired session's socket closes on the timer.
func TestWSClosesOnSessionExpiry(t *testing.T) {
	eachLiveEnv(t, func(h *live.Config) { h.RecheckEvery = 100 * time.Millisecond },
		func(c *server.Config) { c.SessionTTL = 1500 * time.Millisecond },
		func(t *testing.T, e *env) {
			ws := subscribed(t, e, "", "Cookie", sessionCookie(t, e, e.browser(), "lab"))
			// The timer ends it as "session expired"; when the database's
			// clock is a little ahead it says "…session has expired…".
			closedWith(t, ws, 5*time.Second, "expired")
		})
}

// Finding 1: a credential that ended without an event (a row revoked in
// the database) is caught on the next subscribe.
func TestWSRechecksCredential(t *testing.T) {
	eachLiveEnv(t, func(h *live.Config) { h.RecheckEvery = time.Hour }, nil, func(t *testing.T, e *env) {
		ws := subscribed(t, e, e.Tokens["lab"])
		if err := e.DB.Exec("UPDATE api_tokens SET revoked_at = created_at WHERE member_id = ?", e.Members["lab"].ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := ws.WriteJSON(map[string]any{"op": "subscribe", "channel": fmt.Sprintf("member:%d", e.Members["lab"].ID)}); err != nil {
			t.Fatal(err)
		}
		closedWith(t, ws, 5*time.Second, "credential ended")
	})
}

// Finding 1: the timer catches it too, without a subscribe.
func TestWSRecheckTimer(t *testing.T) {
	eachLiveEnv(t, func(h *live.Config) { h.RecheckEvery = 100 * time.Millisecond }, nil, func(t *testing.T, e *env) {
		ws := subscribed(t, e, e.Tokens["rev"])
		if err := e.DB.Exec("UPDATE api_tokens SET revoked_at = created_at WHERE member_id = ?", e.Members["rev"].ID).Error; err != nil {
			t.Fatal(err)
		}
		closedWith(t, ws, 5*time.Second, "credential ended")
	})
}

// Finding 15: open sockets are capped per member and per address.
func TestWSConnectionCaps(t *testing.T) {
	eachLiveEnv(t, func(h *live.Config) { h.MaxConnsPerMember, h.MaxConnsPerIP = 2, 3 }, nil, func(t *testing.T, e *env) {
		refused := func(token, why string) {
			t.Helper()
			ws, res, err := dialWS(e.TS.URL, token)
			if err == nil {
				ws.Close()
				t.Fatalf("%s: connection accepted beyond the cap", why)
			}
			if res == nil || res.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("%s: %v %v, want 429", why, err, res)
			}
			body, _ := io.ReadAll(res.Body)
			var v struct{ Code, Message string }
			if json.Unmarshal(body, &v) != nil || v.Code != "too_many_connections" || v.Message == "" {
				t.Fatalf("%s: body %s", why, body)
			}
		}
		lab1 := subscribed(t, e, e.Tokens["lab"])
		subscribed(t, e, e.Tokens["lab"])
		refused(e.Tokens["lab"], "third socket of one member")
		subscribed(t, e, e.Tokens["rev"])
		refused(e.Tokens["coord"], "fourth socket from one address")
		lab1.Close()
		deadline := time.Now().Add(5 * time.Second)
		for {
			ws, _, err := dialWS(e.TS.URL, e.Tokens["coord"])
			if err == nil {
				ws.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("a slot never came back after a socket closed: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
