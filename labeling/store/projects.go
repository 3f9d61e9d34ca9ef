package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/importer"
	"copyhold/labeling/member"
	"copyhold/labeling/page"
	"copyhold/labeling/sqldb"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

type modelRow struct {
	ID          int64 `gorm:"primaryKey"`
	Name        string
	BaseModel   string
	Description string
	CreatedBy   *int64
	CreatedAt   time.Time
}

func (modelRow) TableName() string { return "models" }

func (r modelRow) model() labeling.Model {
	return labeling.Model{ID: r.ID, Name: r.Name, BaseModel: r.BaseModel, Description: r.Description,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

type projectRow struct {
	ID           int64 `gorm:"primaryKey"`
	ModelID      int64
	Name         string
	TaskType     string
	Schema       string
	Instructions string
	Overlap      int
	LeaseSeconds int
	Ordering     string
	RandomSeed   int64
	GoldRateBP   int `gorm:"column:gold_rate_bp"`
	Stint        int
	// SensitiveBreakAfter: the project's run length before a forced break (0: the co-op's).
	SensitiveBreakAfter int
	SuggestionPolicy    string
	SuggestionControlBP int `gorm:"column:suggestion_control_bp"`
	OrderByUsefulness   bool
	Status              string
	NextSeq             int64
	CreatedBy           *int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
	LSConfig            string `gorm:"column:ls_config"`
}

func (projectRow) TableName() string { return "projects" }

func (r projectRow) project() labeling.Project {
	return labeling.Project{ID: r.ID, ModelID: r.ModelID, Name: r.Name, TaskType: tasktype.TaskType(r.TaskType),
		Schema: json.RawMessage(r.Schema), Instructions: r.Instructions, Overlap: r.Overlap,
		LeaseSeconds: r.LeaseSeconds, Ordering: labeling.Ordering(r.Ordering), RandomSeed: r.RandomSeed,
		GoldRateBP: r.GoldRateBP, Stint: r.Stint, SensitiveBreakAfter: r.SensitiveBreakAfter, Status: labeling.ProjectStatus(r.Status),
		SuggestionPolicy: labeling.SuggestionPolicy(r.SuggestionPolicy), SuggestionControlBP: r.SuggestionControlBP, OrderByUsefulness: r.OrderByUsefulness,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, LSConfig: r.LSConfig}
}

func (r projectRow) lease() time.Duration { return time.Duration(r.LeaseSeconds) * time.Second }

type projectMemberRow struct {
	ProjectID int64 `gorm:"primaryKey"`
	MemberID  int64 `gorm:"primaryKey"`
	AddedAt   time.Time
}

func (projectMemberRow) TableName() string { return "project_members" }

// clock is the store's time in UTC at microsecond precision, which both
// databases store exactly, so values read back compare equal.

// ---- models ----

// CreateModel adds a model; names are unique in the co-op.
func (s *Projects) CreateModel(ctx context.Context, actor *int64, m labeling.Model) (labeling.Model, error) {
	m, err := labeling.CheckModel(m)
	if err != nil {
		return labeling.Model{}, err
	}
	var out labeling.Model
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&modelRow{}).Where("name = ?", m.Name).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return labeling.ErrModelNameTaken.With("a model named %q exists", m.Name)
		}
		row := modelRow{Name: m.Name, BaseModel: m.BaseModel, Description: m.Description, CreatedBy: actor, CreatedAt: s.clock()}
		if err := tx.Create(&row).Error; err != nil {
			if sqldb.IsUniqueViolation(err) {
				return labeling.ErrModelNameTaken.With("a model named %q exists", m.Name)
			}
			return err
		}
		out = row.model()
		return event.Append(tx, "model.created", event.CoopScope, actor, map[string]any{"model_id": row.ID, "name": row.Name})
	})
	return out, err
}

