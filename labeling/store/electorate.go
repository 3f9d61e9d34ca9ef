package store

import (
	"slices"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/member"

	"gorm.io/gorm"
)

// What collective rule (equity/vote) needs to know of members, read here
// because this store owns the members table. Functions take the caller's
// transaction so that a vote reads the electorate it counts with.

// Electorate is every active member admitted (members.admitted_at) before t.
func Electorate(tx *gorm.DB, before time.Time) ([]int64, error) {
	var ids []int64
	err := tx.Raw("SELECT id FROM members WHERE active = ? AND COALESCE(admitted_at, created_at) < ? ORDER BY id", true, before).Scan(&ids).Error
	return ids, err
}

// Voter is a member as a vote sees them.
type Voter struct {
	ID         int64
	Name       string
	Active     bool
	Admission  string    // member.Admitted, Applicant or Refused
	AdmittedAt time.Time // zero for an applicant
}

// Voters reads the given members (unknown ids are left out).
func Voters(tx *gorm.DB, ids []int64) (map[int64]Voter, error) {
	out := map[int64]Voter{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID          int64
		DisplayName string
		Active      bool
		Admission   string
		AdmittedAt  *time.Time
		CreatedAt   time.Time
	}
	if err := tx.Raw("SELECT id, display_name, active, admission, admitted_at, created_at FROM members WHERE id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		v := Voter{ID: r.ID, Name: r.DisplayName, Active: r.Active, Admission: r.Admission}
		switch {
		case r.AdmittedAt != nil:
			v.AdmittedAt = r.AdmittedAt.UTC()
		case r.Admission == member.Admitted: // a row written before admission was recorded
			v.AdmittedAt = r.CreatedAt.UTC()
		}
		out[r.ID] = v
	}
	return out, nil
}

// AdmittedSince lists when the members admitted at or after t joined.
func AdmittedSince(tx *gorm.DB, t time.Time) ([]time.Time, error) {
	var rows []struct {
		AdmittedAt *time.Time
		CreatedAt  time.Time
	}
	err := tx.Raw("SELECT admitted_at, created_at FROM members WHERE admission = ? AND (admitted_at >= ? OR admitted_at IS NULL AND created_at >= ?)",
		member.Admitted, t, t).Scan(&rows).Error
	at := make([]time.Time, 0, len(rows))
	for _, r := range rows {
		if r.AdmittedAt != nil {
			at = append(at, *r.AdmittedAt)
		} else {
			at = append(at, r.CreatedAt)
		}
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	return at, err
}

// Admit makes an applicant a member, active and admitted from now (so
// eligible in votes opened after now). It reports false when the person is
// not an applicant (already decided).
func Admit(tx *gorm.DB, id int64, actor *int64, now time.Time) (bool, error) {
	res := tx.Exec("UPDATE members SET active = ?, admission = ?, admitted_at = ?, updated_at = ? WHERE id = ? AND admission = ?",
		true, member.Admitted, now, now, id, member.Applicant)
	if res.Error != nil || res.RowsAffected == 0 {
		return false, res.Error
	}
	return true, event.Append(tx, "member.joined", event.CoopScope, actor, map[string]any{"member_id": id, "admitted": "vote"})
}

// Refuse refuses an applicant's application. It reports false when the
// person is not an applicant.
func Refuse(tx *gorm.DB, id int64, now time.Time) (bool, error) {
	res := tx.Exec("UPDATE members SET admission = ?, updated_at = ? WHERE id = ? AND admission = ?", member.Refused, now, id, member.Applicant)
	if res.Error != nil || res.RowsAffected == 0 {
		return false, res.Error
	}
	return true, event.Append(tx, "member.refused", event.CoopScope, nil, map[string]any{"member_id": id})
}

// CoopLimits is implemented by a Ledger that knows the co-op's voted work
// limits: a daily stint for every project (0: none) and the sensitive
// maximum. Projects' stints and members' sensitive caps are clamped to them.
type CoopLimits interface {
	WorkLimits(tx *gorm.DB) (stint, sensitiveMax int, err error)
	// WorkLimitsSQL is a scalar subquery of the stored rule (NULL when never
	// voted), for a claim to read with its own first statement, and
	// ParseWorkLimits turns what it read into the limits.
	WorkLimitsSQL() string
	ParseWorkLimits(stored *string) (stint, sensitiveMax int, err error)
}

// coopLimits reads the voted limits, or none and the engine's maximum.
func (s *base) coopLimits(tx *gorm.DB) (stint, sensitiveMax int, err error) {
	if l, ok := s.ledger.(CoopLimits); ok {
		return l.WorkLimits(tx)
	}
	return 0, labeling.CoopSensitiveDailyCap, nil
}

// limitsSQL is the column a claim's first statement reads the voted limits
// through (limitsFrom parses it).
func (s *base) limitsSQL() string {
	if l, ok := s.ledger.(CoopLimits); ok {
		return l.WorkLimitsSQL()
	}
	return "NULL"
}

// limitsFrom is coopLimits from what limitsSQL read.
func (s *base) limitsFrom(stored *string) (stint, sensitiveMax int, err error) {
	if l, ok := s.ledger.(CoopLimits); ok {
		return l.ParseWorkLimits(stored)
	}
	return 0, labeling.CoopSensitiveDailyCap, nil
}

// clampStint is a project's stint under the co-op's (0 means none).
func clampStint(project, coop int) int {
	if coop > 0 && (project == 0 || coop < project) {
		return coop
	}
	return project
}
