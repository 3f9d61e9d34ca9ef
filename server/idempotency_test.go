package server_test

import (
	"fmt"
	"strings"
	"testing"

	equitystore "copyhold/equity/store"

	"gorm.io/gorm"
)

// Every endpoint that takes an idempotency key answers the same way: the
// first call does the work, a retry with the same body replays it (200), and
// the same key with another body is 409 idempotency_conflict that changes
// nothing.
func TestIdempotencyKeyReuseIsAConflictEverywhere(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.Project(t) // classification, overlap 2
		coordID := e.Members["coord"].ID
		if _, err := e.Stores.Projects.ImportItems(t.Context(), &coordID, p.ID,
			strings.NewReader("{\"text\":\"one\"}\n{\"text\":\"two\"}\n"), "jsonl", ""); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/api/projects/%d", p.ID)
		lab, target, rev := e.as("lab"), e.as("target"), e.as("rev")
		claim := func(c *client) string {
			t.Helper()
			var task struct {
				LeaseToken string `json:"lease_token"`
			}
			r := c.do("POST", base+"/next", nil)
			if r.status != 200 {
				t.Fatalf("claim = %d %s", r.status, r.body)
			}
			mustJSON(t, r.body, &task)
			return task.LeaseToken
		}
		submit := func(c *client, key, choice string) int64 {
			t.Helper()
			r := c.do("POST", "/api/submissions", map[string]any{"lease_token": claim(c), "idempotency_key": key,
				"answer": map[string]string{"choice": choice}})
			if r.status != 201 {
				t.Fatalf("submit = %d %s", r.status, r.body)
			}
			var sub struct{ ID int64 }
			mustJSON(t, r.body, &sub)
			return sub.ID
		}
		labToken := claim(lab)
		// Vested units for the transfer case.
		if r := e.as("coord").do("POST", base+"/rate-card", map[string]any{"annotation_accepted": "1", "review_decision": "0.1",
			"correction_labeller_bp": 5000, "reason": "launch"}); r.status != 201 {
			t.Fatalf("rate card = %d %s", r.status, r.body)
		}
		labID := e.Members["lab"].ID
		if err := e.DB.Transaction(func(tx *gorm.DB) error {
			if _, err := equitystore.CreditPending(tx, equitystore.PendingCredit{SubmissionID: 9001, ProjectID: p.ID, MemberID: labID}); err != nil {
				return err
			}
			_, err := equitystore.Vest(tx, equitystore.Decision{SubmissionID: 9001, ReviewID: 9001, ReviewerID: e.Members["rev"].ID})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var amendedID int64

		for _, tc := range []struct {
			name   string
			caller *client
			method string
			path   func() string
			first  string // the body that does the work
			other  string // the same key with another body
			stored func() string
		}{
			{name: "submit", caller: lab, method: "POST", path: func() string { return "/api/submissions" },
				first: fmt.Sprintf(`{"lease_token":%q,"idempotency_key":"s1","answer":{"choice":"positive"}}`, labToken),
				other: fmt.Sprintf(`{"lease_token":%q,"idempotency_key":"s1","answer":{"choice":"negative"}}`, labToken),
				stored: func() string {
					var a string
					e.DB.Raw(`SELECT answer FROM submissions WHERE idempotency_key = 's1'`).Scan(&a)
					return a
				}},
			{name: "amend", caller: target, method: "PUT",
				path: func() string {
					amendedID = submit(target, "t-amend", "positive")
					return fmt.Sprintf("/api/submissions/%d", amendedID)
				},
				first: `{"idempotency_key":"a1","answer":{"choice":"negative"}}`,
				other: `{"idempotency_key":"a1","answer":{"choice":"positive"}}`,
				stored: func() string {
					var a string
					e.DB.Raw(`SELECT answer FROM submissions WHERE id = ?`, amendedID).Scan(&a)
					return a
				}},
			{name: "transfer", caller: lab, method: "POST", path: func() string { return "/api/equity/transfers" },
				first: fmt.Sprintf(`{"idempotency_key":"x1","model_id":%d,"to":%d,"amount":"0.25"}`, p.ModelID, e.Members["target"].ID),
				other: fmt.Sprintf(`{"idempotency_key":"x1","model_id":%d,"to":%d,"amount":"0.5"}`, p.ModelID, e.Members["target"].ID),
				stored: func() string {
					var n int64
					e.DB.Raw(`SELECT COUNT(*) FROM equity_transactions WHERE kind = 'transfer'`).Scan(&n)
					return fmt.Sprint(n)
				}},
			{name: "proposal", caller: lab, method: "POST", path: func() string { return "/api/proposals" },
				first: `{"title":"Tea","reason":"morale","change":{"kind":"motion","text":"Buy tea."},"idempotency_key":"p1"}`,
				other: `{"title":"Tea","reason":"morale","change":{"kind":"motion","text":"Buy coffee."},"idempotency_key":"p1"}`,
				stored: func() string {
					var n int64
					e.DB.Raw(`SELECT COUNT(*) FROM equity_proposals`).Scan(&n)
					return fmt.Sprint(n)
				}},
			{name: "review decision", caller: rev, method: "POST", path: func() string { return "/api/review/decisions" },
				first: "", other: "", stored: nil}, // filled below: it needs a queued round
		} {
			t.Run(tc.name, func(t *testing.T) {
				path := tc.path()
				first, other := tc.first, tc.other
				if tc.name == "review decision" {
					// The first item, answered by both labellers, is queued for review.
					r := rev.do("POST", base+"/review/next", nil)
					var task struct {
						LeaseToken  string `json:"lease_token"`
						Submissions []struct{ ID int64 }
					}
					if r.status != 200 {
						t.Fatalf("review/next = %d %s", r.status, r.body)
					}
					mustJSON(t, r.body, &task)
					if len(task.Submissions) != 2 {
						t.Fatalf("review task = %s", r.body)
					}
					s1, s2 := task.Submissions[0].ID, task.Submissions[1].ID
					first = fmt.Sprintf(`{"lease_token":%q,"idempotency_key":"d1","decisions":[{"submission_id":%d,"decision":"accept"},{"submission_id":%d,"decision":"accept"}]}`,
						task.LeaseToken, s1, s2)
					other = strings.Replace(first, `"accept"}]`, `"reject","reason":"wrong_label"}]`, 1)
					tc.stored = func() string {
						var n int64
						e.DB.Raw(`SELECT COUNT(*) FROM review_decisions WHERE decision = 'accept'`).Scan(&n)
						return fmt.Sprint(n)
					}
				}
				if r := tc.caller.do(tc.method, path, first); r.status/100 != 2 {
					t.Fatalf("first call = %d %s", r.status, r.body)
				}
				before := tc.stored()
				if r := tc.caller.do(tc.method, path, first); r.status != 200 {
					t.Fatalf("retry with the same body = %d %s, want 200", r.status, r.body)
				}
				if r := tc.caller.do(tc.method, path, other); r.status != 409 || r.code() != "idempotency_conflict" {
					t.Fatalf("same key, another body = %d %s, want 409 idempotency_conflict", r.status, r.body)
				}
				if after := tc.stored(); after != before {
					t.Fatalf("the refused call changed what is stored: %s → %s", before, after)
				}
			})
		}
	})
}
