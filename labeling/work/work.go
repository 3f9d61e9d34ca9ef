// Package work runs the labelling workflow, submit → score → route → decide → ledger → consensus, over the stores in one transaction.
package work

// Each request is one transaction (store.Stores.InTx, retried as a whole),
// so every row, every event and every ledger posting of a step commits with
// the rest of the request or not at all. The stores only run SQL; the rules
// come from package labeling; the order of the steps is here:
//
//	Submit ─ record the answer ─ ledger.Submitted
//	       └ gold item:       scoreGold ─ route
//	       └ item complete:   scoreItem ─ route ─ consensus
//	route  ─ queued for a reviewer, or auto: decide
//	decide ─ per submission: record, reopen a rejected slot, ledger.Decided ─ close the round ─ consensus
//	DecideReview     ─ a reviewer's decide
//	DisputeRejection ─ a new round for a rejected submission, decided by DecideReview

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/fault"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
)

// Service is the labelling workflow over the stores.
type Service struct {
	st       *store.Stores
	projects *store.Projects
	leases   *store.Leases
	reviews  *store.Reviews
	quality  *store.Quality
	ledger   *store.LedgerHooks
}

// New returns the workflow over st: its clock is st's, and it reports to
// st's ledger (store.Stores.WithLedger).
func New(st *store.Stores) *Service {
	return &Service{st: st, projects: st.Projects, leases: st.Leases, reviews: st.Reviews, quality: st.Quality, ledger: st.Ledger}
}

// ---- submit ----

// Submit records the member's answer to the task held by req.LeaseToken,
// credits it on the ledger, and scores and routes its item when the answer
// completes it (a gold answer is checked and routed on its own).
//
// The answer is validated against the schema and the item. A retry with the
// same idempotency key and body returns the stored submission (Replayed);
// the same key with another body is idempotency_conflict. A submit after the
// lease was lost is still accepted if the item has a free slot; otherwise it
// is lease_lost and the answer is kept as the assignment's draft.
func (s *Service) Submit(ctx context.Context, memberID int64, req labeling.SubmitRequest) (labeling.Submission, error) {
	if err := labeling.CheckIdempotencyKey(req.IdempotencyKey); err != nil {
		return labeling.Submission{}, err
	}
	hash := req.Hash()
	var out labeling.Submission
	var lost error
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		lost = nil
		// A replay, else the lease locked, then its item, with the project: one read.
		st, err := s.leases.StartSubmit(tx, memberID, req.IdempotencyKey, hash, req.LeaseToken)
		if st.Replayed || err != nil {
			out = st.Replay
			return err
		}
		a, p, it := st.Lease, st.Project, st.Item
		if a.State == labeling.AssignmentSubmitted {
			// A concurrent request with the same key may have won while we waited.
			if sub, ok, err := s.leases.ReplaySubmission(tx, memberID, req.IdempotencyKey, hash); ok || err != nil {
				out = sub
				return err
			}
			return labeling.ErrAlreadySubmitted
		}
		// A member removed from the project keeps no right to a lease taken before.
		if !st.InProject {
			return labeling.ErrNotProjectMember
		}
		if p.Status == labeling.ProjectClosed {
			return labeling.ErrProjectClosed
		}
		answer, err := tasktype.ValidateAnswer(p.TaskType, p.Schema, it.Data, req.Answer)
		if err != nil {
			return err
		}
		now := tx.Now()
		gold := it.Status == labeling.ItemGold
		held := a.State == labeling.AssignmentLeased // still counted in items.held
		if !held {
			room := gold || (it.Status == labeling.ItemOpen && it.Done+it.Held < p.Overlap)
			if a.State == labeling.AssignmentSkipped || !room {
				// Keep the work; commit the draft and report the lost lease.
				if err := s.leases.KeepDraft(tx, a.ID, req.Answer, now); err != nil {
					return err
				}
				lost = labeling.ErrLeaseLost.With("your lease on this task was lost and the item has all its answers; your answer was kept as a draft")
				return nil
			}
		}

		completes := !gold && it.Done+1 >= p.Overlap
		sub, err := s.leases.RecordSubmission(tx, store.NewSubmission{ID: st.NextID, Lease: a, Item: it, Answer: answer,
			IdempotencyKey: req.IdempotencyKey, BodyHash: hash, LeadTimeMs: labeling.ClampLeadTime(req.LeadTimeMs),
			Gold: gold, Held: held, Completes: completes}, now)
		if err != nil {
			return err
		}
		if a.Sensitive { // minutes toward the budget, the run toward a break
			if err := s.leases.RecordExposure(tx, a, now); err != nil {
				return err
			}
		}
		if err := s.ledger.Submitted(tx, sub, st); err != nil { // pending units, from what the start read
			return err
		}
		// The same credit with or without a suggestion; only the record differs.
		if err := s.recordSuggestionUse(tx, p, a, it, sub); err != nil {
			return err
		}
		switch {
		case gold:
			err = s.scoreGold(tx, now, p, it, sub)
		case completes:
			err = s.scoreItem(tx, now, p, it.ID)
		}
		if err != nil {
			return err
		}
		out = sub
		return nil
	})
	if err != nil {
		return labeling.Submission{}, err
	}
	if lost != nil {
		return labeling.Submission{}, lost
	}
	return out, nil
}

