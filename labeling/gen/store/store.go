// Package store is generation jobs in SQL: jobs, their sources and their tasks (one per source and
// candidate slot, unique on the idempotency key), claimed under a lease and fenced on its token;
// dialect.go holds the PostgreSQL/SQLite difference.
package store

import (
	"context"
	"encoding/json"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/gen"
	"copyhold/labeling/page"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// Store reads and writes the gen_* tables.
type Store struct {
	db    *gorm.DB
	clock sqldb.Clock
	// ProgressEvery throttles gen.progress events per job (1 s).
	ProgressEvery time.Duration
}

// New runs on db with the system clock (nil) or clock.
func New(db *gorm.DB, clock sqldb.Clock) *Store {
	return &Store{db: db, clock: clock, ProgressEvery: time.Second}
}

func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return sqldb.InTx(sqldb.WithClock(ctx, s.clock), s.db, fn)
}

type jobRow struct {
	ID            int64
	Kind          string
	ProjectID     int64
	Params        string
	Status        string
	Reason        string
	Tasks         int
	TasksDone     int
	TasksSkipped  int
	Sources       int
	Items         int
	SourcesFailed int
	Flagged       int
	CreatedBy     int64
	CreatedAt     time.Time
	StartedAt     *time.Time
	EndedAt       *time.Time
	ProgressAt    *time.Time
}

const jobCols = `id, kind, project_id, params, status, reason, tasks, tasks_done, tasks_skipped, sources, items,
    sources_failed, flagged, created_by, created_at, started_at, ended_at, progress_at`

func (r jobRow) job() gen.Job {
	return gen.Job{ID: r.ID, Kind: gen.Kind(r.Kind), ProjectID: r.ProjectID, Params: json.RawMessage(r.Params),
		Status: gen.Status(r.Status), Reason: r.Reason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		StartedAt: utc(r.StartedAt), EndedAt: utc(r.EndedAt), Counts: r.counts()}
}

