package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/member"
	"copyhold/labeling/page"

	"gorm.io/gorm"
)

type memberRow struct {
	ID           int64 `gorm:"primaryKey"`
	Login        string
	DisplayName  string
	PasswordHash string
	Active       bool
	Admission    string
	AdmittedAt   *time.Time
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

func (s *Members) loadRoles(tx *gorm.DB, ids []int64) (map[int64][]member.Role, error) {
	var rows []roleRow
	if err := tx.Where("member_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64][]member.Role{}
	for _, r := range rows {
		out[r.MemberID] = append(out[r.MemberID], member.Role(r.Role))
	}
	for id := range out {
		slices.SortFunc(out[id], func(a, b member.Role) int {
			return slices.Index(member.Roles, a) - slices.Index(member.Roles, b)
		})
	}
	return out, nil
}

func toMember(r memberRow, roles []member.Role) member.Member {
	if roles == nil {
		roles = []member.Role{}
	}
	return member.Member{ID: r.ID, Login: r.Login, DisplayName: r.DisplayName, Roles: roles, Active: r.Active, Admission: r.Admission, CreatedAt: r.CreatedAt}
}

// CreateMember adds a member with roles. actor is nil for the CLI.
func (s *Members) CreateMember(ctx context.Context, actor *int64, nm member.NewMember) (member.Member, error) {
	var out member.Member
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := s.createMember(tx, actor, nm)
		out = m
		return err
	})
	return out, err
}

func (s *Members) createMember(tx *gorm.DB, actor *int64, nm member.NewMember) (member.Member, error) {
	return s.createMemberAs(tx, actor, nm, false)
}

// createMemberAs creates a member, or (applicant) an inactive applicant
// whose admission the members vote on.
func (s *Members) createMemberAs(tx *gorm.DB, actor *int64, nm member.NewMember, applicant bool) (member.Member, error) {
	login, err := member.NormalizeLogin(nm.Login)
	if err != nil {
		return member.Member{}, err
	}
	name, err := member.CheckDisplayName(nm.DisplayName)
	if err != nil {
		return member.Member{}, err
	}
	cost := nm.Cost
	if cost == 0 {
		cost = member.DefaultPasswordCost
	}
	hash, err := member.HashPassword(nm.Password, login, cost)
	if err != nil {
		return member.Member{}, err
	}
	var n int64
	if err := tx.Model(&memberRow{}).Where("login = ?", login).Count(&n).Error; err != nil {
		return member.Member{}, err
	}
	if n > 0 {
		return member.Member{}, member.ErrLoginTaken
	}
	now := s.clock()
	row := memberRow{Login: login, DisplayName: name, PasswordHash: hash, Active: true, Admission: member.Admitted, AdmittedAt: &now, CreatedAt: now, UpdatedAt: now}
	if applicant {
		row.Active, row.Admission, row.AdmittedAt = false, member.Applicant, nil
	}
	if err := tx.Create(&row).Error; err != nil {
		return member.Member{}, err
	}
	var roles []member.Role
	for _, r := range nm.Roles {
		if slices.Contains(roles, r) {
			continue
		}
		if _, err := member.ParseRole(string(r)); err != nil {
			return member.Member{}, err
		}
		if err := tx.Create(&roleRow{MemberID: row.ID, Role: string(r), GrantedBy: actor, GrantedAt: now}).Error; err != nil {
			return member.Member{}, err
		}
		roles = append(roles, r)
	}
	m := toMember(row, roles)
	evType := "member.joined"
	if applicant {
		evType = "member.applied"
	}
	if err := event.Append(tx, evType, event.CoopScope, actor, map[string]any{"member_id": m.ID, "roles": m.Roles}); err != nil {
		return member.Member{}, err
	}
	return m, nil
}

// Member loads one member with roles.
func (s *Members) Member(ctx context.Context, id int64) (member.Member, error) {
	return s.memberWhere(s.db.WithContext(ctx), "id = ?", id)
}

// MemberByLogin loads a member by login.
func (s *Members) MemberByLogin(ctx context.Context, login string) (member.Member, error) {
	return s.memberWhere(s.db.WithContext(ctx), "login = ?", strings.ToLower(strings.TrimSpace(login)))
}

func (s *Members) memberWhere(tx *gorm.DB, q string, arg any) (member.Member, error) {
	var row memberRow
	if err := tx.Where(q, arg).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return member.Member{}, fault.ErrNotFound.With("member not found")
		}
		return member.Member{}, err
	}
	roles, err := s.loadRoles(tx, []int64{row.ID})
	if err != nil {
		return member.Member{}, err
	}
	return toMember(row, roles[row.ID]), nil
}

