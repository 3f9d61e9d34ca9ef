package work_test

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/fault"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func TestReviewStateMachine(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newLabFixture(t, db)
		ls := f.labellers("l", 3)
		lr := f.member("lr", "labeller", "reviewer")
		r1 := f.member("r1", "reviewer")
		r2 := f.member("r2", "reviewer")
		fresh := f.member("fresh", "labeller")
		p := f.project("review", func(ps *labeling.ProjectSettings) { ps.Overlap = 2 })
		f.importLines(p.ID, `{"text":"item a"}`, `{"text":"item b"}`)

		a0 := f.claimAnswer(ls[0], p.ID, "positive")
		a1 := f.claimAnswer(ls[1], p.ID, "negative")
		if a0.ItemID != a1.ItemID {
			t.Fatalf("breadth-first claim gave items %d and %d", a0.ItemID, a1.ItemID)
		}
		if f.events("item.scored") != 1 || f.events("item.queued_for_review") != 1 {
			t.Fatalf("scored %d, queued %d events", f.events("item.scored"), f.events("item.queued_for_review"))
		}
		// lr answers item b (with l2) so lr has work of their own.
		b0 := f.claimAnswer(lr, p.ID, "positive")
		b1 := f.claimAnswer(ls[2], p.ID, "positive")

		// lr never gets item b, only item a.
		rtLR := f.claimReview(lr, p.ID)
		if rtLR.ItemID != a0.ItemID {
			t.Fatalf("lr was offered item %d, which they answered", rtLR.ItemID)
		}
		_, err := f.decide(lr, rtLR, "own", accept(b0.ID))
		wantLabCode(t, err, labeling.ErrOwnWork)
		if err := f.s.Reviews.ReleaseReview(f.ctx, lr, rtLR.LeaseToken); err != nil {
			t.Fatal(err)
		}

		rt := f.claimReview(r1, p.ID)
		if rt.ItemID != a0.ItemID || len(rt.Submissions) != 2 || rt.Disagreement.Unanimous ||
			len(rt.Disagreement.Differing) != 2 || rt.AgreementBP == nil || *rt.AgreementBP != 0 {
			t.Fatalf("review task = %+v", rt)
		}
		wantReasons(t, rt.Reasons, labeling.ReasonAutoAcceptOff, labeling.ReasonBelowThreshold)
		if _, err := f.s.Reviews.ReviewHeartbeat(f.ctx, r1, rt.LeaseToken); err != nil {
			t.Fatal(err)
		}
		_, err = f.decide(r1, rt, "bad", reject(a1.ID, "because"), accept(a0.ID))
		wantLabCode(t, err, labeling.ErrUnknownRejectReason)
		_, err = f.decide(r1, rt, "half", accept(a0.ID))
		wantLabCode(t, err, labeling.ErrDecisionsIncomplete)
		_, err = f.decide(r1, labeling.ReviewTask{LeaseToken: "forged"}, "x", accept(a0.ID))
		wantLabCode(t, err, labeling.ErrLeaseLost)
		_, err = f.decide(r2, rt, "x", accept(a0.ID), reject(a1.ID, "wrong_label"))
		wantLabCode(t, err, labeling.ErrLeaseLost)

		res, err := f.decide(r1, rt, "k1", accept(a0.ID), reject(a1.ID, "wrong_label"))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Decided) != 2 || res.Replayed || res.Decided[1].Status != labeling.SubmissionRejected {
			t.Fatalf("decision result = %+v", res)
		}
		// Idempotent retry; same key, other body; another key.
		again, err := f.decide(r1, rt, "k1", accept(a0.ID), reject(a1.ID, "wrong_label"))
		if err != nil || !again.Replayed || len(again.Decided) != 2 {
			t.Fatalf("replay = %+v, %v", again, err)
		}
		_, err = f.decide(r1, rt, "k1", accept(a0.ID), reject(a1.ID, "incomplete"))
		wantLabCode(t, err, labeling.ErrIdempotencyReuse)
		_, err = f.decide(r1, rt, "k2", accept(a0.ID), reject(a1.ID, "wrong_label"))
		wantLabCode(t, err, labeling.ErrAlreadyDecided)
		if f.status(a0.ID) != "accepted" || f.status(a1.ID) != "rejected" {
			t.Fatalf("statuses %s, %s", f.status(a0.ID), f.status(a1.ID))
		}
		if it := f.item(a0.ItemID); it.Done != 1 || it.Status != "open" {
			t.Fatalf("after a rejection item = %+v", it)
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'review.decided' AND scope = ?`, "member:"+itoa(ls[1])); n != 1 {
			t.Fatalf("labeller saw %d decision events", n)
		}
		f.checkReviewInvariants(p.ID, 2)

		// The rejected labeller never gets the slot back; a new labeller fills it.
		_, err = f.s.Leases.ClaimNextTask(f.ctx, ls[1], p.ID)
		wantLabCode(t, err, labeling.ErrNoTasks)
		c := f.claimAnswer(fresh, p.ID, "negative")
		if c.ItemID != a0.ItemID {
			t.Fatalf("the freed slot went to item %d", c.ItemID)
		}
		if it := f.item(a0.ItemID); it.Done != 2 || it.Status != "complete" {
			t.Fatalf("after refill item = %+v", it)
		}

		// Round 2 (item b first: it is older in the queue).
		rb := f.claimReview(r1, p.ID)
		if rb.ItemID != b0.ItemID || !rb.Disagreement.Unanimous {
			t.Fatalf("expected item b, unanimous: %+v", rb)
		}
		if _, err := f.decide(r1, rb, "kb", accept(b0.ID), accept(b1.ID)); err != nil {
			t.Fatal(err)
		}
		r2nd := f.claimReview(r1, p.ID)
		pending := 0
		for _, s := range r2nd.Submissions {
			if s.Pending {
				pending++
				if s.ID != c.ID {
					t.Fatalf("pending submission %d, want %d", s.ID, c.ID)
				}
			}
		}
		if r2nd.ItemID != a0.ItemID || pending != 1 || len(r2nd.Submissions) != 2 {
			t.Fatalf("round 2 = %+v", r2nd)
		}
		corr := labeling.DecisionInput{SubmissionID: c.ID, Decision: labeling.DecisionCorrect, Comment: "it is positive",
			CorrectedAnswer: json.RawMessage(`{"choice": "positive"}`)}
		if _, err := f.decide(r1, r2nd, "kc", corr); err != nil {
			t.Fatal(err)
		}
		if f.status(c.ID) != "corrected" {
			t.Fatalf("status %s", f.status(c.ID))
		}
		var method, label string
		f.db.Raw(`SELECT method FROM item_consensus WHERE item_id = ?`, a0.ItemID).Scan(&method)
		f.db.Raw(`SELECT label FROM item_consensus WHERE item_id = ?`, a0.ItemID).Scan(&label)
		if method != "corrected" || label != "positive" {
			t.Fatalf("consensus %s %s", method, label)
		}
		mine := myWork(t, f, fresh, p.ID)
		if w := mine[c.ID]; w.Status != "corrected" || !strings.Contains(string(w.CorrectedAnswer), "positive") || w.ReviewComment != "it is positive" {
			t.Fatalf("my work shows %+v", w)
		}
		// A reviewed answer cannot be amended.
		_, err = f.s.Leases.AmendSubmission(f.ctx, fresh, c.ID, "amend", json.RawMessage(`{"choice":"negative"}`))
		if err == nil || !strings.Contains(err.Error(), "reviewed") {
			t.Fatalf("amend after review: %v", err)
		}

		// Disputes.
		_, err = f.w.DisputeRejection(f.ctx, ls[0], a0.ID, "why")
		wantLabCode(t, err, labeling.ErrNotRejected)
		_, err = f.w.DisputeRejection(f.ctx, ls[0], a1.ID, "not mine")
		wantLabCode(t, err, fault.ErrNotFound)
		_, err = f.w.DisputeRejection(f.ctx, ls[1], a1.ID, "  ")
		wantLabCode(t, err, fault.ErrInvalid)
		if w := myWork(t, f, ls[1], p.ID)[a1.ID]; w.Status != "rejected" || w.Reason != "wrong_label" {
			t.Fatalf("my work before dispute: %+v", w)
		}
		if _, err := f.w.DisputeRejection(f.ctx, ls[1], a1.ID, "Negative is right: it says awful."); err != nil {
			t.Fatal(err)
		}
		_, err = f.w.DisputeRejection(f.ctx, ls[1], a1.ID, "again")
		wantLabCode(t, err, labeling.ErrAlreadyDisputed)
		// The rejecting reviewer does not get the dispute; another does.
		_, err = f.s.Reviews.ClaimNextReview(f.ctx, r1, p.ID)
		wantLabCode(t, err, labeling.ErrNoReviews)
		dt := f.claimReview(r2, p.ID)
		if dt.Kind != labeling.ReviewKindDispute || dt.DisputeComment == "" || len(dt.Submissions) < 1 {
			t.Fatalf("dispute task = %+v", dt)
		}
		_, err = f.decide(r2, dt, "dc", corr)
		wantLabCode(t, err, labeling.ErrDecisionInvalid)
		if _, err := f.decide(r2, dt, "d1", accept(a1.ID)); err != nil {
			t.Fatal(err)
		}
		if f.status(a1.ID) != "accepted" {
			t.Fatalf("after dispute: %s", f.status(a1.ID))
		}
		_, err = f.w.DisputeRejection(f.ctx, ls[1], a1.ID, "again")
		wantLabCode(t, err, labeling.ErrAlreadyDisputed)
		if w := myWork(t, f, ls[1], p.ID)[a1.ID]; w.Status != "accepted" || !w.DecisionFinal {
			t.Fatalf("my work after dispute: %+v", w)
		}
		if f.events("review.disputed") != 2 {
			t.Fatalf("%d review.disputed events", f.events("review.disputed"))
		}
		f.checkReviewInvariants(p.ID, 2)
		_, err = f.s.Reviews.ClaimNextReview(f.ctx, r2, p.ID)
		wantLabCode(t, err, labeling.ErrNoReviews)
	})
}

func TestReviewLeaseExpiry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newLabFixture(t, db)
		ls := f.labellers("l", 1)
		r1, r2 := f.member("r1", "reviewer"), f.member("r2", "reviewer")
		p := f.project("lease", func(ps *labeling.ProjectSettings) { ps.Overlap = 1; ps.LeaseSeconds = 60 })
		f.items(p.ID, 1)
		sub := f.claimAnswer(ls[0], p.ID, "positive")

		rt := f.claimReview(r1, p.ID)
		// Resume: the same lease.
		if again := f.claimReview(r1, p.ID); again.LeaseToken != rt.LeaseToken {
			t.Fatal("second claim gave another lease")
		}
		_, err := f.s.Reviews.ClaimNextReview(f.ctx, r2, p.ID)
		wantLabCode(t, err, labeling.ErrNoReviews)
		f.clock.Advance(2 * time.Minute)
		// Expired but not taken: still r1's, renewed on resume.
		if again := f.claimReview(r1, p.ID); again.LeaseToken != rt.LeaseToken || !again.LeaseExpiresAt.After(f.clock.Now()) {
			t.Fatalf("expired resume = %+v", again)
		}
		f.clock.Advance(2 * time.Minute)
		rt2 := f.claimReview(r2, p.ID)
		if rt2.ReviewID != rt.ReviewID || rt2.LeaseToken == rt.LeaseToken {
			t.Fatalf("takeover = %+v", rt2)
		}
		_, err = f.s.Reviews.ReviewHeartbeat(f.ctx, r1, rt.LeaseToken)
		wantLabCode(t, err, labeling.ErrLeaseLost)
		_, err = f.decide(r1, rt, "k", accept(sub.ID))
		wantLabCode(t, err, labeling.ErrLeaseLost)
		if _, err := f.decide(r2, rt2, "k", accept(sub.ID)); err != nil {
			t.Fatal(err)
		}
		f.checkReviewInvariants(p.ID, 1)
	})
}

func TestConcurrentReviewers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newLabFixture(t, db)
		ls := f.labellers("l", 1)
		const items, reviewers = 30, 6
		var rs []int64
		for i := range reviewers {
			rs = append(rs, f.member("r"+itoa(int64(i)), "reviewer"))
		}
		p := f.project("busy", func(ps *labeling.ProjectSettings) { ps.Overlap = 1 })
		f.items(p.ID, items)
		for range items {
			f.claimAnswer(ls[0], p.ID, "positive")
		}
		if n := f.count(`SELECT COUNT(*) FROM item_reviews WHERE state = 'queued'`); n != items {
			t.Fatalf("%d queued", n)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		decided := map[int64]int{}
		errs := make(chan error, reviewers)
		for i, r := range rs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				idle := 0
				for n := 0; ; n++ {
					rt, err := f.s.Reviews.ClaimNextReview(f.ctx, r, p.ID)
					if errors.Is(err, labeling.ErrNoReviews) {
						if f.count(`SELECT COUNT(*) FROM item_reviews WHERE state IN ('queued', 'leased')`) == 0 || idle > 50 {
							return
						}
						idle++
						time.Sleep(5 * time.Millisecond)
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					var ds []labeling.DecisionInput
					for _, s := range rt.Submissions {
						if s.Pending {
							ds = append(ds, accept(s.ID))
						}
					}
					key := "k-" + itoa(int64(i)) + "-" + itoa(int64(n))
					res, err := f.decide(r, rt, key, ds...)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					for _, d := range res.Decided {
						decided[d.SubmissionID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(decided) != items {
			t.Fatalf("%d submissions decided, want %d", len(decided), items)
		}
		for id, n := range decided {
			if n != 1 {
				t.Fatalf("submission %d decided %d times", id, n)
			}
		}
		if n := f.count(`SELECT COUNT(*) FROM item_reviews WHERE state <> 'decided'`); n != 0 {
			t.Fatalf("%d reviews not decided", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM review_decisions`); n != items {
			t.Fatalf("%d decision rows", n)
		}
		f.checkReviewInvariants(p.ID, 1)
	})
}

