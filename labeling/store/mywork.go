package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// MySubmissions lists a member's submissions, newest first, optionally in
// one project, paging backwards from before (an id; 0 for the newest).
func (s *Leases) MySubmissions(ctx context.Context, memberID, projectID, before int64, limit int) ([]labeling.MyWorkItem, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := s.db.WithContext(ctx).Table("submissions AS s").
		Select(`s.id, s.project_id, p.name AS project_name, p.task_type, s.item_id, i.data, s.answer, s.status,
			s.created_at, s.updated_at,
			(SELECT COUNT(*) FROM submission_revisions r WHERE r.submission_id = s.id) AS revisions,
			d.reason, d.comment AS review_comment, d.corrected_answer, d.final AS decision_final`).
		Joins("JOIN projects p ON p.id = s.project_id").
		Joins("JOIN items i ON i.id = s.item_id").
		Joins("LEFT JOIN review_decisions d ON d.id = (SELECT MAX(x.id) FROM review_decisions x WHERE x.submission_id = s.id)").
		Where("s.member_id = ?", memberID)
	if projectID > 0 {
		q = q.Where("s.project_id = ?", projectID)
	}
	if before > 0 {
		q = q.Where("s.id < ?", before)
	}
	var rows []struct {
		ID              int64
		ProjectID       int64
		ProjectName     string
		TaskType        string
		ItemID          int64
		Data            string
		Answer          string
		Status          string
		CreatedAt       time.Time
		UpdatedAt       *time.Time
		Revisions       int
		Reason          *string
		ReviewComment   *string
		CorrectedAnswer *string
		DecisionFinal   *bool
	}
	if err := q.Order("s.id DESC").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]labeling.MyWorkItem, len(rows))
	for i, r := range rows {
		out[i] = labeling.MyWorkItem{ID: r.ID, ProjectID: r.ProjectID, ProjectName: r.ProjectName, TaskType: r.TaskType,
			ItemID: r.ItemID, Data: json.RawMessage(r.Data), Answer: json.RawMessage(r.Answer), Status: r.Status,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Revisions: r.Revisions, CorrectedAnswer: rawOrNil(r.CorrectedAnswer)}
		if r.Reason != nil {
			out[i].Reason = *r.Reason
		}
		if r.ReviewComment != nil {
			out[i].ReviewComment = *r.ReviewComment
		}
		out[i].DecisionFinal = r.DecisionFinal != nil && *r.DecisionFinal
	}
	return out, nil
}

// ErrAlreadyReviewed: review has started, so the answer is no longer the labeller's to change.
var ErrAlreadyReviewed = fault.New(fault.KindConflict, "already_reviewed", "this submission has been reviewed and can no longer be amended")

// AmendSubmission replaces the answer of a member's own unreviewed
// submission, keeping the previous answer as a revision. A retry with the
// same key is a no-op.
func (s *Leases) AmendSubmission(ctx context.Context, memberID, id int64, key string, answer json.RawMessage) (labeling.Submission, error) {
	if err := labeling.CheckIdempotencyKey(key); err != nil {
		return labeling.Submission{}, err
	}
	var out labeling.Submission
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var sub submissionRow
		err := tx.Where("id = ? AND member_id = ?", id, memberID).Take(&sub).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return fault.ErrNotFound.With("submission not found")
		}
		if err != nil {
			return err
		}
		var seen int64
		if err := tx.Table("submission_revisions").Where("submission_id = ? AND idempotency_key = ?", id, key).Count(&seen).Error; err != nil {
			return err
		}
		if seen > 0 {
			out = sub.submission(true)
			return nil
		}
		if sub.Status != string(labeling.SubmissionSubmitted) {
			return ErrAlreadyReviewed
		}
		var p projectRow
		if err := tx.Where("id = ?", sub.ProjectID).Take(&p).Error; err != nil {
			return err
		}
		var data string
		if err := tx.Table("items").Select("data").Where("id = ?", sub.ItemID).Scan(&data).Error; err != nil {
			return err
		}
		norm, err := tasktype.ValidateAnswer(tasktype.TaskType(p.TaskType), json.RawMessage(p.Schema), json.RawMessage(data), answer)
		if err != nil {
			return err
		}
		now := s.clock()
		if err := tx.Exec(`INSERT INTO submission_revisions (submission_id, member_id, previous_answer, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, memberID, sub.Answer, key, now).Error; err != nil {
			return err
		}
		if err := tx.Model(&submissionRow{}).Where("id = ?", id).Updates(map[string]any{"answer": string(norm), "updated_at": now}).Error; err != nil {
			return err
		}
		if err := event.Append(tx, "task.amended", event.ProjectScope(sub.ProjectID), &memberID, map[string]any{"submission_id": id, "item_id": sub.ItemID}); err != nil {
			return err
		}
		sub.Answer = string(norm)
		out = sub.submission(false)
		return nil
	})
	return out, err
}
