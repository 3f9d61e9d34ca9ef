package store

import (
	"context"
)

// LeaseHolders lists the members holding a live lease in the project now:
// the database half of "who is working here" (the websocket hub adds who is
// connected).
func (s *Leases) LeaseHolders(ctx context.Context, projectID int64) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT member_id FROM assignments
WHERE project_id = ? AND state = 'leased' AND lease_expires_at > ? ORDER BY member_id`, projectID, s.clock()).Scan(&ids).Error
	return ids, err
}
