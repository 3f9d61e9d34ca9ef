package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"copyhold/equity"
	equitystore "copyhold/equity/store"
	"copyhold/equity/vote"
	"copyhold/equity/vote/govern"
	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/sqldb"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"

	"gorm.io/gorm"
)

// demoDays is how far back the demo co-op's history starts.
const demoDays = 28

// demoHistory plays four weeks of a co-op's life through the real services
// on a clock of its own (every row, posting and register entry carries the
// day it happened): members label on weekdays and reviewers decide at the
// end of each day, a few answers are wrong and rejected, one rejection is
// disputed and overturned and another is left disputed, a member thanks a
// colleague with a transfer, the members vote a transfer fee and a revenue
// distribution, and two releases are trained and compared blind.
type demoHistory struct {
	ctx      context.Context
	now      time.Time
	st       *store.Stores
	work     *work.Service
	eq       *equitystore.Store
	gov      *govern.Service
	ans      demoAnswerer
	ids      map[string]int64
	projects map[string]labeling.Project
	model    int64
	wrong    map[int64]bool  // submissions answered wrong on purpose
	done     map[string]bool // milestones that happened
	rejected []demoRejection // in order
	gold     map[string]bool // texts of the sentiment project's gold items
	n        int             // actions so far: the seed of every small variation
	releases []dataset.Release
	roll     *equitystore.Roll // integrates the register before each snapshot (nil: no signing key)
}

type demoRejection struct {
	sub, labeller, reviewer, project int64
}

func newDemoHistory(ctx context.Context, db *gorm.DB, st *store.Stores, start time.Time) *demoHistory {
	h := &demoHistory{ctx: ctx, now: start, ids: map[string]int64{}, wrong: map[int64]bool{}, done: map[string]bool{}, gold: map[string]bool{},
		ans: newDemoAnswerer()}
	clock := func() time.Time { return h.now }
	h.st = st.WithClock(clock)
	h.work = work.New(h.st)
	h.eq = equitystore.New(db).WithClock(sqldb.Clock(clock))
	h.gov = govern.New(db, sqldb.Clock(clock), nil)
	for i, s := range demoSentences() {
		if i%10 == 9 { // demoImport's gold items
			h.gold[s.Text] = true
		}
	}
	return h
}

// tick moves the clock on by d.
func (h *demoHistory) tick(d time.Duration) { h.now = h.now.Add(d) }

// vary is a small, repeatable variation: 0..n-1.
func (h *demoHistory) vary(n int) int {
	h.n++
	return (h.n*7919 + h.n/3) % n
}

var demoLeadMs = map[tasktype.TaskType]int64{
	tasktype.TaskClassification: 6_000, tasktype.TaskMultiLabel: 9_000, tasktype.TaskSpans: 24_000, tasktype.TaskRanking: 31_000,
	tasktype.TaskRewrite: 58_000, tasktype.TaskModeration: 8_000, tasktype.TaskPairwise: 19_000, tasktype.TaskRubric: 96_000,
}

// label has a member answer up to n tasks of a project, wrong about one
// time in errEvery (0: never); force, if set, decides wrongness per task.
func (h *demoHistory) label(login, project string, n, errEvery int, force func(labeling.Task) (bool, bool)) error {
	p := h.projects[project]
	who := h.ids[login]
	for range n {
		t, err := h.st.Leases.ClaimNextTask(h.ctx, who, p.ID)
		if errors.Is(err, labeling.ErrNoTasks) || errors.Is(err, labeling.ErrStintReached) || errors.Is(err, labeling.ErrSensitiveCap) {
			return nil // nothing left for them today
		}
		if err != nil {
			return fmt.Errorf("demo history: %s claims in %s: %w", login, project, err)
		}
		wrong := errEvery > 0 && h.vary(errEvery) == 0
		if force != nil {
			if w, ok := force(t); ok {
				wrong = w
			}
		}
		lead := demoLeadMs[t.TaskType] * int64(70+h.vary(60)) / 100
		h.tick(time.Duration(lead) * time.Millisecond)
		sub, err := h.work.Submit(h.ctx, who, labeling.SubmitRequest{LeaseToken: t.LeaseToken, IdempotencyKey: fmt.Sprintf("demo-%d", h.n),
			Answer: h.ans.answer(t, wrong), LeadTimeMs: lead})
		if err != nil {
			return fmt.Errorf("demo history: %s answers item %d of %s: %w", login, t.ItemID, project, err)
		}
		if wrong {
			h.wrong[sub.ID] = true
		}
		h.tick(time.Duration(20+h.vary(40)) * time.Second)
	}
	return nil
}

