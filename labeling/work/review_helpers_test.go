package work_test

import (
	"encoding/json"
	"fmt"
	"testing"

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

func (f *labFixture) reviewSettings(projectID int64, patch labeling.ReviewSettingsPatch) labeling.ReviewSettings {
	f.t.Helper()
	s, err := f.s.Reviews.UpdateReviewSettings(f.ctx, &f.coord, projectID, patch)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
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

func (f *labFixture) status(submissionID int64) string {
	f.t.Helper()
	var s string
	if err := f.db.Raw(`SELECT status FROM submissions WHERE id = ?`, submissionID).Scan(&s).Error; err != nil {
		f.t.Fatal(err)
	}
	return s
}

// checkReviewInvariants: done counts counted submissions, the slot rule
// holds, every decided submission has exactly one first decision, and no
// submission has two decisions of the same kind.
func (f *labFixture) checkReviewInvariants(projectID int64, k int) {
	f.t.Helper()
	bad := f.count(`SELECT COUNT(*) FROM items i WHERE i.project_id = ? AND (
    i.held <> (SELECT COUNT(*) FROM assignments a WHERE a.item_id = i.id AND a.state = 'leased')
 OR i.done <> (SELECT COUNT(*) FROM submissions s WHERE s.item_id = i.id AND s.counted = ?)
 OR (i.status <> 'gold' AND i.done + i.held > ?)
 OR (i.status = 'complete' AND i.done < ?)
 OR (i.status = 'open' AND i.done >= ?))`, projectID, true, k, k, k)
	if bad != 0 {
		f.t.Fatalf("%d items break the counter invariants", bad)
	}
	undecided := f.count(`SELECT COUNT(*) FROM submissions s WHERE s.project_id = ? AND s.status <> 'submitted'
AND NOT EXISTS (SELECT 1 FROM review_decisions d WHERE d.submission_id = s.id AND d.final = ?)`, projectID, false)
	if undecided != 0 {
		f.t.Fatalf("%d decided submissions have no decision row", undecided)
	}
	rejectedCounted := f.count(`SELECT COUNT(*) FROM submissions WHERE project_id = ? AND status IN ('rejected', 'disputed') AND counted = ?`, projectID, true)
	if rejectedCounted != 0 {
		f.t.Fatalf("%d rejected submissions still hold a slot", rejectedCounted)
	}
}

func wantReasons(t *testing.T, got []string, want ...string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("reasons = %v, want %v", got, want)
	}
}

func myWork(t *testing.T, f *labFixture, member, projectID int64) map[int64]labeling.MyWorkItem {
	t.Helper()
	items, err := f.s.Leases.MySubmissions(f.ctx, member, projectID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]labeling.MyWorkItem{}
	for _, it := range items {
		out[it.ID] = it
	}
	return out
}
