// Package storetest provides a labelling fixture for tests of the labelling stores and the work service.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"

	"gorm.io/gorm"
)

// SentimentSchema is the classification schema of the projects Project creates.
const SentimentSchema = `{"field":"text","choices":[{"value":"positive"},{"value":"negative"}]}`

// Clock is a settable clock for lease expiry.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Lab is a migrated database with the stores and the work service
// on a test clock, a coordinator and a model.
type Lab struct {
	T     testing.TB
	Ctx   context.Context
	DB    *gorm.DB
	S     *store.Stores
	W     *work.Service
	Clock *Clock
	Coord int64
	Model labeling.Model
}

// NewLab returns the fixture on db.
func NewLab(t testing.TB, db *gorm.DB) *Lab {
	t.Helper()
	clock := &Clock{t: time.Date(2031, 3, 4, 10, 0, 0, 0, time.UTC)}
	f := &Lab{T: t, Ctx: context.Background(), DB: db, Clock: clock}
	f.S = store.New(db).WithClock(clock.Now)
	f.W = work.New(f.S)
	f.Coord = f.Member("coord", "coordinator")
	m, err := f.S.Projects.CreateModel(f.Ctx, &f.Coord, labeling.Model{Name: "demo-model", BaseModel: "base-7b"})
	if err != nil {
		t.Fatal(err)
	}
	f.Model = m
	return f
}

// Member inserts a member directly (the member store is tested elsewhere).
func (f *Lab) Member(login string, roles ...string) int64 {
	f.T.Helper()
	now := time.Now().UTC()
	var id int64
	if err := f.DB.Raw(`INSERT INTO members (login, display_name, password_hash, active, created_at, updated_at)
VALUES (?, ?, '', ?, ?, ?) RETURNING id`, login, login, true, now, now).Scan(&id).Error; err != nil {
		f.T.Fatal(err)
	}
	for _, r := range roles {
		if err := f.DB.Exec(`INSERT INTO member_roles (member_id, role, granted_at) VALUES (?, ?, ?)`, id, r, now).Error; err != nil {
			f.T.Fatal(err)
		}
	}
	return id
}

// Labellers adds n labellers named prefix0..prefixN-1.
func (f *Lab) Labellers(prefix string, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = f.Member(fmt.Sprintf("%s%d", prefix, i), "labeller")
	}
	return ids
}

// Project creates a classification project with every labeller as member,
// changed by edit, and opens it.
func (f *Lab) Project(name string, edit func(*labeling.ProjectSettings)) labeling.Project {
	f.T.Helper()
	ps := labeling.ProjectSettings{ModelID: f.Model.ID, Name: name, TaskType: tasktype.TaskClassification,
		Schema: json.RawMessage(SentimentSchema), Overlap: 3}
	if edit != nil {
		edit(&ps)
	}
	p, err := f.S.Projects.CreateProject(f.Ctx, &f.Coord, ps, true)
	if err != nil {
		f.T.Fatal(err)
	}
	if p, err = f.S.Projects.SetProjectStatus(f.Ctx, &f.Coord, p.ID, labeling.ProjectOpen); err != nil {
		f.T.Fatal(err)
	}
	return p
}

// ImportLines imports JSONL lines and fails the test on error.
func (f *Lab) ImportLines(projectID int64, lines ...string) labeling.ImportReport {
	f.T.Helper()
	rep, err := f.S.Projects.ImportItems(f.Ctx, &f.Coord, projectID, strings.NewReader(strings.Join(lines, "\n")), "jsonl", "t.jsonl")
	if err != nil {
		f.T.Fatal(err)
	}
	return rep
}