// review has a reviewer decide everything waiting for them in a project:
// wrong answers are rejected, disputed rejections overturned, the rest accepted.
func (h *demoHistory) review(login, project string) error {
	p := h.projects[project]
	who := h.ids[login]
	for {
		t, err := h.st.Reviews.ClaimNextReview(h.ctx, who, p.ID)
		if errors.Is(err, labeling.ErrNoReviews) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("demo history: %s reviews %s: %w", login, project, err)
		}
		var ds []labeling.DecisionInput
		for _, s := range t.Submissions {
			if !s.Pending {
				continue
			}
			d := labeling.DecisionInput{SubmissionID: s.ID, Decision: labeling.DecisionAccept}
			if h.wrong[s.ID] && t.Kind == labeling.ReviewKindItem {
				d = labeling.DecisionInput{SubmissionID: s.ID, Decision: labeling.DecisionReject, Reason: "wrong_label",
					Comment: "Please read the instructions again: this answer does not match the text."}
				h.rejected = append(h.rejected, demoRejection{sub: s.ID, labeller: s.MemberID, reviewer: who, project: p.ID})
			}
			ds = append(ds, d)
		}
		h.tick(time.Duration(15+h.vary(30)) * time.Second)
		if _, err := h.work.DecideReview(h.ctx, who, labeling.DecisionRequest{LeaseToken: t.LeaseToken,
			IdempotencyKey: fmt.Sprintf("demo-review-%d", h.n), Decisions: ds}); err != nil {
			return fmt.Errorf("demo history: %s decides review %d: %w", login, t.ReviewID, err)
		}
	}
}

// dispute has the labeller of the latest rejection by reviewer contest it,
// and names the project ("" when reviewer rejected nothing).
func (h *demoHistory) dispute(reviewer, comment string) (string, error) {
	for i := len(h.rejected) - 1; i >= 0; i-- {
		r := h.rejected[i]
		if r.reviewer != h.ids[reviewer] {
			continue
		}
		h.rejected = append(h.rejected[:i], h.rejected[i+1:]...)
		h.wrong[r.sub] = false // the dispute's reviewer overturns it
		if _, err := h.work.DisputeRejection(h.ctx, r.labeller, r.sub, comment); err != nil {
			return "", fmt.Errorf("demo history: dispute: %w", err)
		}
		for name, p := range h.projects {
			if p.ID == r.project {
				return name, nil
			}
		}
	}
	return "", nil
}

// propose opens a proposal, has every member vote and closes it when due.
func (h *demoHistory) propose(by string, req vote.ProposalRequest, no ...string) error {
	p, _, err := h.gov.Propose(h.ctx, h.ids[by], req)
	if err != nil {
		return fmt.Errorf("demo history: proposal %q: %w", req.Title, err)
	}
	for _, m := range demoAllMembers {
		h.tick(time.Duration(2+h.vary(50)) * time.Hour / 10)
		choice := "yes"
		for _, x := range no {
			if x == m.login {
				choice = "no"
			}
		}
		if _, err := h.gov.Vote(h.ctx, h.ids[m.login], p.ID, choice, ""); err != nil {
			return fmt.Errorf("demo history: %s votes on %q: %w", m.login, req.Title, err)
		}
	}
	h.now = p.ClosesAt.Add(time.Minute)
	if _, _, err := h.gov.Close(h.ctx, p.ID, h.now); err != nil {
		return fmt.Errorf("demo history: closing %q: %w", req.Title, err)
	}
	return nil
}

