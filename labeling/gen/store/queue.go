package store

// The task queue: workers claim an endpoint's due tasks under a lease (within the endpoint's
// concurrency and per-minute limits, across instances), and report each attempt fenced on the
// lease's token. The last slot of a source to finish writes the source's item in the same
// transaction, so an item is never half-written and never written twice.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/gen"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// DueEndpoints lists the endpoints that have due, unleased tasks of live jobs.
func (s *Store) DueEndpoints(ctx context.Context) ([]int64, error) {
	now := s.clock.Now()
	var ids []int64
	err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT t.endpoint_id FROM gen_tasks t JOIN gen_jobs j ON j.id = t.job_id
WHERE t.status = 'pending' AND t.next_at <= ? AND (t.lease_until IS NULL OR t.lease_until < ?) AND j.status IN ('queued', 'running')
ORDER BY t.endpoint_id`, now, now).Scan(&ids).Error
	return ids, err
}

// Limits are an endpoint's bounds, shared by every instance.
type Limits struct {
	Concurrency int // tasks leased at once (≥1)
	PerMinute   int // requests started per minute (0: none)
}

// Claimed is a task a worker holds until its lease ends.
type Claimed struct {
	ID         int64
	JobID      int64
	Kind       gen.Kind
	ProjectID  int64
	Params     json.RawMessage
	SourceKey  string
	Input      json.RawMessage // the gen.Source
	Slot       int
	EndpointID int64
	Attempts   int // before this one
	Token      string
}

// Claim leases up to n due tasks of one endpoint, as many as its limits leave free.
func (s *Store) Claim(ctx context.Context, endpointID int64, lim Limits, n int, lease time.Duration) ([]Claimed, error) {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, err
	}
	token := hex.EncodeToString(tok)
	var out []Claimed
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		out = nil
		if err := lockEndpoint(tx, endpointID); err != nil {
			return err
		}
		now := sqldb.Now(tx)
		var leased int
		if err := tx.Raw(`SELECT COUNT(*) FROM gen_tasks WHERE endpoint_id = ? AND status = 'pending' AND lease_until >= ?`,
			endpointID, now).Scan(&leased).Error; err != nil {
			return err
		}
		free := min(n, max(lim.Concurrency, 1)-leased)
		if lim.PerMinute > 0 {
			if err := tx.Exec(`DELETE FROM gen_requests WHERE endpoint_id = ? AND sent_at <= ?`, endpointID, now.Add(-time.Minute)).Error; err != nil {
				return err
			}
			var recent int
			if err := tx.Raw(`SELECT COUNT(*) FROM gen_requests WHERE endpoint_id = ?`, endpointID).Scan(&recent).Error; err != nil {
				return err
			}
			free = min(free, lim.PerMinute-recent)
		}
		if free <= 0 {
			return nil
		}
		var ids []int64
		if err := tx.Raw(claimSQL(tx), map[string]any{"endpoint": endpointID, "now": now, "lease": now.Add(lease), "token": token, "n": free}).
			Scan(&ids).Error; err != nil || len(ids) == 0 {
			return err
		}
		if lim.PerMinute > 0 {
			for range ids {
				if err := tx.Exec(`INSERT INTO gen_requests (endpoint_id, sent_at) VALUES (?, ?)`, endpointID, now).Error; err != nil {
					return err
				}
			}
		}
		if err := tx.Exec(`UPDATE gen_jobs SET status = 'running', started_at = ? WHERE status = 'queued'
    AND id IN (SELECT job_id FROM gen_tasks WHERE id IN ?)`, now, ids).Error; err != nil {
			return err
		}
		var rows []struct {
			ID         int64
			JobID      int64
			Kind       string
			ProjectID  int64
			Params     string
			SourceKey  string
			Input      string
			Slot       int
			EndpointID int64
			Attempts   int
			Token      string
		}
		if err := tx.Raw(`SELECT t.id, t.job_id, j.kind, j.project_id, j.params, t.source_key, s.input, t.slot, t.endpoint_id,
    t.attempts, t.lease_token AS token
FROM gen_tasks t JOIN gen_jobs j ON j.id = t.job_id JOIN gen_sources s ON s.job_id = t.job_id AND s.source_key = t.source_key
WHERE t.id IN ? ORDER BY t.id`, ids).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, Claimed{ID: r.ID, JobID: r.JobID, Kind: gen.Kind(r.Kind), ProjectID: r.ProjectID,
				Params: json.RawMessage(r.Params), SourceKey: r.SourceKey, Input: json.RawMessage(r.Input), Slot: r.Slot,
				EndpointID: r.EndpointID, Attempts: r.Attempts, Token: r.Token})
		}
		return nil
	})
	return out, err
}

// Outcome is how one attempt went. Exactly one of Output, Retry, Skip and FailJob applies.
type Outcome struct {
	Output  json.RawMessage // the unit's result (done)
	Flagged bool            // the output is flagged for the coordinator (it names its own model)
	Retry   time.Time       // try again at this time
	Skip    bool            // give up on this unit
	FailJob bool            // give up on the whole job
	Reason  string          // why it failed (all but Output)
}

// Writer writes a source's item from its outputs (in slot order) inside tx, the transaction that
// completes the source's last unit. It reports the item's id and whether it is new (false: the
// project already had the same item).
type Writer func(tx *gorm.DB, job gen.Job, input json.RawMessage, outputs []json.RawMessage) (itemID int64, created bool, err error)

// Finish applies an attempt's outcome if c still holds its task, and reports whether it did (false:
// the lease ran out and another worker took the task, or the job had ended). When the unit is the
// last of its source to be done, write makes the source's item in the same transaction.
func (s *Store) Finish(ctx context.Context, c Claimed, o Outcome, write Writer) (bool, error) {
	held := false
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		held = false
		job, err := loadJob(tx, c.JobID, true) // serialises a job's finishes: counters and sources stay exact
		if err != nil {
			return err
		}
		now := sqldb.Now(tx)
		if gen.Status(job.Status).Terminal() {
			return tx.Exec(`UPDATE gen_tasks SET lease_token = '', lease_until = NULL, updated_at = ? WHERE id = ? AND lease_token = ?`,
				now, c.ID, c.Token).Error
		}
		reason := clip(o.Reason, 500)
		var res *gorm.DB
		switch {
		case o.Output != nil:
			res = tx.Exec(`UPDATE gen_tasks SET status = 'done', output = ?, flagged = ?, attempts = attempts + 1, reason = '',
    lease_token = '', lease_until = NULL, updated_at = ? WHERE id = ? AND lease_token = ? AND status = 'pending'`, string(o.Output), o.Flagged, now, c.ID, c.Token)
		case o.Skip:
			res = tx.Exec(`UPDATE gen_tasks SET status = 'skipped', attempts = attempts + 1, reason = ?,
    lease_token = '', lease_until = NULL, updated_at = ? WHERE id = ? AND lease_token = ? AND status = 'pending'`, reason, now, c.ID, c.Token)
		default:
			next := o.Retry
			if o.FailJob || next.IsZero() {
				next = now
			}
			res = tx.Exec(`UPDATE gen_tasks SET attempts = attempts + 1, reason = ?, next_at = ?,
    lease_token = '', lease_until = NULL, updated_at = ? WHERE id = ? AND lease_token = ? AND status = 'pending'`, reason, next, now, c.ID, c.Token)
		}
		if res.Error != nil {
			return res.Error
		}
		if held = res.RowsAffected == 1; !held {
			return nil
		}
		if o.FailJob {
			return s.end(tx, &job, gen.StatusFailed, o.Reason, nil)
		}
		switch {
		case o.Output != nil:
			job.TasksDone++
			if o.Flagged {
				job.Flagged++
			}
			if err := s.sourceDone(tx, &job, c, write); err != nil {
				return err
			}
		case o.Skip:
			job.TasksSkipped++
			if err := s.sourceFailed(tx, &job, c, reason); err != nil {
				return err
			}
		}
		if err := tx.Exec(`UPDATE gen_jobs SET tasks_done = ?, tasks_skipped = ?, items = ?, sources_failed = ?, flagged = ? WHERE id = ?`,
			job.TasksDone, job.TasksSkipped, job.Items, job.SourcesFailed, job.Flagged, job.ID).Error; err != nil {
			return err
		}
		var pending int64
		if err := tx.Raw(`SELECT COUNT(*) FROM gen_tasks WHERE job_id = ? AND status = 'pending'`, job.ID).Scan(&pending).Error; err != nil {
			return err
		}
		if pending == 0 {
			return s.end(tx, &job, gen.StatusDone, "", nil)
		}
		if job.ProgressAt != nil && now.Sub(*job.ProgressAt) < s.ProgressEvery {
			return nil
		}
		if err := tx.Exec(`UPDATE gen_jobs SET progress_at = ? WHERE id = ?`, now, job.ID).Error; err != nil {
			return err
		}
		return event.Append(tx, "gen.progress", event.CoordinatorScope, nil, progressPayload(job))
	})
	return held, err
}

// sourceDone writes the source's item when every one of its units is done.
func (s *Store) sourceDone(tx *gorm.DB, job *jobRow, c Claimed, write Writer) error {
	var tasks []struct {
		Status string
		Output *string
	}
	if err := tx.Raw(`SELECT status, output FROM gen_tasks WHERE job_id = ? AND source_key = ? ORDER BY slot`, c.JobID, c.SourceKey).
		Scan(&tasks).Error; err != nil {
		return err
	}
	outputs := make([]json.RawMessage, 0, len(tasks))
	for _, t := range tasks {
		if t.Status != gen.TaskDone || t.Output == nil {
			return nil // not yet, or a slot was skipped (the source already failed)
		}
		outputs = append(outputs, json.RawMessage(*t.Output))
	}
	var src []struct {
		Status string
		Input  string
	}
	if err := tx.Raw(`SELECT status, input FROM gen_sources WHERE job_id = ? AND source_key = ?`, c.JobID, c.SourceKey).Scan(&src).Error; err != nil {
		return err
	}
	if len(src) != 1 || src[0].Status != "pending" {
		return nil
	}
	itemID, created, err := write(tx, job.job(), json.RawMessage(src[0].Input), outputs)
	if err != nil {
		var f *fault.Error
		if errors.As(err, &f) { // the item does not fit, or the project closed: this source gets no item
			return s.sourceFailed(tx, job, c, err.Error())
		}
		return err
	}
	status := "written"
	if created {
		job.Items++
	} else {
		status = "duplicate"
	}
	return tx.Exec(`UPDATE gen_sources SET status = ?, item_id = ? WHERE job_id = ? AND source_key = ?`, status, itemID, c.JobID, c.SourceKey).Error
}

// sourceFailed marks a source as getting no item (once) and says why on the job's channel.
func (s *Store) sourceFailed(tx *gorm.DB, job *jobRow, c Claimed, reason string) error {
	res := tx.Exec(`UPDATE gen_sources SET status = 'failed' WHERE job_id = ? AND source_key = ? AND status = 'pending'`, c.JobID, c.SourceKey)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 1 {
		job.SourcesFailed++
	}
	return event.Append(tx, "gen.item_failed", event.CoordinatorScope, nil, map[string]any{
		"job_id": job.ID, "project_id": job.ProjectID, "source_key": c.SourceKey, "slot": c.Slot, "reason": clip(reason, 500)})
}

// Release hands a claimed task back without counting an attempt (the worker is stopping).
func (s *Store) Release(ctx context.Context, c Claimed) error {
	return s.db.WithContext(ctx).Exec(`UPDATE gen_tasks SET lease_token = '', lease_until = NULL WHERE id = ? AND lease_token = ?`,
		c.ID, c.Token).Error
}
