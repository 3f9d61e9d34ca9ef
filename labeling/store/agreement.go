package store

import (
	"context"
	"encoding/json"

	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/tasktype"
)

// ProjectAgreement computes agreement over the counted submissions and the
// prior annotations of the project's regular (non-gold) items that have at
// least two of them.
func (s *Quality) ProjectAgreement(ctx context.Context, projectID int64) (labeling.ProjectAgreement, error) {
	db := s.db.WithContext(ctx)
	p, err := loadProject(db, projectID, false)
	if err != nil {
		return labeling.ProjectAgreement{}, err
	}
	tt := tasktype.TaskType(p.TaskType)
	out := labeling.ProjectAgreement{ProjectID: projectID, TaskType: tt, Primary: agreement.PrimaryMetric(tt),
		Metrics: []agreement.MetricValue{}, PerLabel: []agreement.LabelAgreement{}, Pairwise: []labeling.PairCell{}}
	var rows []struct {
		ItemID   int64
		MemberID int64
		Answer   string
	}
	if err := db.Raw(`SELECT s.item_id, s.member_id, s.answer FROM submissions s JOIN items i ON i.id = s.item_id
WHERE s.project_id = ? AND s.counted = ? AND i.status <> 'gold'
ORDER BY s.item_id, s.member_id`, projectID, true).Scan(&rows).Error; err != nil {
		return out, err
	}
	recs := make([]agreement.AnswerRecord, 0, len(rows))
	for _, r := range rows {
		recs = append(recs, agreement.AnswerRecord{Unit: memberKey(r.ItemID), Annotator: memberKey(r.MemberID), Answer: json.RawMessage(r.Answer)})
	}
	// Prior annotations by external annotators count too (prior.go).
	prior, err := projectPriorAnswers(db, projectID)
	if err != nil {
		return out, err
	}
	recs = withTwoOrMore(append(recs, prior...))
	items := map[string]bool{}
	for _, r := range recs {
		items[r.Unit] = true
	}
	out.Items, out.Annotations = len(items), len(recs)
	if tt == tasktype.TaskRewrite || len(recs) == 0 {
		return out, nil
	}
	ratings, err := agreement.Ratings(tt, recs)
	if err != nil {
		return out, err
	}
	if out.Metrics, err = agreement.ProjectMetrics(tt, ratings); err != nil {
		return out, err
	}
	if out.PerLabel, err = agreement.PerLabelAgreement(tt, recs); err != nil {
		return out, err
	}
	pairs, err := agreement.PairwiseAgreement(ratings, out.Primary, agreement.Options{})
	if err != nil {
		return out, err
	}
	for _, pa := range pairs {
		c := labeling.PairCell{A: pa.A, B: pa.B, Units: pa.Result.Units, Reason: pa.Reason}
		if pa.Err == nil {
			v := pa.Result.Value
			c.Value = &v
		}
		out.Pairwise = append(out.Pairwise, c)
	}
	return out, nil
}
