package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"copyhold/labeling/member"
)

// TestReviewerHome: waiting reviews across projects, most waiting first, a
// dispute listed apart and never offered to the reviewer who rejected it,
// and nothing of it for labellers or coordinators without the role.
func TestReviewerHome(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		coordID := e.Members["coord"].ID
		small, big := e.Project(t), e.Project(t)
		for _, p := range []int64{small.ID, big.ID} {
			if _, err := e.Stores.Projects.ImportItems(ctx, &coordID, p, strings.NewReader("{\"text\":\"Great phone.\"}\n{\"text\":\"Awful case.\"}\n"), "jsonl", ""); err != nil {
				t.Fatal(err)
			}
		}
		lab, target, rev, coord := e.as("lab"), e.as("target"), e.as("rev"), e.as("coord")
		answer := func(c *client, project int64, key string) int64 {
			t.Helper()
			r := c.do("POST", fmt.Sprintf("/api/projects/%d/next", project), nil)
			if r.status != 200 {
				t.Fatalf("claim = %d %s", r.status, r.body)
			}
			var task struct {
				LeaseToken string `json:"lease_token"`
			}
			mustJSON(t, r.body, &task)
			r = c.do("POST", "/api/submissions", map[string]any{"lease_token": task.LeaseToken, "idempotency_key": key,
				"answer": map[string]string{"choice": "positive"}, "lead_time_ms": 900})
			if r.status != 201 {
				t.Fatalf("submit = %d %s", r.status, r.body)
			}
			var sub struct{ ID int64 }
			mustJSON(t, r.body, &sub)
			return sub.ID
		}
		// One item waits in small, two in big (overlap 2: lab and target each answer).
		labSub := answer(lab, small.ID, "s1")
		targetSub := answer(target, small.ID, "s2")
		for i := range 2 {
			answer(lab, big.ID, fmt.Sprintf("b%d", i))
			answer(target, big.ID, fmt.Sprintf("c%d", i))
		}

		// What a labeller and a coordinator without the role must not see.
		for _, c := range []*client{lab, coord} {
			r := c.do("GET", "/api/review/home", nil)
			if r.status != 403 || r.code() != "forbidden" || strings.Contains(string(r.body), "sentiment") {
				t.Fatalf("home for a non-reviewer = %d %s", r.status, r.body)
			}
		}
		type home struct {
			Projects []struct {
				ProjectID int64 `json:"project_id"`
				Waiting   int   `json:"waiting"`
				ForYou    int   `json:"for_you"`
				Disputes  int   `json:"disputes"`
			}
			ForYou        int    `json:"for_you"`
			NextProjectID *int64 `json:"next_project_id"`
			Disputes      []struct {
				ReviewID int64  `json:"review_id"`
				ForYou   bool   `json:"for_you"`
				Why      string `json:"why"`
			}
		}
		get := func(c *client) home {
			t.Helper()
			r := c.do("GET", "/api/review/home", nil)
			if r.status != 200 {
				t.Fatalf("home = %d %s", r.status, r.body)
			}
			var h home
			mustJSON(t, r.body, &h)
			return h
		}
		h := get(rev)
		if len(h.Projects) != 2 || h.Projects[0].ProjectID != big.ID || h.Projects[0].Waiting != 2 || h.Projects[1].Waiting != 1 ||
			h.ForYou != 3 || h.NextProjectID == nil || *h.NextProjectID != small.ID || len(h.Disputes) != 0 {
			t.Fatalf("home = %+v", h)
		}
		// target answered every waiting item: nothing is for them.
		if h := get(e.as("target")); h.ForYou != 0 || h.NextProjectID != nil || h.Projects[0].ForYou != 0 {
			t.Fatalf("home of a reviewer who answered everything = %+v", h)
		}

		// rev rejects target's answer in small; target disputes it.
		r := rev.do("POST", fmt.Sprintf("/api/projects/%d/review/next", small.ID), nil)
		var task struct {
			LeaseToken string `json:"lease_token"`
		}
		mustJSON(t, r.body, &task)
		body := fmt.Sprintf(`{"lease_token":%q,"idempotency_key":"d1","decisions":[{"submission_id":%d,"decision":"accept"},{"submission_id":%d,"decision":"reject","reason":"wrong_label"}]}`,
			task.LeaseToken, labSub, targetSub)
		if r := rev.do("POST", "/api/review/decisions", body); r.status != 201 {
			t.Fatalf("decide = %d %s", r.status, r.body)
		}
		if r := target.do("POST", fmt.Sprintf("/api/submissions/%d/dispute", targetSub), map[string]string{"comment": "It is praise."}); r.status != 200 {
			t.Fatalf("dispute = %d %s", r.status, r.body)
		}
		h = get(rev)
		if len(h.Disputes) != 1 || h.Disputes[0].ForYou || h.Disputes[0].Why != "you_rejected" || h.ForYou != 2 {
			t.Fatalf("the rejecting reviewer's home = %+v", h)
		}
		e.AddMember(t, "rev2", member.RoleReviewer)
		if h := get(e.as("rev2")); len(h.Disputes) != 1 || !h.Disputes[0].ForYou || h.ForYou != 3 {
			t.Fatalf("another reviewer's home = %+v", h)
		}
	})
}
