package store

import (
	"context"
	"strings"
	"time"

	"copyhold/labeling/dataset"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/page"

	"gorm.io/gorm"
)

// Model releases: what a model version was trained on. A release names the
// snapshots by hash; registering it writes a release.created event to the
// coop scope with the release's hash and the register head it was recorded
// against, in the same transaction. (The equity hash chain takes only its
// own entry kinds — transactions, rate cards, governance — so a release
// anchors itself to the chain by the head it records instead of appending to it.)

type releaseRow struct {
	ID            int64 `gorm:"primaryKey"`
	ModelID       int64
	Version       string
	BaseModel     string
	TrainingNotes string
	Checkpoint    string
	Hash          string
	LedgerSeq     int64
	LedgerHead    string
	CreatedBy     *int64
	CreatedAt     time.Time
}

func (releaseRow) TableName() string { return "releases" }

func (r releaseRow) release() dataset.Release {
	return dataset.Release{ID: r.ID, ModelID: r.ModelID, Version: r.Version, BaseModel: r.BaseModel,
		TrainingNotes: r.TrainingNotes, Checkpoint: r.Checkpoint, Hash: r.Hash, LedgerSeq: r.LedgerSeq,
		LedgerHead: r.LedgerHead, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		SnapshotHashes: []string{}, SnapshotIDs: []int64{}}
}

// CreateRelease registers a release. Every snapshot hash must name a
// snapshot (of this model if one has that hash, else of any model). A retry
// with the same content returns the release with Replayed set; another
// release with the same version is release_exists.
func (s *Datasets) CreateRelease(ctx context.Context, actor *int64, req dataset.ReleaseRequest) (dataset.Release, error) {
	req, err := req.Check()
	if err != nil {
		return dataset.Release{}, err
	}
	var out dataset.Release
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		var model []string
		if err := tx.Raw("SELECT name FROM models WHERE id = ?", req.ModelID).Scan(&model).Error; err != nil {
			return err
		}
		if len(model) == 0 {
			return fault.ErrNotFound.With("model %d not found", req.ModelID)
		}
		snapIDs := make([]int64, 0, len(req.SnapshotHashes))
		var unknown []string
		for _, h := range req.SnapshotHashes {
			var ids []int64
			if err := tx.Raw(`SELECT id FROM snapshots WHERE hash = ? ORDER BY CASE WHEN model_id = ? THEN 0 ELSE 1 END, id LIMIT 1`,
				h, req.ModelID).Scan(&ids).Error; err != nil {
				return err
			}
			if len(ids) == 0 {
				unknown = append(unknown, h)
				continue
			}
			snapIDs = append(snapIDs, ids[0])
		}
		if len(unknown) > 0 {
			return dataset.ErrUnknownSnapshot.With("no snapshot has hash %s: create the snapshot first (the hash is in GET /api/snapshots)", strings.Join(unknown, ", "))
		}
		var existing []releaseRow
		if err := tx.Where("model_id = ? AND version = ?", req.ModelID, req.Version).Find(&existing).Error; err != nil {
			return err
		}
		if len(existing) > 0 {
			r, err := releaseWithSnapshots(tx, existing[0])
			if err != nil {
				return err
			}
			if sameRelease(r, req) {
				r.Replayed, r.ModelName = true, model[0]
				out = r
				return nil
			}
			return dataset.ErrReleaseExists.With("model %q already has release %q (id %d)", model[0], req.Version, r.ID)
		}
		head, err := s.register.Head(tx)
		if err != nil {
			return err
		}
		row := releaseRow{ModelID: req.ModelID, Version: req.Version, BaseModel: req.BaseModel, TrainingNotes: req.TrainingNotes,
			Checkpoint: req.Checkpoint, Hash: dataset.ReleaseHash(req, head.Seq, head.Hash),
			LedgerSeq: head.Seq, LedgerHead: head.Hash, CreatedBy: actor, CreatedAt: s.clock()}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		for _, id := range snapIDs {
			if err := tx.Exec("INSERT INTO release_snapshots (release_id, snapshot_id) VALUES (?, ?)", row.ID, id).Error; err != nil {
				return err
			}
		}
		out = row.release()
		out.ModelName, out.SnapshotHashes, out.SnapshotIDs = model[0], req.SnapshotHashes, snapIDs
		if err := s.ledger.Recorded(tx, "release", row.ID); err != nil {
			return err
		}
		return event.Append(tx, "release.created", event.CoopScope, actor, map[string]any{
			"release_id": row.ID, "model_id": row.ModelID, "version": row.Version, "base_model": row.BaseModel,
			"checkpoint": row.Checkpoint, "snapshot_hashes": req.SnapshotHashes, "snapshot_ids": snapIDs,
			"hash": row.Hash, "ledger_seq": row.LedgerSeq, "ledger_head": row.LedgerHead})
	})
	return out, err
}