func TestAutoAcceptAndSampling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newLabFixture(t, db)
		ls := f.labellers("l", 2)
		p := f.project("auto", func(ps *labeling.ProjectSettings) { ps.Overlap = 2; ps.RandomSeed = 42 })
		on, bp, sample := true, 10_000, 3_000
		f.reviewSettings(p.ID, labeling.ReviewSettingsPatch{AutoAccept: &on, AutoAcceptBP: &bp, SampleRateBP: &sample})
		const n = 40
		f.items(p.ID, n)
		want := map[int64]labeling.ReviewRoute{}
		for i := range n {
			a := f.claimAnswer(ls[0], p.ID, "positive")
			choice := "positive"
			if i%4 == 0 {
				choice = "negative"
			}
			b := f.claimAnswer(ls[1], p.ID, choice)
			if a.ItemID != b.ItemID {
				t.Fatalf("items %d, %d", a.ItemID, b.ItemID)
			}
			switch {
			case choice == "negative":
				want[a.ItemID] = labeling.RouteReview
			case labeling.SampleDrawBP(42, a.ItemID, 1) < sample:
				want[a.ItemID] = labeling.RouteSample
			default:
				want[a.ItemID] = labeling.RouteAuto
			}
		}
		var rows []struct {
			ItemID int64
			Route  string
			State  string
		}
		db.Raw(`SELECT item_id, route, state FROM item_reviews WHERE project_id = ?`, p.ID).Scan(&rows)
		counts := map[labeling.ReviewRoute]int{}
		for _, r := range rows {
			if labeling.ReviewRoute(r.Route) != want[r.ItemID] {
				t.Fatalf("item %d routed %s, want %s", r.ItemID, r.Route, want[r.ItemID])
			}
			counts[want[r.ItemID]]++
			if (r.State == "auto_accepted") != (r.Route == "auto") {
				t.Fatalf("item %d route %s state %s", r.ItemID, r.Route, r.State)
			}
		}
		if len(rows) != n || counts[labeling.RouteSample] == 0 || counts[labeling.RouteAuto] == 0 || counts[labeling.RouteReview] != n/4 {
			t.Fatalf("routes %v over %d rows", counts, len(rows))
		}
		auto := f.count(`SELECT COUNT(*) FROM submissions WHERE project_id = ? AND status = 'accepted'`, p.ID)
		if auto != int64(2*counts[labeling.RouteAuto]) {
			t.Fatalf("%d auto-accepted submissions, want %d", auto, 2*counts[labeling.RouteAuto])
		}
		if n := f.count(`SELECT COUNT(*) FROM review_decisions WHERE automatic = ? AND reviewer_id IS NULL`, true); n != auto {
			t.Fatalf("%d automatic decisions", n)
		}
		if got := f.count(`SELECT COUNT(*) FROM item_consensus WHERE project_id = ? AND decided = ? AND label = 'positive'`, p.ID, true); got != int64(n-n/4) {
			t.Fatalf("%d decided consensus rows, want %d", got, n-n/4)
		}
		// Disagreeing pairs tie 1:1; the default tie policy leaves them undecided.
		if n := f.count(`SELECT COUNT(*) FROM item_consensus WHERE project_id = ? AND decided = ?`, p.ID, false); n != int64(counts[labeling.RouteReview]) {
			t.Fatalf("%d undecided consensus rows, want %d", n, counts[labeling.RouteReview])
		}
		f.checkReviewInvariants(p.ID, 2)
	})
}

