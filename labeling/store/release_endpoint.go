package store

import (
	"context"

	"copyhold/labeling/dataset"
	"copyhold/labeling/event"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// ReleaseEndpointSet is the event when a release's serving endpoint changes
// (on the coordinators' channel, with the model endpoints' events).
const ReleaseEndpointSet = "release.endpoint_set"

// SetReleaseEndpoint names the model endpoint that serves a release (nil:
// none). Releases are append-only: the name is a row of release_endpoints.
// The caller has checked that the endpoint exists; the foreign key refuses
// one deleted meanwhile.
func (s *Datasets) SetReleaseEndpoint(ctx context.Context, actor int64, releaseID int64, endpointID *int64) (dataset.Release, error) {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT COUNT(*) FROM releases WHERE id = ?`, releaseID).Scan(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return dataset.ErrReleaseNotFound.With("release %d not found", releaseID)
		}
		if err := tx.Exec(`DELETE FROM release_endpoints WHERE release_id = ?`, releaseID).Error; err != nil {
			return err
		}
		if endpointID != nil {
			if err := tx.Exec(`INSERT INTO release_endpoints (release_id, endpoint_id, set_by, set_at) VALUES (?, ?, ?, ?)`,
				releaseID, *endpointID, actor, sqldb.Now(tx)).Error; err != nil {
				return err
			}
		}
		return event.Append(tx, ReleaseEndpointSet, event.CoordinatorScope, &actor,
			map[string]any{"release_id": releaseID, "endpoint_id": endpointID})
	})
	if err != nil {
		return dataset.Release{}, err
	}
	return s.ModelRelease(ctx, releaseID)
}

// releaseEndpoint is the endpoint a release names (nil: none).
func releaseEndpoint(tx *gorm.DB, releaseID int64) (*int64, error) {
	var ids []int64
	if err := tx.Raw(`SELECT endpoint_id FROM release_endpoints WHERE release_id = ?`, releaseID).Scan(&ids).Error; err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return &ids[0], nil
}
