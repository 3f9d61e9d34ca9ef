package govern_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"copyhold/equity"
	"copyhold/equity/roll"
	equitystore "copyhold/equity/store"
	"copyhold/equity/vote"
	"copyhold/equity/vote/govern"
	"copyhold/labeling"
	"copyhold/labeling/fault"

	"gorm.io/gorm"
)

var ctx = context.Background()

// fx is a co-op on a fresh database: members admitted a month ago, a model
// with a project, and the service on a clock the test moves.
type fx struct {
	t       *testing.T
	db      *gorm.DB
	svc     *govern.Service
	ledger  *equitystore.Store
	mu      sync.Mutex
	now     time.Time
	members []int64
	model   int64
	project int64
	keys    int
	key     *roll.Key
}

func newFx(t *testing.T, db *gorm.DB, members int) *fx {
	t.Helper()
	f := &fx{t: t, db: db, now: time.Now().UTC().Truncate(time.Microsecond), ledger: equitystore.New(db)}
	f.svc = govern.New(db, f.clock, nil)
	for i := 0; i < members; i++ {
		f.members = append(f.members, f.member(f.now.Add(-30*24*time.Hour)))
	}
	must(t, db.Raw("INSERT INTO models (name, created_at) VALUES (?, ?) RETURNING id", "model", f.now).Scan(&f.model).Error)
	f.project = f.newProject()
	return f
}

func (f *fx) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fx) advance(d time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	return f.now
}

var loginSeq int

// member admits a member at the given time.
func (f *fx) member(admitted time.Time) int64 {
	f.t.Helper()
	loginSeq++
	var id int64
	must(f.t, f.db.Raw("INSERT INTO members (login, display_name, active, created_at, updated_at) VALUES (?, ?, TRUE, ?, ?) RETURNING id",
		fmt.Sprintf("m%d", loginSeq), fmt.Sprintf("Member %d", loginSeq), admitted, admitted).Scan(&id).Error)
	return id
}

func (f *fx) newProject() int64 {
	var id int64
	must(f.t, f.db.Raw(`INSERT INTO projects (model_id, name, task_type, schema, overlap, status, created_at, updated_at)
        VALUES (?, 'p', 'classification', '{}', 1, 'open', ?, ?) RETURNING id`, f.model, f.now, f.now).Scan(&id).Error)
	_, err := f.ledger.SetRateCard(ctx, 0, equity.RateCard{ProjectID: id, AnnotationAccepted: 1_000_000, Correction: 500_000,
		ReviewDecision: 100_000, CorrectionLabellerBP: 5000, Reason: "launch"})
	must(f.t, err)
	return id
}

var subSeq int64

// earn credits and vests one accepted submission for member.
func (f *fx) earn(member, reviewer int64) {
	f.t.Helper()
	subSeq++
	sub := subSeq
	must(f.t, f.db.Transaction(func(tx *gorm.DB) error {
		if _, err := equitystore.CreditPending(tx, equitystore.PendingCredit{SubmissionID: sub, ProjectID: f.project, MemberID: member}); err != nil {
			return err
		}
		_, err := equitystore.Vest(tx, equitystore.Decision{SubmissionID: sub, ReviewID: sub, ReviewerID: reviewer, ActorID: reviewer})
		return err
	}))
}

func (f *fx) propose(who int64, change string) vote.ProposalView {
	f.t.Helper()
	v, err := f.tryPropose(who, change)
	must(f.t, err)
	return v
}

func (f *fx) tryPropose(who int64, change string) (vote.ProposalView, error) {
	c, err := vote.ParseChange(change)
	must(f.t, err)
	f.keys++
	v, created, err := f.svc.Propose(ctx, who, vote.ProposalRequest{Title: "t", Reason: "r", Change: c, Key: fmt.Sprintf("k%d", f.keys)})
	if err == nil && !created {
		f.t.Fatal("a new key was a replay")
	}
	return v, err
}

func (f *fx) vote(who, id int64, choice string) vote.Cast {
	f.t.Helper()
	c, err := f.svc.Vote(ctx, who, id, choice, "")
	must(f.t, err)
	return c
}

// closeAt closes everything due once the proposal's period is over.
func (f *fx) closeAfter(v vote.ProposalView) []govern.Closed {
	f.t.Helper()
	at := f.advance(v.ClosesAt.Sub(f.clock()) + time.Second)
	closed, err := f.svc.CloseDue(ctx, at)
	must(f.t, err)
	return closed
}

// verify checks the ledger with the newest entries queued, then after the
// integrator has taken them onto the log.
func (f *fx) verify() {
	f.t.Helper()
	for round := 0; round < 2; round++ {
		rep, err := f.ledger.Verify(ctx)
		must(f.t, err)
		if !rep.OK {
			f.t.Fatalf("ledger verify: %s", rep.First)
		}
		f.integrate()
	}
}

// integrate runs the register's integrator once, as serve does every second.
func (f *fx) integrate() {
	f.t.Helper()
	if f.key == nil {
		skey, err := roll.GenerateKey(roll.Origin("test.example"))
		must(f.t, err)
		k, err := roll.ParseKey(skey)
		must(f.t, err)
		f.key = &k
	}
	_, _, err := equitystore.NewRoll(f.db, f.key).Integrate(ctx)
	must(f.t, err)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t testing.TB, err error, want *fault.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %s", err, want.Code)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func projectOf(id int64) labeling.Project { return labeling.Project{ID: id} }
