package store

import (
	"context"
	"encoding/json"

	"copyhold/labeling"
	"copyhold/labeling/event"

	"gorm.io/gorm"
)

// Submit records the member's answer to the task held by req.LeaseToken.
//
// The answer is validated against the schema and the item. A retry with the
// same idempotency key and body returns the stored submission (Replayed);
// the same key with another body is idempotency_conflict. A submit after the
// lease was lost is still accepted if the item has a free slot; otherwise it
// is lease_lost and the answer is kept as the assignment's draft.
func (s *Leases) Submit(ctx context.Context, memberID int64, req labeling.SubmitRequest) (labeling.Submission, error) {
	if err := labeling.CheckIdempotencyKey(req.IdempotencyKey); err != nil {
		return labeling.Submission{}, err
	}
	hash := req.Hash()
	var out labeling.Submission
	var lost error
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		lost = nil
		if sub, ok, err := replay(tx, memberID, req.IdempotencyKey, hash); ok || err != nil {
			out = sub
			return err
		}
		a, err := assignmentByToken(tx, memberID, req.LeaseToken, true)
		if err != nil {
			return err
		}
		if a.State == string(labeling.AssignmentSubmitted) {
			// A concurrent request with the same key may have won while we waited.
			if sub, ok, err := replay(tx, memberID, req.IdempotencyKey, hash); ok || err != nil {
				out = sub
				return err
			}
			return labeling.ErrAlreadySubmitted
		}
		p, err := loadProject(tx, a.ProjectID, false)
		if err != nil {
			return err
		}
		if p.Status == string(labeling.ProjectClosed) {
			return labeling.ErrProjectClosed
		}
		it, err := lockItem(tx, a.ItemID)
		if err != nil {
			return err
		}
		answer, err := labeling.ValidateAnswer(labeling.TaskType(p.TaskType), json.RawMessage(p.Schema), json.RawMessage(it.Data), req.Answer)
		if err != nil {
			return err
		}
		now := s.clock()
		gold := it.Status == string(labeling.ItemGold)
		held := a.State == string(labeling.AssignmentLeased) // still counted in items.held
		if !held {
			room := gold || (it.Status == string(labeling.ItemOpen) && it.Done+it.Held < p.Overlap)
			if a.State == string(labeling.AssignmentSkipped) || !room {
				// Keep the work; commit the draft and report the lost lease.
				if err := tx.Exec(`UPDATE assignments SET draft = ?, draft_at = ?, updated_at = ? WHERE id = ?`,
					string(compactOrRaw(req.Answer)), now, now, a.ID).Error; err != nil {
					return err
				}
				lost = labeling.ErrLeaseLost.With("your lease on this task was lost and the item has all its answers; your answer was kept as a draft")
				return nil
			}
		}

		row := submissionRow{AssignmentID: a.ID, ItemID: it.ID, ProjectID: p.ID, MemberID: memberID,
			Answer: string(answer), IdempotencyKey: req.IdempotencyKey, BodyHash: hash,
			LeadTimeMs: labeling.ClampLeadTime(req.LeadTimeMs), IsGold: gold,
			Status: string(labeling.SubmissionSubmitted), CreatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return err // a unique violation retries and then replays or conflicts
		}
		dHeld := 0
		if held {
			dHeld = 1
		}
		completes := !gold && it.Done+1 >= p.Overlap
		status := it.Status
		if completes {
			status = string(labeling.ItemComplete)
		}
		if err := tx.Exec(`UPDATE items SET done = done + 1, held = held - ?, status = ? WHERE id = ?`,
			dHeld, status, it.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE assignments SET state = 'submitted', submitted_at = ?, draft = NULL, draft_at = NULL,
    active_ms = ?, updated_at = ? WHERE id = ?`,
			now, max(a.ActiveMs, row.LeadTimeMs), now, a.ID).Error; err != nil {
			return err
		}
		if err := event.Append(tx, "task.submitted", event.ProjectScope(p.ID), &memberID,
			map[string]any{"assignment_id": a.ID, "item_id": it.ID, "submission_id": row.ID}); err != nil {
			return err
		}
		if completes {
			if err := event.Append(tx, "item.completed", event.ProjectScope(p.ID), nil,
				map[string]any{"item_id": it.ID, "done": it.Done + 1}); err != nil {
				return err
			}
		}
		if err := s.ledger.Submitted(tx, row.submission(false)); err != nil {
			return err
		}
		if err := s.afterSubmit(tx, now, p, it, row.ID, completes); err != nil { // review: gold check, scoring, routing
			return err
		}
		out = row.submission(false)
		out.Answer = answer
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

// replay looks up an earlier submission with the same key: the same body
// returns it again, another body is a conflict.
func replay(tx *gorm.DB, memberID int64, key, hash string) (labeling.Submission, bool, error) {
	var rows []submissionRow
	if err := tx.Raw(`SELECT * FROM submissions WHERE member_id = ? AND idempotency_key = ?`, memberID, key).Scan(&rows).Error; err != nil {
		return labeling.Submission{}, false, err
	}
	if len(rows) == 0 {
		return labeling.Submission{}, false, nil
	}
	if rows[0].BodyHash != hash {
		return labeling.Submission{}, true, labeling.ErrIdempotencyReuse
	}
	return rows[0].submission(true), true, nil
}

// compactOrRaw keeps a draft as JSON; a body that is not JSON is stored as a
// JSON string so that nothing typed is lost.
func compactOrRaw(b json.RawMessage) json.RawMessage {
	if c, err := labeling.CheckDraft(b); err == nil {
		return c
	}
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}
