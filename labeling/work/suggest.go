package work

import (
	"context"

	"copyhold/labeling"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
)

// FirstAnswer records the labeller's own first answer on their lease under
// the after_answer suggestion policy, and only then reveals the item's
// suggestion; the labeller may revise and submit as usual. A project with
// another policy answers suggestion_policy_mismatch.
func (s *Service) FirstAnswer(ctx context.Context, memberID int64, req labeling.FirstAnswerRequest) (labeling.FirstAnswerResult, error) {
	var out labeling.FirstAnswerResult
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		a, err := s.leases.LockLease(tx, memberID, req.LeaseToken)
		if err != nil {
			return err
		}
		if a.State != labeling.AssignmentLeased {
			return labeling.ErrLeaseLost.With("this task is no longer leased to you (%s)", a.State)
		}
		p, in, err := s.projects.LoadProjectFor(tx, a.ProjectID, memberID)
		if err != nil {
			return err
		}
		if !in {
			return labeling.ErrNotProjectMember
		}
		if p.SuggestionPolicy != labeling.SuggestAfterAnswer {
			return labeling.ErrSuggestionPolicy.With("this project's suggestion policy is %s, not after_answer: submit the answer directly", p.SuggestionPolicy)
		}
		it, err := s.projects.LoadItem(tx, a.ItemID)
		if err != nil {
			return err
		}
		answer, err := tasktype.ValidateAnswer(p.TaskType, p.Schema, it.Data, req.Answer)
		if err != nil {
			return err
		}
		out, err = s.leases.RecordFirstAnswer(tx, p, a, it, answer)
		return err
	})
	return out, err
}

// recordSuggestionUse marks the submission with the suggestion its labeller
// was shown, if any: up front or after their first answer, and whether the
// final answer equals it.
func (s *Service) recordSuggestionUse(tx store.Tx, p labeling.Project, a labeling.Assignment, it labeling.Item, sub labeling.Submission) error {
	u, ok, err := store.SuggestionUseFor(p.TaskType, a, it, sub.Answer)
	if err != nil || !ok {
		return err
	}
	return s.leases.RecordSuggestionUse(tx, sub.ID, u)
}
