package store

import (
	"time"

	"copyhold/labeling"

	"gorm.io/gorm"
)

// What collective rule (equity/vote) needs to know of members, read here
// because this store owns the members table. Functions take the caller's
// transaction so that a vote reads the electorate it counts with.

// Electorate is every active member admitted (members.created_at) before t.
func Electorate(tx *gorm.DB, before time.Time) ([]int64, error) {
	var ids []int64
	err := tx.Raw("SELECT id FROM members WHERE active = ? AND created_at < ? ORDER BY id", true, before).Scan(&ids).Error
	return ids, err
}

// Voter is a member as a vote sees them.
type Voter struct {
	ID         int64
	Name       string
	Active     bool
	AdmittedAt time.Time
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
		CreatedAt   time.Time
	}
	if err := tx.Raw("SELECT id, display_name, active, created_at FROM members WHERE id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = Voter{ID: r.ID, Name: r.DisplayName, Active: r.Active, AdmittedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// AdmittedSince lists when the members admitted at or after t joined.
func AdmittedSince(tx *gorm.DB, t time.Time) ([]time.Time, error) {
	var at []time.Time
	err := tx.Raw("SELECT created_at FROM members WHERE created_at >= ? ORDER BY created_at", t).Scan(&at).Error
	return at, err
}

// CoopLimits is implemented by a Ledger that knows the co-op's voted work
// limits: a daily stint for every project (0: none) and the sensitive
// maximum. Projects' stints and members' sensitive caps are clamped to them.
type CoopLimits interface {
	WorkLimits(tx *gorm.DB) (stint, sensitiveMax int, err error)
}

// coopLimits reads the voted limits, or none and the engine's maximum.
func (s *base) coopLimits(tx *gorm.DB) (stint, sensitiveMax int, err error) {
	if l, ok := s.ledger.(CoopLimits); ok {
		return l.WorkLimits(tx)
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
