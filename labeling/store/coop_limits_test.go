package store_test

import (
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// votedLimits is a ledger that knows the co-op's voted work limits.
type votedLimits struct{ stint, sensitive int }

func (votedLimits) ProjectCreated(*gorm.DB, labeling.Project, *int64) error { return nil }
func (votedLimits) Submitted(*gorm.DB, labeling.Submission) error           { return nil }
func (votedLimits) Decided(*gorm.DB, labeling.DecisionRecord) error         { return nil }
func (votedLimits) MemberEnded(*gorm.DB, int64, *int64) error               { return nil }
func (votedLimits) Recorded(*gorm.DB, string, int64) error                  { return nil }
func (v votedLimits) WorkLimits(*gorm.DB) (int, int, error)                 { return v.stint, v.sensitive, nil }
func (votedLimits) WorkLimitsSQL() string                                   { return "NULL" }
func (v votedLimits) ParseWorkLimits(*string) (int, int, error)             { return v.stint, v.sensitive, nil }

// The co-op's voted daily stint and sensitive maximum clamp a project's
// stint (none here) and the member's sensitive cap.
func TestCoopLimitsClampProjects(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		f.S = f.S.WithLedger(votedLimits{stint: 2, sensitive: 1})
		l := f.Member("l", "labeller")
		p := f.Project("no stint of its own", nil)
		f.Items(p.ID, 5)
		f.Submit(l, f.Claim(l, p.ID), "1")
		f.Submit(l, f.Claim(l, p.ID), "2")
		_, err := f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
		storetest.WantCode(t, err, labeling.ErrStintReached)
		my, err := f.S.Projects.MyProgress(f.Ctx, l, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if my.StintLeft == nil || *my.StintLeft != 0 || my.SensitiveLeftToday != 1 {
			t.Fatalf("my progress under the co-op's limits = %+v", my)
		}
	})
}
