package store

import (
	"context"
	"encoding/json"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/page"
	"copyhold/labeling/sensitive"
	"copyhold/labeling/shortcut"

	"gorm.io/gorm"
)

// Wellbeing is the store of a member's own preferences (keyboard map,
// categories, budget, greyscale), the co-op's wellbeing settings, the
// exposure each sensitive task adds, forced breaks, "this affected me" and
// the coordinator's sums.
type Wellbeing struct{ base }

// defaultWellbeing is used when the settings row is missing (the migration writes it).
var defaultWellbeing = labeling.WellbeingSettings{DailyMinutes: 120, TaskCapMinutes: 5, BreakAfter: 10, BreakMinutes: 10}

// upsertSetting writes one member_settings column (col is a constant of the
// caller's, never input) and creates the row with defaults when missing.
func upsertSetting(tx *gorm.DB, memberID int64, now time.Time, col string, val any) error {
	return tx.Exec(`INSERT INTO member_settings (member_id, `+col+`, updated_at) VALUES (?, ?, ?)
ON CONFLICT (member_id) DO UPDATE SET `+col+` = excluded.`+col+`, updated_at = excluded.updated_at`,
		memberID, val, now).Error
}

// ---- keyboard map ----

// Shortcuts returns the member's own keys (only those they changed).
func (s *Wellbeing) Shortcuts(ctx context.Context, memberID int64) (shortcut.Map, error) {
	var raw []string
	if err := s.db.WithContext(ctx).Raw(`SELECT shortcuts FROM member_settings WHERE member_id = ?`, memberID).
		Scan(&raw).Error; err != nil {
		return nil, err
	}
	own := shortcut.Map{}
	if len(raw) == 1 {
		if err := json.Unmarshal([]byte(raw[0]), &own); err != nil {
			return nil, err
		}
	}
	return own, nil
}

// SetShortcuts replaces the member's own keys after shortcut.Check; an empty map is the defaults.
func (s *Wellbeing) SetShortcuts(ctx context.Context, memberID int64, own shortcut.Map) error {
	if err := shortcut.Check(own); err != nil {
		return err
	}
	b, err := json.Marshal(own)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := upsertSetting(tx, memberID, s.clock(), "shortcuts", string(b)); err != nil {
			return err
		}
		return event.Append(tx, "member.shortcuts_changed", event.MemberScope(memberID), &memberID, map[string]any{})
	})
}

// ---- the co-op's settings ----

type wellbeingSettingsRow struct {
	ContactMemberID *int64
	DailyMinutes    int
	TaskCapMinutes  int
	BreakAfter      int
	BreakMinutes    int
}

func coopWellbeing(tx *gorm.DB) (labeling.WellbeingSettings, error) {
	var rows []wellbeingSettingsRow
	if err := tx.Raw(`SELECT contact_member_id, daily_minutes, task_cap_minutes, break_after, break_minutes
FROM wellbeing_settings WHERE id = 1`).Scan(&rows).Error; err != nil {
		return labeling.WellbeingSettings{}, err
	}
	if len(rows) == 0 {
		return defaultWellbeing, nil
	}
	r := rows[0]
	return labeling.WellbeingSettings{ContactMemberID: r.ContactMemberID, DailyMinutes: r.DailyMinutes,
		TaskCapMinutes: r.TaskCapMinutes, BreakAfter: r.BreakAfter, BreakMinutes: r.BreakMinutes}, nil
}

// Settings returns the co-op's wellbeing settings.
func (s *Wellbeing) Settings(ctx context.Context) (labeling.WellbeingSettings, error) {
	return coopWellbeing(s.db.WithContext(ctx))
}

