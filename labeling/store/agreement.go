package store

import (
	"context"
	"encoding/json"

	"copyhold/labeling"
)

// PairCell is one cell of the labeller-by-labeller agreement heatmap.
type PairCell struct {
	A      string   `json:"a"` // member id
	B      string   `json:"b"`
	Value  *float64 `json:"value"`
	Units  int      `json:"units"`
	Reason string   `json:"reason,omitempty"`
}

// ProjectAgreement is agreement over a project's scored answers: every
// metric of MetricsFor, the breakdown per label or criterion, and the
// primary metric for every pair of labellers.
type ProjectAgreement struct {
	ProjectID   int64                     `json:"project_id"`
	TaskType    labeling.TaskType         `json:"task_type"`
	Primary     string                    `json:"primary_metric"`
	Items       int                       `json:"items"`
	Annotations int                       `json:"annotations"`
	Metrics     []labeling.MetricValue    `json:"metrics"`
	PerLabel    []labeling.LabelAgreement `json:"per_label"`
	Pairwise    []PairCell                `json:"pairwise"`
}

// ProjectAgreement computes agreement over the counted submissions of the
// project's regular (non-gold) items that have at least two of them.
func (s *Quality) ProjectAgreement(ctx context.Context, projectID int64) (ProjectAgreement, error) {
	db := s.db.WithContext(ctx)
	p, err := loadProject(db, projectID, false)
	if err != nil {
		return ProjectAgreement{}, err
	}
	tt := labeling.TaskType(p.TaskType)
	out := ProjectAgreement{ProjectID: projectID, TaskType: tt, Primary: labeling.PrimaryMetric(tt),
		Metrics: []labeling.MetricValue{}, PerLabel: []labeling.LabelAgreement{}, Pairwise: []PairCell{}}
	var rows []struct {
		ItemID   int64
		MemberID int64
		Answer   string
	}
	if err := db.Raw(`SELECT s.item_id, s.member_id, s.answer FROM submissions s JOIN items i ON i.id = s.item_id
WHERE s.project_id = ? AND s.counted = ? AND i.status <> 'gold'
  AND (SELECT COUNT(*) FROM submissions o WHERE o.item_id = s.item_id AND o.counted = ?) >= 2
ORDER BY s.item_id, s.member_id`, projectID, true, true).Scan(&rows).Error; err != nil {
		return out, err
	}
	recs := make([]labeling.AnswerRecord, len(rows))
	items := map[int64]bool{}
	for i, r := range rows {
		recs[i] = labeling.AnswerRecord{Unit: memberKey(r.ItemID), Annotator: memberKey(r.MemberID), Answer: json.RawMessage(r.Answer)}
		items[r.ItemID] = true
	}
	out.Items, out.Annotations = len(items), len(rows)
	if tt == labeling.TaskRewrite || len(recs) == 0 {
		return out, nil
	}
	ratings, err := labeling.Ratings(tt, recs)
	if err != nil {
		return out, err
	}
	if out.Metrics, err = labeling.ProjectMetrics(tt, ratings); err != nil {
		return out, err
	}
	if out.PerLabel, err = labeling.PerLabelAgreement(tt, recs); err != nil {
		return out, err
	}
	pairs, err := labeling.PairwiseAgreement(ratings, out.Primary, labeling.AgreementOptions{})
	if err != nil {
		return out, err
	}
	for _, pa := range pairs {
		c := PairCell{A: pa.A, B: pa.B, Units: pa.Result.Units, Reason: pa.Reason}
		if pa.Err == nil {
			v := pa.Result.Value
			c.Value = &v
		}
		out.Pairwise = append(out.Pairwise, c)
	}
	return out, nil
}
