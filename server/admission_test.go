package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote"
	"copyhold/equity/vote/govern"
	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/servertest"

	"gorm.io/gorm"
)

// Admission by vote and the entry fee, over HTTP: an invitee is an
// applicant who cannot log in until the members admit them; the fee is
// owed on admission and settled from the first vestings, exactly once.
func TestAdmissionByVoteHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		clk := &voteClock{}
		svc := govern.New(db, clk.Now, nil)
		e := newEnvVotes(t, db, svc, func(_ *server.Config, st **store.Stores) { *st = (*st).WithLedger(govern.NewLedger(db, clk.Now)) })
		clk.set(time.Now().UTC().Truncate(time.Microsecond))
		ctx := context.Background()
		coord, lab := e.as("coord"), e.as("lab")
		everyone := []string{"lab", "rev", "coord", "target"}
		closeAll := func(id int64, choice string, voters []string) Closed {
			t.Helper()
			for _, who := range voters {
				if r := e.as(who).do("POST", fmt.Sprintf("/api/proposals/%d/votes", id), map[string]string{"choice": choice}); r.status != 200 {
					t.Fatalf("vote %s: %d %s", who, r.status, r.body)
				}
			}
			pr := decode[proposalJSON](t, lab.do("GET", fmt.Sprintf("/api/proposals/%d", id), nil))
			clk.set(pr.ClosesAt.Add(time.Second))
			closed, err := svc.CloseDue(ctx, clk.Now())
			if err != nil || len(closed) != 1 || closed[0].ID != id {
				t.Fatalf("close %d: %+v %v", id, closed, err)
			}
			return Closed(closed[0])
		}
		// The members vote admission by vote and an entry fee of 1.5 units.
		r := propose(lab, `{"kind":"entry_rule","admission":"vote","entry_fee":"1.5"}`)
		if r.status != 201 {
			t.Fatalf("propose entry rule: %d %s", r.status, r.body)
		}
		if c := closeAll(decode[proposalJSON](t, r).ID, "yes", everyone); c.Status != vote.StatusPassed {
			t.Fatalf("entry rule: %+v", c)
		}
		// Members cannot propose an admission themselves.
		if r := propose(lab, `{"kind":"admission","applicant_id":1}`); r.status != 400 || r.code() != "invalid_change" {
			t.Fatalf("hand-made admission: %d %s", r.status, r.body)
		}

		apply := func(login string) (int64, proposalJSON) {
			t.Helper()
			r := coord.do("POST", "/api/invites", map[string]any{"roles": []string{"labeller"}})
			tok := decode[struct{ Token string }](t, r).Token
			if r.status != 201 || tok == "" {
				t.Fatalf("invite: %d %s", r.status, r.body)
			}
			r = e.browser().do("POST", "/api/invites/"+tok+"/accept", map[string]any{"login": login, "display_name": login, "password": servertest.Password})
			m := decode[struct {
				Member      struct{ ID int64 }
				Application string
			}](t, r)
			if r.status != 202 || m.Application != "pending" || !strings.Contains(string(r.body), "Your application is before the members") {
				t.Fatalf("accept: %d %s", r.status, r.body)
			}
			if r := e.browser().do("POST", "/api/auth/login", map[string]any{"login": login, "password": servertest.Password}); r.status != 403 || r.code() != "application_pending" ||
				!strings.Contains(string(r.body), "Your application is before the members") {
				t.Fatalf("applicant logs in: %d %s", r.status, r.body)
			}
			if r := e.browser().do("POST", "/api/auth/login", map[string]any{"login": login, "password": "wrong password!"}); r.status != 401 {
				t.Fatalf("applicant, wrong password: %d %s", r.status, r.body)
			}
			list := decode[struct{ Items []proposalJSON }](t, lab.do("GET", "/api/proposals?status=open", nil))
			for _, p := range list.Items {
				if p.Kind == "admission" && strings.Contains(string(p.Change), fmt.Sprintf(`"applicant_id":%d`, m.Member.ID)) {
					if p.Proposer.Name != "coord" || p.Status != "open" || p.Eligible != 4 {
						t.Fatalf("admission proposal: %+v", p)
					}
					return m.Member.ID, p
				}
			}
			t.Fatalf("no admission proposal for %d: %+v", m.Member.ID, list)
			return 0, proposalJSON{}
		}

		// Refused: the members vote no; the applicant never gets in.
		_, refused := apply("hopeful")
		if c := closeAll(refused.ID, "no", everyone); c.Status != vote.StatusFailed {
			t.Fatalf("refusal: %+v", c)
		}
		if r := e.browser().do("POST", "/api/auth/login", map[string]any{"login": "hopeful", "password": servertest.Password}); r.status != 403 || r.code() != "application_refused" {
			t.Fatalf("refused applicant logs in: %d %s", r.status, r.body)
		}

		// Admitted: the members vote yes; the new member logs in and owes the fee.
		newID, adm := apply("newbie")
		if c := closeAll(adm.ID, "yes", everyone); c.Status != vote.StatusPassed {
			t.Fatalf("admission: %+v", c)
		}
		if v := decode[proposalJSON](t, lab.do("GET", fmt.Sprintf("/api/proposals/%d", adm.ID), nil)); v.Executed == nil || v.Executed.What != "admission" {
			t.Fatalf("admission not executed: %+v", v)
		}
		newbie := e.browser()
		if r := newbie.do("POST", "/api/auth/login", map[string]any{"login": "newbie", "password": servertest.Password}); r.status != 200 {
			t.Fatalf("admitted member logs in: %d %s", r.status, r.body)
		}
		// From now on they are eligible in votes.
		clk.set(clk.Now().Add(time.Second))
		motion := decode[proposalJSON](t, propose(lab, `{"kind":"motion","text":"Welcome"}`))
		if motion.Eligible != 5 {
			t.Fatalf("eligible after admission: %+v", motion)
		}
		if r := newbie.do("POST", fmt.Sprintf("/api/proposals/%d/votes", motion.ID), map[string]string{"choice": "yes"}); r.status != 200 {
			t.Fatalf("new member votes: %d %s", r.status, r.body)
		}
		fee := func() equitystore.EntryFee {
			f, err := equitystore.MemberEntryFee(db, newID)
			must(t, err)
			return f
		}
		if f := fee(); f.Fee != 1_500000 || f.Settled != 0 {
			t.Fatalf("fee owed: %+v", f)
		}

		// The first vestings settle it, once, even when a vesting is retried.
		p := e.Project(t)
		if r := coord.do("POST", fmt.Sprintf("/api/projects/%d/rate-card", p.ID), map[string]any{"annotation_accepted": "1", "reason": "launch"}); r.status != 201 {
			t.Fatalf("rate card: %d %s", r.status, r.body)
		}
		vest := func(sub int64) {
			t.Helper()
			must(t, db.Transaction(func(tx *gorm.DB) error {
				if _, err := equitystore.CreditPending(tx, equitystore.PendingCredit{SubmissionID: sub, ProjectID: p.ID, MemberID: newID}); err != nil {
					return err
				}
				_, err := equitystore.Vest(tx, equitystore.Decision{SubmissionID: sub, ReviewID: sub})
				return err
			}))
		}
		vest(1)
		if f := fee(); f.Settled != 1_000000 {
			t.Fatalf("after the first vesting: %+v", f)
		}
		vest(1) // a retry: the same transaction, no second settlement
		if f := fee(); f.Settled != 1_000000 {
			t.Fatalf("after a retried vesting: %+v", f)
		}
		vest(2)
		vest(3)
		if f := fee(); f.Settled != 1_500000 || f.Owed() != 0 {
			t.Fatalf("after three vestings: %+v", f)
		}
		// The statement shows it; the reserve holds it; the register verifies.
		r = newbie.do("GET", fmt.Sprintf("/api/equity/models/%d/statement", p.ModelID), nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"fees":"-1.500000"`) || !strings.Contains(string(r.body), `"closing":"1.500000"`) ||
			!strings.Contains(string(r.body), `"category":"entry_fee"`) {
			t.Fatalf("statement: %d %s", r.status, r.body)
		}
		rep, err := equitystore.New(db).Verify(ctx)
		if err != nil || !rep.OK {
			t.Fatalf("verify: %v %+v", err, rep.First)
		}
	})
}

// Closed is govern.Closed, named here for the helper's signature.
type Closed = govern.Closed