// SetSettings replaces the co-op's wellbeing settings. The contact must be
// an active member.
func (s *Wellbeing) SetSettings(ctx context.Context, actorID int64, w labeling.WellbeingSettings) error {
	if err := labeling.CheckWellbeingSettings(w); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if w.ContactMemberID != nil {
			var n int64
			if err := tx.Raw(`SELECT COUNT(*) FROM members WHERE id = ? AND active = ?`, *w.ContactMemberID, true).
				Scan(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return labeling.ErrNoContact.With("member %d is not an active member", *w.ContactMemberID)
			}
		}
		now := s.clock()
		if err := tx.Exec(`INSERT INTO wellbeing_settings (id, contact_member_id, daily_minutes, task_cap_minutes, break_after, break_minutes, updated_at)
VALUES (1, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET contact_member_id = excluded.contact_member_id, daily_minutes = excluded.daily_minutes,
    task_cap_minutes = excluded.task_cap_minutes, break_after = excluded.break_after,
    break_minutes = excluded.break_minutes, updated_at = excluded.updated_at`,
			w.ContactMemberID, w.DailyMinutes, w.TaskCapMinutes, w.BreakAfter, w.BreakMinutes, now).Error; err != nil {
			return err
		}
		// Who the contact is stays out of the event: the settings page reads it.
		return event.Append(tx, "coop.wellbeing_changed", event.AuditScope, &actorID, map[string]any{
			"daily_minutes": w.DailyMinutes, "task_cap_minutes": w.TaskCapMinutes,
			"break_after": w.BreakAfter, "break_minutes": w.BreakMinutes})
	})
}

// ---- the member's own choices and state ----

type memberWellbeingRow struct {
	Categories       int64
	SensitiveMinutes *int
	Greyscale        bool
	SensitiveRun     int
	SensitiveRunAt   *time.Time
	BreakUntil       *time.Time
	PausedAt         *time.Time
}

func memberWellbeing(tx *gorm.DB, memberID int64) (memberWellbeingRow, error) {
	var rows []memberWellbeingRow
	if err := tx.Raw(`SELECT categories, sensitive_minutes, greyscale, sensitive_run, sensitive_run_at, break_until, paused_at
FROM member_settings WHERE member_id = ?`, memberID).Scan(&rows).Error; err != nil {
		return memberWellbeingRow{}, err
	}
	if len(rows) == 0 {
		return memberWellbeingRow{Greyscale: true}, nil
	}
	return rows[0], nil
}

// budgetMinutes is the member's daily budget: their own when lower than the co-op's.
func budgetMinutes(own *int, coop int) int {
	if own != nil && *own < coop {
		return *own
	}
	return coop
}

// Mine returns the member's wellbeing choices and today's state.
func (s *Wellbeing) Mine(ctx context.Context, memberID int64) (labeling.MyWellbeing, error) {
	db := s.db.WithContext(ctx)
	w, err := coopWellbeing(db)
	if err != nil {
		return labeling.MyWellbeing{}, err
	}
	m, err := memberWellbeing(db, memberID)
	if err != nil {
		return labeling.MyWellbeing{}, err
	}
	now := s.clock()
	var used []int64
	if err := db.Raw(`SELECT exposure_ms FROM wellbeing_days WHERE member_id = ? AND day = ?`, memberID,
		labeling.DayName(now)).Scan(&used).Error; err != nil {
		return labeling.MyWellbeing{}, err
	}
	out := labeling.MyWellbeing{Categories: sensitive.Mask(m.Categories).List(), OwnMinutes: m.SensitiveMinutes,
		BudgetMinutes: budgetMinutes(m.SensitiveMinutes, w.DailyMinutes), CoopMinutes: w.DailyMinutes,
		Greyscale: m.Greyscale, BreakAfter: w.BreakAfter, BreakMinutes: w.BreakMinutes, Run: m.SensitiveRun,
		Paused: m.PausedAt != nil, HasContact: w.ContactMemberID != nil,
		ResetsAt: labeling.DayStart(now).Add(24 * time.Hour)}
	if len(used) == 1 {
		out.UsedMs = used[0]
	}
	if m.BreakUntil != nil && m.BreakUntil.After(now) {
		out.BreakUntil = m.BreakUntil
	}
	return out, nil
}

