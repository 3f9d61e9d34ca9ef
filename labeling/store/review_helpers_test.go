package store_test

import (
	"encoding/json"
	"fmt"

	"copyhold/labeling"
)

// answer submits {"choice": choice} for the task.
func (f *labFixture) answer(member int64, task labeling.Task, choice string) labeling.Submission {
	f.t.Helper()
	sub, err := f.w.Submit(f.ctx, member, labeling.SubmitRequest{LeaseToken: task.LeaseToken,
		IdempotencyKey: fmt.Sprintf("sub-%d-%d", member, task.ItemID),
		Answer:         json.RawMessage(fmt.Sprintf(`{"choice":%q}`, choice)), LeadTimeMs: 1000})
	if err != nil {
		f.t.Fatalf("submit by %d: %v", member, err)
	}
	return sub
}

// claimAnswer claims the member's next task and answers it.
func (f *labFixture) claimAnswer(member, projectID int64, choice string) labeling.Submission {
	f.t.Helper()
	return f.answer(member, f.claim(member, projectID), choice)
}

func (f *labFixture) claimReview(reviewer, projectID int64) labeling.ReviewTask {
	f.t.Helper()
	rt, err := f.s.Reviews.ClaimNextReview(f.ctx, reviewer, projectID)
	if err != nil {
		f.t.Fatalf("claim review by %d: %v", reviewer, err)
	}
	return rt
}

func (f *labFixture) decide(reviewer int64, rt labeling.ReviewTask, key string, ds ...labeling.DecisionInput) (labeling.DecisionResult, error) {
	return f.w.DecideReview(f.ctx, reviewer, labeling.DecisionRequest{LeaseToken: rt.LeaseToken, IdempotencyKey: key, Decisions: ds})
}

func accept(id int64) labeling.DecisionInput {
	return labeling.DecisionInput{SubmissionID: id, Decision: labeling.DecisionAccept}
}

func reject(id int64, reason string) labeling.DecisionInput {
	return labeling.DecisionInput{SubmissionID: id, Decision: labeling.DecisionReject, Reason: reason}
}
