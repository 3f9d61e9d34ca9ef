package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

func TestBadInput(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.as("coord")
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code               string
		}{
			{"malformed", "POST", "/api/tokens", `{"name":`, 400, "malformed_json"},
			{"empty", "POST", "/api/tokens", "", 400, "malformed_json"},
			{"unknown field", "POST", "/api/tokens", `{"name":"x","admin":true}`, 400, "unknown_field"},
			{"wrong type", "POST", "/api/tokens", `{"name":42}`, 400, "wrong_type"},
			{"trailing", "POST", "/api/tokens", `{"name":"x"} {}`, 400, "malformed_json"},
			{"too large", "POST", "/api/tokens", `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "body_too_large"},
			{"bad id", "DELETE", "/api/tokens/abc", nil, 400, "invalid"},
			{"unknown role", "POST", "/api/members/1/roles", `{"role":"king"}`, 400, "unknown_role"},
			{"no route", "GET", "/api/nope", nil, 404, "not_found"},
			{"wrong method", "PUT", "/api/me", nil, 405, "method_not_allowed"},
		}
		for _, tc := range cases {
			r := c.do(tc.method, tc.path, tc.body)
			if r.status != tc.status || r.code() != tc.code {
				t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.body, tc.status, tc.code)
			}
			var v map[string]any
			if err := json.Unmarshal(r.body, &v); err != nil || v["message"] == "" {
				t.Errorf("%s: body %q is not a {code, message} error", tc.name, r.body)
			}
		}
	})
}

func TestSecurityHeadersAndApp(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.browser().do("GET", "/some/client/route", nil)
		if r.status != 200 || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
			t.Fatalf("SPA fallback = %d %s", r.status, r.header.Get("Content-Type"))
		}
		csp := r.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("CSP %q", csp)
		}
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "X-Request-Id"} {
			if r.header.Get(h) == "" {
				t.Errorf("missing %s", h)
			}
		}
	})
}

func TestDatabaseOutage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if r := e.browser().do("GET", "/readyz", nil); r.status != 200 {
			t.Fatalf("readyz = %d", r.status)
		}
		sqlDB, _ := db.DB()
		sqlDB.Close()
		if r := e.browser().do("GET", "/readyz", nil); r.status != 503 {
			t.Fatalf("readyz with the database gone = %d", r.status)
		}
		if r := e.as("lab").do("GET", "/api/me", nil); r.status != 503 || r.code() != "unavailable" {
			t.Fatalf("request with the database gone = %d %s", r.status, r.body)
		}
		if r := e.browser().do("GET", "/healthz", nil); r.status != 200 {
			t.Fatalf("healthz = %d", r.status)
		}
	})
}
