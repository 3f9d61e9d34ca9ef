package store

import (
	"encoding/json"
	"sort"

	"copyhold/labeling/agreement"
	"copyhold/labeling/dataset"

	"gorm.io/gorm"
)

// Prior annotations: work done before the co-op, by people who are not its
// members (imported from Label Studio with the "prior" choice). They count
// for agreement and consensus and are exported with their original
// completed_by, created_at and lead_time, but they are no submissions: no
// lease, no review, no ledger posting, so they earn no units.

// priorKey is the annotator key of an external annotator in agreement and
// consensus (and its name in snapshots): it can never equal a member id.
func priorKey(annotator string) string { return dataset.ExportExternalPrefix + annotator }

type priorRow struct {
	ID          int64 `gorm:"primaryKey"`
	ProjectID   int64
	ItemID      int64
	ImportID    int64
	Annotator   string
	CompletedBy *string
	Answer      string
	LeadTimeMs  int64
	CreatedAt   string
	SourceID    string
}

func (priorRow) TableName() string { return "prior_annotations" }

// priorAnswers are the prior annotations of the items, by item id.
func priorAnswers(tx *gorm.DB, itemIDs []int64) (map[int64][]agreement.AnswerRecord, error) {
	out := map[int64][]agreement.AnswerRecord{}
	if len(itemIDs) == 0 {
		return out, nil
	}
	var rows []priorRow
	if err := tx.Where("item_id IN ?", itemIDs).Order("item_id, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ItemID] = append(out[r.ItemID], agreement.AnswerRecord{Unit: memberKey(r.ItemID), Annotator: priorKey(r.Annotator), Answer: json.RawMessage(r.Answer)})
	}
	return out, nil
}

// decodePriorJSON reads what priorAnswersJSON gives for an item: its prior
// answers, as priorAnswers gives them.
func decodePriorJSON(itemID int64, js *string) ([]agreement.AnswerRecord, error) {
	if js == nil {
		return nil, nil
	}
	var pairs [][2]string
	if err := json.Unmarshal([]byte(*js), &pairs); err != nil {
		return nil, err
	}
	var out []agreement.AnswerRecord
	for _, p := range pairs {
		out = append(out, agreement.AnswerRecord{Unit: memberKey(itemID), Annotator: priorKey(p[0]), Answer: json.RawMessage(p[1])})
	}
	return out, nil
}

// projectPriorAnswers are every prior annotation of a project's regular items.
func projectPriorAnswers(tx *gorm.DB, projectID int64) ([]agreement.AnswerRecord, error) {
	var rows []struct {
		ItemID    int64
		Annotator string
		Answer    string
	}
	if err := tx.Raw(`SELECT pa.item_id, pa.annotator, pa.answer FROM prior_annotations pa JOIN items i ON i.id = pa.item_id
WHERE pa.project_id = ? AND i.status <> 'gold' ORDER BY pa.item_id, pa.id`, projectID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]agreement.AnswerRecord, len(rows))
	for i, r := range rows {
		out[i] = agreement.AnswerRecord{Unit: memberKey(r.ItemID), Annotator: priorKey(r.Annotator), Answer: json.RawMessage(r.Answer)}
	}
	return out, nil
}

// withTwoOrMore keeps the records of units that have at least two, sorted
// by unit then annotator (agreement needs pairs).
func withTwoOrMore(recs []agreement.AnswerRecord) []agreement.AnswerRecord {
	n := map[string]int{}
	for _, r := range recs {
		n[r.Unit]++
	}
	out := recs[:0:0]
	for _, r := range recs {
		if n[r.Unit] >= 2 {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Unit != out[j].Unit {
			return len(out[i].Unit) < len(out[j].Unit) || (len(out[i].Unit) == len(out[j].Unit) && out[i].Unit < out[j].Unit)
		}
		return out[i].Annotator < out[j].Annotator
	})
	return out
}

// snapshotPriors are the prior annotations of the projects' items with ids
// lo..hi, by item, as external annotations of a snapshot row: annotator
// "external:<key>", with their original completed_by, created_at, lead
// time and Label Studio id.
func snapshotPriors(tx *gorm.DB, lo, hi int64, projects []int64) (map[int64][]dataset.ExportAnnotation, error) {
	var rows []priorRow
	if err := tx.Where("item_id BETWEEN ? AND ? AND project_id IN ?", lo, hi, projects).Order("item_id, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64][]dataset.ExportAnnotation{}
	for _, r := range rows {
		a := dataset.ExportAnnotation{Annotator: dataset.ExportExternalPrefix + r.Annotator, Answer: json.RawMessage(r.Answer),
			LeadTimeMs: r.LeadTimeMs, Status: dataset.ExportStatusExternal, CreatedAt: r.CreatedAt, SourceID: r.SourceID}
		if r.CompletedBy != nil {
			a.CompletedBy = json.RawMessage(*r.CompletedBy)
		}
		out[r.ItemID] = append(out[r.ItemID], a)
	}
	return out, nil
}
