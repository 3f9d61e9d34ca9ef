package work_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/fault"
	"copyhold/labeling/page"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func TestReviewStateMachine(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 3)
		lr := f.Member("lr", "labeller", "reviewer")
		r1 := f.Member("r1", "reviewer")
		r2 := f.Member("r2", "reviewer")
		fresh := f.Member("fresh", "labeller")
		p := f.Project("review", func(ps *labeling.ProjectSettings) { ps.Overlap = 2 })
		f.ImportLines(p.ID, `{"text":"item a"}`, `{"text":"item b"}`)

		a0 := f.ClaimAnswer(ls[0], p.ID, "positive")
		a1 := f.ClaimAnswer(ls[1], p.ID, "negative")
		if a0.ItemID != a1.ItemID {
			t.Fatalf("breadth-first claim gave items %d and %d", a0.ItemID, a1.ItemID)
		}
		if f.Events("item.scored") != 1 || f.Events("item.queued_for_review") != 1 {
			t.Fatalf("scored %d, queued %d events", f.Events("item.scored"), f.Events("item.queued_for_review"))
		}
		// lr answers item b (with l2) so lr has work of their own.
		b0 := f.ClaimAnswer(lr, p.ID, "positive")
		b1 := f.ClaimAnswer(ls[2], p.ID, "positive")

		// lr never gets item b, only item a.
		rtLR := f.ClaimReview(lr, p.ID)
		if rtLR.ItemID != a0.ItemID {
			t.Fatalf("lr was offered item %d, which they answered", rtLR.ItemID)
		}
		_, err := f.Decide(lr, rtLR, "own", storetest.Accept(b0.ID))
		storetest.WantCode(t, err, labeling.ErrOwnWork)
		if err := f.S.Reviews.ReleaseReview(f.Ctx, lr, rtLR.LeaseToken); err != nil {
			t.Fatal(err)
		}

		rt := f.ClaimReview(r1, p.ID)
		if rt.ItemID != a0.ItemID || len(rt.Submissions) != 2 || rt.Disagreement.Unanimous ||
			len(rt.Disagreement.Differing) != 2 || rt.AgreementBP == nil || *rt.AgreementBP != 0 {
			t.Fatalf("review task = %+v", rt)
		}
		wantReasons(t, rt.Reasons, labeling.ReasonAutoAcceptOff, labeling.ReasonBelowThreshold)
		if _, err := f.S.Reviews.ReviewHeartbeat(f.Ctx, r1, rt.LeaseToken); err != nil {
			t.Fatal(err)
		}
		_, err = f.Decide(r1, rt, "bad", storetest.Reject(a1.ID, "because"), storetest.Accept(a0.ID))
		storetest.WantCode(t, err, labeling.ErrUnknownRejectReason)
		_, err = f.Decide(r1, rt, "half", storetest.Accept(a0.ID))
		storetest.WantCode(t, err, labeling.ErrDecisionsIncomplete)
		_, err = f.Decide(r1, labeling.ReviewTask{LeaseToken: "forged"}, "x", storetest.Accept(a0.ID))
		storetest.WantCode(t, err, labeling.ErrLeaseLost)
		_, err = f.Decide(r2, rt, "x", storetest.Accept(a0.ID), storetest.Reject(a1.ID, "wrong_label"))
		storetest.WantCode(t, err, labeling.ErrLeaseLost)

		res, err := f.Decide(r1, rt, "k1", storetest.Accept(a0.ID), storetest.Reject(a1.ID, "wrong_label"))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Decided) != 2 || res.Replayed || res.Decided[1].Status != labeling.SubmissionRejected {
			t.Fatalf("decision result = %+v", res)
		}
		// Idempotent retry; same key, other body; another key.
		again, err := f.Decide(r1, rt, "k1", storetest.Accept(a0.ID), storetest.Reject(a1.ID, "wrong_label"))
		if err != nil || !again.Replayed || len(again.Decided) != 2 {
			t.Fatalf("replay = %+v, %v", again, err)
		}
		_, err = f.Decide(r1, rt, "k1", storetest.Accept(a0.ID), storetest.Reject(a1.ID, "incomplete"))
		storetest.WantCode(t, err, labeling.ErrIdempotencyReuse)
		_, err = f.Decide(r1, rt, "k2", storetest.Accept(a0.ID), storetest.Reject(a1.ID, "wrong_label"))
		storetest.WantCode(t, err, labeling.ErrAlreadyDecided)
		if f.Status(a0.ID) != "accepted" || f.Status(a1.ID) != "rejected" {
			t.Fatalf("statuses %s, %s", f.Status(a0.ID), f.Status(a1.ID))
		}
		if it := f.Item(a0.ItemID); it.Done != 1 || it.Status != "open" {
			t.Fatalf("after a rejection item = %+v", it)
		}
		if n := f.Count(`SELECT COUNT(*) FROM events WHERE type = 'review.decided' AND scope = ?`, "member:"+itoa(ls[1])); n != 1 {
			t.Fatalf("labeller saw %d decision events", n)
		}
		f.CheckReviewInvariants(p.ID, 2)

		// The rejected labeller never gets the slot back; a new labeller fills it.
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, ls[1], p.ID)
		storetest.WantCode(t, err, labeling.ErrNoTasks)
		c := f.ClaimAnswer(fresh, p.ID, "negative")
		if c.ItemID != a0.ItemID {
			t.Fatalf("the freed slot went to item %d", c.ItemID)
		}
		if it := f.Item(a0.ItemID); it.Done != 2 || it.Status != "complete" {
			t.Fatalf("after refill item = %+v", it)
		}

		// Round 2 (item b first: it is older in the queue).
		rb := f.ClaimReview(r1, p.ID)
		if rb.ItemID != b0.ItemID || !rb.Disagreement.Unanimous {
			t.Fatalf("expected item b, unanimous: %+v", rb)
		}
		if _, err := f.Decide(r1, rb, "kb", storetest.Accept(b0.ID), storetest.Accept(b1.ID)); err != nil {
			t.Fatal(err)
		}
		r2nd := f.ClaimReview(r1, p.ID)
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
		if _, err := f.Decide(r1, r2nd, "kc", corr); err != nil {
			t.Fatal(err)
		}
		if f.Status(c.ID) != "corrected" {
			t.Fatalf("status %s", f.Status(c.ID))
		}
		var method, label string
		f.DB.Raw(`SELECT method FROM item_consensus WHERE item_id = ?`, a0.ItemID).Scan(&method)
		f.DB.Raw(`SELECT label FROM item_consensus WHERE item_id = ?`, a0.ItemID).Scan(&label)
		if method != "corrected" || label != "positive" {
			t.Fatalf("consensus %s %s", method, label)
		}
		mine := myWork(t, f, fresh, p.ID)
		if w := mine[c.ID]; w.Status != "corrected" || !strings.Contains(string(w.CorrectedAnswer), "positive") || w.ReviewComment != "it is positive" {
			t.Fatalf("my work shows %+v", w)
		}
		// A reviewed answer cannot be amended.
		_, err = f.S.Leases.AmendSubmission(f.Ctx, fresh, c.ID, "amend", json.RawMessage(`{"choice":"negative"}`))
		if err == nil || !strings.Contains(err.Error(), "reviewed") {
			t.Fatalf("amend after review: %v", err)
		}

		// Disputes.
		_, err = f.W.DisputeRejection(f.Ctx, ls[0], a0.ID, "why")
		storetest.WantCode(t, err, labeling.ErrNotRejected)
		_, err = f.W.DisputeRejection(f.Ctx, ls[0], a1.ID, "not mine")
		storetest.WantCode(t, err, fault.ErrNotFound)
		_, err = f.W.DisputeRejection(f.Ctx, ls[1], a1.ID, "  ")
		storetest.WantCode(t, err, fault.ErrInvalid)
		if w := myWork(t, f, ls[1], p.ID)[a1.ID]; w.Status != "rejected" || w.Reason != "wrong_label" {
			t.Fatalf("my work before dispute: %+v", w)
		}
		if _, err := f.W.DisputeRejection(f.Ctx, ls[1], a1.ID, "Negative is right: it says awful."); err != nil {
			t.Fatal(err)
		}
		_, err = f.W.DisputeRejection(f.Ctx, ls[1], a1.ID, "again")
		storetest.WantCode(t, err, labeling.ErrAlreadyDisputed)
		// The rejecting reviewer does not get the dispute; another does.
		_, err = f.S.Reviews.ClaimNextReview(f.Ctx, r1, p.ID)
		storetest.WantCode(t, err, labeling.ErrNoReviews)
		dt := f.ClaimReview(r2, p.ID)
		if dt.Kind != labeling.ReviewKindDispute || dt.DisputeComment == "" || len(dt.Submissions) < 1 {
			t.Fatalf("dispute task = %+v", dt)
		}
		_, err = f.Decide(r2, dt, "dc", corr)
		storetest.WantCode(t, err, labeling.ErrDecisionInvalid)
		if _, err := f.Decide(r2, dt, "d1", storetest.Accept(a1.ID)); err != nil {
			t.Fatal(err)
		}
		if f.Status(a1.ID) != "accepted" {
			t.Fatalf("after dispute: %s", f.Status(a1.ID))
		}
		_, err = f.W.DisputeRejection(f.Ctx, ls[1], a1.ID, "again")
		storetest.WantCode(t, err, labeling.ErrAlreadyDisputed)
		if w := myWork(t, f, ls[1], p.ID)[a1.ID]; w.Status != "accepted" || !w.DecisionFinal {
			t.Fatalf("my work after dispute: %+v", w)
		}
		if f.Events("review.disputed") != 2 {
			t.Fatalf("%d review.disputed events", f.Events("review.disputed"))
		}
		f.CheckReviewInvariants(p.ID, 2)
		_, err = f.S.Reviews.ClaimNextReview(f.Ctx, r2, p.ID)
		storetest.WantCode(t, err, labeling.ErrNoReviews)
	})
}

