package server_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWebhookRoutes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		coord, lab, rev := e.as("coord"), e.as("lab"), e.as("rev")
		good := map[string]any{"url": "https://93.184.215.14/hook", "description": "trainer", "event_types": []string{"snapshot.created", "review.decided"}}
		for _, who := range []*client{lab, rev} {
			if r := who.do("POST", "/api/webhooks", good); r.status != 403 {
				t.Fatalf("a non-coordinator registered a webhook: %d %s", r.status, r.body)
			}
			if r := who.do("GET", "/api/webhooks", nil); r.status != 403 {
				t.Fatalf("a non-coordinator listed webhooks: %d %s", r.status, r.body)
			}
		}
		for _, c := range []struct {
			body   any
			status int
			code   string
		}{
			{map[string]any{"url": "ftp://93.184.215.14/x", "event_types": []string{"snapshot.created"}}, 400, "webhook_url_scheme"},
			{map[string]any{"url": "http://127.0.0.1:9999/x", "event_types": []string{"snapshot.created"}}, 400, "webhook_url_refused"},
			{map[string]any{"url": "http://localhost/x", "event_types": []string{"snapshot.created"}}, 400, "webhook_url_refused"},
			{map[string]any{"url": "http://169.254.169.254/latest", "event_types": []string{"snapshot.created"}}, 400, "webhook_url_refused"},
			{map[string]any{"url": "http://10.0.0.5/x", "event_types": []string{"snapshot.created"}}, 400, "webhook_url_refused"},
			{map[string]any{"url": "https://93.184.215.14/hook", "event_types": []string{"task.claimed"}}, 400, "unknown_webhook_event"},
			{map[string]any{"url": "https://93.184.215.14/hook", "event_types": []string{}}, 400, "unknown_webhook_event"},
			{map[string]any{"url": "", "event_types": []string{"snapshot.created"}}, 400, "invalid_webhook"},
			{map[string]any{"url": "https://93.184.215.14/hook", "event_types": "snapshot.created"}, 400, "wrong_type"},
			{map[string]any{"url": "https://93.184.215.14/hook", "event_types": []string{"snapshot.created"}, "secret": "x"}, 400, "unknown_field"},
		} {
			r := coord.do("POST", "/api/webhooks", c.body)
			if r.status != c.status || r.code() != c.code {
				t.Errorf("%v: %d %s, want %d %s", c.body, r.status, r.body, c.status, c.code)
			}
		}
		r := coord.do("POST", "/api/webhooks", good)
		if r.status != 201 {
			t.Fatalf("register: %d %s", r.status, r.body)
		}
		var ep struct {
			ID         int64
			Secret     string
			EventTypes []string `json:"event_types"`
		}
		json.Unmarshal(r.body, &ep)
		if !strings.HasPrefix(ep.Secret, "whsec_") || ep.ID == 0 || strings.Join(ep.EventTypes, ",") != "review.decided,snapshot.created" {
			t.Fatalf("registered %s", r.body)
		}
		r = coord.do("GET", "/api/webhooks", nil)
		if r.status != 200 || strings.Contains(string(r.body), ep.Secret) || !strings.Contains(string(r.body), `"checkpoint.signed"`) {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		path := "/api/webhooks/" + jsonInt(ep.ID)
		if r = coord.do("GET", path, nil); r.status != 200 || strings.Contains(string(r.body), ep.Secret) {
			t.Fatalf("get: %d %s", r.status, r.body)
		}
		if r = coord.do("GET", path+"/attempts", nil); r.status != 200 || string(r.body) != `{"items":[],"next_cursor":null}` {
			t.Fatalf("attempts: %d %s", r.status, r.body)
		}
		for q, code := range map[string]string{"?limit=0": "invalid_limit", "?limit=101": "invalid_limit", "?cursor=abc": "invalid_cursor", "?cursor=-3": "invalid_cursor"} {
			if r = coord.do("GET", path+"/attempts"+q, nil); r.status != 400 || r.code() != code {
				t.Errorf("attempts%s: %d %s", q, r.status, r.body)
			}
		}
		if r = coord.do("POST", path+"/enable", nil); r.status != 200 {
			t.Fatalf("enable: %d %s", r.status, r.body)
		}
		if r = coord.do("GET", "/api/webhooks/99999", nil); r.status != 404 || r.code() != "webhook_not_found" {
			t.Fatalf("missing: %d %s", r.status, r.body)
		}
		if r = coord.do("GET", "/api/webhooks/abc", nil); r.status != 400 {
			t.Fatalf("bad id: %d %s", r.status, r.body)
		}
		if r = coord.do("DELETE", path, nil); r.status != 204 {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
		if r = coord.do("DELETE", path, nil); r.status != 404 || r.code() != "webhook_not_found" {
			t.Fatalf("delete again: %d %s", r.status, r.body)
		}
	})
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