// ---- score ----

// scoreGold checks a gold item's submission against the gold answer and
// routes it at once, as a round of its own.
func (s *Service) scoreGold(tx store.Tx, now time.Time, p labeling.Project, it labeling.Item, sub labeling.Submission) error {
	if it.Gold == nil {
		return nil
	}
	g, err := agreement.CheckGold(p.TaskType, it.Gold, sub.Answer)
	if err != nil {
		return err
	}
	if err := s.quality.RecordGoldCheck(tx, sub, g, now); err != nil {
		return err
	}
	set, err := s.reviews.LoadSettings(tx, p.ID)
	if err != nil {
		return err
	}
	st, err := s.quality.GoldStanding(tx, set, p.ID, sub.MemberID)
	if err != nil {
		return err
	}
	bp := g.ScoreBP
	route, reasons := labeling.Route(set, labeling.RouteInput{AgreementBP: &bp, GoldFailed: !g.Correct,
		OnProbation: st.OnProbation, SampleDraw: labeling.SampleDrawBP(p.RandomSeed, it.ID, int(sub.ID))})
	subID := sub.ID
	return s.route(tx, now, p, set, store.NewRound{ItemID: it.ID, SubmissionID: &subID, Metric: labeling.MetricGold,
		AgreementBP: &bp, GoldFailed: !g.Correct, Route: route, Reasons: reasons})
}

// scoreItem scores an item that has its k counted submissions: agreement
// among them with the task type's primary metric, the gold standing of the
// labellers whose submissions are pending, then the route, then the
// item's consensus.
func (s *Service) scoreItem(tx store.Tx, now time.Time, p labeling.Project, itemID int64) error {
	// The item's submissions, its project's review rules, its rounds so far,
	// the pending labellers' gold standings and what its consensus needs: one read.
	start, err := s.reviews.StartScore(tx, p.ID, itemID)
	if err != nil {
		return err
	}
	subs, set := start.Subs, start.Settings
	var answers []agreement.AnswerRecord
	pending := 0
	for _, sub := range subs {
		if !sub.Counted {
			continue
		}
		answers = append(answers, agreement.AnswerRecord{Unit: key(itemID), Annotator: key(sub.MemberID), Answer: json.RawMessage(sub.Answer)})
		if sub.Status == string(labeling.SubmissionSubmitted) {
			pending++
		}
	}
	if pending == 0 {
		return nil
	}
	score, err := agreement.ScoreItem(p.TaskType, key(itemID), answers)
	if err != nil {
		return err
	}
	probation := false
	for _, st := range start.Standings {
		probation = probation || st.OnProbation
	}
	route, reasons := labeling.Route(set, labeling.RouteInput{AgreementBP: score.BP, OnProbation: probation,
		SampleDraw: labeling.SampleDrawBP(p.RandomSeed, itemID, start.Rounds+1)})
	r := store.NewRound{ItemID: itemID, Metric: score.Metric, AgreementBP: score.BP, Route: route, Reasons: reasons}
	if route != labeling.RouteAuto {
		// A queued round changes nothing the consensus reads: the consensus
		// goes in with the round, from what the start read.
		if r.Consensus, err = s.quality.ConsensusOf(now, p, set, start); err != nil {
			return err
		}
		return s.route(tx, now, p, set, r)
	}
	if err := s.route(tx, now, p, set, r); err != nil {
		return err
	}
	return s.quality.UpdateConsensus(tx, now, p, set, itemID)
}

func key(id int64) string { return strconv.FormatInt(id, 10) }

// ---- route ----

