package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"copyhold/equity"
	"copyhold/equity/roll"
	"copyhold/equity/store"
	"copyhold/labeling/fault"

	"gorm.io/gorm"
)

var ctx = context.Background()

// fixture is a ledger on a fresh database with a model, a project with a
// rate card, and some members.
type fixture struct {
	t       testing.TB
	db      *gorm.DB
	st      *store.Store
	model   int64
	project int64
	members []int64
	coord   int64
	key     *roll.Key // the register's signing key, made on first integrate
}

// subSeq numbers submissions across fixtures sharing a database.
var subSeq int64

func newFixture(t testing.TB, db *gorm.DB, nMembers int) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, st: store.New(db)}
	f.coord = f.member("coord")
	for i := 0; i < nMembers; i++ {
		f.members = append(f.members, f.member(fmt.Sprintf("m%d", i)))
	}
	now := time.Now().UTC()
	must(t, db.Raw("INSERT INTO models (name, created_at) VALUES (?, ?) RETURNING id", fmt.Sprintf("model-%d", now.UnixNano()), now).Scan(&f.model).Error)
	must(t, db.Raw(`INSERT INTO projects (model_id, name, task_type, schema, overlap, created_at, updated_at)
        VALUES (?, 'p', 'classification', '{}', 1, ?, ?) RETURNING id`, f.model, now, now).Scan(&f.project).Error)
	_, err := f.st.SetRateCard(ctx, f.coord, equity.RateCard{ProjectID: f.project, AnnotationAccepted: 1_000_000,
		Correction: 300_000, ReviewDecision: 100_000, CorrectionLabellerBP: 5000, Difficulty: map[string]int{"hard": 15000}, Reason: "launch"})
	must(t, err)
	return f
}

var loginSeq int

func (f *fixture) member(login string) int64 {
	var id int64
	loginSeq++
	login = fmt.Sprintf("%s-%d", login, loginSeq)
	now := time.Now().UTC()
	must(f.t, f.db.Raw("INSERT INTO members (login, display_name, active, created_at, updated_at) VALUES (?, ?, TRUE, ?, ?) RETURNING id",
		login, "Member "+login, now, now).Scan(&id).Error)
	return id
}

func (f *fixture) deactivate(id int64) {
	must(f.t, f.db.Exec("UPDATE members SET active = FALSE WHERE id = ?", id).Error)
}

// tx runs fn in a transaction (as the review code will).
func (f *fixture) tx(fn func(tx *gorm.DB) (equity.Transaction, error)) (equity.Transaction, error) {
	var t equity.Transaction
	err := f.db.Transaction(func(tx *gorm.DB) error {
		var err error
		t, err = fn(tx)
		return err
	})
	return t, err
}

func (f *fixture) submit(member int64) (int64, equity.Transaction) {
	f.t.Helper()
	sub := atomic.AddInt64(&subSeq, 1)
	t, err := f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
		return store.CreditPending(tx, store.PendingCredit{SubmissionID: sub, ProjectID: f.project, ItemID: sub * 10, MemberID: member})
	})
	must(f.t, err)
	return sub, t
}

func (f *fixture) vest(sub, reviewer int64) equity.Transaction {
	f.t.Helper()
	t, err := f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
		return store.Vest(tx, store.Decision{SubmissionID: sub, ReviewID: sub + 1000, ReviewerID: reviewer, ActorID: reviewer})
	})
	must(f.t, err)
	return t
}

// verify checks the ledger twice: with the newest entries still queued (as
// they are between a commit and the next integration), then after the
// integrator has taken them onto the log and the tree. It returns the second
// report.
func (f *fixture) verify() store.Report {
	f.t.Helper()
	pending, err := f.st.Verify(ctx)
	must(f.t, err)
	if !pending.OK {
		f.t.Fatalf("verify with %d entries queued: %s", pending.Pending, pending.First)
	}
	f.integrate()
	rep, err := f.st.Verify(ctx)
	must(f.t, err)
	if !rep.OK {
		f.t.Fatalf("verify: %s", rep.First)
	}
	if rep.Pending != 0 || rep.Entries != pending.Entries+pending.Pending || rep.Txs != pending.Txs {
		f.t.Fatalf("integrated %+v, before %+v", rep, pending)
	}
	return rep
}

// integrate runs the register's integrator once (as serve does about every
// second), signing with the fixture's key.
func (f *fixture) integrate() {
	f.t.Helper()
	if f.key == nil {
		f.key = testKey(f.t)
	}
	_, _, err := store.NewRoll(f.db, f.key).Integrate(ctx)
	must(f.t, err)
}

func (f *fixture) bal(account string) int64 {
	var n []int64
	must(f.t, f.db.Raw("SELECT balance FROM equity_balances WHERE unit = ? AND account = ?", equity.ModelUnit(f.model), account).Scan(&n).Error)
	if len(n) == 0 {
		return 0
	}
	return n[0]
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
