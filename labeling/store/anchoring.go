package store

import (
	"encoding/json"

	"copyhold/labeling"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// anchoring counts how far labellers follow suggestions: agreement between
// the suggestion and the final answer where one was shown, against the same
// agreement on control items (whose suggestion was withheld), and under
// after_answer how often a first answer that differed was changed to the
// suggestion. Rejected and voided submissions count too: what is measured
// is the labeller's answer, not its fate.
func anchoring(db *gorm.DB, p projectRow) (labeling.Anchoring, error) {
	a := labeling.Anchoring{Policy: labeling.SuggestionPolicy(p.SuggestionPolicy), ControlBP: p.SuggestionControlBP}
	var shown struct {
		Shown, Agreed, Differed, Changed int64
	}
	if err := db.Raw(`SELECT COUNT(*) AS shown,
    COALESCE(SUM(CASE WHEN suggestion_accepted THEN 1 ELSE 0 END), 0) AS agreed,
    COALESCE(SUM(CASE WHEN first_matched = ? THEN 1 ELSE 0 END), 0) AS differed,
    COALESCE(SUM(CASE WHEN first_matched = ? AND suggestion_accepted THEN 1 ELSE 0 END), 0) AS changed
FROM submissions WHERE project_id = ? AND suggestion_shown <> ''`, false, false, p.ID).Scan(&shown).Error; err != nil {
		return a, err
	}
	a.Shown, a.ShownAgreed, a.FirstDiffered, a.ChangedToSuggestion = shown.Shown, shown.Agreed, shown.Differed, shown.Changed
	if p.SuggestionControlBP > 0 {
		// Control membership is a hash of the item id (labeling.InControl), so
		// it is decided here, a page of submissions at a time.
		var last int64
		for {
			var rows []struct {
				ID         int64
				ItemID     int64
				Answer     string
				Prediction string
			}
			if err := db.Raw(`SELECT s.id, s.item_id, s.answer, i.prediction FROM submissions s JOIN items i ON i.id = s.item_id
WHERE s.project_id = ? AND s.id > ? AND s.suggestion_shown = '' AND i.prediction IS NOT NULL AND i.status <> 'gold'
ORDER BY s.id LIMIT 1000`, p.ID, last).Scan(&rows).Error; err != nil {
				return a, err
			}
			if len(rows) == 0 {
				break
			}
			for _, r := range rows {
				if !labeling.InControl(r.ItemID, p.SuggestionControlBP) {
					continue
				}
				a.Control++
				eq, err := sameAnswer(tasktype.TaskType(p.TaskType), json.RawMessage(r.Answer), json.RawMessage(r.Prediction))
				if err != nil {
					return a, err
				}
				if eq {
					a.ControlAgreed++
				}
			}
			last = rows[len(rows)-1].ID
		}
	}
	a.Rates()
	return a, nil
}