// Items imports n plain items "text i".
func (f *Lab) Items(projectID int64, n int) {
	f.T.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"text":"item %d"}`+"\n", i)
	}
	rep, err := f.S.Projects.ImportItems(f.Ctx, &f.Coord, projectID, strings.NewReader(b.String()), "jsonl", "")
	if err != nil {
		f.T.Fatal(err)
	}
	if rep.Imported != n {
		f.T.Fatalf("imported %d items, want %d", rep.Imported, n)
	}
}

// Claim claims the member's next task.
func (f *Lab) Claim(member, projectID int64) labeling.Task {
	f.T.Helper()
	task, err := f.S.Leases.ClaimNextTask(f.Ctx, member, projectID)
	if err != nil {
		f.T.Fatalf("claim by %d: %v", member, err)
	}
	return task
}

// Submit answers the task "positive" under the idempotency key.
func (f *Lab) Submit(member int64, task labeling.Task, key string) labeling.Submission {
	f.T.Helper()
	sub, err := f.W.Submit(f.Ctx, member, labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: key,
		Answer: json.RawMessage(`{"choice":"positive"}`), LeadTimeMs: 1200})
	if err != nil {
		f.T.Fatalf("submit by %d: %v", member, err)
	}
	return sub
}

// Answer submits {"choice": choice} for the task.
func (f *Lab) Answer(member int64, task labeling.Task, choice string) labeling.Submission {
	f.T.Helper()
	sub, err := f.W.Submit(f.Ctx, member, labeling.SubmitRequest{LeaseToken: task.LeaseToken,
		IdempotencyKey: fmt.Sprintf("sub-%d-%d", member, task.ItemID),
		Answer:         json.RawMessage(fmt.Sprintf(`{"choice":%q}`, choice)), LeadTimeMs: 1000})
	if err != nil {
		f.T.Fatalf("submit by %d: %v", member, err)
	}
	return sub
}

// ClaimAnswer claims the member's next task and answers it.
func (f *Lab) ClaimAnswer(member, projectID int64, choice string) labeling.Submission {
	f.T.Helper()
	return f.Answer(member, f.Claim(member, projectID), choice)
}

// ReviewSettings patches the project's review settings.
func (f *Lab) ReviewSettings(projectID int64, patch labeling.ReviewSettingsPatch) labeling.ReviewSettings {
	f.T.Helper()
	s, err := f.S.Reviews.UpdateReviewSettings(f.Ctx, &f.Coord, projectID, patch)
	if err != nil {
		f.T.Fatal(err)
	}
	return s
}

// ClaimReview claims the reviewer's next review task.
func (f *Lab) ClaimReview(reviewer, projectID int64) labeling.ReviewTask {
	f.T.Helper()
	rt, err := f.S.Reviews.ClaimNextReview(f.Ctx, reviewer, projectID)
	if err != nil {
		f.T.Fatalf("claim review by %d: %v", reviewer, err)
	}
	return rt
}

// Decide records the reviewer's decisions on the review task.
func (f *Lab) Decide(reviewer int64, rt labeling.ReviewTask, key string, ds ...labeling.DecisionInput) (labeling.DecisionResult, error) {
	return f.W.DecideReview(f.Ctx, reviewer, labeling.DecisionRequest{LeaseToken: rt.LeaseToken, IdempotencyKey: key, Decisions: ds})
}

// Accept is an accept decision on the submission.
func Accept(id int64) labeling.DecisionInput {
	return labeling.DecisionInput{SubmissionID: id, Decision: labeling.DecisionAccept}
}

// Reject is a reject decision on the submission, for reason.
func Reject(id int64, reason string) labeling.DecisionInput {
	return labeling.DecisionInput{SubmissionID: id, Decision: labeling.DecisionReject, Reason: reason}
}

// WantCode fails unless err carries the domain error code.
func WantCode(t testing.TB, err error, want *fault.Error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want.Code)
	}
	if !HasCode(err, want) {
		t.Fatalf("got %v, want %s", err, want.Code)
	}
}

// HasCode reports whether err carries the domain error code.
func HasCode(err error, want *fault.Error) bool {
	var e *fault.Error
	return errors.As(err, &e) && e.Code == want.Code
}

// Count runs a COUNT query.
func (f *Lab) Count(q string, args ...any) int64 {
	f.T.Helper()
	var n int64
	if err := f.DB.Raw(q, args...).Scan(&n).Error; err != nil {
		f.T.Fatal(err)
	}
	return n
}

// ItemCounts is an item's counters and status.
type ItemCounts struct {
	ID     int64
	Done   int
	Held   int
	Status string
}

// Item reads an item's counters and status.
func (f *Lab) Item(id int64) ItemCounts {
	f.T.Helper()
	var c ItemCounts
	if err := f.DB.Raw(`SELECT id, done, held, status FROM items WHERE id = ?`, id).Scan(&c).Error; err != nil {
		f.T.Fatal(err)
	}
	return c
}

// Status reads a submission's status.
func (f *Lab) Status(submissionID int64) string {
	f.T.Helper()
	var s string
	if err := f.DB.Raw(`SELECT status FROM submissions WHERE id = ?`, submissionID).Scan(&s).Error; err != nil {
		f.T.Fatal(err)
	}
	return s
}

// CheckInvariants verifies the counters against the rows they count.
func (f *Lab) CheckInvariants(projectID int64, k int) {
	f.T.Helper()
	bad := f.Count(`SELECT COUNT(*) FROM items i WHERE i.project_id = ? AND (
    i.held <> (SELECT COUNT(*) FROM assignments a WHERE a.item_id = i.id AND a.state = 'leased')
 OR i.done <> (SELECT COUNT(*) FROM submissions s WHERE s.item_id = i.id)
 OR (i.status <> 'gold' AND i.done + i.held > ?)
 OR (i.status = 'complete' AND i.done < ?)
 OR (i.status = 'open' AND i.done >= ?))`, projectID, k, k, k)
	if bad != 0 {
		f.T.Fatalf("%d items break the counter invariants", bad)
	}
	dup := f.Count(`SELECT COUNT(*) FROM (SELECT item_id, member_id FROM submissions WHERE project_id = ?
GROUP BY item_id, member_id HAVING COUNT(*) > 1) d`, projectID)
	if dup != 0 {
		f.T.Fatalf("%d (item, member) pairs answered twice", dup)
	}
}

// CheckReviewInvariants: done counts counted submissions, the slot rule
// holds, every decided submission has exactly one first decision, and no
// submission has two decisions of the same kind.
func (f *Lab) CheckReviewInvariants(projectID int64, k int) {
	f.T.Helper()
	bad := f.Count(`SELECT COUNT(*) FROM items i WHERE i.project_id = ? AND (
    i.held <> (SELECT COUNT(*) FROM assignments a WHERE a.item_id = i.id AND a.state = 'leased')
 OR i.done <> (SELECT COUNT(*) FROM submissions s WHERE s.item_id = i.id AND s.counted = ?)
 OR (i.status <> 'gold' AND i.done + i.held > ?)
 OR (i.status = 'complete' AND i.done < ?)
 OR (i.status = 'open' AND i.done >= ?))`, projectID, true, k, k, k)
	if bad != 0 {
		f.T.Fatalf("%d items break the counter invariants", bad)
	}
	undecided := f.Count(`SELECT COUNT(*) FROM submissions s WHERE s.project_id = ? AND s.status <> 'submitted'
AND NOT EXISTS (SELECT 1 FROM review_decisions d WHERE d.submission_id = s.id AND d.final = ?)`, projectID, false)
	if undecided != 0 {
		f.T.Fatalf("%d decided submissions have no decision row", undecided)
	}
	rejectedCounted := f.Count(`SELECT COUNT(*) FROM submissions WHERE project_id = ? AND status IN ('rejected', 'disputed') AND counted = ?`, projectID, true)
	if rejectedCounted != 0 {
		f.T.Fatalf("%d rejected submissions still hold a slot", rejectedCounted)
	}
}

// Events counts the events of the type, read through labeling/event (which
// alone names the events table).
func (f *Lab) Events(typ string) int64 {
	f.T.Helper()
	const page = 500
	var n, after int64
	for es := event.NewStore(f.DB); ; {
		evs, err := es.After(f.Ctx, after, page)
		if err != nil {
			f.T.Fatal(err)
		}
		for _, e := range evs {
			if e.Type == typ {
				n++
			}
			after = e.ID
		}
		if len(evs) < page {
			return n
		}
	}
}
