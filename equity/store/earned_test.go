package store_test

import (
	"testing"

	"copyhold/equity"
	"copyhold/equity/store"
	labelstore "copyhold/labeling/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// What each submission moved its labeller's books by (My work's units):
// accepted work is in the holding, rejected work nets to nothing, waiting
// work is pending; a reviewer's credit is on the reviewer's own books.
func TestEarnedPerSubmission(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 2)
		lab, rev := f.members[0], f.members[1]
		accepted, _ := f.submit(lab)
		f.vest(accepted, rev)
		rejected, _ := f.submit(lab)
		_, err := f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
			return store.Void(tx, store.Decision{SubmissionID: rejected, ReviewID: rejected + 1000, ActorID: rev})
		})
		must(t, err)
		waiting, _ := f.submit(lab)
		other, _ := f.submit(rev) // not the labeller's

		var got map[int64]labelstore.EarnedUnits
		must(t, db.Transaction(func(tx *gorm.DB) error {
			var err error
			got, err = store.Reads{}.Earned(tx, lab, []int64{accepted, rejected, waiting, other})
			return err
		}))
		one := int64(1_000_000) // the fixture's rate card: 1 unit an accepted annotation
		want := map[int64]labelstore.EarnedUnits{
			accepted: {Holding: one, Pending: 0},
			rejected: {Holding: 0, Pending: 0},
			waiting:  {Holding: 0, Pending: one},
		}
		if len(got) != len(want) {
			t.Fatalf("earned = %+v, want %+v", got, want)
		}
		for sub, w := range want {
			if got[sub] != w {
				t.Errorf("submission %d: earned %+v, want %+v", sub, got[sub], w)
			}
		}
		// The reviewer's credit for the accepted work is the reviewer's.
		must(t, db.Transaction(func(tx *gorm.DB) error {
			r, err := store.Reads{}.Earned(tx, rev, []int64{accepted})
			if err == nil && (r[accepted].Holding <= 0 || r[accepted].Pending != 0) {
				t.Errorf("reviewer's earned for the accepted work = %+v, want a positive holding", r[accepted])
			}
			return err
		}))
	})
}
