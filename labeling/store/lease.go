package store

import (
	"context"
	"encoding/json"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"

	"gorm.io/gorm"
)

// ---- sensitive cap ----

type memberSettingsRow struct {
	MemberID          int64 `gorm:"primaryKey"`
	SensitiveDailyCap int
	UpdatedAt         time.Time
}

func (memberSettingsRow) TableName() string { return "member_settings" }

// SensitiveCap returns the member's daily cap of sensitive items.
func (s *Leases) SensitiveCap(ctx context.Context, memberID int64) (int, error) {
	return sensitiveCap(s.db.WithContext(ctx), memberID)
}

func sensitiveCap(tx *gorm.DB, memberID int64) (int, error) {
	var caps []int
	if err := tx.Raw(`SELECT sensitive_daily_cap FROM member_settings WHERE member_id = ?`, memberID).Scan(&caps).Error; err != nil {
		return 0, err
	}
	if len(caps) == 0 {
		return labeling.CoopSensitiveDailyCap, nil
	}
	// A lowered co-op maximum applies to caps set earlier too.
	return min(caps[0], labeling.CoopSensitiveDailyCap), nil
}

// sensitiveToday returns the member's cap and the sensitive items they
// claimed today, across projects.
func sensitiveToday(tx *gorm.DB, memberID int64, day time.Time) (capN int, used int64, err error) {
	var r []struct {
		CapN int
		Used int64
	}
	if err := tx.Raw(`SELECT COALESCE((SELECT sensitive_daily_cap FROM member_settings WHERE member_id = ?), ?) AS cap_n,
    (SELECT COUNT(*) FROM assignments WHERE member_id = ? AND sensitive AND claimed_at >= ?) AS used`,
		memberID, labeling.CoopSensitiveDailyCap, memberID, day).Scan(&r).Error; err != nil {
		return 0, 0, err
	}
	// A lowered co-op maximum applies to caps set earlier too.
	return min(r[0].CapN, labeling.CoopSensitiveDailyCap), r[0].Used, nil
}

// SetSensitiveCap sets the member's own daily cap of sensitive items:
// 0..CoopSensitiveDailyCap (a member may lower it, never raise it above the co-op maximum).
func (s *Leases) SetSensitiveCap(ctx context.Context, memberID int64, capN int) error {
	if err := labeling.CheckSensitiveCap(capN); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		if err := tx.Exec(`INSERT INTO member_settings (member_id, sensitive_daily_cap, updated_at) VALUES (?, ?, ?)
ON CONFLICT (member_id) DO UPDATE SET sensitive_daily_cap = excluded.sensitive_daily_cap, updated_at = excluded.updated_at`,
			memberID, capN, now).Error; err != nil {
			return err
		}
		return event.Append(tx, "member.settings_changed", event.MemberScope(memberID), &memberID,
			map[string]any{"sensitive_daily_cap": capN})
	})
}

// ---- lease operations ----

// assignmentByToken finds the member's assignment for a lease token. A token
// that is unknown or another member's is reported as a lost lease, revealing
// nothing.
func assignmentByToken(tx *gorm.DB, memberID int64, token string, lock bool) (assignmentRow, error) {
	if token == "" {
		return assignmentRow{}, labeling.ErrLeaseLost
	}
	q := `SELECT * FROM assignments WHERE lease_token = ?`
	if lock {
		q += forUpdate(tx)
	}
	var rows []assignmentRow
	if err := tx.Raw(q, token).Scan(&rows).Error; err != nil {
		return assignmentRow{}, err
	}
	if len(rows) == 0 || rows[0].MemberID != memberID {
		return assignmentRow{}, labeling.ErrLeaseLost
	}
	return rows[0], nil
}

// lockItem locks the item row (PostgreSQL). Writers that start from a lease
// token lock the assignment first, then the item; claims lock the item and
// then only insert (or reuse the member's own released row), so waits do not
// form cycles except between two requests of one member, which PostgreSQL
// detects and inTx retries.
func lockItem(tx *gorm.DB, id int64) (itemRow, error) {
	var rows []itemRow
	if err := tx.Raw(`SELECT * FROM items WHERE id = ?`+forUpdate(tx), id).Scan(&rows).Error; err != nil {
		return itemRow{}, err
	}
	if len(rows) == 0 {
		return itemRow{}, fault.ErrNotFound.With("item %d not found", id)
	}
	return rows[0], nil
}