// route stores a scored round and either leaves it queued for a reviewer or,
// on the auto route, accepts its pending submissions at once.
func (s *Service) route(tx store.Tx, now time.Time, p labeling.Project, set labeling.ReviewSettings, r store.NewRound) error {
	rv, err := s.reviews.InsertRound(tx, p.ID, r, now)
	if err != nil {
		return err
	}
	if r.Route != labeling.RouteAuto {
		return nil
	}
	pend, err := s.reviews.PendingOf(tx, rv)
	if err != nil {
		return err
	}
	inputs := make([]labeling.DecisionInput, len(pend))
	for i, sub := range pend {
		inputs[i] = labeling.DecisionInput{SubmissionID: sub.ID, Decision: labeling.DecisionAccept}
	}
	if _, err := s.decide(tx, now, p, set, rv, nil, inputs); err != nil {
		return err
	}
	return s.reviews.SetDecidedAt(tx, rv.ID, now)
}

// ---- decide ----

// decide applies decisions to the submissions of one review round and
// returns what it decided. reviewer is nil for automatic acceptance. Every
// pending submission of the round must be decided. The ledger sees every
// decision, human or automatic, inside the deciding transaction; the item's
// consensus follows the decisions.
func (s *Service) decide(tx store.Tx, now time.Time, p labeling.Project, set labeling.ReviewSettings, rv store.Round, reviewer *int64,
	inputs []labeling.DecisionInput) ([]labeling.DecisionRecord, error) {
	final := rv.Kind == string(labeling.ReviewKindDispute)
	if len(inputs) == 0 || len(inputs) > labeling.MaxDecisionsPerCall {
		return nil, labeling.ErrDecisionInvalid.With("send 1-%d decisions", labeling.MaxDecisionsPerCall)
	}
	seen := map[int64]bool{}
	for _, in := range inputs {
		if seen[in.SubmissionID] {
			return nil, labeling.ErrDecisionInvalid.With("submission %d is decided twice in one request", in.SubmissionID)
		}
		seen[in.SubmissionID] = true
	}
	var itemData json.RawMessage
	var out []labeling.DecisionRecord
	for _, in := range inputs {
		sub, ok, err := s.reviews.LockSubmission(tx, in.SubmissionID)
		if err != nil {
			return nil, err
		}
		if !ok || sub.ProjectID != p.ID {
			return nil, fault.ErrNotFound.With("submission %d not found", in.SubmissionID)
		}
		if reviewer != nil && sub.MemberID == *reviewer {
			return nil, labeling.ErrOwnWork.With("submission %d is your own work", sub.ID)
		}
		inRound := sub.ItemID == rv.ItemID && (rv.SubmissionID == nil && sub.Counted || rv.SubmissionID != nil && *rv.SubmissionID == sub.ID)
		if !inRound {
			return nil, labeling.ErrDecisionInvalid.With("submission %d is not part of this review", sub.ID)
		}
		d, err := labeling.CheckDecision(in, set, final)
		if err != nil {
			return nil, err
		}
		next, err := labeling.NextStatus(labeling.SubmissionStatus(sub.Status), d.Decision, final)
		if err != nil {
			return nil, labeling.ErrAlreadyDecided.With("submission %d is already %s", sub.ID, sub.Status)
		}
		var corrected json.RawMessage
		if d.Decision == labeling.DecisionCorrect {
			if itemData == nil {
				it, err := s.projects.LoadItem(tx, sub.ItemID)
				if err != nil {
					return nil, err
				}
				itemData = it.Data
			}
			if corrected, err = tasktype.ValidateAnswer(p.TaskType, p.Schema, itemData, d.CorrectedAnswer); err != nil {
				return nil, err
			}
		}
		counted := sub.Counted && next != labeling.SubmissionRejected
		rec, err := s.reviews.RecordDecision(tx, store.NewDecision{Round: rv, Submission: sub, Reviewer: reviewer,
			Decision: d, Corrected: corrected, Next: next, Counted: counted, Final: final}, now)
		if err != nil {
			return nil, err
		}
		if sub.Counted && !counted {
			// The slot goes back to the queue for a new labeller.
			if err := s.leases.ReopenSlot(tx, sub.ItemID); err != nil {
				return nil, err
			}
		}
		if err := s.ledger.Decided(tx, rec); err != nil { // vesting posts in the same transaction
			return nil, err
		}
		out = append(out, rec)
	}
	left, err := s.reviews.PendingOf(tx, rv)
	if err != nil {
		return nil, err
	}
	if len(left) > 0 {
		return nil, labeling.ErrDecisionsIncomplete.With("%d submission(s) of this item still need a decision (e.g. %d)", len(left), left[0].ID)
	}
	if err := s.reviews.CloseRound(tx, rv.ID, now); err != nil {
		return nil, err
	}
	if err := s.quality.UpdateConsensus(tx, now, p, set, rv.ItemID); err != nil {
		return nil, err
	}
	return out, nil
}

