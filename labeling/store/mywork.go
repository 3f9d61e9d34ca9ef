package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/page"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// myWorkRow is one row of MySubmissions' query.
type myWorkRow struct {
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
	DisputedAt      *time.Time
	DisputeComment  *string
	Revisions       int
	Reason          *string
	ReviewComment   *string
	CorrectedAnswer *string
	DecisionFinal   *bool
}

// MySubmissions lists a page of a member's submissions, newest first,
// narrowed by f (its days are those the submissions were made, in UTC).
func (s *Leases) MySubmissions(ctx context.Context, memberID int64, f labeling.MyWorkFilter, p page.Page) ([]labeling.MyWorkItem, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Table("submissions AS s").
		Select(`s.id, s.project_id, p.name AS project_name, p.task_type, s.item_id, i.data, s.answer, s.status,
			s.created_at, s.updated_at, s.disputed_at, s.dispute_comment,
			(SELECT COUNT(*) FROM submission_revisions r WHERE r.submission_id = s.id) AS revisions,
			d.reason, d.comment AS review_comment, d.corrected_answer, d.final AS decision_final`).
		Joins("JOIN projects p ON p.id = s.project_id").
		Joins("JOIN items i ON i.id = s.item_id").
		Joins("LEFT JOIN review_decisions d ON d.id = (SELECT MAX(x.id) FROM review_decisions x WHERE x.submission_id = s.id)").
		Where("s.member_id = ?", memberID)
	if f.ProjectID > 0 {
		q = q.Where("s.project_id = ?", f.ProjectID)
	}
	if f.Status != "" {
		q = q.Where("s.status = ?", string(f.Status))
	}
	if f.From != nil {
		q = q.Where("s.created_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("s.created_at < ?", f.To.UTC().AddDate(0, 0, 1))
	}
	var rows []myWorkRow
	if err := pageByID(q, "s.id", true, p).Scan(&rows).Error; err != nil {
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
	if err := s.addHistory(ctx, out, rows); err != nil {
		return nil, err
	}
	return out, s.addEarned(ctx, memberID, out)
}

// addEarned fills in what each submission moved the member's books by.
func (s *Leases) addEarned(ctx context.Context, memberID int64, out []labeling.MyWorkItem) error {
	if len(out) == 0 {
		return nil
	}
	ids := make([]int64, len(out))
	for i, w := range out {
		ids[i] = w.ID
	}
	earned, err := s.register.Earned(s.db.WithContext(ctx), memberID, ids)
	if err != nil {
		return err
	}
	for i, w := range out {
		if e, ok := earned[w.ID]; ok {
			out[i].Units, out[i].UnitsPending = s.register.Units(e.Holding), s.register.Units(e.Pending)
		}
	}
	return nil
}

// addHistory fills each item's review history: its decisions and its
// dispute, oldest first.
func (s *Leases) addHistory(ctx context.Context, out []labeling.MyWorkItem, rows []myWorkRow) error {
	if len(out) == 0 {
		return nil
	}
	ids := make([]int64, len(out))
	at := map[int64]int{}
	for i, w := range out {
		ids[i] = w.ID
		at[w.ID] = i
		out[i].History = []labeling.MyWorkEvent{}
	}
	var ds []reviewDecisionRow
	if err := s.db.WithContext(ctx).Raw(`SELECT * FROM review_decisions WHERE submission_id IN ? ORDER BY id`, ids).Scan(&ds).Error; err != nil {
		return err
	}
	for i, r := range rows {
		if r.DisputedAt != nil {
			ev := labeling.MyWorkEvent{Kind: "dispute", At: r.DisputedAt.UTC()}
			if r.DisputeComment != nil {
				ev.Comment = *r.DisputeComment
			}
			out[i].History = append(out[i].History, ev)
		}
	}
	for _, d := range ds {
		i := at[d.SubmissionID]
		out[i].History = append(out[i].History, labeling.MyWorkEvent{Kind: "decision", Decision: d.Decision, Reason: d.Reason,
			Comment: d.Comment, Final: d.Final, Automatic: d.Automatic, At: d.CreatedAt.UTC()})
	}
	for i := range out {
		slices.SortStableFunc(out[i].History, func(a, b labeling.MyWorkEvent) int { return a.At.Compare(b.At) })
	}
	return nil
}

// ErrAlreadyReviewed: review has started, so the answer is no longer the labeller's to change.
var ErrAlreadyReviewed = fault.New(fault.KindConflict, "already_reviewed", "this submission has been reviewed and can no longer be amended")

// AmendSubmission replaces the answer of a member's own unreviewed
// submission, keeping the previous answer as a revision. A retry with the
// same key and answer replays; another answer under that key is
// idempotency_conflict.
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
		var p projectRow
		if err := tx.Where("id = ?", sub.ProjectID).Take(&p).Error; err != nil {
			return err
		}
		var data string
		if err := tx.Table("items").Select("data").Where("id = ?", sub.ItemID).Scan(&data).Error; err != nil {
			return err
		}
		norm, verr := tasktype.ValidateAnswer(tasktype.TaskType(p.TaskType), json.RawMessage(p.Schema), json.RawMessage(data), answer)
		set, seen, err := amendedBy(tx, sub, key)
		if err != nil {
			return err
		}
		if seen {
			// A retry replays only when it carries the answer that key set.
			if verr != nil || !sameJSON(set, string(norm)) {
				return labeling.ErrIdempotencyReuse.With("idempotency key %q already amended submission %d with another answer", key, id)
			}
			out = sub.submission(true)
			return nil
		}
		if verr != nil {
			return verr
		}
		if sub.Status != string(labeling.SubmissionSubmitted) {
			return ErrAlreadyReviewed
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

// amendedBy returns the answer that the amendment with key set on sub: the
// previous answer of the next revision, or the current answer when it was
// the last. seen is false when no amendment used the key.
func amendedBy(tx *gorm.DB, sub submissionRow, key string) (answer string, seen bool, err error) {
	var revs []struct {
		IdempotencyKey string
		PreviousAnswer string
	}
	if err := tx.Raw(`SELECT idempotency_key, previous_answer FROM submission_revisions WHERE submission_id = ? ORDER BY id`,
		sub.ID).Scan(&revs).Error; err != nil {
		return "", false, err
	}
	for i, r := range revs {
		if r.IdempotencyKey != key {
			continue
		}
		if i+1 < len(revs) {
			return revs[i+1].PreviousAnswer, true, nil
		}
		return sub.Answer, true, nil
	}
	return "", false, nil
}

// sameJSON compares two JSON documents by value (PostgreSQL's jsonb
// re-spaces what it stores).
func sameJSON(a, b string) bool {
	var x, y any
	da, db := json.NewDecoder(strings.NewReader(a)), json.NewDecoder(strings.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&x) != nil || db.Decode(&y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
