package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func TestEquityHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e, clk, svc := votingEnv(t, db)
		p := e.Project(t)
		coord, lab, target := e.as("coord"), e.as("lab"), e.as("target")
		r := coord.do("POST", fmt.Sprintf("/api/projects/%d/rate-card", p.ID), map[string]any{
			"annotation_accepted": "1.5", "review_decision": "0.1", "correction_labeller_bp": 5000, "reason": "launch"})
		if r.status != 201 || !strings.Contains(string(r.body), `"annotation_accepted":"1.500000"`) {
			t.Fatalf("rate card: %d %s", r.status, r.body)
		}
		if r := lab.do("POST", fmt.Sprintf("/api/projects/%d/rate-card", p.ID), map[string]any{"reason": "x"}); r.status != 403 {
			t.Fatalf("labeller set a rate card: %d", r.status)
		}
		// Credit and vest two submissions inside a transaction, as the review code will.
		labID, targetID := e.Members["lab"].ID, e.Members["target"].ID
		for sub := int64(1); sub <= 2; sub++ {
			err := e.DB.Transaction(func(tx *gorm.DB) error {
				if _, err := equitystore.CreditPending(tx, equitystore.PendingCredit{SubmissionID: sub, ProjectID: p.ID, MemberID: labID}); err != nil {
					return err
				}
				_, err := equitystore.Vest(tx, equitystore.Decision{SubmissionID: sub, ReviewID: sub, ReviewerID: e.Members["rev"].ID})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		model := p.ModelID
		transfer := func(key, to any, amount string) resp {
			return lab.do("POST", "/api/equity/transfers", map[string]any{"idempotency_key": key, "model_id": model, "to": to, "amount": amount})
		}
		for _, tc := range []struct {
			to     any
			amount string
			status int
			code   string
		}{
			{targetID, "0.0000001", 400, "amount_precision"},
			{targetID, "-1", 400, "amount_not_positive"},
			{targetID, "0", 400, "amount_not_positive"},
			{999999, "1", 400, "recipient_not_member"},
			{targetID, "100", 409, "insufficient_units"},
		} {
			if r := transfer("bad", tc.to, tc.amount); r.status != tc.status || r.code() != tc.code {
				t.Errorf("transfer %v %s: %d %s", tc.to, tc.amount, r.status, r.body)
			}
		}
		if r := transfer("t1", targetID, "1.25"); r.status != 201 || !strings.Contains(string(r.body), `"amount":"1.250000"`) {
			t.Fatalf("transfer: %d %s", r.status, r.body)
		}
		if r := transfer("t1", targetID, "1.25"); r.status != 200 {
			t.Fatalf("replay: %d %s", r.status, r.body)
		}
		if r := transfer("t1", targetID, "1.5"); r.status != 409 || r.code() != "idempotency_conflict" {
			t.Fatalf("conflict: %d %s", r.status, r.body)
		}

		r = lab.do("GET", fmt.Sprintf("/api/equity/models/%d/statement", model), nil)
		var st struct {
			Opening, Closing string
			Totals           map[string]string
			Lines            []struct {
				Amount        string
				RegisterIndex *int64 `json:"register_index"`
			}
			HeadHash string `json:"head_hash"`
		}
		json.Unmarshal(r.body, &st)
		if r.status != 200 || st.Closing != "1.750000" || st.Totals["transfers_out"] != "-1.250000" || st.HeadHash == "" {
			t.Fatalf("statement: %d %s", r.status, r.body)
		}
		if len(st.Lines) == 0 || st.Lines[0].RegisterIndex != nil || !strings.Contains(string(r.body), `"register_index":null`) {
			t.Fatalf("statement lines before a checkpoint are pending: %s", r.body)
		}
		if _, _, err := e.Roll.Integrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		r = lab.do("GET", fmt.Sprintf("/api/equity/models/%d/statement", model), nil)
		json.Unmarshal(r.body, &st)
		for _, l := range st.Lines {
			if l.RegisterIndex == nil {
				t.Fatalf("a line not in the register after a checkpoint: %s", r.body)
			}
		}
		if r := lab.do("GET", fmt.Sprintf("/api/equity/models/%d/statement?format=csv", model), nil); r.status != 200 || !strings.Contains(string(r.body), "closing,1.750000") {
			t.Fatalf("csv: %d %s", r.status, r.body)
		}
		if r := lab.do("GET", fmt.Sprintf("/api/equity/models/%d/statement?member=%d", model, targetID), nil); r.status != 403 {
			t.Fatalf("someone else's statement: %d", r.status)
		}
		if r := target.do("PUT", "/api/equity/privacy", map[string]any{"hidden": true}); r.status != 200 {
			t.Fatalf("privacy: %d %s", r.status, r.body)
		}
		r = lab.do("GET", fmt.Sprintf("/api/equity/models/%d/register", model), nil)
		if r.status != 200 || strings.Contains(string(r.body), `"name":"target"`) || !strings.Contains(string(r.body), `"name":"holder-`) {
			t.Fatalf("register: %d %s", r.status, r.body)
		}
		// A coordinator cannot distribute alone: the members approve a distribution proposal.
		r = coord.do("POST", fmt.Sprintf("/api/equity/models/%d/distributions", model), map[string]any{
			"idempotency_key": "q1", "amount": "100.00", "currency": "EUR", "source": "API sales"})
		if r.status != 403 || r.code() != "needs_vote" || !strings.Contains(string(r.body), "POST /api/proposals") {
			t.Fatalf("direct distribution: %d %s", r.status, r.body)
		}
		clk.set(time.Now().UTC().Truncate(time.Microsecond)) // after the vesting and the transfer above
		r = propose(coord, fmt.Sprintf(`{"kind":"distribution","model_id":%d,"amount":"100.00","currency":"EUR","source":"API sales","record_date":%q}`,
			model, clk.Now().Format(time.RFC3339Nano)))
		if r.status != 201 {
			t.Fatalf("distribution proposal: %d %s", r.status, r.body)
		}
		pr := decode[proposalJSON](t, r)
		for _, who := range []string{"lab", "target"} {
			if r := e.as(who).do("POST", fmt.Sprintf("/api/proposals/%d/votes", pr.ID), map[string]string{"choice": "yes"}); r.status != 200 {
				t.Fatalf("vote %s: %d %s", who, r.status, r.body)
			}
		}
		clk.set(pr.ClosesAt.Add(time.Second))
		if closed, err := svc.CloseDue(context.Background(), clk.Now()); err != nil || len(closed) != 1 || closed[0].Status != vote.StatusPassed {
			t.Fatalf("close: %+v %v", closed, err)
		}
		if v := decode[proposalJSON](t, lab.do("GET", fmt.Sprintf("/api/proposals/%d", pr.ID), nil)); v.Status != "passed" || v.Executed == nil || v.Executed.What != "distribution" {
			t.Fatalf("distribution not executed: %+v", v)
		}
		r = lab.do("GET", fmt.Sprintf("/api/equity/models/%d/register", model), nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"source":"API sales"`) {
			t.Fatalf("register after the distribution: %d %s", r.status, r.body)
		}
		if r := lab.do("PUT", "/api/equity/successor", map[string]any{"successor_id": targetID}); r.status != 200 {
			t.Fatalf("successor: %d %s", r.status, r.body)
		}
		if r := lab.do("GET", fmt.Sprintf("/api/equity/models/%d/holdings", model), nil); r.status != 200 || !strings.Contains(string(r.body), `"vested":"1.750000"`) {
			t.Fatalf("holdings: %d %s", r.status, r.body)
		}
		rep, err := equitystore.New(db).Verify(context.Background())
		if err != nil || !rep.OK {
			t.Fatalf("verify: %v %+v", err, rep.First)
		}
	})
}
