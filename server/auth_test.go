package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/servertest"

	"gorm.io/gorm"
)

func TestLoginLogout(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		b := e.browser()
		if r := b.do("GET", "/api/me", nil); r.status != 401 || r.code() != "unauthenticated" {
			t.Fatalf("anonymous /api/me = %d %s", r.status, r.body)
		}
		r := b.login("LAB", servertest.Password)
		if r.status != 200 {
			t.Fatalf("login = %d %s", r.status, r.body)
		}
		cookie := r.header.Get("Set-Cookie")
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "copyhold_session="} {
			if !strings.Contains(cookie, want) {
				t.Errorf("session cookie %q lacks %s", cookie, want)
			}
		}
		if r := b.do("GET", "/api/me", nil); r.status != 200 || !strings.Contains(string(r.body), `"login":"lab"`) {
			t.Fatalf("/api/me = %d %s", r.status, r.body)
		}
		if r := b.do("POST", "/api/auth/logout", nil); r.status != 204 {
			t.Fatalf("logout = %d", r.status)
		}
		if r := b.do("GET", "/api/me", nil); r.status != 401 {
			t.Fatalf("after logout /api/me = %d", r.status)
		}
	})
}

func TestFailedLoginRevealsNothing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		wrong := e.browser().login("lab", "not-the-password")
		unknown := e.browser().login("nobody-here", "not-the-password")
		if wrong.status != 401 || unknown.status != 401 || string(wrong.body) != string(unknown.body) {
			t.Fatalf("wrong password %d %s vs unknown login %d %s", wrong.status, wrong.body, unknown.status, unknown.body)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		now := time.Now().UTC()
		clock := func() time.Time { return now }
		e := newEnv(t, db, func(c *server.Config, st **store.Stores) {
			c.SessionTTL = time.Hour
			*st = (*st).WithClock(func() time.Time { return clock() })
		})
		b := e.browser()
		if r := b.login("lab", servertest.Password); r.status != 200 {
			t.Fatalf("login = %d", r.status)
		}
		now = now.Add(59 * time.Minute)
		if r := b.do("GET", "/api/me", nil); r.status != 200 {
			t.Fatalf("before expiry = %d", r.status)
		}
		now = now.Add(2 * time.Minute)
		if r := b.do("GET", "/api/me", nil); r.status != 401 {
			t.Fatalf("after expiry = %d %s", r.status, r.body)
		}
		var revoked int64
		db.Table("sessions").Where("revoked_at IS NOT NULL").Count(&revoked)
		if revoked != 1 {
			t.Fatalf("expired session not revoked: %d revoked rows", revoked)
		}
	})
}

func TestCrossOriginRejected(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		b := e.browser()
		r := b.do("POST", "/api/auth/login", map[string]string{"login": "lab", "password": servertest.Password},
			"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if r.status != http.StatusForbidden || r.code() != "cross_origin" {
			t.Fatalf("cross-site login = %d %s", r.status, r.body)
		}
		r = b.do("POST", "/api/auth/login", map[string]string{"login": "lab", "password": servertest.Password},
			"Origin", e.TS.URL, "Sec-Fetch-Site", "same-origin")
		if r.status != 200 {
			t.Fatalf("same-origin login = %d %s", r.status, r.body)
		}
		// A cross-site GET is harmless and allowed.
		if r := b.do("GET", "/api/me", nil, "Sec-Fetch-Site", "cross-site"); r.status != 200 {
			t.Fatalf("cross-site GET = %d", r.status)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		b := e.browser()
		var last resp
		for i := 0; i < 6; i++ {
			last = b.login("rev", "wrong-password-"+fmt.Sprint(i))
		}
		if last.status != 429 || last.code() != "rate_limited" || last.header.Get("Retry-After") == "" {
			t.Fatalf("6th attempt = %d %s", last.status, last.body)
		}
		// Even the right password is refused while limited.
		if r := b.login("rev", servertest.Password); r.status != 429 {
			t.Fatalf("right password while limited = %d", r.status)
		}
		// Another account from the same address still works.
		if r := b.login("lab", servertest.Password); r.status != 200 {
			t.Fatalf("other account = %d", r.status)
		}
		var bursts int64
		e.DB.Table("events").Where("type = ?", "login.failure_burst").Count(&bursts)
		if bursts != 1 {
			t.Fatalf("login.failure_burst events = %d, want 1", bursts)
		}
	})
}