func TestReviewLeaseExpiry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 1)
		r1, r2 := f.Member("r1", "reviewer"), f.Member("r2", "reviewer")
		p := f.Project("lease", func(ps *labeling.ProjectSettings) { ps.Overlap = 1; ps.LeaseSeconds = 60 })
		f.Items(p.ID, 1)
		sub := f.ClaimAnswer(ls[0], p.ID, "positive")

		rt := f.ClaimReview(r1, p.ID)
		// Resume: the same lease.
		if again := f.ClaimReview(r1, p.ID); again.LeaseToken != rt.LeaseToken {
			t.Fatal("second claim gave another lease")
		}
		_, err := f.S.Reviews.ClaimNextReview(f.Ctx, r2, p.ID)
		storetest.WantCode(t, err, labeling.ErrNoReviews)
		f.Clock.Advance(2 * time.Minute)
		// Expired but not taken: still r1's, renewed on resume.
		if again := f.ClaimReview(r1, p.ID); again.LeaseToken != rt.LeaseToken || !again.LeaseExpiresAt.After(f.Clock.Now()) {
			t.Fatalf("expired resume = %+v", again)
		}
		f.Clock.Advance(2 * time.Minute)
		rt2 := f.ClaimReview(r2, p.ID)
		if rt2.ReviewID != rt.ReviewID || rt2.LeaseToken == rt.LeaseToken {
			t.Fatalf("takeover = %+v", rt2)
		}
		_, err = f.S.Reviews.ReviewHeartbeat(f.Ctx, r1, rt.LeaseToken)
		storetest.WantCode(t, err, labeling.ErrLeaseLost)
		_, err = f.Decide(r1, rt, "k", storetest.Accept(sub.ID))
		storetest.WantCode(t, err, labeling.ErrLeaseLost)
		if _, err := f.Decide(r2, rt2, "k", storetest.Accept(sub.ID)); err != nil {
			t.Fatal(err)
		}
		f.CheckReviewInvariants(p.ID, 1)
	})
}