// Model loads one model.
func (s *Projects) Model(ctx context.Context, id int64) (labeling.Model, error) {
	var row modelRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return labeling.Model{}, fault.ErrNotFound.With("model %d not found", id)
	}
	return row.model(), err
}

// Models lists a page of models by name (then id: a page's key is both).
func (s *Projects) Models(ctx context.Context, p page.Page) ([]labeling.Model, error) {
	var rows []modelRow
	q := s.db.WithContext(ctx)
	if p.After != nil {
		q = q.Where("(name > ? OR (name = ? AND id > ?))", p.After.Text, p.After.Text, p.After.ID)
	}
	if p.Limit > 0 {
		q = q.Limit(p.Limit)
	}
	if err := q.Order("name").Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]labeling.Model, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// ---- projects ----

// CreateProject adds a project in draft. With addAllMembers, every active
// labeller and reviewer becomes a project member.
func (s *Projects) CreateProject(ctx context.Context, actor *int64, settings labeling.ProjectSettings, addAllMembers bool) (labeling.Project, error) {
	ps, err := settings.Normalize()
	if err != nil {
		return labeling.Project{}, err
	}
	var out labeling.Project
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&modelRow{}).Where("id = ?", ps.ModelID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return fault.ErrNotFound.With("model %d not found", ps.ModelID)
		}
		if err := tx.Model(&projectRow{}).Where("model_id = ? AND name = ?", ps.ModelID, ps.Name).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return labeling.ErrProjectNameTaken.With("the model already has a project named %q", ps.Name)
		}
		now := s.clock()
		row := projectRow{ModelID: ps.ModelID, Name: ps.Name, TaskType: string(ps.TaskType), Schema: string(ps.Schema),
			Instructions: ps.Instructions, Overlap: ps.Overlap, LeaseSeconds: ps.LeaseSeconds, Ordering: string(ps.Ordering),
			RandomSeed: ps.RandomSeed, GoldRateBP: ps.GoldRateBP, Stint: ps.Stint, SensitiveBreakAfter: ps.SensitiveBreakAfter,
			SuggestionPolicy: string(ps.SuggestionPolicy), SuggestionControlBP: *ps.SuggestionControlBP, OrderByUsefulness: ps.OrderByUsefulness,
			Status:  string(labeling.ProjectDraft),
			NextSeq: 1, CreatedBy: actor, CreatedAt: now, UpdatedAt: now, LSConfig: ps.LSConfig}
		if err := tx.Create(&row).Error; err != nil {
			if sqldb.IsUniqueViolation(err) {
				return labeling.ErrProjectNameTaken.With("the model already has a project named %q", ps.Name)
			}
			return err
		}
		added := 0
		if addAllMembers {
			var ids []int64
			if err := tx.Raw(`SELECT DISTINCT m.id FROM members m JOIN member_roles r ON r.member_id = m.id
WHERE m.active = ? AND r.role IN ('labeller', 'reviewer') ORDER BY m.id`, true).Scan(&ids).Error; err != nil {
				return err
			}
			rows := make([]projectMemberRow, len(ids))
			for i, id := range ids {
				rows[i] = projectMemberRow{ProjectID: row.ID, MemberID: id, AddedAt: now}
			}
			if len(rows) > 0 {
				if err := tx.CreateInBatches(rows, 500).Error; err != nil {
					return err
				}
			}
			added = len(rows)
		}
		out = row.project()
		if err := event.Append(tx, "project.created", event.ProjectScope(row.ID), actor,
			map[string]any{"project_id": row.ID, "model_id": row.ModelID, "members_added": added}); err != nil {
			return err
		}
		return s.ledger.ProjectCreated(tx, out, actor)
	})
	return out, err
}

func loadProject(tx *gorm.DB, id int64, lock bool) (projectRow, error) {
	var rows []projectRow
	q := "SELECT * FROM projects WHERE id = ?"
	if lock {
		q += forUpdate(tx)
	}
	if err := tx.Raw(q, id).Scan(&rows).Error; err != nil {
		return projectRow{}, err
	}
	if len(rows) == 0 {
		return projectRow{}, fault.ErrNotFound.With("project %d not found", id)
	}
	return rows[0], nil
}