func TestAPITokens(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		b := e.browser()
		b.login("lab", servertest.Password)
		r := b.do("POST", "/api/tokens", map[string]string{"name": "script"})
		if r.status != 201 {
			t.Fatalf("create token = %d %s", r.status, r.body)
		}
		var tok struct {
			ID    int64
			Token string
		}
		mustJSON(t, r.body, &tok)
		script := e.browser()
		script.token = tok.Token
		if r := script.do("GET", "/api/me", nil); r.status != 200 {
			t.Fatalf("token auth = %d %s", r.status, r.body)
		}
		list := b.do("GET", "/api/tokens", nil)
		if strings.Contains(string(list.body), tok.Token) {
			t.Fatal("token list shows the secret again")
		}
		if r := b.do("DELETE", fmt.Sprintf("/api/tokens/%d", tok.ID), nil); r.status != 204 {
			t.Fatalf("revoke = %d", r.status)
		}
		if r := script.do("GET", "/api/me", nil); r.status != 401 {
			t.Fatalf("revoked token = %d", r.status)
		}
		bad := e.browser()
		bad.token = "cht_forged"
		if r := bad.do("GET", "/api/me", nil); r.status != 401 {
			t.Fatalf("forged token = %d", r.status)
		}
	})
}

func TestInviteFlow(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.as("coord").do("POST", "/api/invites", map[string]any{"roles": []string{"labeller"}})
		if r.status != 201 {
			t.Fatalf("invite = %d %s", r.status, r.body)
		}
		var inv struct{ Token, URL string }
		mustJSON(t, r.body, &inv)
		if !strings.HasSuffix(inv.URL, "/invite/"+inv.Token) {
			t.Fatalf("invite url %q", inv.URL)
		}
		nb := e.browser()
		if r := nb.do("GET", "/api/invites/"+inv.Token, nil); r.status != 200 {
			t.Fatalf("peek = %d", r.status)
		}
		short := nb.do("POST", "/api/invites/"+inv.Token+"/accept", map[string]string{"login": "newbie", "display_name": "New", "password": "short"})
		if short.code() != "weak_password" {
			t.Fatalf("weak password = %d %s", short.status, short.body)
		}
		r = nb.do("POST", "/api/invites/"+inv.Token+"/accept", map[string]string{"login": "newbie", "display_name": "New", "password": servertest.Password})
		if r.status != 201 {
			t.Fatalf("accept = %d %s", r.status, r.body)
		}
		if r := nb.do("GET", "/api/me", nil); r.status != 200 || !strings.Contains(string(r.body), `"roles":["labeller"]`) {
			t.Fatalf("new member me = %d %s", r.status, r.body)
		}
		again := e.browser().do("POST", "/api/invites/"+inv.Token+"/accept", map[string]string{"login": "other", "display_name": "O", "password": servertest.Password})
		if again.status != 410 || again.code() != "invite_invalid" {
			t.Fatalf("reused invite = %d %s", again.status, again.body)
		}
	})
}

func TestDeactivatedMemberLocked(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		if r := e.as("coord").do("POST", fmt.Sprintf("/api/members/%d/deactivate", e.Members["lab"].ID), nil); r.status != 204 {
			t.Fatalf("deactivate = %d %s", r.status, r.body)
		}
		if r := e.as("lab").do("GET", "/api/me", nil); r.status != 401 {
			t.Fatalf("deactivated member's token = %d %s", r.status, r.body)
		}
		if r := e.browser().login("lab", servertest.Password); r.status != 401 {
			t.Fatalf("deactivated login = %d", r.status)
		}
		// The last coordinator cannot be removed.
		r := e.as("coord").do("DELETE", fmt.Sprintf("/api/members/%d/roles/coordinator", e.Members["coord"].ID), nil)
		if r.status != 409 || r.code() != "last_coordinator" {
			t.Fatalf("revoking the last coordinator = %d %s", r.status, r.body)
		}
	})
}