// release freezes the accepted work of projects and records a release trained on it.
func (h *demoHistory) release(version, notes string, projects ...string) error {
	coord := h.ids["coordinator"]
	if h.roll != nil {
		if err := integrateAll(h.ctx, h.roll); err != nil {
			return err
		}
	}
	var hashes []string
	for _, name := range projects {
		snap, err := h.st.Datasets.CreateSnapshot(h.ctx, &coord, dataset.SnapshotRequest{ModelID: h.model,
			ProjectIDs: []int64{h.projects[name].ID}, Mode: dataset.SnapshotConsensus})
		if err != nil {
			return fmt.Errorf("demo history: snapshot of %s: %w", name, err)
		}
		hashes = append(hashes, snap.Hash)
		h.tick(time.Minute)
	}
	rel, err := h.st.Datasets.CreateRelease(h.ctx, &coord, dataset.ReleaseRequest{ModelID: h.model, Version: version,
		BaseModel: "an open-weights 8B instruction model", Checkpoint: "https://models.example.coop/coop-assistant/" + version,
		TrainingNotes: notes, SnapshotHashes: hashes})
	if err != nil {
		return fmt.Errorf("demo history: release %s: %w", version, err)
	}
	h.releases = append(h.releases, rel)
	return nil
}

// evaluation asks the members which release replies better to a review.
func (h *demoHistory) evaluation() error {
	coord := h.ids["coordinator"]
	v1, v2 := demoJSONL("replies.jsonl", "v1"), demoJSONL("replies.jsonl", "v2")
	var prompts []dataset.EvaluationPrompt
	for _, s := range demoSentences() {
		if r, ok := v2[s.ID]; ok {
			prompts = append(prompts, dataset.EvaluationPrompt{Prompt: "Reply to this customer review: " + s.Text,
				Outputs: map[int64]string{h.releases[0].ID: v1[s.ID], h.releases[1].ID: r}})
		}
	}
	_, p, err := h.st.Datasets.CreateEvaluation(h.ctx, &coord, dataset.EvaluationRequest{ModelID: h.model, Name: demoEvalProject,
		TaskType: tasktype.TaskPairwise, Overlap: 1, ReleaseIDs: []int64{h.releases[0].ID, h.releases[1].ID}, Prompts: prompts, Seed: 18,
		Instructions: "# Which reply is better?\n\nTwo versions of the co-op's assistant replied to the same customer review. " +
			"Choose the reply that helps the customer more. You are not told which version wrote which."})
	if err != nil {
		return fmt.Errorf("demo history: evaluation: %w", err)
	}
	if p, err = h.st.Projects.SetProjectStatus(h.ctx, &coord, p.ID, labeling.ProjectOpen); err != nil {
		return err
	}
	h.projects[demoEvalProject] = p
	return nil
}

const demoEvalProject = "Replies to reviews: 1.0 or 2.0?"

// run plays the weeks, from the day after the co-op was founded to two
// days ago; the last working day's work is left for the reviewers.
func (h *demoHistory) run() error {
	start := h.now.Truncate(24 * time.Hour)
	sentiment := demoProject
	specs := make([]string, len(demoSpecs))
	for i, s := range demoSpecs {
		specs[i] = s.name
	}
	labellers := []string{"labeller", "labeller2", "labeller3"}
	var workdays []int
	for d := 1; d <= demoDays-2; d++ {
		if wd := start.AddDate(0, 0, d).Weekday(); wd != time.Saturday && wd != time.Sunday {
			workdays = append(workdays, d)
		}
	}
	last := workdays[len(workdays)-1]
	for _, d := range workdays {
		h.now = start.AddDate(0, 0, d).Add(9 * time.Hour)
		for i, l := range labellers {
			if err := h.label(l, sentiment, 2, 8, nil); err != nil {
				return err
			}
			if err := h.label(l, specs[(d+i)%len(specs)], 2, 8, nil); err != nil {
				return err
			}
			if _, ok := h.projects[demoEvalProject]; ok {
				if err := h.label(l, demoEvalProject, 1, 9, nil); err != nil {
					return err
				}
			}
			// A chat every other day, until its six are rated twice.
			if (d+i)%2 == 0 {
				if err := h.label(l, demoChatProject, 1, 5, nil); err != nil {
					return err
				}
			}
		}
		if d == last {
			return h.lastDay()
		}
		h.now = start.AddDate(0, 0, d).Add(16 * time.Hour)
		for i, name := range append([]string{sentiment, demoEvalProject, demoChatProject}, specs...) {
			if _, ok := h.projects[name]; !ok {
				continue
			}
			who := "reviewer"
			if i%3 == 2 {
				who = "reviewer2"
			}
			if err := h.review(who, name); err != nil {
				return err
			}
		}
		if err := h.milestones(d); err != nil {
			return err
		}
	}
	return nil
}