// DecideReview applies a reviewer's decisions to the review they hold. A
// retry with the same idempotency key and body returns the stored result
// (Replayed); the same key with another body is idempotency_conflict; a
// review already decided is already_decided; a lease that is not (or no
// longer) the reviewer's is lease_lost.
func (s *Service) DecideReview(ctx context.Context, reviewerID int64, req labeling.DecisionRequest) (labeling.DecisionResult, error) {
	if err := labeling.CheckIdempotencyKey(req.IdempotencyKey); err != nil {
		return labeling.DecisionResult{}, err
	}
	hash := req.Hash()
	var out labeling.DecisionResult
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		if res, ok, err := s.reviews.ReplayDecision(tx, reviewerID, req.IdempotencyKey, hash); ok || err != nil {
			out = res
			return err
		}
		// Lock the review, then its item, then read the review again: a
		// concurrent decision on the item may have committed while we waited.
		rv, err := s.reviews.LockRound(tx, reviewerID, req.LeaseToken)
		if err != nil {
			return err
		}
		if _, err := s.projects.LockItem(tx, rv.ItemID); err != nil {
			return err
		}
		if rv, err = s.reviews.LockRound(tx, reviewerID, req.LeaseToken); err != nil {
			return err
		}
		if rv.State == string(labeling.ReviewDecided) {
			// A concurrent request with the same key may have won while we waited.
			if res, ok, err := s.reviews.ReplayDecision(tx, reviewerID, req.IdempotencyKey, hash); ok || err != nil {
				out = res
				return err
			}
			return labeling.ErrAlreadyDecided.With("this review has already been decided")
		}
		if rv.State != string(labeling.ReviewLeased) {
			return labeling.ErrLeaseLost
		}
		p, err := s.projects.LoadProject(tx, rv.ProjectID)
		if err != nil {
			return err
		}
		set, err := s.reviews.LoadSettings(tx, p.ID)
		if err != nil {
			return err
		}
		now := tx.Now()
		recs, err := s.decide(tx, now, p, set, rv, &reviewerID, req.Decisions)
		if err != nil {
			return err
		}
		if err := s.reviews.StampDecision(tx, rv, reviewerID, req.LeaseToken, req.IdempotencyKey, hash, now); err != nil {
			return err
		}
		out = labeling.DecisionResult{ReviewID: rv.ID, ItemID: rv.ItemID, Decided: recs}
		return nil
	})
	return out, err
}

// ---- dispute ----

// DisputeRejection lets a labeller contest the rejection of their own
// submission, once, with a comment. The dispute goes to the queue for a
// reviewer other than the one who rejected it; that decision is final.
func (s *Service) DisputeRejection(ctx context.Context, memberID, submissionID int64, comment string) (labeling.Submission, error) {
	comment, err := labeling.CheckDisputeComment(comment)
	if err != nil {
		return labeling.Submission{}, err
	}
	var out labeling.Submission
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		sub, ok, err := s.reviews.LoadSubmission(tx, submissionID)
		if err != nil {
			return err
		}
		if !ok || sub.MemberID != memberID {
			return fault.ErrNotFound.With("submission %d not found", submissionID)
		}
		if _, err := s.projects.LockItem(tx, sub.ItemID); err != nil {
			return err
		}
		if sub, _, err = s.reviews.LockSubmission(tx, submissionID); err != nil {
			return err
		}
		if err := labeling.CanDispute(labeling.SubmissionStatus(sub.Status), sub.DisputedAt != nil); err != nil {
			return err
		}
		exclude, err := s.reviews.FirstReviewer(tx, sub.ID) // who rejected it does not judge the dispute
		if err != nil {
			return err
		}
		if err := s.reviews.OpenDispute(tx, sub, comment, exclude, tx.Now()); err != nil {
			return err
		}
		out = labeling.Submission{ID: sub.ID, ItemID: sub.ItemID, ProjectID: sub.ProjectID, MemberID: sub.MemberID,
			Answer: json.RawMessage(sub.Answer), LeadTimeMs: sub.LeadTimeMs, Status: labeling.SubmissionDisputed, CreatedAt: sub.CreatedAt}
		return nil
	})
	return out, err
}
