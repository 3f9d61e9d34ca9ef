package server_test

import (
	"context"
	"strconv"
	"testing"

	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/servertest"

	"gorm.io/gorm"
)

// Each session and API token has its own request budget: past it, 429
// rate_limited with Retry-After; other credentials, even the same member's
// other token, go on.
func TestRequestRatePerCredential(t *testing.T) {
	slow := func(c *server.Config, _ **store.Stores) { c.RequestRate = server.RequestRate{PerMinute: 1, Burst: 3} }
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db, slow)
		lab := e.as("lab")
		for i := range 3 {
			if r := lab.do("GET", "/api/me", nil); r.status != 200 {
				t.Fatalf("request %d within the burst: %d %s", i+1, r.status, r.body)
			}
		}
		r := lab.do("GET", "/api/me", nil)
		var body struct{ Code, Message string }
		mustJSON(t, r.body, &body)
		if r.status != 429 || body.Code != "rate_limited" || body.Message == "" {
			t.Fatalf("past the budget: %d %s", r.status, r.body)
		}
		retry, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || retry < 1 || retry > 60 {
			t.Fatalf("Retry-After = %q, want 1 to 60 seconds at one request a minute", r.header.Get("Retry-After"))
		}
		// Every route counts, lists included.
		if r := lab.do("GET", "/api/tokens", nil); r.status != 429 || r.code() != "rate_limited" {
			t.Fatalf("a list past the budget: %d %s", r.status, r.body)
		}

		if r := e.as("coord").do("GET", "/api/me", nil); r.status != 200 {
			t.Fatalf("another member's token: %d %s", r.status, r.body)
		}
		_, tok, err := e.Stores.Members.CreateToken(context.Background(), e.Members["lab"].ID, "second")
		must(t, err)
		second := e.browser()
		second.token = tok
		if r := second.do("GET", "/api/me", nil); r.status != 200 {
			t.Fatalf("the same member's other token: %d %s", r.status, r.body)
		}
		session := e.browser()
		if r := session.login("lab", servertest.Password); r.status != 200 {
			t.Fatalf("login: %d %s", r.status, r.body)
		}
		if r := session.do("GET", "/api/me", nil); r.status != 200 {
			t.Fatalf("the same member's session: %d %s", r.status, r.body)
		}
	})
}