func TestConcurrentReviewers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 1)
		const items, reviewers = 30, 6
		var rs []int64
		for i := range reviewers {
			rs = append(rs, f.Member("r"+itoa(int64(i)), "reviewer"))
		}
		p := f.Project("busy", func(ps *labeling.ProjectSettings) { ps.Overlap = 1 })
		f.Items(p.ID, items)
		for range items {
			f.ClaimAnswer(ls[0], p.ID, "positive")
		}
		if n := f.Count(`SELECT COUNT(*) FROM item_reviews WHERE state = 'queued'`); n != items {
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
					rt, err := f.S.Reviews.ClaimNextReview(f.Ctx, r, p.ID)
					if errors.Is(err, labeling.ErrNoReviews) {
						if f.Count(`SELECT COUNT(*) FROM item_reviews WHERE state IN ('queued', 'leased')`) == 0 || idle > 50 {
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
							ds = append(ds, storetest.Accept(s.ID))
						}
					}
					key := "k-" + itoa(int64(i)) + "-" + itoa(int64(n))
					res, err := f.Decide(r, rt, key, ds...)
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
		if n := f.Count(`SELECT COUNT(*) FROM item_reviews WHERE state <> 'decided'`); n != 0 {
			t.Fatalf("%d reviews not decided", n)
		}
		if n := f.Count(`SELECT COUNT(*) FROM review_decisions`); n != items {
			t.Fatalf("%d decision rows", n)
		}
		f.CheckReviewInvariants(p.ID, 1)
	})
}