func TestGoldRoutingAndRecovery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newLabFixture(t, db)
		good, bad := f.member("good", "labeller"), f.member("bad", "labeller")
		p := f.project("gold", func(ps *labeling.ProjectSettings) { ps.Overlap = 2; ps.GoldRateBP = 5000 })
		on, bp, zero, thr, win := true, 10_000, 0, 5_000, 2
		f.reviewSettings(p.ID, labeling.ReviewSettingsPatch{AutoAccept: &on, AutoAcceptBP: &bp, SampleRateBP: &zero,
			GoldThresholdBP: &thr, GoldWindow: &win})
		f.importLines(p.ID, `{"data":{"text":"g1"},"gold":"positive"}`, `{"data":{"text":"g2"},"gold":"positive"}`)

		// claimGold loops until the (random) gold draw hands out a gold item.
		claimGold := func(m int64) labeling.Task {
			for range 200 {
				task, err := f.s.Leases.ClaimNextTask(f.ctx, m, p.ID)
				if err == nil {
					return task
				}
				wantLabCode(t, err, labeling.ErrNoTasks)
			}
			t.Fatal("no gold item after 200 claims")
			return labeling.Task{}
		}
		// A correct gold answer is auto-accepted; a wrong one goes to review.
		ok := f.answer(good, claimGold(good), "positive")
		if f.status(ok.ID) != "accepted" {
			t.Fatalf("correct gold: %s", f.status(ok.ID))
		}
		w1 := f.answer(bad, claimGold(bad), "negative")
		var reasons string
		db.Raw(`SELECT reasons FROM item_reviews WHERE submission_id = ?`, w1.ID).Scan(&reasons)
		if !strings.Contains(reasons, labeling.ReasonGoldFailed) || f.status(w1.ID) != "submitted" {
			t.Fatalf("wrong gold: reasons %s status %s", reasons, f.status(w1.ID))
		}
		f.answer(bad, claimGold(bad), "negative")
		mq, err := f.s.Quality.MyQuality(f.ctx, bad, p.ID)
		if err != nil || !mq.Standing.OnProbation || mq.Standing.Reason == "" || mq.Stats.Gold.Checked != 2 ||
			mq.Stats.Confusion[`positive`]["negative"] != 2 {
			t.Fatalf("after two misses: %+v %v", mq, err)
		}

		// On probation: an item with full agreement still goes to review.
		f.importLines(p.ID, `{"text":"x"}`)
		x := f.claimAnswerSkippingGold(good, p.ID, "positive")
		f.claimAnswerSkippingGold(bad, p.ID, "positive")
		db.Raw(`SELECT reasons FROM item_reviews WHERE item_id = ? AND kind = 'item'`, x.ItemID).Scan(&reasons)
		if !strings.Contains(reasons, labeling.ReasonLabellerOnProbation) {
			t.Fatalf("probation item reasons %s", reasons)
		}

		// Recovery: two correct gold answers.
		f.importLines(p.ID, `{"data":{"text":"g3"},"gold":"negative"}`, `{"data":{"text":"g4"},"gold":"negative"}`)
		f.answer(bad, claimGold(bad), "negative")
		f.answer(bad, claimGold(bad), "negative")
		mq, _ = f.s.Quality.MyQuality(f.ctx, bad, p.ID)
		if mq.Standing.OnProbation || *mq.Standing.Recent.AccuracyBP != 10_000 {
			t.Fatalf("after recovery: %+v", mq.Standing)
		}
		f.importLines(p.ID, `{"text":"y"}`)
		y := f.claimAnswerSkippingGold(bad, p.ID, "positive")
		f.claimAnswerSkippingGold(good, p.ID, "positive")
		var route string
		db.Raw(`SELECT route FROM item_reviews WHERE item_id = ? AND kind = 'item'`, y.ItemID).Scan(&route)
		if route != "auto" {
			t.Fatalf("after recovery item routed %s", route)
		}
		pq, err := f.s.Quality.ProjectQuality(f.ctx, p.ID)
		if err != nil || len(pq.Labellers) != 2 || len(pq.Probation) != 0 {
			t.Fatalf("project quality %+v %v", pq, err)
		}
	})
}

