package server_test

// Regression tests for the security findings of issue 17 that concern
// logins, passwords, invites and project membership (websockets and
// timeouts are in hardening_ws_test.go and timeouts_test.go).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/servertest"
)

// burstEvents reads the login.failure_burst payloads, oldest first.
func burstEvents(t *testing.T, e *env) []map[string]any {
	t.Helper()
	var rows []string
	if err := e.DB.Raw("SELECT payload FROM events WHERE type = 'login.failure_burst' ORDER BY id").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		if err := json.Unmarshal([]byte(r), &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// Finding 2: X-Forwarded-For from an untrusted peer is ignored, so rotating
// it does not reset the per-address login limit, and the audit trail names
// the real peer.
func TestForwardedForDoesNotBypassLoginLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		// Distinct real accounts (cheap password checks), so that no account
		// limit trips. The address allows 20 failures at once and one more
		// every 3 s, so a slow run gets a few more; 60 is far beyond that.
		const tries = 60
		for i := 0; i < tries; i++ {
			e.AddMember(t, fmt.Sprintf("member%d", i), member.RoleLabeller)
		}
		b := e.browser()
		start, limited := time.Now(), 0
		for i := 0; i < tries && limited == 0; i++ {
			r := b.do("POST", "/api/auth/login", map[string]string{"login": fmt.Sprintf("member%d", i), "password": "wrong-password-x"},
				"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1), "X-Real-IP", fmt.Sprintf("198.51.100.%d", i+1))
			if r.status == http.StatusTooManyRequests {
				if r.header.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
				limited = i + 1
			}
		}
		if allowed := 20 + int(time.Since(start)/(3*time.Second)) + 1; limited == 0 || limited > allowed+1 {
			t.Fatalf("failed logins from one peer with a fresh X-Forwarded-For each: limited at attempt %d, want by %d", limited, allowed+1)
		}
		bursts := burstEvents(t, e)
		if len(bursts) != 1 || bursts[0]["ip"] != "127.0.0.1" || bursts[0]["limit"] != "ip" || bursts[0]["failures"].(float64) < 20 {
			t.Fatalf("burst events = %v, want one for the real peer 127.0.0.1 with at least 20 failures", bursts)
		}
	})
}

// Finding 2: a configured proxy's X-Forwarded-For is believed.
func TestTrustedProxyForwardedFor(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLite)
	e := newEnv(t, db, func(c *server.Config, _ **store.Stores) { c.TrustedProxies = []string{"127.0.0.0/8"} })
	b := e.browser()
	for i := 0; i < 6; i++ {
		b.do("POST", "/api/auth/login", map[string]string{"login": "rev", "password": "wrong-password-x"}, "X-Forwarded-For", "203.0.113.7")
	}
	if bursts := burstEvents(t, e); len(bursts) != 1 || bursts[0]["ip"] != "203.0.113.7" {
		t.Fatalf("burst behind a trusted proxy = %v, want the forwarded address", bursts)
	}
	if _, err := server.ParseTrustedProxies("10.0.0.0/8, 192.168.1.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := server.ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Fatal("a bad CIDR was accepted")
	}
}

// Finding 2: successful logins do not count towards the limit, and the
// burst event records the failures it counted.
func TestLoginBurstCountsFailuresOnly(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for i := 0; i < 8; i++ {
			if r := e.browser().login("lab", servertest.Password); r.status != 200 {
				t.Fatalf("successful login %d = %d %s", i+1, r.status, r.body)
			}
		}
		var last resp
		for i := 0; i < 6; i++ {
			last = e.browser().login("lab", "wrong-password-x")
			if i < 5 && last.status != 401 {
				t.Fatalf("failure %d = %d %s (successes were counted)", i+1, last.status, last.body)
			}
		}
		if last.status != 429 {
			t.Fatalf("6th failure = %d", last.status)
		}
		bursts := burstEvents(t, e)
		if len(bursts) != 1 || bursts[0]["failures"] != float64(5) || bursts[0]["limit"] != "account" || bursts[0]["login"] != "lab" {
			t.Fatalf("burst events = %v, want one for lab with 5 failures", bursts)
		}
	})
}