func TestAutoAcceptAndSampling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 2)
		p := f.Project("auto", func(ps *labeling.ProjectSettings) { ps.Overlap = 2; ps.RandomSeed = 42 })
		on, bp, sample := true, 10_000, 3_000
		f.ReviewSettings(p.ID, labeling.ReviewSettingsPatch{AutoAccept: &on, AutoAcceptBP: &bp, SampleRateBP: &sample})
		const n = 40
		f.Items(p.ID, n)
		want := map[int64]labeling.ReviewRoute{}
		for i := range n {
			a := f.ClaimAnswer(ls[0], p.ID, "positive")
			choice := "positive"
			if i%4 == 0 {
				choice = "negative"
			}
			b := f.ClaimAnswer(ls[1], p.ID, choice)
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
		auto := f.Count(`SELECT COUNT(*) FROM submissions WHERE project_id = ? AND status = 'accepted'`, p.ID)
		if auto != int64(2*counts[labeling.RouteAuto]) {
			t.Fatalf("%d auto-accepted submissions, want %d", auto, 2*counts[labeling.RouteAuto])
		}
		if n := f.Count(`SELECT COUNT(*) FROM review_decisions WHERE automatic = ? AND reviewer_id IS NULL`, true); n != auto {
			t.Fatalf("%d automatic decisions", n)
		}
		if got := f.Count(`SELECT COUNT(*) FROM item_consensus WHERE project_id = ? AND decided = ? AND label = 'positive'`, p.ID, true); got != int64(n-n/4) {
			t.Fatalf("%d decided consensus rows, want %d", got, n-n/4)
		}
		// Disagreeing pairs tie 1:1; the default tie policy leaves them undecided.
		if n := f.Count(`SELECT COUNT(*) FROM item_consensus WHERE project_id = ? AND decided = ?`, p.ID, false); n != int64(counts[labeling.RouteReview]) {
			t.Fatalf("%d undecided consensus rows, want %d", n, counts[labeling.RouteReview])
		}
		f.CheckReviewInvariants(p.ID, 2)
	})
}