// Heartbeat extends the member's lease and records their active time on the
// task (the client's running total). The holder of a lease that expired but
// was not taken over still holds it.
func (s *Leases) Heartbeat(ctx context.Context, memberID int64, leaseToken string, activeMs int64) (time.Time, error) {
	var exp time.Time
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := assignmentByToken(tx, memberID, leaseToken, false)
		if err != nil {
			return err
		}
		if a.State != string(labeling.AssignmentLeased) {
			return labeling.ErrLeaseLost
		}
		if in, err := isProjectMember(tx, a.ProjectID, memberID); err != nil || !in {
			if err == nil {
				err = labeling.ErrNotProjectMember
			}
			return err
		}
		p, err := loadProject(tx, a.ProjectID, false)
		if err != nil {
			return err
		}
		if p.Status == string(labeling.ProjectClosed) {
			return labeling.ErrProjectClosed
		}
		now := s.clock()
		exp = now.Add(p.lease())
		active := max(a.ActiveMs, labeling.ClampLeadTime(activeMs))
		res := tx.Exec(`UPDATE assignments SET lease_expires_at = ?, active_ms = ?, updated_at = ?
WHERE id = ? AND state = 'leased' AND lease_token = ?`, exp, active, now, a.ID, leaseToken)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 { // taken over since we read it
			return labeling.ErrLeaseLost
		}
		return nil
	})
	return exp, err
}

// Release gives the slot back. The same member may be given the item again.
func (s *Leases) Release(ctx context.Context, memberID int64, leaseToken string) error {
	return s.endLease(ctx, memberID, leaseToken, labeling.AssignmentReleased, "")
}

// Skip gives the slot back and never offers the item to this member again.
func (s *Leases) Skip(ctx context.Context, memberID int64, leaseToken, reason string) error {
	if len([]rune(reason)) > labeling.MaxSkipReasonLen {
		return fault.ErrInvalid.With("a skip reason is at most %d characters", labeling.MaxSkipReasonLen)
	}
	return s.endLease(ctx, memberID, leaseToken, labeling.AssignmentSkipped, reason)
}

func (s *Leases) endLease(ctx context.Context, memberID int64, token string, to labeling.AssignmentState, reason string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		a, err := assignmentByToken(tx, memberID, token, true)
		if err != nil {
			return err
		}
		if a.State != string(labeling.AssignmentLeased) {
			return labeling.ErrLeaseLost
		}
		now := s.clock()
		if err := tx.Exec(`UPDATE assignments SET state = ?, updated_at = ? WHERE id = ?`, string(to), now, a.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE items SET held = held - 1 WHERE id = ?`, a.ItemID).Error; err != nil {
			return err
		}
		typ := "task.released"
		if to == labeling.AssignmentSkipped && a.Sensitive {
			if err := recordExposure(tx, memberID, a.ProjectID, a.ID, a.ClaimedAt, now); err != nil {
				return err
			}
		}
		if to == labeling.AssignmentSkipped {
			typ = "task.skipped"
			if err := tx.Create(&skipRow{AssignmentID: a.ID, ItemID: a.ItemID, ProjectID: a.ProjectID, MemberID: memberID,
				Reason: reason, CreatedAt: now}).Error; err != nil {
				return err
			}
		}
		return event.Append(tx, typ, event.ProjectScope(a.ProjectID), &memberID,
			map[string]any{"assignment_id": a.ID, "item_id": a.ItemID})
	})
}

// SaveDraft stores a work-in-progress answer (any JSON object up to 256 KB,
// valid or not) on the member's assignment. If the lease was lost the draft
// is still stored — work is never lost — and the error is lease_lost.
func (s *Leases) SaveDraft(ctx context.Context, memberID int64, leaseToken string, draft json.RawMessage) (time.Time, error) {
	d, err := labeling.CheckDraft(draft)
	if err != nil {
		return time.Time{}, err
	}
	var at time.Time
	var lost error
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := assignmentByToken(tx, memberID, leaseToken, false)
		if err != nil {
			return err
		}
		at = s.clock()
		var state []string
		// RETURNING state reads the row as it is after waiting for any
		// concurrent takeover, not as we first saw it.
		if err := tx.Raw(`UPDATE assignments SET draft = ?, draft_at = ?, updated_at = ?
WHERE id = ? AND state <> 'submitted' RETURNING state`, string(d), at, at, a.ID).Scan(&state).Error; err != nil {
			return err
		}
		if len(state) == 0 {
			return labeling.ErrAlreadySubmitted
		}
		if state[0] != string(labeling.AssignmentLeased) {
			lost = labeling.ErrLeaseLost.With("your lease on this task was lost; the draft was saved")
		}
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	return at, lost
}

// Assignment loads one of the member's assignments (for the HTTP layer's
// "my history").
func (s *Leases) Assignment(ctx context.Context, memberID, id int64) (labeling.Assignment, error) {
	var rows []assignmentRow
	if err := s.db.WithContext(ctx).Raw(`SELECT * FROM assignments WHERE id = ? AND member_id = ?`, id, memberID).Scan(&rows).Error; err != nil {
		return labeling.Assignment{}, err
	}
	if len(rows) == 0 {
		return labeling.Assignment{}, fault.ErrNotFound.With("assignment %d not found", id)
	}
	return rows[0].assignment(), nil
}