// SetMine changes the member's own choices: opted-in categories, their
// daily budget (at most the co-op's; -1 clears it) and greyscale.
func (s *Wellbeing) SetMine(ctx context.Context, memberID int64, c labeling.WellbeingChoices) error {
	var mask sensitive.Mask
	if c.Categories != nil {
		var err error
		if mask, err = sensitive.MaskOf(*c.Categories); err != nil {
			return fault.ErrInvalid.With("%s", err.Error())
		}
	}
	if c.OwnMinutes != nil && (*c.OwnMinutes < -1 || *c.OwnMinutes > labeling.MaxWellbeingDailyMinutes) {
		return fault.ErrInvalid.With("own_minutes must be -1 (the co-op's) or 0 to %d", labeling.MaxWellbeingDailyMinutes)
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.clock()
		if c.Categories != nil {
			if err := upsertSetting(tx, memberID, now, "categories", int64(mask)); err != nil {
				return err
			}
		}
		if c.OwnMinutes != nil {
			var v any = *c.OwnMinutes
			if *c.OwnMinutes < 0 {
				v = nil
			}
			if err := upsertSetting(tx, memberID, now, "sensitive_minutes", v); err != nil {
				return err
			}
		}
		if c.Greyscale != nil {
			if err := upsertSetting(tx, memberID, now, "greyscale", *c.Greyscale); err != nil {
				return err
			}
		}
		return event.Append(tx, "member.settings_changed", event.MemberScope(memberID), &memberID, map[string]any{})
	})
}

// ---- exposure and breaks ----

// RecordExposure counts a sensitive task that ended (submitted or skipped)
// at now: its minutes, capped per task, on the assignment and on the
// member's day; it extends the member's run of sensitive items, and a run
// of the co-op's length starts a forced break. A gap of a break's length
// since the last sensitive item starts a new run.
func (s *Leases) RecordExposure(tx Tx, a labeling.Assignment, now time.Time) error {
	return recordExposure(tx.db, a.MemberID, a.ProjectID, a.ID, a.ClaimedAt, now)
}