func TestGoldRoutingAndRecovery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		good, bad := f.Member("good", "labeller"), f.Member("bad", "labeller")
		p := f.Project("gold", func(ps *labeling.ProjectSettings) { ps.Overlap = 2; ps.GoldRateBP = 5000 })
		on, bp, zero, thr, win := true, 10_000, 0, 5_000, 2
		f.ReviewSettings(p.ID, labeling.ReviewSettingsPatch{AutoAccept: &on, AutoAcceptBP: &bp, SampleRateBP: &zero,
			GoldThresholdBP: &thr, GoldWindow: &win})
		f.ImportLines(p.ID, `{"data":{"text":"g1"},"gold":"positive"}`, `{"data":{"text":"g2"},"gold":"positive"}`)

		// claimGold loops until the (random) gold draw hands out a gold item.
		claimGold := func(m int64) labeling.Task {
			for range 200 {
				task, err := f.S.Leases.ClaimNextTask(f.Ctx, m, p.ID)
				if err == nil {
					return task
				}
				storetest.WantCode(t, err, labeling.ErrNoTasks)
			}
			t.Fatal("no gold item after 200 claims")
			return labeling.Task{}
		}
		// A correct gold answer is auto-accepted; a wrong one goes to review.
		ok := f.Answer(good, claimGold(good), "positive")
		if f.Status(ok.ID) != "accepted" {
			t.Fatalf("correct gold: %s", f.Status(ok.ID))
		}
		w1 := f.Answer(bad, claimGold(bad), "negative")
		var reasons string
		db.Raw(`SELECT reasons FROM item_reviews WHERE submission_id = ?`, w1.ID).Scan(&reasons)
		if !strings.Contains(reasons, labeling.ReasonGoldFailed) || f.Status(w1.ID) != "submitted" {
			t.Fatalf("wrong gold: reasons %s status %s", reasons, f.Status(w1.ID))
		}
		f.Answer(bad, claimGold(bad), "negative")
		mq, err := f.S.Quality.MyQuality(f.Ctx, bad, p.ID)
		if err != nil || !mq.Standing.OnProbation || mq.Standing.Reason == "" || mq.Stats.Gold.Checked != 2 ||
			mq.Stats.Confusion[`positive`]["negative"] != 2 {
			t.Fatalf("after two misses: %+v %v", mq, err)
		}

		// On probation: an item with full agreement still goes to review.
		f.ImportLines(p.ID, `{"text":"x"}`)
		x := claimAnswerSkippingGold(f, good, p.ID, "positive")
		claimAnswerSkippingGold(f, bad, p.ID, "positive")
		db.Raw(`SELECT reasons FROM item_reviews WHERE item_id = ? AND kind = 'item'`, x.ItemID).Scan(&reasons)
		if !strings.Contains(reasons, labeling.ReasonLabellerOnProbation) {
			t.Fatalf("probation item reasons %s", reasons)
		}

		// Recovery: two correct gold answers.
		f.ImportLines(p.ID, `{"data":{"text":"g3"},"gold":"negative"}`, `{"data":{"text":"g4"},"gold":"negative"}`)
		f.Answer(bad, claimGold(bad), "negative")
		f.Answer(bad, claimGold(bad), "negative")
		mq, _ = f.S.Quality.MyQuality(f.Ctx, bad, p.ID)
		if mq.Standing.OnProbation || *mq.Standing.Recent.AccuracyBP != 10_000 {
			t.Fatalf("after recovery: %+v", mq.Standing)
		}
		f.ImportLines(p.ID, `{"text":"y"}`)
		y := claimAnswerSkippingGold(f, bad, p.ID, "positive")
		claimAnswerSkippingGold(f, good, p.ID, "positive")
		var route string
		db.Raw(`SELECT route FROM item_reviews WHERE item_id = ? AND kind = 'item'`, y.ItemID).Scan(&route)
		if route != "auto" {
			t.Fatalf("after recovery item routed %s", route)
		}
		pq, err := f.S.Quality.ProjectQuality(f.Ctx, p.ID)
		if err != nil || len(pq.Labellers) != 2 || len(pq.Probation) != 0 {
			t.Fatalf("project quality %+v %v", pq, err)
		}
	})
}