// Finding 8: a stale or planted session cookie does not make login fail.
func TestStaleCookieDoesNotBlockLogin(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		b := e.browser()
		u, _ := url.Parse(e.TS.URL)
		b.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "copyhold_session", Value: "s_planted", Path: "/"}})
		if r := b.login("lab", servertest.Password); r.status != 200 {
			t.Fatalf("login with a planted cookie = %d %s", r.status, r.body)
		}
		// A session that ended elsewhere (revoked in the database) is as stale.
		if err := e.DB.Exec("UPDATE sessions SET revoked_at = created_at").Error; err != nil {
			t.Fatal(err)
		}
		if r := b.do("GET", "/api/me", nil); r.status != 401 || r.code() != "unauthenticated" {
			t.Fatalf("/api/me on a revoked session = %d %s", r.status, r.body)
		}
		u2, _ := url.Parse(e.TS.URL)
		b.hc.Jar.SetCookies(u2, []*http.Cookie{{Name: "copyhold_session", Value: "s_planted-again", Path: "/"}})
		if r := b.login("lab", servertest.Password); r.status != 200 {
			t.Fatalf("login with a stale cookie = %d %s", r.status, r.body)
		}
		if r := b.do("GET", "/api/me", nil); r.status != 200 {
			t.Fatalf("/api/me after logging in again = %d %s", r.status, r.body)
		}
	})
}

// Finding 9: the password policy applies to every way a password is set.
func TestPasswordPolicyOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		b := e.browser()
		b.login("lab", servertest.Password)
		for _, c := range []struct{ pw, code string }{
			{"short", "weak_password"},
			{"P@ssw0rd2024!", "password_common"},
			{"Sunshine12345", "password_common"},
			{"my-lab-password", "password_has_login"},
			{"aaaaaaaaaaaa", "password_pattern"},
			{"1234567890", "password_pattern"},
			{"qwertyuiop", "password_pattern"},
		} {
			r := b.do("POST", "/api/me/password", map[string]string{"current_password": servertest.Password, "new_password": c.pw})
			if r.status != 400 || r.code() != c.code {
				t.Errorf("new password %q = %d %s, want 400 %s", c.pw, r.status, r.body, c.code)
			}
		}
		r := e.as("coord").do("POST", "/api/invites", map[string]any{"roles": []string{"labeller"}})
		var inv struct{ Token string }
		mustJSON(t, r.body, &inv)
		acc := e.browser().do("POST", "/api/invites/"+inv.Token+"/accept", map[string]string{"login": "newbie", "display_name": "N", "password": "newbie-2024-pass"})
		if acc.status != 400 || acc.code() != "password_has_login" {
			t.Fatalf("accept with the login in the password = %d %s", acc.status, acc.body)
		}
	})
}

// Finding 10: wrong current passwords are throttled per member.
func TestChangePasswordThrottled(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		b := e.browser()
		b.login("lab", servertest.Password)
		var last resp
		for i := 0; i < 6; i++ {
			last = b.do("POST", "/api/me/password", map[string]string{"current_password": fmt.Sprintf("guess-number-%d", i), "new_password": "a-brand-new-password"})
			if i < 5 && last.code() != "wrong_password" {
				t.Fatalf("guess %d = %d %s", i+1, last.status, last.body)
			}
		}
		if last.status != 429 || last.code() != "rate_limited" || last.header.Get("Retry-After") == "" {
			t.Fatalf("6th wrong current password = %d %s %v", last.status, last.body, last.header)
		}
		// The right one waits too, and the password is unchanged.
		r := b.do("POST", "/api/me/password", map[string]string{"current_password": servertest.Password, "new_password": "a-brand-new-password"})
		if r.status != 429 {
			t.Fatalf("right current password while throttled = %d", r.status)
		}
		if r := e.browser().login("lab", servertest.Password); r.status != 200 {
			t.Fatalf("old password after throttled attempts = %d", r.status)
		}
	})
}

// Finding 11: a password change revokes API tokens when asked to, and
// keeps them by default.
func TestPasswordChangeRevokesTokensOnRequest(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		b := e.browser()
		b.login("lab", servertest.Password)
		r := b.do("POST", "/api/me/password", map[string]any{"current_password": servertest.Password, "new_password": "a-brand-new-password"})
		if r.status != 204 {
			t.Fatalf("change = %d %s", r.status, r.body)
		}
		if r := e.as("lab").do("GET", "/api/me", nil); r.status != 200 {
			t.Fatalf("token after a plain change = %d, want it kept", r.status)
		}
		r = b.do("POST", "/api/me/password", map[string]any{"current_password": "a-brand-new-password", "new_password": "another-fresh-secret", "revoke_tokens": true})
		if r.status != 204 {
			t.Fatalf("change with revoke_tokens = %d %s", r.status, r.body)
		}
		if r := e.as("lab").do("GET", "/api/me", nil); r.status != 401 {
			t.Fatalf("token after a change with revoke_tokens = %d, want 401", r.status)
		}
		if r := b.do("GET", "/api/me", nil); r.status != 200 {
			t.Fatalf("this browser after its own change = %d", r.status)
		}
	})
}