func sameRelease(r dataset.Release, req dataset.ReleaseRequest) bool {
	if r.BaseModel != req.BaseModel || r.TrainingNotes != req.TrainingNotes || r.Checkpoint != req.Checkpoint ||
		len(r.SnapshotHashes) != len(req.SnapshotHashes) {
		return false
	}
	have := map[string]bool{}
	for _, h := range r.SnapshotHashes {
		have[h] = true
	}
	for _, h := range req.SnapshotHashes {
		if !have[h] {
			return false
		}
	}
	return true
}

func releaseWithSnapshots(tx *gorm.DB, row releaseRow) (dataset.Release, error) {
	r := row.release()
	var err error
	if r.EndpointID, err = releaseEndpoint(tx, row.ID); err != nil { // release_endpoint.go
		return r, err
	}
	var ss []struct {
		ID   int64
		Hash string
	}
	if err := tx.Raw(`SELECT s.id, s.hash FROM release_snapshots rs JOIN snapshots s ON s.id = rs.snapshot_id
        WHERE rs.release_id = ? ORDER BY s.id`, row.ID).Scan(&ss).Error; err != nil {
		return r, err
	}
	for _, s := range ss {
		r.SnapshotIDs = append(r.SnapshotIDs, s.ID)
		r.SnapshotHashes = append(r.SnapshotHashes, s.Hash)
	}
	return r, nil
}

// ModelRelease loads one release.
func (s *Datasets) ModelRelease(ctx context.Context, id int64) (dataset.Release, error) {
	db := s.db.WithContext(ctx)
	var rows []releaseRow
	if err := db.Where("id = ?", id).Find(&rows).Error; err != nil {
		return dataset.Release{}, err
	}
	if len(rows) == 0 {
		return dataset.Release{}, dataset.ErrReleaseNotFound.With("release %d not found", id)
	}
	return releaseWithSnapshots(db, rows[0])
}

// Releases lists a page of a model's releases (0: every model), oldest first.
func (s *Datasets) Releases(ctx context.Context, modelID int64, p page.Page) ([]dataset.Release, error) {
	return modelReleases(s.db.WithContext(ctx), modelID, p)
}

// ModelReleases is every release of Releases in the caller's transaction:
// the register lists a model's releases through it.
func ModelReleases(tx *gorm.DB, modelID int64) ([]dataset.Release, error) {
	return modelReleases(tx, modelID, page.All)
}

func modelReleases(tx *gorm.DB, modelID int64, p page.Page) ([]dataset.Release, error) {
	q := tx
	if modelID > 0 {
		q = q.Where("model_id = ?", modelID)
	}
	var rows []releaseRow
	if err := pageByID(q, "id", false, p).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]dataset.Release, 0, len(rows))
	for _, row := range rows {
		r, err := releaseWithSnapshots(tx, row)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// MyReleases lists a page of the releases whose snapshots hold the
// member's accepted annotations, newest first, with how many of them.
func (s *Datasets) MyReleases(ctx context.Context, memberID int64, p page.Page) ([]dataset.Release, error) {
	db := s.db.WithContext(ctx)
	var rows []struct {
		ID            int64
		ModelName     string
		MyAnnotations int64
	}
	where, tail, args := keysetByID("r.id", true, p)
	if where != "" {
		where = " WHERE " + where
	}
	if err := db.Raw(`SELECT r.id, m.name AS model_name, x.n AS my_annotations
FROM releases r
JOIN models m ON m.id = r.model_id
JOIN (SELECT rs.release_id, SUM(sm.annotations) AS n
      FROM release_snapshots rs JOIN snapshot_members sm ON sm.snapshot_id = rs.snapshot_id
      WHERE sm.member_id = ? GROUP BY rs.release_id) x ON x.release_id = r.id`+where+tail, append([]any{memberID}, args...)...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]dataset.Release, 0, len(rows))
	for _, row := range rows {
		r, err := s.ModelRelease(ctx, row.ID)
		if err != nil {
			return nil, err
		}
		r.ModelName, r.MyAnnotations = row.ModelName, row.MyAnnotations
		out = append(out, r)
	}
	return out, nil
}