// Project loads one project.
func (s *Projects) Project(ctx context.Context, id int64) (labeling.Project, error) {
	row, err := loadProject(s.db.WithContext(ctx), id, false)
	if err != nil {
		return labeling.Project{}, err
	}
	return row.project(), nil
}

// LSConfig is a project's Label Studio labelling config: the one it was
// made from while it still fits the task type and schema (stored is true),
// else the one generated from the schema.
func (s *Projects) LSConfig(ctx context.Context, id int64) (config string, stored bool, err error) {
	row, err := loadProject(s.db.WithContext(ctx), id, false)
	if err != nil {
		return "", false, err
	}
	x, _, err := importer.ProjectLSConfig(row.LSConfig, tasktype.TaskType(row.TaskType), json.RawMessage(row.Schema))
	return x, err == nil && row.LSConfig != "" && x == row.LSConfig, err
}

// Projects lists a page (f.Page) of projects, newest first.
func (s *Projects) Projects(ctx context.Context, f labeling.ProjectFilter) ([]labeling.Project, error) {
	q := s.db.WithContext(ctx).Model(&projectRow{})
	if f.ModelID != 0 {
		q = q.Where("model_id = ?", f.ModelID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.MemberID != 0 {
		q = q.Where("id IN (SELECT project_id FROM project_members WHERE member_id = ?)", f.MemberID)
	}
	var rows []projectRow
	if err := pageByID(q, "id", true, f.Page).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]labeling.Project, len(rows))
	for i, r := range rows {
		out[i] = r.project()
	}
	return out, nil
}

// UpdateProject changes settings. A closed project cannot change; task type
// and schema only while draft; overlap may only grow after draft. Growing
// overlap reopens complete items; a new ordering or seed re-keys every item.
func (s *Projects) UpdateProject(ctx context.Context, actor *int64, id int64, patch labeling.ProjectPatch) (labeling.Project, error) {
	var out labeling.Project
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := loadProject(tx, id, true)
		if err != nil {
			return err
		}
		if row.Status == string(labeling.ProjectClosed) {
			return labeling.ErrProjectClosed
		}
		old := row.project()
		next, err := patch.Apply(old.Settings()).Normalize()
		if err != nil {
			return err
		}
		draft := row.Status == string(labeling.ProjectDraft)
		if next.TaskType != old.TaskType || (patch.Schema != nil && !sameSchema(old, next.Schema)) {
			if !draft {
				return labeling.ErrProjectLocked.With("task type and schema can change only while the project is a draft")
			}
		}
		if next.Overlap < old.Overlap && !draft {
			return labeling.ErrProjectLocked.With("overlap can only grow once the project has opened")
		}
		if next.Name != old.Name {
			var n int64
			if err := tx.Model(&projectRow{}).Where("model_id = ? AND name = ? AND id <> ?", row.ModelID, next.Name, id).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return labeling.ErrProjectNameTaken.With("the model already has a project named %q", next.Name)
			}
		}
		now := s.clock()
		upd := map[string]any{"name": next.Name, "task_type": string(next.TaskType), "schema": string(next.Schema),
			"instructions": next.Instructions, "overlap": next.Overlap, "lease_seconds": next.LeaseSeconds,
			"ordering": string(next.Ordering), "random_seed": next.RandomSeed, "gold_rate_bp": next.GoldRateBP,
			"stint": next.Stint, "sensitive_break_after": next.SensitiveBreakAfter, "suggestion_policy": string(next.SuggestionPolicy),
			"suggestion_control_bp": *next.SuggestionControlBP, "order_by_usefulness": next.OrderByUsefulness, "updated_at": now}
		if err := tx.Model(&projectRow{}).Where("id = ?", id).Updates(upd).Error; err != nil {
			return err
		}
		if next.Overlap != old.Overlap {
			// Keep status in step with the new k: items are complete exactly when done >= k.
			if err := tx.Exec(`UPDATE items SET status = 'open' WHERE project_id = ? AND status = 'complete' AND done < ?`, id, next.Overlap).Error; err != nil {
				return err
			}
			if err := tx.Exec(`UPDATE items SET status = 'complete' WHERE project_id = ? AND status = 'open' AND done >= ?`, id, next.Overlap).Error; err != nil {
				return err
			}
		}
		if next.Ordering != old.Ordering || (next.Ordering == labeling.OrderRandom && next.RandomSeed != old.RandomSeed) {
			if err := rekeyItems(tx, id, next.Ordering, next.RandomSeed); err != nil {
				return err
			}
		}
		updated, err := loadProject(tx, id, false)
		if err != nil {
			return err
		}
		out = updated.project()
		return event.Append(tx, "project.updated", event.ProjectScope(id), actor, map[string]any{"project_id": id})
	})
	return out, err
}

