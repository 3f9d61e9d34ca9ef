package store_test

import (
	"reflect"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/store"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// GoldStandings, one statement for several labellers, gives what
// GoldStanding gives for each: the newest GoldWindow results only.
func TestGoldStandingsMatchEach(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ids := f.Labellers("g", 3)
		p := f.Project("gold", func(s *labeling.ProjectSettings) { s.Overlap = 1 })
		f.Items(p.ID, 12)
		// Results, oldest first: the first labeller was right long ago and
		// wrong lately, the second the other way round; the third has none.
		results := map[int64][]bool{ids[0]: {true, true, true, false, false, false}, ids[1]: {false, false, false, true, true, true}}
		for _, m := range ids[:2] {
			for _, ok := range results[m] {
				sub := f.ClaimAnswer(m, p.ID, "positive")
				if err := db.Exec(`INSERT INTO gold_checks (submission_id, project_id, item_id, member_id, correct, score_bp, expected, given, created_at)
VALUES (?, ?, ?, ?, ?, 0, '{}', '{}', ?)`, sub.ID, p.ID, sub.ItemID, m, ok, time.Now()).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		set := labeling.ReviewSettings{GoldWindow: 3, GoldThresholdBP: 5000}
		err := f.S.InTx(f.Ctx, func(tx store.Tx) error {
			all, err := f.S.Quality.GoldStandings(tx, set, p.ID, ids)
			if err != nil {
				return err
			}
			for _, m := range ids {
				one, err := f.S.Quality.GoldStanding(tx, set, p.ID, m)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(all[m], one) {
					t.Errorf("member %d: together %+v, alone %+v", m, all[m], one)
				}
			}
			if !all[ids[0]].OnProbation || all[ids[1]].OnProbation || all[ids[2]].Recent.Checked != 0 {
				t.Errorf("standings %+v", all)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