func recordExposure(tx *gorm.DB, memberID, projectID, assignmentID int64, claimedAt, now time.Time) error {
	w, err := coopWellbeing(tx)
	if err != nil {
		return err
	}
	// A project may set its own run length; the break keeps the co-op's length.
	var own []int
	if err := tx.Raw(`SELECT sensitive_break_after FROM projects WHERE id = ?`, projectID).Scan(&own).Error; err != nil {
		return err
	}
	if len(own) == 1 && own[0] > 0 {
		w.BreakAfter = own[0]
		if w.BreakMinutes == 0 {
			w.BreakMinutes = defaultWellbeing.BreakMinutes
		}
	}
	m, err := memberWellbeing(tx, memberID)
	if err != nil {
		return err
	}
	ms := labeling.ExposureMs(claimedAt, now, w.TaskCapMinutes)
	if err := tx.Exec(`UPDATE assignments SET exposure_ms = ? WHERE id = ?`, ms, assignmentID).Error; err != nil {
		return err
	}
	run := m.SensitiveRun + 1
	if m.SensitiveRunAt == nil || now.Sub(*m.SensitiveRunAt) >= time.Duration(max(w.BreakMinutes, 1))*time.Minute {
		run = 1
	}
	var until *time.Time
	breaks := 0
	if w.BreakAfter > 0 && run >= w.BreakAfter {
		t := now.Add(time.Duration(w.BreakMinutes) * time.Minute)
		until, run, breaks = &t, 0, 1
	}
	if err := tx.Exec(`INSERT INTO member_settings (member_id, sensitive_run, sensitive_run_at, break_until, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (member_id) DO UPDATE SET sensitive_run = excluded.sensitive_run, sensitive_run_at = excluded.sensitive_run_at,
    break_until = COALESCE(excluded.break_until, member_settings.break_until), updated_at = excluded.updated_at`,
		memberID, run, now, until, now).Error; err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO wellbeing_days (member_id, day, exposure_ms, items, breaks) VALUES (?, ?, ?, 1, ?)
ON CONFLICT (member_id, day) DO UPDATE SET exposure_ms = wellbeing_days.exposure_ms + excluded.exposure_ms,
    items = wellbeing_days.items + 1, breaks = wellbeing_days.breaks + excluded.breaks`,
		memberID, labeling.DayName(now), ms, breaks).Error; err != nil {
		return err
	}
	if until != nil {
		return event.Append(tx, "wellbeing.break", event.MemberScope(memberID), &memberID,
			map[string]any{"resume_at": until.UTC().Format(time.RFC3339), "break_minutes": w.BreakMinutes})
	}
	return nil
}

// ---- "this affected me" ----

// Affected pauses the member's sensitive work and, when the co-op named a
// contact other than the member, records a notice that only the contact
// reads and tells them live on their own channel. notified says whether
// anyone was told.
func (s *Wellbeing) Affected(ctx context.Context, memberID int64, a labeling.Affected) (notified bool, err error) {
	if len([]rune(a.Note)) > labeling.MaxAffectedNote {
		return false, fault.ErrInvalid.With("the note is at most %d characters", labeling.MaxAffectedNote)
	}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		notified = false
		if a.ProjectID != nil {
			var n int64
			if err := tx.Raw(`SELECT COUNT(*) FROM projects WHERE id = ?`, *a.ProjectID).Scan(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return fault.ErrNotFound.With("project %d not found", *a.ProjectID)
			}
		}
		now := s.clock()
		if err := upsertSetting(tx, memberID, now, "paused_at", now); err != nil {
			return err
		}
		// The member's own tabs learn of the pause; nothing here names the contact.
		if err := event.Append(tx, "wellbeing.paused", event.MemberScope(memberID), &memberID, map[string]any{}); err != nil {
			return err
		}
		w, err := coopWellbeing(tx)
		if err != nil || w.ContactMemberID == nil || *w.ContactMemberID == memberID {
			return err
		}
		contact := *w.ContactMemberID
		var ids []int64
		if err := tx.Raw(`INSERT INTO wellbeing_notices (contact_id, member_id, project_id, note, created_at)
VALUES (?, ?, ?, ?, ?) RETURNING id`, contact, memberID, a.ProjectID, a.Note, now).Scan(&ids).Error; err != nil {
			return err
		}
		notified = true
		// No actor: the event lives on the contact's channel only.
		return event.Append(tx, "wellbeing.affected", event.MemberScope(contact), nil,
			map[string]any{"notice_id": ids[0], "member_id": memberID, "project_id": a.ProjectID})
	})
	return notified, err
}

// Resume ends the member's pause of sensitive work.
func (s *Wellbeing) Resume(ctx context.Context, memberID int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE member_settings SET paused_at = NULL, updated_at = ? WHERE member_id = ?`,
			s.clock(), memberID).Error; err != nil {
			return err
		}
		return event.Append(tx, "wellbeing.resumed", event.MemberScope(memberID), &memberID, map[string]any{})
	})
}

// Notices returns a page of the notices addressed to this member as the
// co-op's contact, newest first: empty for everyone else, whatever their role.
func (s *Wellbeing) Notices(ctx context.Context, contactID int64, p page.Page) ([]labeling.WellbeingNotice, error) {
	out := []labeling.WellbeingNotice{}
	cond, tail, args := keysetByID("n.id", true, p)
	if cond != "" {
		cond = " AND " + cond
	}
	err := s.db.WithContext(ctx).Raw(`SELECT n.id, n.member_id, m.display_name AS member_name, n.project_id, n.note, n.created_at
FROM wellbeing_notices n JOIN members m ON m.id = n.member_id
WHERE n.contact_id = ?`+cond+tail, append([]any{contactID}, args...)...).Scan(&out).Error
	return out, err
}

// Summary returns the co-op's sums per UTC day since since: never per member.
func (s *Wellbeing) Summary(ctx context.Context, since time.Time) ([]labeling.WellbeingDay, error) {
	out := []labeling.WellbeingDay{}
	err := s.db.WithContext(ctx).Raw(`SELECT day, SUM(exposure_ms) AS sensitive_ms, SUM(items) AS sensitive_items,
    SUM(breaks) AS breaks, SUM(CASE WHEN items > 0 THEN 1 ELSE 0 END) AS members_exposed
FROM wellbeing_days WHERE day >= ? GROUP BY day ORDER BY day`, labeling.DayName(since)).Scan(&out).Error
	return out, err
}