func sameSchema(old labeling.Project, next json.RawMessage) bool {
	// The stored schema may be re-encoded by the database (JSONB); compare
	// the normalised forms.
	a, err := tasktype.ValidateSchema(old.TaskType, old.Schema)
	return err == nil && bytes.Equal(a, next)
}

// rekeyItems recomputes order_key after the ordering or seed changed.
func rekeyItems(tx *gorm.DB, projectID int64, o labeling.Ordering, seed int64) error {
	type keyRow struct {
		ID          int64
		Seq         int64
		ContentHash string
	}
	var last int64
	for {
		var rows []keyRow
		if err := tx.Raw(`SELECT id, seq, content_hash FROM items WHERE project_id = ? AND id > ? ORDER BY id LIMIT 1000`,
			projectID, last).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		for _, r := range rows {
			key := labeling.OrderKey(o, seed, r.Seq, r.ContentHash)
			if err := tx.Exec(`UPDATE items SET order_key = ? WHERE id = ?`, key, r.ID).Error; err != nil {
				return err
			}
		}
		last = rows[len(rows)-1].ID
	}
}

// SetProjectStatus moves a project: draft→open, open↔paused,
// open/paused→closed. Closed is final.
func (s *Projects) SetProjectStatus(ctx context.Context, actor *int64, id int64, to labeling.ProjectStatus) (labeling.Project, error) {
	if _, err := labeling.ParseProjectStatus(string(to)); err != nil {
		return labeling.Project{}, err
	}
	var out labeling.Project
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := loadProject(tx, id, true)
		if err != nil {
			return err
		}
		from := labeling.ProjectStatus(row.Status)
		if from == labeling.ProjectClosed {
			return labeling.ErrProjectClosed
		}
		if !from.CanMoveTo(to) {
			return labeling.ErrBadTransition.With("a %s project cannot become %s", from, to)
		}
		now := s.clock()
		if err := tx.Exec(`UPDATE projects SET status = ?, updated_at = ? WHERE id = ?`, string(to), now, id).Error; err != nil {
			return err
		}
		row.Status, row.UpdatedAt = string(to), now
		out = row.project()
		return event.Append(tx, "project.status_changed", event.ProjectScope(id), actor,
			map[string]any{"project_id": id, "from": from, "to": to})
	})
	return out, err
}

// ---- project members ----

