package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"copyhold/labeling/member"
)

// Issue 18: a dispute with one reviewer says who may take it, review
// settings never show a zero date, /work lists only the member's projects,
// My work keeps the dispute history, and progress carries recent events.
func TestWorkbenchFixesOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		p := e.Project(t) // overlap 2, every test member in it
		coordID := e.Members["coord"].ID
		if _, err := e.Stores.Projects.ImportItems(ctx, &coordID, p.ID, strings.NewReader(`{"text":"Cold food, kind staff"}`), "jsonl", ""); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/api/projects/%d", p.ID)
		lab, target, rev, coord := e.as("lab"), e.as("target"), e.as("rev"), e.as("coord")

		// Review settings nobody changed have no updated_at (no "Jan 1, 1").
		if r := coord.do("GET", base+"/review-settings", nil); r.status != 200 || strings.Contains(string(r.body), "updated_at") {
			t.Fatalf("default settings = %d %s", r.status, r.body)
		}

		answer := func(c *client, key, choice string) int64 {
			t.Helper()
			r := c.do("POST", base+"/next", nil)
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

		// The pace of the project: the median lead time of its submissions.
		if r := lab.do("GET", base+"/pace", nil); r.status != 200 || !strings.Contains(string(r.body), `"median_lead_time_ms":900`) || !strings.Contains(string(r.body), `"sample":2`) {
			t.Fatalf("pace = %d %s", r.status, r.body)
		}
		outsider := e.AddMember(t, "outsider", member.RoleLabeller)
		if r := e.as(outsider.Login).do("GET", base+"/pace", nil); r.status != 404 || r.code() != "not_found" {
			t.Fatalf("pace for a labeller outside the project = %d %s", r.status, r.body)
		}

		// Progress carries the submissions of the last half hour.
		r := coord.do("GET", base+"/progress", nil)
		var prog struct {
			Recent []struct{ Type, At string }
		}
		mustJSON(t, r.body, &prog)
		submitted := 0
		for _, ev := range prog.Recent {
			if ev.Type == "task.submitted" && ev.At != "" {
				submitted++
			}
		}
		if submitted != 2 {
			t.Fatalf("recent = %s", r.body)
		}

		// The reviewer rejects target's answer; target disputes.
		r = rev.do("POST", base+"/review/next", nil)
		var task struct {
			LeaseToken string `json:"lease_token"`
		}
		mustJSON(t, r.body, &task)
		body := fmt.Sprintf(`{"lease_token":%q,"idempotency_key":"d1","decisions":[{"submission_id":%d,"decision":"accept"},{"submission_id":%d,"decision":"reject","reason":"wrong_label","comment":"It is praise."}]}`,
			task.LeaseToken, labSub, targetSub)
		if r := rev.do("POST", "/api/review/decisions", body); r.status != 201 {
			t.Fatalf("decide = %d %s", r.status, r.body)
		}
		if r := target.do("POST", fmt.Sprintf("/api/submissions/%d/dispute", targetSub), map[string]string{"comment": "Kind staff is praise."}); r.status != 200 {
			t.Fatalf("dispute = %d %s", r.status, r.body)
		}

		type view struct {
			Waiting            int `json:"waiting"`
			ForYou             int `json:"for_you"`
			NoEligibleReviewer int `json:"no_eligible_reviewer"`
			NotForYou          []struct {
				Kind     string `json:"kind"`
				Why      string `json:"why"`
				Eligible []struct {
					ID int64 `json:"id"`
				} `json:"eligible"`
			} `json:"not_for_you"`
		}
		queue := func(c *client) view {
			t.Helper()
			r := c.do("GET", base+"/review/queue", nil)
			if r.status != 200 {
				t.Fatalf("queue = %d %s", r.status, r.body)
			}
			var v view
			mustJSON(t, r.body, &v)
			return v
		}
		// The rejecting reviewer may not take it, nor target who answered it:
		// nobody can, and the view says so.
		v := queue(rev)
		if v.Waiting != 1 || v.ForYou != 0 || v.NoEligibleReviewer != 1 || len(v.NotForYou) != 1 ||
			v.NotForYou[0].Why != "you_rejected" || v.NotForYou[0].Kind != "dispute" || len(v.NotForYou[0].Eligible) != 0 {
			t.Fatalf("rejecting reviewer's view = %+v", v)
		}
		if v := queue(target); len(v.NotForYou) != 1 || v.NotForYou[0].Why != "you_answered" {
			t.Fatalf("labeller-reviewer's view = %+v", v)
		}
		if v := queue(coord); v.NoEligibleReviewer != 1 || len(v.NotForYou) != 1 || v.NotForYou[0].Why != "not_reviewer" {
			t.Fatalf("coordinator's view = %+v", v)
		}
		if r := lab.do("GET", base+"/review/queue", nil); r.status != 403 || r.code() == "" {
			t.Fatalf("labeller reading the queue = %d %s", r.status, r.body)
		}
		if r := rev.do("GET", "/api/projects/999999/review/queue", nil); r.status != 404 || r.code() == "" {
			t.Fatalf("queue of a missing project = %d %s", r.status, r.body)
		}
		// A second reviewer appears: the rejecting reviewer is told who can take it.
		if err := e.Stores.Members.GrantRole(ctx, &coordID, coordID, member.RoleReviewer); err != nil {
			t.Fatal(err)
		}
		if v := queue(rev); v.NoEligibleReviewer != 0 || len(v.NotForYou) != 1 || len(v.NotForYou[0].Eligible) != 1 || v.NotForYou[0].Eligible[0].ID != coordID {
			t.Fatalf("view with a second reviewer = %+v", v)
		}
		if v := queue(coord); v.ForYou != 1 || len(v.NotForYou) != 0 {
			t.Fatalf("eligible reviewer's view = %+v", v)
		}

		// The coordinator accepts on dispute; My work keeps the whole history.
		r = coord.do("POST", base+"/review/next", nil)
		mustJSON(t, r.body, &task)
		body = fmt.Sprintf(`{"lease_token":%q,"idempotency_key":"d2","decisions":[{"submission_id":%d,"decision":"accept"}]}`, task.LeaseToken, targetSub)
		if r := coord.do("POST", "/api/review/decisions", body); r.status != 201 {
			t.Fatalf("dispute decision = %d %s", r.status, r.body)
		}
		r = target.do("GET", "/api/me/submissions", nil)
		var mine struct {
			Submissions []struct {
				ID      int64
				Status  string
				History []struct {
					Kind, Decision, Reason, Comment string
					Final                           bool
				}
			} `json:"items"`
		}
		mustJSON(t, r.body, &mine)
		if len(mine.Submissions) != 1 || mine.Submissions[0].Status != "accepted" {
			t.Fatalf("my work = %s", r.body)
		}
		h := mine.Submissions[0].History
		got, _ := json.Marshal(h)
		if len(h) != 3 || h[0].Decision != "reject" || h[0].Comment != "It is praise." || h[1].Kind != "dispute" ||
			h[1].Comment != "Kind staff is praise." || h[2].Decision != "accept" || !h[2].Final {
			t.Fatalf("history = %s", got)
		}

		// /work asks for the member's own projects only, whatever their roles.
		other := e.AddMember(t, "newrev", member.RoleLabeller, member.RoleReviewer)
		nr := e.as(other.Login)
		count := func(path string) int {
			t.Helper()
			r := nr.do("GET", path, nil)
			if r.status != 200 {
				t.Fatalf("%s = %d %s", path, r.status, r.body)
			}
			var l struct {
				Projects []struct{ ID int64 } `json:"items"`
			}
			mustJSON(t, r.body, &l)
			return len(l.Projects)
		}
		if count("/api/projects") != 1 || count("/api/projects?member=me") != 0 {
			t.Fatalf("projects: all %d, mine %d", count("/api/projects"), count("/api/projects?member=me"))
		}
		if err := e.Stores.Projects.AddProjectMember(ctx, &coordID, p.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		if count("/api/projects?member=me") != 1 {
			t.Fatal("a member added to the project sees it")
		}
		if r := nr.do("GET", "/api/projects?member=everyone", nil); r.status != 400 || r.code() != "invalid" {
			t.Fatalf("bad member filter = %d %s", r.status, r.body)
		}
	})
}