func (r jobRow) counts() gen.Counts {
	return gen.Counts{Tasks: r.Tasks, TasksDone: r.TasksDone, TasksSkipped: r.TasksSkipped, Sources: r.Sources,
		Items: r.Items, SourcesFailed: r.SourcesFailed, Flagged: r.Flagged}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// NewJob is a planned job: its sources (with the input each unit reads) and its units.
type NewJob struct {
	Kind      gen.Kind
	ProjectID int64
	Params    json.RawMessage
	CreatedBy int64
	Sources   []gen.Source
	Slots     []gen.Slot
}

// Create stores a job, its sources and one task per (source, slot). A source given twice is
// planned once.
func (s *Store) Create(ctx context.Context, n NewJob) (gen.Job, error) {
	var out gen.Job
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := sqldb.Now(tx)
		var id int64
		if err := tx.Raw(`INSERT INTO gen_jobs (kind, project_id, params, created_by, created_at, progress_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			string(n.Kind), n.ProjectID, string(n.Params), n.CreatedBy, now, now).Scan(&id).Error; err != nil {
			return err
		}
		seen := map[string]bool{}
		var sources []gen.Source
		for _, src := range n.Sources {
			if !seen[src.Key] {
				seen[src.Key] = true
				sources = append(sources, src)
			}
		}
		for _, src := range sources {
			in, err := json.Marshal(src)
			if err != nil {
				return err
			}
			if err := tx.Exec(`INSERT INTO gen_sources (job_id, source_key, input) VALUES (?, ?, ?)`, id, src.Key, string(in)).Error; err != nil {
				return err
			}
		}
		units := gen.Plan(sources, n.Slots)
		for start := 0; start < len(units); start += 200 {
			batch := units[start:min(start+200, len(units))]
			q := `INSERT INTO gen_tasks (job_id, unit_key, source_key, slot, endpoint_id, next_at, updated_at) VALUES `
			args := make([]any, 0, len(batch)*7)
			for i, u := range batch {
				if i > 0 {
					q += ", "
				}
				q += "(?, ?, ?, ?, ?, ?, ?)"
				args = append(args, id, gen.Key(id, u.Source.Key, u.Slot), u.Source.Key, u.Slot, u.EndpointID, now, now)
			}
			if err := tx.Exec(q+` ON CONFLICT (unit_key) DO NOTHING`, args...).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec(`UPDATE gen_jobs SET tasks = ?, sources = ? WHERE id = ?`, len(units), len(sources), id).Error; err != nil {
			return err
		}
		row, err := loadJob(tx, id, false)
		if err != nil {
			return err
		}
		out = row.job()
		return event.Append(tx, "gen.progress", event.CoordinatorScope, &n.CreatedBy, progressPayload(row))
	})
	return out, err
}

func loadJob(tx *gorm.DB, id int64, lock bool) (jobRow, error) {
	q := `SELECT ` + jobCols + ` FROM gen_jobs WHERE id = ?`
	if lock {
		q += forUpdate(tx)
	}
	var rows []jobRow
	if err := tx.Raw(q, id).Scan(&rows).Error; err != nil {
		return jobRow{}, err
	}
	if len(rows) == 0 {
		return jobRow{}, gen.ErrJobNotFound.With("generation job %d not found", id)
	}
	return rows[0], nil
}

// Get returns one job with its latest failures (at most 50).
func (s *Store) Get(ctx context.Context, id int64) (gen.Job, error) {
	db := s.db.WithContext(ctx)
	row, err := loadJob(db, id, false)
	if err != nil {
		return gen.Job{}, err
	}
	j := row.job()
	var fails []struct {
		SourceKey string
		Slot      int
		Attempts  int
		Reason    string
		UpdatedAt time.Time
	}
	if err := db.Raw(`SELECT source_key, slot, attempts, reason, updated_at FROM gen_tasks
WHERE job_id = ? AND status = 'skipped' ORDER BY updated_at DESC, id DESC LIMIT 50`, id).Scan(&fails).Error; err != nil {
		return gen.Job{}, err
	}
	for _, f := range fails {
		j.Failures = append(j.Failures, gen.Failure{SourceKey: f.SourceKey, Slot: f.Slot, Attempts: f.Attempts, Reason: f.Reason, At: f.UpdatedAt.UTC()})
	}
	var flags []struct {
		SourceKey string
		Slot      int
		ItemID    *int64
	}
	if err := db.Raw(`SELECT t.source_key, t.slot, s.item_id FROM gen_tasks t
JOIN gen_sources s ON s.job_id = t.job_id AND s.source_key = t.source_key
WHERE t.job_id = ? AND t.flagged ORDER BY t.id LIMIT 50`, id).Scan(&flags).Error; err != nil {
		return gen.Job{}, err
	}
	for _, f := range flags {
		j.Flags = append(j.Flags, gen.Flag{SourceKey: f.SourceKey, Slot: f.Slot, ItemID: f.ItemID})
	}
	return j, nil
}

// List returns a page of jobs, newest first; projectID 0 lists every project's.
func (s *Store) List(ctx context.Context, projectID int64, p page.Page) ([]gen.Job, error) {
	q, args := `SELECT `+jobCols+` FROM gen_jobs WHERE 1 = 1`, []any{}
	if projectID > 0 {
		q, args = q+` AND project_id = ?`, append(args, projectID)
	}
	if p.After != nil {
		q, args = q+` AND id < ?`, append(args, p.After.ID)
	}
	q += ` ORDER BY id DESC`
	if p.Limit > 0 {
		q, args = q+` LIMIT ?`, append(args, p.Limit)
	}
	var rows []jobRow
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]gen.Job, len(rows))
	for i, r := range rows {
		out[i] = r.job()
	}
	return out, nil
}

// Cancel stops a queued or running job: no task of it is claimed again, and answers still in
// flight are dropped when they arrive. Items already written stay.
func (s *Store) Cancel(ctx context.Context, id, actor int64) (gen.Job, error) {
	var out gen.Job
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		row, err := loadJob(tx, id, true)
		if err != nil {
			return err
		}
		if gen.Status(row.Status).Terminal() {
			return gen.ErrJobFinished.With("generation job %d is already %s", id, row.Status)
		}
		if err := s.end(tx, &row, gen.StatusCancelled, "", &actor); err != nil {
			return err
		}
		out = row.job()
		return nil
	})
	return out, err
}

// end moves a job to a terminal status and says so on the job's channel.
func (s *Store) end(tx *gorm.DB, row *jobRow, st gen.Status, reason string, actor *int64) error {
	now := sqldb.Now(tx)
	if err := tx.Exec(`UPDATE gen_jobs SET status = ?, reason = ?, ended_at = ?, progress_at = ? WHERE id = ?`,
		string(st), clip(reason, 500), now, now, row.ID).Error; err != nil {
		return err
	}
	row.Status, row.Reason, row.EndedAt, row.ProgressAt = string(st), clip(reason, 500), &now, &now
	p := progressPayload(*row)
	p["reason"] = row.Reason
	return event.Append(tx, "gen.finished", event.CoordinatorScope, actor, p)
}

func progressPayload(r jobRow) map[string]any {
	return map[string]any{"job_id": r.ID, "project_id": r.ProjectID, "kind": r.Kind, "status": r.Status, "counts": r.counts()}
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
