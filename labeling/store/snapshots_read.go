package store

import (
	"context"
	"encoding/json"
	"time"

	"copyhold/labeling/dataset"
	"copyhold/labeling/page"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// Reading snapshots: the frozen rows, projects and contributors as
// CreateSnapshot (snapshots.go) sealed them.

// Snapshot loads one snapshot with its projects.
func (s *Datasets) Snapshot(ctx context.Context, id int64) (dataset.Snapshot, error) {
	return loadSnapshot(s.db.WithContext(ctx), id)
}

type snapshotView struct {
	ID           int64
	ModelID      int64
	Mode         string
	TaskType     string
	Hash         string
	Items        int64
	Annotations  int64
	Contributors int
	LedgerSeq    int64
	LedgerHead   string
	RateCards    string
	Provenance   string
	Salt         string
	CreatedBy    *int64
	CreatedAt    time.Time
}

func (v snapshotView) snapshot() dataset.Snapshot {
	out := dataset.Snapshot{ID: v.ID, ModelID: v.ModelID, Mode: dataset.SnapshotMode(v.Mode), TaskType: tasktype.TaskType(v.TaskType),
		Hash: v.Hash, Items: v.Items, Annotations: v.Annotations, Contributors: v.Contributors, LedgerSeq: v.LedgerSeq,
		LedgerHead: v.LedgerHead, RateCards: json.RawMessage(v.RateCards), CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt.UTC(),
		Projects: []dataset.SnapshotProject{}}
	json.Unmarshal([]byte(v.Provenance), &out.Provenance)
	return out
}

const snapshotCols = `id, model_id, mode, task_type, hash, items, annotations, contributors, ledger_seq, ledger_head,
    rate_cards, provenance, salt, created_by, created_at`

func loadSnapshot(db *gorm.DB, id int64) (dataset.Snapshot, error) {
	var vs []snapshotView
	if err := db.Raw("SELECT "+snapshotCols+" FROM snapshots WHERE id = ? AND hash <> ''", id).Scan(&vs).Error; err != nil {
		return dataset.Snapshot{}, err
	}
	if len(vs) == 0 {
		return dataset.Snapshot{}, dataset.ErrSnapshotNotFound.With("snapshot %d not found", id)
	}
	snap := vs[0].snapshot()
	var ps []struct {
		ProjectID int64
		Name      string
		TaskType  string
		Schema    string
		LSConfig  string `gorm:"column:ls_config"`
	}
	if err := db.Raw("SELECT project_id, name, task_type, schema, ls_config FROM snapshot_projects WHERE snapshot_id = ? ORDER BY project_id", id).Scan(&ps).Error; err != nil {
		return dataset.Snapshot{}, err
	}
	for _, p := range ps {
		snap.Projects = append(snap.Projects, dataset.SnapshotProject{ProjectID: p.ProjectID, Name: p.Name,
			TaskType: tasktype.TaskType(p.TaskType), Schema: json.RawMessage(p.Schema), LSConfig: p.LSConfig})
	}
	return snap, nil
}

// Snapshots lists a page of a model's snapshots (0: every model), newest first.
func (s *Datasets) Snapshots(ctx context.Context, modelID int64, p page.Page) ([]dataset.Snapshot, error) {
	db := s.db.WithContext(ctx)
	q := "SELECT " + snapshotCols + " FROM snapshots WHERE hash <> ''"
	var args []any
	if modelID > 0 {
		q += " AND model_id = ?"
		args = append(args, modelID)
	}
	cond, tail, pargs := keysetByID("id", true, p)
	if cond != "" {
		q += " AND " + cond
	}
	var vs []snapshotView
	if err := db.Raw(q+tail, append(args, pargs...)...).Scan(&vs).Error; err != nil {
		return nil, err
	}
	out := make([]dataset.Snapshot, 0, len(vs))
	ids := make([]int64, len(vs))
	for i, v := range vs {
		out = append(out, v.snapshot())
		ids[i] = v.ID
	}
	if len(ids) > 0 {
		var ps []struct {
			SnapshotID int64
			ProjectID  int64
			Name       string
			TaskType   string
			Schema     string
			LSConfig   string `gorm:"column:ls_config"`
		}
		// The schema too, as Snapshot gives it: a project without one would be null, which no list promises.
		if err := db.Raw("SELECT snapshot_id, project_id, name, task_type, schema, ls_config FROM snapshot_projects WHERE snapshot_id IN ? ORDER BY project_id", ids).Scan(&ps).Error; err != nil {
			return nil, err
		}
		for _, p := range ps {
			for i := range out {
				if out[i].ID == p.SnapshotID {
					out[i].Projects = append(out[i].Projects, dataset.SnapshotProject{ProjectID: p.ProjectID, Name: p.Name,
						TaskType: tasktype.TaskType(p.TaskType), Schema: json.RawMessage(p.Schema), LSConfig: p.LSConfig})
				}
			}
		}
	}
	return out, nil
}

// SnapshotContributors are the snapshot's members under their frozen names.
func (s *Datasets) SnapshotContributors(ctx context.Context, id int64) ([]dataset.ExportContributor, error) {
	var rows []struct {
		Name        string
		Named       bool
		Annotations int64
		Units       int64
	}
	if err := s.db.WithContext(ctx).Raw("SELECT name, named, annotations, units FROM snapshot_members WHERE snapshot_id = ? ORDER BY annotations DESC, name", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]dataset.ExportContributor, len(rows))
	for i, r := range rows {
		out[i] = dataset.ExportContributor{Name: r.Name, Named: r.Named, Annotations: r.Annotations, Units: s.register.Units(r.Units)}
	}
	return out, nil
}

// ---- exporting ----

// SnapshotRows decodes a snapshot's frozen rows in item order (tests, and
// re-hashing with labeling.SnapshotHasher).
func (s *Datasets) SnapshotRows(ctx context.Context, id int64) ([]dataset.ExportRow, error) {
	var rs []struct {
		ProjectID int64
		Body      string
		Schema    string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT r.project_id, r.body, p.schema FROM snapshot_rows r
        JOIN snapshot_projects p ON p.snapshot_id = r.snapshot_id AND p.project_id = r.project_id
        WHERE r.snapshot_id = ? ORDER BY r.item_id`, id).Scan(&rs).Error; err != nil {
		return nil, err
	}
	out := make([]dataset.ExportRow, len(rs))
	for i, r := range rs {
		row, err := decodeSnapshotRow([]byte(r.Body))
		if err != nil {
			return nil, err
		}
		row.Schema = json.RawMessage(r.Schema)
		out[i] = row
	}
	return out, nil
}
