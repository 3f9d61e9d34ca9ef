package store

import "gorm.io/gorm"

// Reads of models and projects in the caller's transaction, for other
// stores: the equity register checks a project's model and lists a model's
// projects through these, never by SELECTing the tables itself.

// ProjectModel is the model a project belongs to; ok is false for an
// unknown project.
func ProjectModel(tx *gorm.DB, projectID int64) (modelID int64, ok bool, err error) {
	var ids []int64
	if err := tx.Raw("SELECT model_id FROM projects WHERE id = ?", projectID).Scan(&ids).Error; err != nil {
		return 0, false, err
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], true, nil
}

// ProjectModelSQL is ProjectModel as a scalar subquery over the SQL
// expression id, for the register's statements (NULL for an unknown project).
func ProjectModelSQL(id string) string {
	return "(SELECT p.model_id FROM projects p WHERE p.id = " + id + ")"
}

// ModelName is a model's name; ok is false for an unknown model.
func ModelName(tx *gorm.DB, modelID int64) (name string, ok bool, err error) {
	var names []string
	if err := tx.Raw("SELECT name FROM models WHERE id = ?", modelID).Scan(&names).Error; err != nil {
		return "", false, err
	}
	if len(names) == 0 {
		return "", false, nil
	}
	return names[0], true, nil
}

// ModelProjects are the ids of a model's projects, in id order.
func ModelProjects(tx *gorm.DB, modelID int64) ([]int64, error) {
	var ids []int64
	if err := tx.Raw("SELECT id FROM projects WHERE model_id = ? ORDER BY id", modelID).Scan(&ids).Error; err != nil {
		return nil, err
	}
	return ids, nil
}

// ProjectStatus is a project's status and model, and false when it does not exist.
func ProjectStatus(tx *gorm.DB, projectID int64) (status string, modelID int64, ok bool, err error) {
	var rows []struct {
		Status  string
		ModelID int64
	}
	if err := tx.Raw("SELECT status, model_id FROM projects WHERE id = ?", projectID).Scan(&rows).Error; err != nil || len(rows) == 0 {
		return "", 0, false, err
	}
	return rows[0].Status, rows[0].ModelID, true, nil
}

// ProjectStints is every project's daily stint (0: none), by project id.
func ProjectStints(tx *gorm.DB) (map[int64]int, error) {
	var rows []struct {
		ID    int64
		Stint int
	}
	if err := tx.Raw("SELECT id, stint FROM projects").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Stint
	}
	return out, nil
}

// ReleaseExists reports whether a model release exists.
func ReleaseExists(tx *gorm.DB, releaseID int64) (bool, error) {
	var n int64
	err := tx.Raw("SELECT COUNT(*) FROM releases WHERE id = ?", releaseID).Scan(&n).Error
	return n > 0, err
}
