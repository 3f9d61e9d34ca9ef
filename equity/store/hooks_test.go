package store_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"copyhold/equity"
	"copyhold/equity/store"
	"copyhold/labeling"
	"copyhold/labeling/member"
	labelstore "copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"
	"copyhold/migrations/dbtest"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// The register follows the work: a submission credits pending units, an
// accept vests them, a reject voids them, a dispute upheld reinstates them,
// all in the labelling transactions, and the chain verifies throughout.
func TestLabellingPostsToTheRegister(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ls := labelstore.New(db).WithLedger(store.NewHooks())
		reg := store.New(db)
		addMember := func(login string, roles ...member.Role) int64 {
			m, err := ls.Members.CreateMember(ctx, nil, member.NewMember{Login: login, DisplayName: login, Password: "a-long-password", Roles: roles, Cost: member.PasswordCost(bcrypt.MinCost)})
			must(t, err)
			return m.ID
		}
		coord := addMember("coord", member.RoleCoordinator)
		ana, ben := addMember("ana", member.RoleLabeller), addMember("ben", member.RoleLabeller)
		rev, rev2 := addMember("rev", member.RoleReviewer), addMember("rev2", member.RoleReviewer)
		model, err := ls.Projects.CreateModel(ctx, &coord, labeling.Model{Name: "coop-assistant-v1"})
		must(t, err)
		p, err := ls.Projects.CreateProject(ctx, &coord, labeling.ProjectSettings{ModelID: model.ID, Name: "sentiment",
			TaskType: tasktype.TaskClassification, Overlap: 1,
			Schema: json.RawMessage(`{"choices":[{"value":"positive"},{"value":"negative"}]}`)}, true)
		must(t, err)
		if rc, err := reg.RateCard(ctx, p.ID); err != nil || rc.Version != 1 {
			t.Fatalf("a new project has no default rate card: %+v %v", rc, err)
		}
		_, err = ls.Projects.SetProjectStatus(ctx, &coord, p.ID, labeling.ProjectOpen)
		must(t, err)
		_, err = ls.Projects.ImportItems(ctx, &coord, p.ID, jsonLines(`{"text":"good"}`, `{"text":"bad"}`), "jsonl", "x.jsonl")
		must(t, err)

		submit := func(m int64, key string) labeling.Submission {
			task, err := ls.Leases.ClaimNextTask(ctx, m, p.ID)
			must(t, err)
			sub, err := work.New(ls).Submit(ctx, m, labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: key, Answer: json.RawMessage(`{"choice":"positive"}`)})
			must(t, err)
			return sub
		}
		balance := func(account string) string {
			var amount int64
			db.Raw("SELECT COALESCE(SUM(amount), 0) FROM equity_postings WHERE account = ?", account).Scan(&amount)
			return equity.Format(amount, equity.UnitScale)
		}
		decide := func(reviewer int64, decision labeling.Decision, reason string) {
			rt, err := ls.Reviews.ClaimNextReview(ctx, reviewer, p.ID)
			must(t, err)
			var ds []labeling.DecisionInput
			for _, s := range rt.Submissions {
				ds = append(ds, labeling.DecisionInput{SubmissionID: s.ID, Decision: decision, Reason: reason})
			}
			_, err = work.New(ls).DecideReview(ctx, reviewer, labeling.DecisionRequest{LeaseToken: rt.LeaseToken, IdempotencyKey: fmt.Sprint(time.Now().UnixNano()), Decisions: ds})
			must(t, err)
		}
		verify := func() {
			rep, err := reg.Verify(ctx)
			must(t, err)
			if !rep.OK {
				t.Fatalf("ledger verify: %+v", rep.First)
			}
		}

		anaSub := submit(ana, "a1")
		if got := balance(equity.Pending(ana)); got != "1.000000" {
			t.Fatalf("ana's pending after submitting = %s", got)
		}
		decide(rev, labeling.DecisionAccept, "")
		if got, pend := balance(equity.Vested(ana)), balance(equity.Pending(ana)); got != "1.000000" || pend != "0.000000" {
			t.Fatalf("after acceptance ana holds %s vested, %s pending", got, pend)
		}
		if got := balance(equity.Vested(rev)); got != "0.100000" {
			t.Fatalf("the reviewer's decision credit = %s", got)
		}
		verify()

		benSub := submit(ben, "b1")
		decide(rev, labeling.DecisionReject, "wrong_label")
		if got, pend := balance(equity.Vested(ben)), balance(equity.Pending(ben)); got != "0.000000" || pend != "0.000000" {
			t.Fatalf("after rejection ben holds %s vested, %s pending", got, pend)
		}
		_, err = work.New(ls).DisputeRejection(ctx, ben, benSub.ID, "It is clearly positive.")
		must(t, err)
		decide(rev2, labeling.DecisionAccept, "")
		if got := balance(equity.Vested(ben)); got != "1.000000" {
			t.Fatalf("after the dispute was upheld ben holds %s", got)
		}
		verify()
		_ = anaSub

		// Ending a membership passes the holding on by the exit rule.
		must(t, ls.Members.Deactivate(ctx, &coord, ana))
		if got := balance(equity.Vested(ana)); got != "0.000000" {
			t.Fatalf("a former member still holds %s", got)
		}
		verify()
	})
}

func jsonLines(lines ...string) *strings.Reader {
	return strings.NewReader(strings.Join(lines, "\n") + "\n")
}