// AddProjectMember lets an active member claim tasks in the project. Adding
// a member twice is a no-op.
func (s *Projects) AddProjectMember(ctx context.Context, actor *int64, projectID, memberID int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := loadProject(tx, projectID, false); err != nil {
			return err
		}
		var active []bool
		if err := tx.Raw(`SELECT active FROM members WHERE id = ?`, memberID).Scan(&active).Error; err != nil {
			return err
		}
		if len(active) == 0 {
			return fault.ErrNotFound.With("member %d not found", memberID)
		}
		if !active[0] {
			return member.ErrMemberInactive
		}
		res := tx.Exec(`INSERT INTO project_members (project_id, member_id, added_at) VALUES (?, ?, ?)
ON CONFLICT (project_id, member_id) DO NOTHING`, projectID, memberID, s.clock())
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return event.Append(tx, "project.member_added", event.ProjectScope(projectID), actor,
			map[string]any{"project_id": projectID, "member_id": memberID})
	})
}

// RemoveProjectMember stops a member from working in the project: they can
// no longer claim, and heartbeats and submits on leases they hold are
// refused (not_project_member); the leases lapse and others take them over.
func (s *Projects) RemoveProjectMember(ctx context.Context, actor *int64, projectID, memberID int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`DELETE FROM project_members WHERE project_id = ? AND member_id = ?`, projectID, memberID)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return event.Append(tx, "project.member_removed", event.ProjectScope(projectID), actor,
			map[string]any{"project_id": projectID, "member_id": memberID})
	})
}

// IsProjectMember reports whether the member may claim in the project.
func (s *Projects) IsProjectMember(ctx context.Context, projectID, memberID int64) (bool, error) {
	return isProjectMember(s.db.WithContext(ctx), projectID, memberID)
}

// InProject reports, in tx, whether the member belongs to the project (a
// submit checks it on a lease taken before a removal).
func (s *Projects) InProject(tx Tx, projectID, memberID int64) (bool, error) {
	return isProjectMember(tx.db, projectID, memberID)
}

func isProjectMember(tx *gorm.DB, projectID, memberID int64) (bool, error) {
	var n int64
	err := tx.Model(&projectMemberRow{}).Where("project_id = ? AND member_id = ?", projectID, memberID).Count(&n).Error
	return n > 0, err
}

// ProjectMemberIDs lists a page of the project's members, by member id.
func (s *Projects) ProjectMemberIDs(ctx context.Context, projectID int64, p page.Page) ([]int64, error) {
	var ids []int64
	q := s.db.WithContext(ctx).Model(&projectMemberRow{}).Where("project_id = ?", projectID)
	err := pageByID(q, "member_id", false, p).Pluck("member_id", &ids).Error
	return ids, err
}

// ---- progress ----

