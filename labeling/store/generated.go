package store

// Items made by generation jobs (labeling/gen): written inside the job store's transaction, so an
// item and the completion of its last candidate commit together.

import (
	"encoding/json"

	"copyhold/labeling"
	"copyhold/labeling/sqldb"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// BuildGenerated makes an item's data and provenance for a project of task type tt and schema.
type BuildGenerated func(tt tasktype.TaskType, schema json.RawMessage) (data, generation json.RawMessage, err error)

// WriteGenerated adds one generated item, made by build, to a project inside tx (another store's
// transaction) with its provenance (items.generation). It reports the item's id and false when the
// project already had the same data (items are unique on content), in which case nothing is written.
func (s *Projects) WriteGenerated(tx *gorm.DB, projectID int64, build BuildGenerated) (int64, bool, error) {
	p, err := loadProject(tx, projectID, true) // serialises with imports into the project
	if err != nil {
		return 0, false, err
	}
	if p.Status == string(labeling.ProjectClosed) {
		return 0, false, labeling.ErrProjectClosed
	}
	data, generation, err := build(tasktype.TaskType(p.TaskType), json.RawMessage(p.Schema))
	if err != nil {
		return 0, false, err
	}
	schema, err := tasktype.ParseSchema(tasktype.TaskType(p.TaskType), json.RawMessage(p.Schema))
	if err != nil {
		return 0, false, err
	}
	if _, err := schema.ItemData(data); err != nil {
		return 0, false, err
	}
	hash, err := labeling.ContentHash(data)
	if err != nil {
		return 0, false, err
	}
	now := sqldb.Now(tx)
	seq := p.NextSeq
	var ids []int64
	if err := tx.Raw(`INSERT INTO items (project_id, seq, external_id, data, content_hash, priority, order_key, status, created_at, generation)
VALUES (?, ?, '', ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (project_id, content_hash) DO NOTHING RETURNING id`,
		projectID, seq, string(data), hash, labeling.OrderKey(labeling.Ordering(p.Ordering), p.RandomSeed, seq, hash),
		string(labeling.ItemOpen), now, string(generation)).Scan(&ids).Error; err != nil {
		return 0, false, err
	}
	if len(ids) == 0 {
		var existing int64
		err := tx.Raw(`SELECT id FROM items WHERE project_id = ? AND content_hash = ?`, projectID, hash).Scan(&existing).Error
		return existing, false, err
	}
	if err := tx.Exec(`UPDATE projects SET next_seq = ? WHERE id = ?`, seq+1, projectID).Error; err != nil {
		return 0, false, err
	}
	return ids[0], true, nil
}

// Generation returns the provenance of a generated item (nil when the item was not generated).
func (s *Projects) Generation(tx *gorm.DB, itemID int64) (json.RawMessage, error) {
	var g []*string
	if err := tx.Raw(`SELECT generation FROM items WHERE id = ?`, itemID).Scan(&g).Error; err != nil || len(g) == 0 || g[0] == nil {
		return nil, err
	}
	return json.RawMessage(*g[0]), nil
}
