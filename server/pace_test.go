package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"copyhold/equity"
	equitystore "copyhold/equity/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// TestPaceRecentValue: a project card's pace carries the recent value of a
// unit of its model once the co-op has distributed revenue, as a decimal
// string, and null before.
func TestPaceRecentValue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		p := e.Project(t)
		lab := e.as("lab")
		url := fmt.Sprintf("/api/projects/%d/pace", p.ID)
		type pace struct {
			RecentValue *struct {
				Currency string `json:"currency"`
				PerUnit  string `json:"per_unit"`
				Paid     string `json:"paid"`
				Units    string `json:"units"`
			} `json:"recent_value"`
		}
		var before pace
		if r := lab.do("GET", url, nil); r.status != 200 {
			t.Fatalf("pace = %d %s", r.status, r.body)
		} else if mustJSON(t, r.body, &before); before.RecentValue != nil {
			t.Fatalf("recent value before any distribution: %s", r.body)
		}
		if r := e.as("coord").do("POST", fmt.Sprintf("/api/projects/%d/rate-card", p.ID), map[string]any{
			"annotation_accepted": "1.5", "review_decision": "0.1", "correction_labeller_bp": 5000, "reason": "launch"}); r.status != 201 {
			t.Fatalf("rate card = %d %s", r.status, r.body)
		}
		// Two accepted tasks vest the labeller's units, then 10.00 EUR is distributed.
		labID := e.Members["lab"].ID
		for sub := int64(1); sub <= 2; sub++ {
			err := e.DB.Transaction(func(tx *gorm.DB) error {
				if _, err := equitystore.CreditPending(tx, equitystore.PendingCredit{SubmissionID: sub, ProjectID: p.ID, MemberID: labID}); err != nil {
					return err
				}
				_, err := equitystore.Vest(tx, equitystore.Decision{SubmissionID: sub, ReviewID: sub, ReviewerID: e.Members["rev"].ID})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := equitystore.New(db).Distribute(context.Background(), equity.Revenue{Key: "q1", ModelID: p.ModelID, Amount: 1000,
			Currency: "EUR", Scale: 2, Source: "API sales", RecordDate: time.Now()}); err != nil {
			t.Fatal(err)
		}
		var after pace
		r := lab.do("GET", url, nil)
		mustJSON(t, r.body, &after)
		v := after.RecentValue
		if r.status != 200 || v == nil || v.Currency != "EUR" || v.Paid != "10.00" {
			t.Fatalf("pace after a distribution = %d %s", r.status, r.body)
		}
		// The figure is the payouts over the vested units, exact to six decimals.
		want, _, _, _ := equity.ValueOfUnit(equity.DistributionInputs{Scale: 2, Amount: 1000,
			Holders: []equity.Share{{Units: mustUnits(t, v.Units)}}})
		if v.PerUnit != want || len(v.PerUnit) < 8 {
			t.Fatalf("per unit = %q, want %q (%s)", v.PerUnit, want, r.body)
		}
	})
}

func mustUnits(t *testing.T, s string) int64 {
	t.Helper()
	v, err := equity.ParseAmount(s, equity.UnitScale)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
