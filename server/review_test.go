package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestReviewFlowOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		p := e.Project(t) // classification, overlap 2, every test member in it
		coordID := e.Members["coord"].ID
		if _, err := e.Stores.Projects.ImportItems(ctx, &coordID, p.ID, strings.NewReader(`{"text":"Great phone."}`), "jsonl", ""); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/api/projects/%d", p.ID)
		lab, target, rev, coord := e.as("lab"), e.as("target"), e.as("rev"), e.as("coord")

		answer := func(c *client, key, choice string) int64 {
			t.Helper()
			r := c.do("POST", base+"/next", nil)
			if r.status != 200 {
				t.Fatalf("claim = %d %s", r.status, r.body)
			}
			var task struct {
				LeaseToken string `json:"lease_token"`
			}
			mustJSON(t, r.body, &task)
			r = c.do("POST", "/api/submissions", map[string]any{"lease_token": task.LeaseToken, "idempotency_key": key,
				"answer": map[string]string{"choice": choice}, "lead_time_ms": 900})
			if r.status != 201 {
				t.Fatalf("submit = %d %s", r.status, r.body)
			}
			var sub struct{ ID int64 }
			mustJSON(t, r.body, &sub)
			return sub.ID
		}
		labSub := answer(lab, "a1", "positive")
		targetSub := answer(target, "t1", "negative")

		// Labellers and coordinators cannot work the review queue.
		for _, c := range []*client{lab, coord} {
			if r := c.do("POST", base+"/review/next", nil); r.status != 403 {
				t.Fatalf("review/next by a non-reviewer = %d %s", r.status, r.body)
			}
		}
		if r := lab.do("POST", "/api/review/decisions", map[string]any{"lease_token": "x", "idempotency_key": "k"}); r.status != 403 {
			t.Fatalf("decisions by a labeller = %d %s", r.status, r.body)
		}
		// A reviewer never gets an item they answered.
		if r := target.do("POST", base+"/review/next", nil); r.status != 404 || r.code() != "no_reviews" {
			t.Fatalf("review of own item = %d %s", r.status, r.body)
		}

		r := rev.do("POST", base+"/review/next", nil)
		if r.status != 200 {
			t.Fatalf("review/next = %d %s", r.status, r.body)
		}
		var task struct {
			LeaseToken    string   `json:"lease_token"`
			RejectReasons []string `json:"reject_reasons"`
			Submissions   []struct {
				ID      int64
				Pending bool
			}
			Disagreement struct {
				Unanimous bool
				Differing []string
			}
		}
		mustJSON(t, r.body, &task)
		if len(task.Submissions) != 2 || task.Disagreement.Unanimous || len(task.Disagreement.Differing) != 2 || len(task.RejectReasons) == 0 {
			t.Fatalf("review task = %s", r.body)
		}
		if r := rev.do("POST", "/api/review/heartbeat", map[string]string{"lease_token": task.LeaseToken}); r.status != 200 {
			t.Fatalf("heartbeat = %d %s", r.status, r.body)
		}
		if r := rev.do("POST", "/api/review/heartbeat", map[string]string{"lease_token": "forged"}); r.status != 409 || r.code() != "lease_lost" {
			t.Fatalf("forged heartbeat = %d %s", r.status, r.body)
		}
		body := fmt.Sprintf(`{"lease_token":%q,"idempotency_key":"d1","decisions":[{"submission_id":%d,"decision":"accept"},{"submission_id":%d,"decision":"reject","reason":"wrong_label","comment":"It is praise."}]}`,
			task.LeaseToken, labSub, targetSub)
		if r := rev.do("POST", "/api/review/decisions", body); r.status != 201 || !strings.Contains(string(r.body), `"rejected"`) {
			t.Fatalf("decide = %d %s", r.status, r.body)
		}
		if r := rev.do("POST", "/api/review/decisions", body); r.status != 200 || !strings.Contains(string(r.body), `"replayed":true`) {
			t.Fatalf("retry = %d %s", r.status, r.body)
		}
		changed := strings.Replace(body, "It is praise.", "Changed.", 1)
		if r := rev.do("POST", "/api/review/decisions", changed); r.status != 409 || r.code() != "idempotency_conflict" {
			t.Fatalf("changed body = %d %s", r.status, r.body)
		}
		if r := rev.do("POST", "/api/review/decisions", strings.Replace(body, `"d1"`, `"d2"`, 1)); r.status != 409 || r.code() != "already_decided" {
			t.Fatalf("second decision = %d %s", r.status, r.body)
		}

		// The labeller sees the outcome in My work and disputes it once.
		r = target.do("GET", "/api/me/submissions", nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"status":"rejected"`) || !strings.Contains(string(r.body), `"reason":"wrong_label"`) {
			t.Fatalf("my work = %d %s", r.status, r.body)
		}
		if r := lab.do("POST", fmt.Sprintf("/api/submissions/%d/dispute", targetSub), map[string]string{"comment": "x"}); r.status != 404 {
			t.Fatalf("dispute of someone else's work = %d %s", r.status, r.body)
		}
		if r := lab.do("POST", fmt.Sprintf("/api/submissions/%d/dispute", labSub), map[string]string{"comment": "x"}); r.status != 409 || r.code() != "not_rejected" {
			t.Fatalf("dispute of an acceptance = %d %s", r.status, r.body)
		}
		dispute := fmt.Sprintf("/api/submissions/%d/dispute", targetSub)
		if r := target.do("POST", dispute, map[string]string{"comment": "Read it again: it is sarcasm."}); r.status != 200 || !strings.Contains(string(r.body), `"disputed"`) {
			t.Fatalf("dispute = %d %s", r.status, r.body)
		}
		if r := target.do("POST", dispute, map[string]string{"comment": "again"}); r.status != 409 || r.code() != "already_disputed" {
			t.Fatalf("second dispute = %d %s", r.status, r.body)
		}
		// The reviewer who rejected it does not get the dispute.
		if r := rev.do("POST", base+"/review/next", nil); r.status != 404 || r.code() != "no_reviews" {
			t.Fatalf("dispute offered to the rejecting reviewer = %d %s", r.status, r.body)
		}

		// Quality views.
		if r := coord.do("GET", base+"/quality", nil); r.status != 200 || !strings.Contains(string(r.body), `"rejection_reasons":{"wrong_label":1}`) {
			t.Fatalf("quality = %d %s", r.status, r.body)
		}
		if r := rev.do("GET", base+"/agreement", nil); r.status != 200 || !strings.Contains(string(r.body), `"primary_metric":"percent"`) {
			t.Fatalf("agreement = %d %s", r.status, r.body)
		}
		if r := lab.do("GET", fmt.Sprintf("/api/me/quality?project_id=%d", p.ID), nil); r.status != 200 || !strings.Contains(string(r.body), `"on_probation":false`) {
			t.Fatalf("my quality = %d %s", r.status, r.body)
		}
		if r := lab.do("GET", base+"/quality", nil); r.status != 403 {
			t.Fatalf("labeller reading project quality = %d", r.status)
		}
		if r := coord.do("PATCH", base+"/review-settings", map[string]any{"sample_rate_bp": 20000}); r.status != 400 {
			t.Fatalf("bad settings = %d %s", r.status, r.body)
		}
		if r := coord.do("PATCH", base+"/review-settings", map[string]any{"auto_accept": true, "auto_accept_bp": 8000, "reject_reasons": []string{"wrong_label", "spam"}}); r.status != 200 || !strings.Contains(string(r.body), `"spam"`) {
			t.Fatalf("settings = %d %s", r.status, r.body)
		}
		if r := coord.do("POST", base+"/consensus", map[string]string{"method": "majority"}); r.status != 200 {
			t.Fatalf("consensus = %d %s", r.status, r.body)
		}
		if r := rev.do("GET", base+"/consensus", nil); r.status != 200 || !strings.Contains(string(r.body), `"item_id"`) {
			t.Fatalf("consensus list = %d %s", r.status, r.body)
		}
	})
}