// milestones are the days something besides labelling happens.
func (h *demoHistory) milestones(d int) error {
	h.now = h.now.Add(time.Hour)
	switch {
	case d >= 6 && !h.did("transfer"):
		_, err := h.eq.Transfer(h.ctx, equity.TransferRequest{Key: "demo-thanks", ModelID: h.model, From: h.ids["labeller"],
			To: h.ids["labeller2"], Amount: 2 * 1_000_000, ActorID: h.ids["labeller"], Reason: "Thanks for taking my Friday shift"})
		if err != nil {
			return fmt.Errorf("demo history: transfer: %w", err)
		}
	case d >= 8 && !h.did("dispute"):
		// A dispute decided by the other reviewer (the rejection is overturned).
		name, err := h.dispute("reviewer", "I marked what the instructions ask for: please read it again with the last words in mind.")
		if err != nil || name == "" {
			return err
		}
		return h.review("reviewer2", name)
	case d >= 10 && len(h.releases) == 0:
		return h.release("1.0", "Fine-tuned on the members' first two weeks of sentiment labels.", demoProject)
	case d >= 11 && !h.did("fee"):
		fee := 50
		return h.propose("labeller2", vote.ProposalRequest{Title: "A 0.5 % transfer fee for the reserve", Key: "demo-fee",
			Reason: "Transfers are free today; a small fee builds the reserve that carries members through a slow month.",
			Change: vote.Change{Kind: vote.KindGovernance, TransferFeeBP: &fee}, PeriodHours: 72}, "labeller3")
	case d >= 17 && len(h.releases) == 1:
		if err := h.release("2.0", "Adds the moderation labels and two more weeks of sentiment.", demoProject, "Comment moderation"); err != nil {
			return err
		}
		return h.evaluation()
	case d >= 18 && !h.did("distribution"):
		two := int32(2)
		return h.propose("coordinator", vote.ProposalRequest{Title: "Distribute October's API revenue", Key: "demo-distribution",
			Reason: "1,200.00 EUR came in from the assistant's API in October; the reserve takes its share and the rest goes to the holders.",
			Change: vote.Change{Kind: vote.KindDistribution, ModelID: h.model, Amount: "1200.00", Currency: "EUR", Scale: &two,
				Source: "API revenue, October", RecordDate: h.now.Format(time.RFC3339)}, PeriodHours: 48})
	}
	return nil
}

// did records, once, that a milestone happened.
func (h *demoHistory) did(what string) bool {
	if h.done[what] {
		return true
	}
	h.done[what] = true
	return false
}

// lastDay leaves work waiting for the reviewers' home: the day's answers,
// a failed gold check and a dispute only the other reviewer may decide.
func (h *demoHistory) lastDay() error {
	coord := h.ids["coordinator"]
	p := h.projects[demoProject]
	spot, back := 5000, p.GoldRateBP
	if _, err := h.st.Projects.UpdateProject(h.ctx, &coord, p.ID, labeling.ProjectPatch{GoldRateBP: &spot}); err != nil {
		return err
	}
	failed := false
	err := h.label("labeller3", demoProject, 12, 0, func(t labeling.Task) (bool, bool) {
		var d struct{ Text string }
		_ = json.Unmarshal(t.Data, &d)
		if !failed && h.gold[d.Text] {
			failed = true
			return true, true
		}
		return false, true
	})
	if err != nil {
		return err
	}
	if _, err := h.st.Projects.UpdateProject(h.ctx, &coord, p.ID, labeling.ProjectPatch{GoldRateBP: &back}); err != nil {
		return err
	}
	if err := h.review("reviewer", "Comment moderation"); err != nil {
		return err
	}
	_, err = h.dispute("reviewer", "I answered as the instructions say; could someone else look at it?")
	return err
}