// ProjectProgress counts items, slots and today's submissions per member.
func (s *Projects) ProjectProgress(ctx context.Context, projectID int64) (labeling.ProjectProgress, error) {
	var out labeling.ProjectProgress
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := loadProject(tx, projectID, false)
		if err != nil {
			return err
		}
		now := s.clock()
		var c struct {
			Items, GoldItems, CompleteItems, SlotsDone, NonGold int64
		}
		// done can exceed k only for gold items, which have no slots.
		if err := tx.Raw(`SELECT COUNT(*) AS items,
    COALESCE(SUM(CASE WHEN status = 'gold' THEN 1 ELSE 0 END), 0) AS gold_items,
    COALESCE(SUM(CASE WHEN status = 'complete' THEN 1 ELSE 0 END), 0) AS complete_items,
    COALESCE(SUM(CASE WHEN status = 'gold' THEN 0 WHEN done < ? THEN done ELSE ? END), 0) AS slots_done,
    COALESCE(SUM(CASE WHEN status = 'gold' THEN 0 ELSE 1 END), 0) AS non_gold
FROM items WHERE project_id = ?`, p.Overlap, p.Overlap, projectID).Scan(&c).Error; err != nil {
			return err
		}
		var leased int64
		if err := tx.Raw(`SELECT COUNT(*) FROM assignments WHERE project_id = ? AND state = 'leased' AND lease_expires_at > ?`,
			projectID, now).Scan(&leased).Error; err != nil {
			return err
		}
		var today []labeling.MemberProgressToday
		if err := tx.Raw(`SELECT member_id, COUNT(*) AS done_today FROM submissions
WHERE project_id = ? AND created_at >= ? GROUP BY member_id ORDER BY member_id`,
			projectID, labeling.DayStart(now)).Scan(&today).Error; err != nil {
			return err
		}
		if today == nil {
			today = []labeling.MemberProgressToday{}
		}
		expiring := []labeling.LeaseEnd{}
		if err := tx.Raw(`SELECT id AS assignment_id, item_id, member_id, lease_expires_at FROM assignments
WHERE project_id = ? AND state = 'leased' AND lease_expires_at > ? ORDER BY lease_expires_at LIMIT 20`,
			projectID, now).Scan(&expiring).Error; err != nil {
			return err
		}
		for i := range expiring {
			expiring[i].LeaseExpiresAt = expiring[i].LeaseExpiresAt.UTC()
		}
		happened, err := event.Recent(tx, event.ProjectScope(projectID), []string{"task.submitted", "item.completed"},
			now.Add(-labeling.RecentWindow), labeling.RecentMax)
		if err != nil {
			return err
		}
		recent := make([]labeling.RecentEvent, len(happened))
		for i, h := range happened {
			recent[i] = labeling.RecentEvent{Type: h.Type, At: h.At}
		}
		total := c.NonGold * int64(p.Overlap)
		out = labeling.ProjectProgress{ProjectID: projectID, Items: c.Items, GoldItems: c.GoldItems,
			CompleteItems: c.CompleteItems, SlotsTotal: total, SlotsDone: c.SlotsDone, Leased: leased,
			SlotsLeft: total - c.SlotsDone, Today: today, Expiring: expiring, Recent: recent}
		return nil
	})
	return out, err
}

// MyProgress is a member's own view of a project today (UTC).
func (s *Projects) MyProgress(ctx context.Context, memberID, projectID int64) (labeling.MyProgress, error) {
	var out labeling.MyProgress
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := loadProject(tx, projectID, false)
		if err != nil {
			return err
		}
		now := s.clock()
		day := labeling.DayStart(now)
		out = labeling.MyProgress{ProjectID: projectID, ResetsAt: day.Add(24 * time.Hour)}
		if err := tx.Raw(`SELECT COUNT(*) FROM submissions WHERE member_id = ? AND project_id = ? AND created_at >= ?`,
			memberID, projectID, day).Scan(&out.DoneToday).Error; err != nil {
			return err
		}
		if out.ClaimedToday, err = claimsToday(tx, memberID, projectID, day); err != nil {
			return err
		}
		coopStint, sensitiveMax, err := s.coopLimits(tx)
		if err != nil {
			return err
		}
		if p.Stint = clampStint(p.Stint, coopStint); p.Stint > 0 {
			left := max(0, int64(p.Stint)-out.ClaimedToday)
			out.StintLeft = &left
		}
		capN, used, err := sensitiveToday(tx, memberID, day)
		if err != nil {
			return err
		}
		out.SensitiveLeftToday = max(0, int64(min(capN, sensitiveMax))-used)
		// Items this member could still be given (gold items are not counted:
		// they are only ever mixed in).
		return tx.Raw(`SELECT COUNT(*) FROM items i
WHERE i.project_id = @project AND i.status = 'open' AND i.done + i.held < @k
  AND `+untouched, map[string]any{"project": projectID, "k": p.Overlap, "member": memberID}).Scan(&out.ItemsLeft).Error
	})
	return out, err
}

// claimsToday counts the member's assignments in the project claimed or
// submitted since day: what a stint limits.
func claimsToday(tx *gorm.DB, memberID, projectID int64, day time.Time) (int64, error) {
	var n int64
	err := tx.Raw(`SELECT COUNT(*) FROM assignments
WHERE member_id = ? AND project_id = ? AND (claimed_at >= ? OR submitted_at >= ?)`,
		memberID, projectID, day, day).Scan(&n).Error
	return n, err
}
