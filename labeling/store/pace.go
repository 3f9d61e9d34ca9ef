package store

import (
	"context"
	"slices"

	"copyhold/labeling"
)

// ProjectPace is the median lead time of the project's last
// labeling.PaceSample submissions (those that timed themselves).
func (s *Projects) ProjectPace(ctx context.Context, projectID int64) (labeling.ProjectPace, error) {
	out := labeling.ProjectPace{ProjectID: projectID}
	db := s.db.WithContext(ctx)
	if _, err := loadProject(db, projectID, false); err != nil {
		return out, err
	}
	var ms []int64
	if err := db.Raw(`SELECT lead_time_ms FROM submissions WHERE project_id = ? AND lead_time_ms > 0
ORDER BY created_at DESC, id DESC LIMIT ?`, projectID, labeling.PaceSample).Scan(&ms).Error; err != nil {
		return out, err
	}
	out.Sample = len(ms)
	if len(ms) == 0 {
		return out, nil
	}
	slices.Sort(ms)
	m := ms[len(ms)/2]
	if len(ms)%2 == 0 {
		m = (ms[len(ms)/2-1] + ms[len(ms)/2]) / 2
	}
	out.MedianLeadTimeMs = &m
	return out, nil
}
