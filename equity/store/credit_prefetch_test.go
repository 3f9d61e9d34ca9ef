package store

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"copyhold/equity"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// TestCreditReadsAheadReadWhatCreditReadsReads: the JSON column that a
// submit's first statement reads for the credit (creditReadsSQL) parses into
// exactly the state creditReads reads on its own, field by field, on both
// databases, for every case the credit decides on: a project with its rate
// card, the governance in force and the unit registered; a project without
// a rate card under the default governance; an unknown project; a member
// who left, and one who never was.
func TestCreditReadsAheadReadWhatCreditReadsReads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		exec := func(q string, args ...any) int64 {
			t.Helper()
			var id int64
			if err := db.Raw(q, args...).Scan(&id).Error; err != nil {
				t.Fatal(err)
			}
			return id
		}
		member := func(login string, active bool) int64 {
			return exec(`INSERT INTO members (login, display_name, active, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?) RETURNING id`, login, login, active, now, now)
		}
		active, left := member("prefetch-active", true), member("prefetch-left", false)
		model := exec("INSERT INTO models (name, created_at) VALUES ('prefetch', ?) RETURNING id", now)
		project := func(name string) int64 {
			return exec(`INSERT INTO projects (model_id, name, task_type, schema, overlap, created_at, updated_at)
                VALUES (?, ?, 'classification', '{}', 1, ?, ?) RETURNING id`, model, name, now, now)
		}
		bare := project("no rate card")

		check := func(name string, projectID, memberID int64) {
			t.Helper()
			want, err := creditReads(db, "prefetch:unused", projectID, memberID)
			if err != nil {
				t.Fatalf("%s: creditReads: %v", name, err)
			}
			var read []string
			q := "SELECT " + creditReadsSQL(db, strconv.FormatInt(projectID, 10), strconv.FormatInt(memberID, 10))
			if err := db.Raw(q).Scan(&read).Error; err != nil || len(read) != 1 {
				t.Fatalf("%s: read ahead: %v (%d rows)", name, err, len(read))
			}
			got, err := parseCreditReads(read[0])
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			// Each read draws the id of the credit it would write, on PostgreSQL.
			if drawn := got.nextID > 0 && want.nextID > 0 && got.nextID != want.nextID; drawn != (db.Dialector.Name() == "postgres") {
				t.Errorf("%s: ids drawn %d and %d", name, got.nextID, want.nextID)
			}
			got.nextID, want.nextID = 0, 0
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s:\n read ahead %+v\n creditReads %+v\n from %s", name, got, want, read[0])
			}
		}
		// Before any governance or rate card was set.
		check("no rate card, default governance", bare, active)

		st := New(db)
		priced := project("priced")
		if _, err := st.SetRateCard(ctx, active, equity.RateCard{ProjectID: priced, AnnotationAccepted: 1_000_000,
			Correction: 300_000, ReviewDecision: 100_000, CorrectionLabellerBP: 5000,
			Difficulty: map[string]int{"hard": 15000}, Reason: "launch"}); err != nil {
			t.Fatal(err)
		}
		g := equity.DefaultGovernance()
		g.HoldingCapBP, g.CapFloor, g.Reason = 2500, 10_000_000, "caps"
		if _, err := st.SetGovernance(ctx, active, g); err != nil {
			t.Fatal(err)
		}
		check("rate card and governance, unit not yet registered", priced, active)
		if err := db.Transaction(func(tx *gorm.DB) error {
			_, err := CreditPending(tx, PendingCredit{SubmissionID: 1, ProjectID: priced, ItemID: 1, MemberID: active})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		check("unit registered", priced, active)
		check("a member who left", priced, left)
		check("no such member", priced, left+1000)
		check("no such project", bare+1000, active)
		check("no rate card, governance set", bare, active)
	})
}
