package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"

	"gorm.io/gorm"
)

type memberRow struct {
	ID           int64 `gorm:"primaryKey"`
	Login        string
	DisplayName  string
	PasswordHash string
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (memberRow) TableName() string { return "members" }

type roleRow struct {
	MemberID  int64  `gorm:"primaryKey"`
	Role      string `gorm:"primaryKey"`
	GrantedBy *int64
	GrantedAt time.Time
}

func (roleRow) TableName() string { return "member_roles" }

// NewMember is what it takes to add a member.
type NewMember struct {
	Login       string
	DisplayName string
	Password    string
	Roles       []labeling.Role
	Cost        labeling.PasswordCost
}

func (s *Members) loadRoles(tx *gorm.DB, ids []int64) (map[int64][]labeling.Role, error) {
	var rows []roleRow
	if err := tx.Where("member_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64][]labeling.Role{}
	for _, r := range rows {
		out[r.MemberID] = append(out[r.MemberID], labeling.Role(r.Role))
	}
	for id := range out {
		slices.SortFunc(out[id], func(a, b labeling.Role) int {
			return slices.Index(labeling.Roles, a) - slices.Index(labeling.Roles, b)
		})
	}
	return out, nil
}

func toMember(r memberRow, roles []labeling.Role) labeling.Member {
	if roles == nil {
		roles = []labeling.Role{}
	}
	return labeling.Member{ID: r.ID, Login: r.Login, DisplayName: r.DisplayName, Roles: roles, Active: r.Active, CreatedAt: r.CreatedAt}
}

// CreateMember adds a member with roles. actor is nil for the CLI.
func (s *Members) CreateMember(ctx context.Context, actor *int64, nm NewMember) (labeling.Member, error) {
	var out labeling.Member
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := s.createMember(tx, actor, nm)
		out = m
		return err
	})
	return out, err
}

func (s *Members) createMember(tx *gorm.DB, actor *int64, nm NewMember) (labeling.Member, error) {
	login, err := labeling.NormalizeLogin(nm.Login)
	if err != nil {
		return labeling.Member{}, err
	}
	name, err := labeling.CheckDisplayName(nm.DisplayName)
	if err != nil {
		return labeling.Member{}, err
	}
	cost := nm.Cost
	if cost == 0 {
		cost = labeling.DefaultPasswordCost
	}
	hash, err := labeling.HashPassword(nm.Password, cost)
	if err != nil {
		return labeling.Member{}, err
	}
	var n int64
	if err := tx.Model(&memberRow{}).Where("login = ?", login).Count(&n).Error; err != nil {
		return labeling.Member{}, err
	}
	if n > 0 {
		return labeling.Member{}, labeling.ErrLoginTaken
	}
	now := s.clock()
	row := memberRow{Login: login, DisplayName: name, PasswordHash: hash, Active: true, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&row).Error; err != nil {
		return labeling.Member{}, err
	}
	var roles []labeling.Role
	for _, r := range nm.Roles {
		if slices.Contains(roles, r) {
			continue
		}
		if _, err := labeling.ParseRole(string(r)); err != nil {
			return labeling.Member{}, err
		}
		if err := tx.Create(&roleRow{MemberID: row.ID, Role: string(r), GrantedBy: actor, GrantedAt: now}).Error; err != nil {
			return labeling.Member{}, err
		}
		roles = append(roles, r)
	}
	m := toMember(row, roles)
	if err := event.Append(tx, "member.joined", event.CoopScope, actor, map[string]any{"member_id": m.ID, "roles": m.Roles}); err != nil {
		return labeling.Member{}, err
	}
	return m, nil
}

// Member loads one member with roles.
func (s *Members) Member(ctx context.Context, id int64) (labeling.Member, error) {
	return s.memberWhere(s.db.WithContext(ctx), "id = ?", id)
}

// MemberByLogin loads a member by login.
func (s *Members) MemberByLogin(ctx context.Context, login string) (labeling.Member, error) {
	return s.memberWhere(s.db.WithContext(ctx), "login = ?", strings.ToLower(strings.TrimSpace(login)))
}

func (s *Members) memberWhere(tx *gorm.DB, q string, arg any) (labeling.Member, error) {
	var row memberRow
	if err := tx.Where(q, arg).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return labeling.Member{}, fault.ErrNotFound.With("member not found")
		}
		return labeling.Member{}, err
	}
	roles, err := s.loadRoles(tx, []int64{row.ID})
	if err != nil {
		return labeling.Member{}, err
	}
	return toMember(row, roles[row.ID]), nil
}

// Members lists every member, oldest first.
func (s *Members) Members(ctx context.Context) ([]labeling.Member, error) {
	var rows []memberRow
	db := s.db.WithContext(ctx)
	if err := db.Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	roles, err := s.loadRoles(db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]labeling.Member, len(rows))
	for i, r := range rows {
		out[i] = toMember(r, roles[r.ID])
	}
	return out, nil
}

