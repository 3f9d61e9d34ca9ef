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

// StartScore's one read gives the gold standings GoldStandings gives for
// the pending labellers, and ConsensusOf the consensus UpdateConsensus
// stores: with gold results in and out of the window, prior annotations,
// a reviewer's correction, one answer only, and none.
func TestStartScoreMatchesSeparateReads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("s", 4)
		p := f.Project("start", nil)
		f.Items(p.ID, 5)
		var items []int64
		if err := db.Raw(`SELECT id FROM items WHERE project_id = ? ORDER BY id`, p.ID).Scan(&items).Error; err != nil {
			t.Fatal(err)
		}
		// Three items answered by the first three labellers (queued for
		// review, so their submissions stay pending), a fourth by one.
		choices := []string{"positive", "negative", "positive"}
		for range 3 {
			for j, m := range ls[:3] {
				f.ClaimAnswer(m, p.ID, choices[j])
			}
		}
		f.ClaimAnswer(ls[3], p.ID, "negative")

		// Gold results, oldest first: s0 right long ago and wrong lately
		// with one right at the end, s1 the other way round, s2 none.
		now := time.Now().UTC()
		results := map[int64][]bool{ls[0]: {false, false, true}, ls[1]: {true, true, false}}
		for m, rs := range results {
			var subs []int64
			if err := db.Raw(`SELECT id FROM submissions WHERE member_id = ? ORDER BY id`, m).Scan(&subs).Error; err != nil {
				t.Fatal(err)
			}
			for i, ok := range rs {
				if err := db.Exec(`INSERT INTO gold_checks (submission_id, project_id, item_id, member_id, correct, score_bp, expected, given, created_at)
SELECT id, project_id, item_id, member_id, ?, 0, '{}', '{}', ? FROM submissions WHERE id = ?`, ok, now, subs[i]).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		// Prior annotations on the second item.
		var importID int64
		if err := db.Raw(`SELECT id FROM imports WHERE project_id = ? ORDER BY id LIMIT 1`, p.ID).Scan(&importID).Error; err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{"ext-b", "ext-a"} {
			if err := db.Exec(`INSERT INTO prior_annotations (project_id, item_id, import_id, annotator, answer) VALUES (?, ?, ?, ?, ?)`,
				p.ID, items[1], importID, a, `{"choice": "negative"}`).Error; err != nil {
				t.Fatal(err)
			}
		}
		// A reviewer's correction of the third labeller's answer on the third item.
		if err := db.Exec(`UPDATE submissions SET status = 'corrected' WHERE item_id = ? AND member_id = ?`, items[2], ls[2]).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(`INSERT INTO review_decisions (review_id, project_id, item_id, submission_id, labeller_id, reviewer_id,
    decision, corrected_answer, created_at)
SELECT r.id, s.project_id, s.item_id, s.id, s.member_id, ?, 'correct', ?, ? FROM submissions s
JOIN item_reviews r ON r.item_id = s.item_id WHERE s.item_id = ? AND s.member_id = ?`,
			f.Coord, `{"choice":"negative"}`, now, items[2], ls[2]).Error; err != nil {
			t.Fatal(err)
		}

		check := func(window string) {
			for _, item := range items {
				var start store.ScoreStart
				var c *labeling.Consensus
				at := f.Clock.Now()
				err := f.S.InTx(f.Ctx, func(tx store.Tx) error {
					var err error
					if start, err = f.S.Reviews.StartScore(tx, p.ID, item); err != nil {
						return err
					}
					var pending []int64
					for _, s := range start.Subs {
						if s.Counted && s.Status == string(labeling.SubmissionSubmitted) {
							pending = append(pending, s.MemberID)
						}
					}
					want, err := f.S.Quality.GoldStandings(tx, start.Settings, p.ID, pending)
					if err != nil {
						return err
					}
					if item == items[0] && start.Standings[ls[0]].Recent.Checked != min(3, start.Settings.GoldWindow) {
						t.Errorf("%s: s0's standing %+v", window, start.Standings[ls[0]])
					}
					if !reflect.DeepEqual(start.Standings, want) {
						t.Errorf("%s, item %d: standings %+v, want %+v", window, item, start.Standings, want)
					}
					c, err = f.S.Quality.ConsensusOf(at, p, start.Settings, start)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if err := db.Exec(`DELETE FROM item_consensus WHERE item_id = ?`, item).Error; err != nil {
					t.Fatal(err)
				}
				if err := f.S.InTx(f.Ctx, func(tx store.Tx) error {
					return f.S.Quality.UpdateConsensus(tx, at, p, start.Settings, item)
				}); err != nil {
					t.Fatal(err)
				}
				var rows []struct {
					Method       string
					Label        string
					Decided      bool
					ConfidenceBP int `gorm:"column:confidence_bp"`
					Votes        int
					Answer       *string
				}
				if err := db.Raw(`SELECT method, label, decided, confidence_bp, votes, answer FROM item_consensus WHERE item_id = ?`, item).Scan(&rows).Error; err != nil {
					t.Fatal(err)
				}
				if c == nil || len(rows) == 0 {
					if c != nil || len(rows) != 0 {
						t.Errorf("%s, item %d: ConsensusOf %+v, stored %+v", window, item, c, rows)
					}
					continue
				}
				r := rows[0]
				if item == items[1] && r.Votes != 5 || item == items[2] && r.Method != "corrected" {
					t.Errorf("%s, item %d: stored %+v: the prior annotations or the correction were left out", window, item, r)
				}
				if c.Method != r.Method || c.Label != r.Label || c.Decided != r.Decided || c.ConfidenceBP != r.ConfidenceBP || c.Votes != r.Votes ||
					(c.Answer == nil) != (r.Answer == nil) || r.Answer != nil && !sameJSON(c.Answer, *r.Answer) {
					t.Errorf("%s, item %d: ConsensusOf %+v (answer %s), stored %+v", window, item, *c, c.Answer, r)
				}
			}
		}
		check("default window")
		two, half := 2, 5000
		f.ReviewSettings(p.ID, labeling.ReviewSettingsPatch{GoldWindow: &two, GoldThresholdBP: &half})
		check("window 2")
	})
}