// Members lists a page of members, oldest first.
func (s *Members) Members(ctx context.Context, p page.Page) ([]member.Member, error) {
	var rows []memberRow
	db := s.db.WithContext(ctx)
	if err := pageByID(db, "id", false, p).Find(&rows).Error; err != nil {
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
	out := make([]member.Member, len(rows))
	for i, r := range rows {
		out[i] = toMember(r, roles[r.ID])
	}
	return out, nil
}

// Authenticate checks a login and password. Unknown logins, wrong passwords
// and inactive members all give ErrInvalidCredentials, at the same cost.
func (s *Members) Authenticate(ctx context.Context, login, password string) (member.Member, error) {
	var row memberRow
	err := s.db.WithContext(ctx).Where("login = ?", strings.ToLower(strings.TrimSpace(login))).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		member.BurnPasswordCheck(password)
		return member.Member{}, member.ErrInvalidCredentials
	}
	if err != nil {
		return member.Member{}, err
	}
	if !member.CheckPassword(row.PasswordHash, password) {
		return member.Member{}, member.ErrInvalidCredentials
	}
	if !row.Active {
		// Only someone who knows the password learns where their application stands.
		switch row.Admission {
		case member.Applicant:
			return member.Member{}, member.ErrApplicationPending
		case member.Refused:
			return member.Member{}, member.ErrApplicationRefused
		}
		return member.Member{}, member.ErrInvalidCredentials
	}
	return s.Member(ctx, row.ID)
}

// SetPassword replaces a member's password and ends their sessions, and
// with pc.RevokeTokens their API tokens. The member.password_changed event
// names what ended, so the websockets those credentials opened close.
func (s *Members) SetPassword(ctx context.Context, id int64, pc member.PasswordChange) error {
	cost := pc.Cost
	if cost == 0 {
		cost = member.DefaultPasswordCost
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row memberRow
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return fault.ErrNotFound.With("member not found")
			}
			return err
		}
		hash, err := member.HashPassword(pc.Password, row.Login, cost)
		if err != nil {
			return err
		}
		if err := tx.Model(&memberRow{}).Where("id = ?", id).Updates(map[string]any{"password_hash": hash, "updated_at": s.clock()}).Error; err != nil {
			return err
		}
		sessions, tokens, err := s.revokeAll(tx, id, pc.RevokeTokens)
		if err != nil {
			return err
		}
		return event.Append(tx, "member.password_changed", event.AuditScope, &id,
			map[string]any{"member_id": id, "sessions": sessions, "tokens": tokens, "reset": pc.Reset})
	})
}

// GrantRole gives a member a role; granting a held role is a no-op.
func (s *Members) GrantRole(ctx context.Context, actor *int64, id int64, r member.Role) error {
	if _, err := member.ParseRole(string(r)); err != nil {
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
func (s *Members) RevokeRole(ctx context.Context, actor *int64, id int64, r member.Role) error {
	if _, err := member.ParseRole(string(r)); err != nil {
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
		if r == member.RoleCoordinator {
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
		Where("member_roles.role = ? AND members.active AND members.id <> ?", string(member.RoleCoordinator), id).Count(&n).Error
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
		if m.Has(member.RoleCoordinator) {
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

// RecordLoginBurst notes repeated failed logins on the audit trail: the
// login and address tried, which limit tripped ("account" or "ip") and how
// many failures it counted.
func (s *Members) RecordLoginBurst(ctx context.Context, b member.LoginBurst) error {
	return event.Append(s.db.WithContext(ctx), "login.failure_burst", event.AuditScope, nil,
		map[string]any{"login": b.Login, "ip": b.IP, "limit": b.Limit, "failures": b.Failures})
}

// ---- reads in the caller's transaction ----
//
// Other stores (the equity register) read members through these, never the
// members table itself.

// MemberActive reports whether id is a member (known) and whether the
// membership is active.
func MemberActive(tx *gorm.DB, id int64) (known, active bool, err error) {
	var rows []bool
	if err := tx.Raw("SELECT active FROM members WHERE id = ?", id).Scan(&rows).Error; err != nil {
		return false, false, err
	}
	if len(rows) == 0 {
		return false, false, nil
	}
	return true, rows[0], nil
}

// MembersActive maps every member id to whether the membership is active.
func MembersActive(tx *gorm.DB) (map[int64]bool, error) {
	var rows []struct {
		ID     int64
		Active bool
	}
	if err := tx.Raw("SELECT id, active FROM members").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Active
	}
	return out, nil
}

// DisplayNames maps those of ids that are members to their display names.
func DisplayNames(tx *gorm.DB, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID          int64
		DisplayName string
	}
	if err := tx.Raw("SELECT id, display_name FROM members WHERE id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.DisplayName
	}
	return out, nil
}

// ActiveSQL is ActiveOf for one member as a SQL expression, for a caller
// that reads it inside a statement of its own (the register's vest): whether
// the member whose id is the SQL expression id is active, NULL when there is
// no such member.
func ActiveSQL(id string) string {
	return "(SELECT m.active FROM members m WHERE m.id = " + id + ")"
}