// claimAnswerSkippingGold answers gold items correctly until it gets a regular item.
func claimAnswerSkippingGold(f *storetest.Lab, m, projectID int64, choice string) labeling.Submission {
	f.T.Helper()
	for range 20 {
		task := f.Claim(m, projectID)
		var gold *string
		f.DB.Raw(`SELECT gold FROM items WHERE id = ? AND status = 'gold'`, task.ItemID).Scan(&gold)
		if gold == nil {
			return f.Answer(m, task, choice)
		}
		var g struct{ Choice string }
		json.Unmarshal([]byte(*gold), &g)
		f.Answer(m, task, g.Choice)
	}
	f.T.Fatal("never got a regular item")
	return labeling.Submission{}
}

func TestDawidSkeneConsensusStored(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 3)
		p := f.Project("ds", nil) // overlap 3
		f.Items(p.ID, 6)
		// l0 and l1 agree everywhere; l2 always says negative.
		truth := []string{"positive", "positive", "negative", "positive", "negative", "positive"}
		for i := range truth {
			var item int64
			for j, l := range ls {
				c := truth[i]
				if j == 2 {
					c = "negative"
				}
				item = f.ClaimAnswer(l, p.ID, c).ItemID
			}
			_ = item
		}
		rep, err := f.S.Quality.RecomputeConsensus(f.Ctx, &f.Coord, p.ID, "dawid_skene")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Items != 6 || len(rep.AnnotatorAccuracyBP) != 3 {
			t.Fatalf("report %+v", rep)
		}
		cons, err := f.S.Quality.ItemConsensus(f.Ctx, p.ID, page.All)
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
			// The posterior is stored with the label and sums to one (in bp, give or take rounding).
			if sum := c.PosteriorBP["positive"] + c.PosteriorBP["negative"]; len(c.PosteriorBP) != 2 || sum < 9_998 || sum > 10_002 || c.PosteriorBP[c.Label] != c.ConfidenceBP {
				t.Fatalf("item %d posterior %v (confidence %d)", i, c.PosteriorBP, c.ConfidenceBP)
			}
		}
		if len(rep.Posteriors) != 6 || len(rep.PriorsBP) != 2 || rep.Smoothing != agreement.DefaultDawidSkeneSmoothing {
			t.Fatalf("report posteriors %+v priors %v smoothing %v", rep.Posteriors, rep.PriorsBP, rep.Smoothing)
		}
		zero := 0.0
		ml, err := f.S.Quality.RecomputeConsensusWith(f.Ctx, &f.Coord, p.ID, labeling.ConsensusOptions{Method: "dawid_skene", Smoothing: &zero})
		if err != nil || ml.Smoothing != 0 || len(ml.Posteriors) != 6 {
			t.Fatalf("smoothing 0: %+v %v", ml, err)
		}
		if _, err := f.S.Quality.RecomputeConsensus(f.Ctx, &f.Coord, p.ID, "nope"); err == nil {
			t.Fatal("unknown method accepted")
		}
		ag, err := f.S.Quality.ProjectAgreement(f.Ctx, p.ID)
		if err != nil || ag.Items != 6 || len(ag.Pairwise) != 3 || len(ag.Metrics) != len(agreement.MetricsFor("classification")) || len(ag.PerLabel) != 2 {
			t.Fatalf("agreement %+v %v", ag, err)
		}
		// Six items: every defined value has its bootstrap interval, and it is inconclusive.
		for _, m := range ag.Metrics {
			if m.Result != nil && (m.Interval == nil || m.Interval.Items != 6 || !slices.Contains(m.Interval.Why, "few_items") || m.Interval.Low > m.Result.Value || m.Interval.High < m.Result.Value) {
				t.Fatalf("%s = %v, interval %+v", m.Metric, m.Result.Value, m.Interval)
			}
		}
		for _, c := range ag.Pairwise {
			if c.A == itoa(ls[0]) && c.B == itoa(ls[1]) && (c.Value == nil || *c.Value != 1) {
				t.Fatalf("l0/l1 agree fully: %+v", c)
			}
		}
		if f.Events("consensus.recomputed") != 2 { // the default and the smoothing-0 run
			t.Fatal("no consensus event per recomputation")
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