// Finding 11: an operator's reset ends the member's tokens unless told to keep them.
func TestPasswordResetRevokesTokens(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		lab := e.Members["lab"].ID
		if err := e.Stores.Members.SetPassword(ctx, lab, member.PasswordChange{Password: "a-brand-new-password", RevokeTokens: true, Reset: true}); err != nil {
			t.Fatal(err)
		}
		if r := e.as("lab").do("GET", "/api/me", nil); r.status != 401 {
			t.Fatalf("token after a reset = %d, want 401", r.status)
		}
		var reset []string
		e.DB.Raw("SELECT payload FROM events WHERE type = 'member.password_changed'").Scan(&reset)
		if len(reset) != 1 || !json.Valid([]byte(reset[0])) {
			t.Fatalf("password_changed events = %v", reset)
		}
		var p struct {
			Reset  bool
			Tokens []int64
		}
		json.Unmarshal([]byte(reset[0]), &p)
		if !p.Reset || len(p.Tokens) != 1 {
			t.Fatalf("reset event = %s", reset[0])
		}
	})
}

// Finding 3: an invite stops working when its creator loses the authority
// to grant its roles, and cannot grant more than its creator holds.
func TestInviteNeedsCreatorsAuthority(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		coord2 := e.AddMember(t, "coord2", member.RoleCoordinator)
		invite := func(who string, roles ...string) string {
			r := e.as(who).do("POST", "/api/invites", map[string]any{"roles": roles})
			if r.status != 201 {
				t.Fatalf("invite by %s = %d %s", who, r.status, r.body)
			}
			var inv struct{ Token string }
			mustJSON(t, r.body, &inv)
			return inv.Token
		}
		accept := func(token, login string) resp {
			return e.browser().do("POST", "/api/invites/"+token+"/accept", map[string]string{"login": login, "display_name": login, "password": servertest.Password})
		}
		demoted := invite("coord2", "coordinator")
		kept := invite("coord2", "labeller")
		if r := e.as("coord").do("DELETE", fmt.Sprintf("/api/members/%d/roles/coordinator", coord2.ID), nil); r.status != 204 {
			t.Fatalf("demote = %d %s", r.status, r.body)
		}
		if r := accept(demoted, "joiner1"); r.status != 410 || r.code() != "invite_invalid" {
			t.Fatalf("coordinator invite from a demoted coordinator = %d %s", r.status, r.body)
		}
		if r := accept(kept, "joiner2"); r.status != 410 {
			t.Fatalf("labeller invite from a member with no role left = %d %s", r.status, r.body)
		}

		coord3 := e.AddMember(t, "coord3", member.RoleCoordinator)
		gone := invite("coord3", "reviewer")
		if r := e.as("coord").do("POST", fmt.Sprintf("/api/members/%d/deactivate", coord3.ID), nil); r.status != 204 {
			t.Fatalf("deactivate = %d %s", r.status, r.body)
		}
		if r := accept(gone, "joiner3"); r.status != 410 || r.code() != "invite_invalid" {
			t.Fatalf("invite from a deactivated coordinator = %d %s", r.status, r.body)
		}

		// Never more than the creator holds, at creation.
		_, _, err := e.Stores.Members.CreateInvite(context.Background(), e.Members["rev"].ID, []member.Role{member.RoleCoordinator}, "", 0)
		if err == nil || !errors.Is(err, store.ErrInviteBeyondAuthority) {
			t.Fatalf("reviewer inviting a coordinator: %v", err)
		}
		if _, _, err := e.Stores.Members.CreateInvite(context.Background(), e.Members["rev"].ID, []member.Role{member.RoleLabeller}, "", time.Hour); err != nil {
			t.Fatalf("reviewer inviting a labeller: %v", err)
		}
		if r := accept(invite("coord", "coordinator"), "joiner4"); r.status != 201 {
			t.Fatalf("a coordinator's own invite = %d %s", r.status, r.body)
		}
	})
}

