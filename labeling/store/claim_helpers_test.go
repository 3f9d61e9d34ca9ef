package store_test

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
	"copyhold/labeling/fault"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"

	"gorm.io/gorm"
)

const sentimentSchema = `{"field":"text","choices":[{"value":"positive"},{"value":"negative"}]}`

// labClock is a settable clock for lease expiry.
type labClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *labClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *labClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// labFixture is a migrated database with the stores and the work service
// on a test clock, a coordinator and a model.
type labFixture struct {
	t     testing.TB
	ctx   context.Context
	db    *gorm.DB
	s     *store.Stores
	w     *work.Service
	clock *labClock
	coord int64
	model labeling.Model
}

func newLabFixture(t testing.TB, db *gorm.DB) *labFixture {
	t.Helper()
	clock := &labClock{t: time.Date(2031, 3, 4, 10, 0, 0, 0, time.UTC)}
	f := &labFixture{t: t, ctx: context.Background(), db: db, clock: clock}
	f.s = store.New(db).WithClock(clock.Now)
	f.w = work.New(f.s)
	f.coord = f.member("coord", "coordinator")
	m, err := f.s.Projects.CreateModel(f.ctx, &f.coord, labeling.Model{Name: "demo-model", BaseModel: "base-7b"})
	if err != nil {
		t.Fatal(err)
	}
	f.model = m
	return f
}

// member inserts a member directly (the member store is tested elsewhere).
func (f *labFixture) member(login string, roles ...string) int64 {
	f.t.Helper()
	now := time.Now().UTC()
	var id int64
	if err := f.db.Raw(`INSERT INTO members (login, display_name, password_hash, active, created_at, updated_at)
VALUES (?, ?, '', ?, ?, ?) RETURNING id`, login, login, true, now, now).Scan(&id).Error; err != nil {
		f.t.Fatal(err)
	}
	for _, r := range roles {
		if err := f.db.Exec(`INSERT INTO member_roles (member_id, role, granted_at) VALUES (?, ?, ?)`, id, r, now).Error; err != nil {
			f.t.Fatal(err)
		}
	}
	return id
}

// labellers adds n labellers named prefix0..prefixN-1.
func (f *labFixture) labellers(prefix string, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = f.member(fmt.Sprintf("%s%d", prefix, i), "labeller")
	}
	return ids
}

// project creates a classification project with every labeller as member,
// changed by edit, and opens it.
func (f *labFixture) project(name string, edit func(*labeling.ProjectSettings)) labeling.Project {
	f.t.Helper()
	ps := labeling.ProjectSettings{ModelID: f.model.ID, Name: name, TaskType: tasktype.TaskClassification,
		Schema: json.RawMessage(sentimentSchema), Overlap: 3}
	if edit != nil {
		edit(&ps)
	}
	p, err := f.s.Projects.CreateProject(f.ctx, &f.coord, ps, true)
	if err != nil {
		f.t.Fatal(err)
	}
	if p, err = f.s.Projects.SetProjectStatus(f.ctx, &f.coord, p.ID, labeling.ProjectOpen); err != nil {
		f.t.Fatal(err)
	}
	return p
}

// importLines imports JSONL lines and fails the test on error.
func (f *labFixture) importLines(projectID int64, lines ...string) labeling.ImportReport {
	f.t.Helper()
	rep, err := f.s.Projects.ImportItems(f.ctx, &f.coord, projectID, strings.NewReader(strings.Join(lines, "\n")), "jsonl", "t.jsonl")
	if err != nil {
		f.t.Fatal(err)
	}
	return rep
}

// items imports n plain items "text i".
func (f *labFixture) items(projectID int64, n int) {
	f.t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"text":"item %d"}`+"\n", i)
	}
	rep, err := f.s.Projects.ImportItems(f.ctx, &f.coord, projectID, strings.NewReader(b.String()), "jsonl", "")
	if err != nil {
		f.t.Fatal(err)
	}
	if rep.Imported != n {
		f.t.Fatalf("imported %d items, want %d", rep.Imported, n)
	}
}

func (f *labFixture) claim(member, projectID int64) labeling.Task {
	f.t.Helper()
	task, err := f.s.Leases.ClaimNextTask(f.ctx, member, projectID)
	if err != nil {
		f.t.Fatalf("claim by %d: %v", member, err)
	}
	return task
}

func (f *labFixture) submit(member int64, task labeling.Task, key string) labeling.Submission {
	f.t.Helper()
	sub, err := f.w.Submit(f.ctx, member, labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: key,
		Answer: json.RawMessage(`{"choice":"positive"}`), LeadTimeMs: 1200})
	if err != nil {
		f.t.Fatalf("submit by %d: %v", member, err)
	}
	return sub
}

// wantCode fails unless err carries the domain error code.
func wantLabCode(t testing.TB, err error, want *fault.Error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want.Code)
	}
	if !hasLabCode(err, want) {
		t.Fatalf("got %v, want %s", err, want.Code)
	}
}

func hasLabCode(err error, want *fault.Error) bool {
	var e *fault.Error
	return errors.As(err, &e) && e.Code == want.Code
}

func (f *labFixture) count(q string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.db.Raw(q, args...).Scan(&n).Error; err != nil {
		f.t.Fatal(err)
	}
	return n
}

type itemCounts struct {
	ID     int64
	Done   int
	Held   int
	Status string
}

func (f *labFixture) item(id int64) itemCounts {
	f.t.Helper()
	var c itemCounts
	if err := f.db.Raw(`SELECT id, done, held, status FROM items WHERE id = ?`, id).Scan(&c).Error; err != nil {
		f.t.Fatal(err)
	}
	return c
}

// checkInvariants verifies the counters against the rows they count.
func (f *labFixture) checkInvariants(projectID int64, k int) {
	f.t.Helper()
	bad := f.count(`SELECT COUNT(*) FROM items i WHERE i.project_id = ? AND (
    i.held <> (SELECT COUNT(*) FROM assignments a WHERE a.item_id = i.id AND a.state = 'leased')
 OR i.done <> (SELECT COUNT(*) FROM submissions s WHERE s.item_id = i.id)
 OR (i.status <> 'gold' AND i.done + i.held > ?)
 OR (i.status = 'complete' AND i.done < ?)
 OR (i.status = 'open' AND i.done >= ?))`, projectID, k, k, k)
	if bad != 0 {
		f.t.Fatalf("%d items break the counter invariants", bad)
	}
	dup := f.count(`SELECT COUNT(*) FROM (SELECT item_id, member_id FROM submissions WHERE project_id = ?
GROUP BY item_id, member_id HAVING COUNT(*) > 1) d`, projectID)
	if dup != 0 {
		f.t.Fatalf("%d (item, member) pairs answered twice", dup)
	}
}

func (f *labFixture) events(typ string) int64 {
	return f.count(`SELECT COUNT(*) FROM events WHERE type = ?`, typ)
}
