package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// The after_answer policy over HTTP: the claim carries no suggestion, the
// first answer reveals it, the submission is recorded, and the quality page
// counts it; bad first answers are {code, message} errors.
func TestSuggestionAfterFirstAnswerOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		p := e.Project(t)
		coordID := e.Members["coord"].ID
		base := fmt.Sprintf("/api/projects/%d", p.ID)
		coord, lab := e.as("coord"), e.as("lab")
		if r := coord.do("PATCH", base, map[string]any{"suggestion_policy": "after_answer", "suggestion_control_bp": 0, "order_by_usefulness": true}); r.status != 200 ||
			!strings.Contains(string(r.body), `"suggestion_policy":"after_answer"`) || !strings.Contains(string(r.body), `"order_by_usefulness":true`) {
			t.Fatalf("patch = %d %s", r.status, r.body)
		}
		if r := coord.do("PATCH", base, map[string]any{"suggestion_policy": "sometimes"}); r.status != 400 || !strings.Contains(string(r.body), "suggestion_policy must be") {
			t.Fatalf("bad policy = %d %s", r.status, r.body)
		}
		if r := coord.do("PATCH", base, map[string]any{"suggestion_control_bp": 9000}); r.status != 400 {
			t.Fatalf("bad control share = %d %s", r.status, r.body)
		}
		if _, err := e.Stores.Projects.ImportItems(ctx, &coordID, p.ID, strings.NewReader(`{"data":{"text":"Cold food"},"prediction":{"choice":"negative"}}`), "jsonl", ""); err != nil {
			t.Fatal(err)
		}
		r := lab.do("POST", base+"/next", nil)
		var task struct {
			LeaseToken       string `json:"lease_token"`
			SuggestionPolicy string `json:"suggestion_policy"`
		}
		mustJSON(t, r.body, &task)
		if r.status != 200 || strings.Contains(string(r.body), `"prediction"`) || task.SuggestionPolicy != "after_answer" {
			t.Fatalf("claim = %d %s", r.status, r.body)
		}
		for _, c := range []struct {
			body map[string]any
			code string
		}{
			{map[string]any{"answer": map[string]string{"choice": "positive"}}, "invalid"},
			{map[string]any{"lease_token": task.LeaseToken}, "invalid"},
			{map[string]any{"lease_token": task.LeaseToken, "answer": map[string]string{"choice": "meh"}}, "unknown_label"},
			{map[string]any{"lease_token": "nope", "answer": map[string]string{"choice": "positive"}}, "lease_lost"},
		} {
			if r := lab.do("POST", "/api/tasks/first-answer", c.body); r.status/100 != 4 || r.code() != c.code {
				t.Fatalf("first answer %v = %d %s, want %s", c.body, r.status, r.body, c.code)
			}
		}
		r = lab.do("POST", "/api/tasks/first-answer", map[string]any{"lease_token": task.LeaseToken, "answer": map[string]string{"choice": "positive"}})
		if r.status != 200 || !strings.Contains(string(r.body), `"suggestion":{"choice":`) || !strings.Contains(string(r.body), `"matches":false`) {
			t.Fatalf("first answer = %d %s", r.status, r.body)
		}
		r = lab.do("POST", "/api/submissions", map[string]any{"lease_token": task.LeaseToken, "idempotency_key": "s1",
			"answer": map[string]string{"choice": "negative"}, "lead_time_ms": 900})
		if r.status != 201 {
			t.Fatalf("submit = %d %s", r.status, r.body)
		}
		r = coord.do("GET", base+"/quality", nil)
		for _, want := range []string{`"shown":1`, `"shown_agreed":1`, `"first_differed":1`, `"changed_to_suggestion":1`, `"changed_toward_bp":10000`} {
			if !strings.Contains(string(r.body), want) {
				t.Fatalf("quality lacks %s: %s", want, r.body)
			}
		}
	})
}