// claimAnswerSkippingGold answers gold items correctly until it gets a regular item.
func (f *labFixture) claimAnswerSkippingGold(m, projectID int64, choice string) labeling.Submission {
	f.t.Helper()
	for range 20 {
		task := f.claim(m, projectID)
		var gold *string
		f.db.Raw(`SELECT gold FROM items WHERE id = ? AND status = 'gold'`, task.ItemID).Scan(&gold)
		if gold == nil {
			return f.answer(m, task, choice)
		}
		var g struct{ Choice string }
		json.Unmarshal([]byte(*gold), &g)
		f.answer(m, task, g.Choice)
	}
	f.t.Fatal("never got a regular item")
	return labeling.Submission{}
}

func TestDawidSkeneConsensusStored(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newLabFixture(t, db)
		ls := f.labellers("l", 3)
		p := f.project("ds", nil) // overlap 3
		f.items(p.ID, 6)
		// l0 and l1 agree everywhere; l2 always says negative.
		truth := []string{"positive", "positive", "negative", "positive", "negative", "positive"}
		for i := range truth {
			var item int64
			for j, l := range ls {
				c := truth[i]
				if j == 2 {
					c = "negative"
				}
				item = f.claimAnswer(l, p.ID, c).ItemID
			}
			_ = item
		}
		rep, err := f.s.Quality.RecomputeConsensus(f.ctx, &f.coord, p.ID, "dawid_skene")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Items != 6 || len(rep.AnnotatorAccuracyBP) != 3 {
			t.Fatalf("report %+v", rep)
		}
		cons, err := f.s.Quality.ItemConsensus(f.ctx, p.ID)
		if err != nil || len(cons) != 6 {
			t.Fatalf("consensus %+v %v", cons, err)
		}
		for i, c := range cons {
			if c.Method != "dawid_skene" || c.Label != truth[i] || c.ConfidenceBP < 5000 || c.ConfidenceBP > 10_000 || c.Votes != 3 {
				t.Fatalf("item %d consensus %+v, want %s", i, c, truth[i])
			}
			if !strings.Contains(string(c.Answer), truth[i]) {
				t.Fatalf("answer %s", c.Answer)
			}
		}
		if _, err := f.s.Quality.RecomputeConsensus(f.ctx, &f.coord, p.ID, "nope"); err == nil {
			t.Fatal("unknown method accepted")
		}
		ag, err := f.s.Quality.ProjectAgreement(f.ctx, p.ID)
		if err != nil || ag.Items != 6 || len(ag.Pairwise) != 3 || len(ag.Metrics) != len(agreement.MetricsFor("classification")) || len(ag.PerLabel) != 2 {
			t.Fatalf("agreement %+v %v", ag, err)
		}
		for _, c := range ag.Pairwise {
			if c.A == itoa(ls[0]) && c.B == itoa(ls[1]) && (c.Value == nil || *c.Value != 1) {
				t.Fatalf("l0/l1 agree fully: %+v", c)
			}
		}
		if f.events("consensus.recomputed") != 1 {
			t.Fatal("no consensus event")
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