// Authenticate checks a login and password. Unknown logins, wrong passwords
// and inactive members all give ErrInvalidCredentials, at the same cost.
func (s *Members) Authenticate(ctx context.Context, login, password string) (labeling.Member, error) {
	var row memberRow
	err := s.db.WithContext(ctx).Where("login = ?", strings.ToLower(strings.TrimSpace(login))).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		labeling.BurnPasswordCheck(password)
		return labeling.Member{}, labeling.ErrInvalidCredentials
	}
	if err != nil {
		return labeling.Member{}, err
	}
	if !labeling.CheckPassword(row.PasswordHash, password) || !row.Active {
		return labeling.Member{}, labeling.ErrInvalidCredentials
	}
	return s.Member(ctx, row.ID)
}

// SetPassword replaces a member's password and ends their sessions.
func (s *Members) SetPassword(ctx context.Context, id int64, password string, cost labeling.PasswordCost) error {
	if cost == 0 {
		cost = labeling.DefaultPasswordCost
	}
	hash, err := labeling.HashPassword(password, cost)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&memberRow{}).Where("id = ?", id).Updates(map[string]any{"password_hash": hash, "updated_at": s.clock()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fault.ErrNotFound.With("member not found")
		}
		return tx.Model(&sessionRow{}).Where("member_id = ? AND revoked_at IS NULL", id).Update("revoked_at", s.clock()).Error
	})
}

// GrantRole gives a member a role; granting a held role is a no-op.
func (s *Members) GrantRole(ctx context.Context, actor *int64, id int64, r labeling.Role) error {
	if _, err := labeling.ParseRole(string(r)); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := s.memberWhere(tx, "id = ?", id)
		if err != nil {
			return err
		}
		if m.Has(r) {
			return nil
		}
		if err := tx.Create(&roleRow{MemberID: id, Role: string(r), GrantedBy: actor, GrantedAt: s.clock()}).Error; err != nil {
			return err
		}
		return event.Append(tx, "role.granted", event.MemberScope(id), actor, map[string]any{"member_id": id, "role": r})
	})
}

// RevokeRole removes a role. The last active coordinator keeps theirs, so
// the co-op can never lock itself out.
func (s *Members) RevokeRole(ctx context.Context, actor *int64, id int64, r labeling.Role) error {
	if _, err := labeling.ParseRole(string(r)); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := s.memberWhere(tx, "id = ?", id)
		if err != nil {
			return err
		}
		if !m.Has(r) {
			return nil
		}
		if r == labeling.RoleCoordinator {
			if err := lastCoordinatorGuard(tx, id); err != nil {
				return err
			}
		}
		if err := tx.Where("member_id = ? AND role = ?", id, string(r)).Delete(&roleRow{}).Error; err != nil {
			return err
		}
		return event.Append(tx, "role.revoked", event.MemberScope(id), actor, map[string]any{"member_id": id, "role": r})
	})
}

var ErrLastCoordinator = fault.New(fault.KindConflict, "last_coordinator", "the co-op needs at least one active coordinator")

func lastCoordinatorGuard(tx *gorm.DB, id int64) error {
	var n int64
	err := tx.Table("member_roles").Joins("JOIN members ON members.id = member_roles.member_id").
		Where("member_roles.role = ? AND members.active AND members.id <> ?", string(labeling.RoleCoordinator), id).Count(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLastCoordinator
	}
	return nil
}

// Deactivate ends a membership: the member can no longer log in, and their
// sessions and tokens stop working. History stays.
func (s *Members) Deactivate(ctx context.Context, actor *int64, id int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := s.memberWhere(tx, "id = ?", id)
		if err != nil {
			return err
		}
		if !m.Active {
			return nil
		}
		if m.Has(labeling.RoleCoordinator) {
			if err := lastCoordinatorGuard(tx, id); err != nil {
				return err
			}
		}
		now := s.clock()
		if err := tx.Model(&memberRow{}).Where("id = ?", id).Updates(map[string]any{"active": false, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Model(&sessionRow{}).Where("member_id = ? AND revoked_at IS NULL", id).Update("revoked_at", now).Error; err != nil {
			return err
		}
		if err := tx.Model(&tokenRow{}).Where("member_id = ? AND revoked_at IS NULL", id).Update("revoked_at", now).Error; err != nil {
			return err
		}
		if err := s.ledger.MemberEnded(tx, id, actor); err != nil {
			return err
		}
		return event.Append(tx, "member.deactivated", event.CoopScope, actor, map[string]any{"member_id": id})
	})
}

// RecordLoginBurst notes repeated failed logins on the audit trail.
func (s *Members) RecordLoginBurst(ctx context.Context, login, ip string, failures int) error {
	return event.Append(s.db.WithContext(ctx), "login.failure_burst", "audit", nil,
		map[string]any{"login": login, "ip": ip, "failures": failures})
}