// Finding 3: coordinators list pending invites and revoke them.
func TestInviteListAndRevoke(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		coord := e.as("coord")
		r := coord.do("POST", "/api/invites", map[string]any{"roles": []string{"reviewer"}, "note": "for Ana"})
		var inv struct{ Token string }
		mustJSON(t, r.body, &inv)
		var list struct {
			Invites []struct {
				ID        int64
				Roles     []string
				Note      string
				CreatedBy int64 `json:"created_by"`
			} `json:"items"`
		}
		r = coord.do("GET", "/api/invites", nil)
		mustJSON(t, r.body, &list)
		if r.status != 200 || len(list.Invites) != 1 || list.Invites[0].Note != "for Ana" || list.Invites[0].CreatedBy != e.Members["coord"].ID {
			t.Fatalf("pending invites = %d %s", r.status, r.body)
		}
		if strings.Contains(string(r.body), inv.Token) {
			t.Fatal("the invite list shows the token")
		}
		id := list.Invites[0].ID
		if r := coord.do("DELETE", fmt.Sprintf("/api/invites/%d", id), nil); r.status != 204 {
			t.Fatalf("revoke = %d %s", r.status, r.body)
		}
		if r := coord.do("DELETE", fmt.Sprintf("/api/invites/%d", id), nil); r.status != 404 {
			t.Fatalf("revoke twice = %d %s", r.status, r.body)
		}
		if r := e.browser().do("GET", "/api/invites/"+inv.Token, nil); r.status != 410 {
			t.Fatalf("peek a revoked invite = %d %s", r.status, r.body)
		}
		acc := e.browser().do("POST", "/api/invites/"+inv.Token+"/accept", map[string]string{"login": "ana", "display_name": "Ana", "password": servertest.Password})
		if acc.status != 410 || acc.code() != "invite_invalid" {
			t.Fatalf("accept a revoked invite = %d %s", acc.status, acc.body)
		}
		mustJSON(t, coord.do("GET", "/api/invites", nil).body, &list)
		if len(list.Invites) != 0 {
			t.Fatalf("revoked invite still listed: %+v", list.Invites)
		}
	})
}

// Finding 7: a labeller removed from a project can no longer heartbeat or
// submit on a lease taken before the removal.
func TestRemovedLabellerLosesLease(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.Project(t)
		coord, lab := e.as("coord"), e.as("lab")
		base := fmt.Sprintf("/api/projects/%d", p.ID)
		if r := coord.do("POST", base+"/imports?format=jsonl&filename=a.jsonl", "{\"text\":\"one\"}\n{\"text\":\"two\"}\n"); r.status != 201 {
			t.Fatalf("import = %d %s", r.status, r.body)
		}
		r := lab.do("POST", base+"/next", nil)
		var task struct {
			LeaseToken string `json:"lease_token"`
		}
		mustJSON(t, r.body, &task)
		if r := lab.do("POST", "/api/tasks/heartbeat", map[string]any{"lease_token": task.LeaseToken}); r.status != 200 {
			t.Fatalf("heartbeat as a member = %d %s", r.status, r.body)
		}
		if r := coord.do("DELETE", fmt.Sprintf("%s/members/%d", base, e.Members["lab"].ID), nil); r.status != 204 {
			t.Fatalf("remove = %d %s", r.status, r.body)
		}
		if r := lab.do("POST", "/api/tasks/heartbeat", map[string]any{"lease_token": task.LeaseToken}); r.status != 403 || r.code() != "not_project_member" {
			t.Fatalf("heartbeat after removal = %d %s", r.status, r.body)
		}
		submit := map[string]any{"lease_token": task.LeaseToken, "idempotency_key": "after-removal", "answer": map[string]string{"choice": "positive"}}
		if r := lab.do("POST", "/api/submissions", submit); r.status != 403 || r.code() != "not_project_member" {
			t.Fatalf("submit after removal = %d %s", r.status, r.body)
		}
		// To a labeller, a project they are not in does not exist.
		if r := lab.do("POST", base+"/next", nil); r.status != 404 {
			t.Fatalf("claim after removal = %d %s", r.status, r.body)
		}
		var n int64
		e.DB.Table("submissions").Count(&n)
		if n != 0 {
			t.Fatalf("%d submissions recorded after removal", n)
		}
	})
}
