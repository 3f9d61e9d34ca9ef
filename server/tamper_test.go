package server_test

import (
	"fmt"
	"strings"
	"testing"

	equitystore "copyhold/equity/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// A member's statement after an operator rewrote the register's rows (the
// probe's attack): the statement no longer adds up, and the answer says so
// as a named error, never a 500.
func TestStatementAfterTampering(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		p := e.Project(t)
		coord, lab := e.as("coord"), e.as("lab")
		if r := coord.do("POST", fmt.Sprintf("/api/projects/%d/rate-card", p.ID), map[string]any{
			"annotation_accepted": "1", "review_decision": "0.1", "correction_labeller_bp": 5000, "reason": "launch"}); r.status != 201 {
			t.Fatalf("rate card: %d %s", r.status, r.body)
		}
		labID := e.Members["lab"].ID
		var vest int64
		for sub := int64(1); sub <= 2; sub++ {
			err := e.DB.Transaction(func(tx *gorm.DB) error {
				if _, err := equitystore.CreditPending(tx, equitystore.PendingCredit{SubmissionID: sub, ProjectID: p.ID, MemberID: labID}); err != nil {
					return err
				}
				v, err := equitystore.Vest(tx, equitystore.Decision{SubmissionID: sub, ReviewID: sub, ReviewerID: e.Members["rev"].ID})
				vest = v.ID
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		url := fmt.Sprintf("/api/equity/models/%d/statement", p.ModelID)
		if r := lab.do("GET", url, nil); r.status != 200 {
			t.Fatalf("statement before: %d %s", r.status, r.body)
		}
		// The operator multiplies both legs of a vesting (it still balances).
		if db.Dialector.Name() == "postgres" {
			must(t, db.Exec("ALTER TABLE equity_postings DISABLE TRIGGER USER").Error)
		} else {
			must(t, db.Exec("DROP TRIGGER equity_postings_no_update").Error)
		}
		must(t, db.Exec("UPDATE equity_postings SET amount = amount * 1000 WHERE tx_id = ?", vest).Error)
		if r := lab.do("GET", fmt.Sprintf("/api/equity/models/%d/register", p.ModelID), nil); r.status == 500 {
			t.Fatalf("register after tampering: %d %s", r.status, r.body)
		}
		for _, u := range []string{url, url + "?format=csv"} {
			r := lab.do("GET", u, nil)
			if r.status != 409 || r.code() != "register_inconsistent" || !strings.Contains(string(r.body), "ledger verify") {
				t.Fatalf("statement after tampering (%s): %d %s", u, r.status, r.body)
			}
		}
	})
}
