package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/member"
	"copyhold/labeling/page"

	"gorm.io/gorm"
)

type inviteRow struct {
	ID        int64 `gorm:"primaryKey"`
	TokenHash string
	Roles     string
	Note      string
	CreatedBy int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	UsedBy    *int64
	RevokedAt *time.Time
}

func (inviteRow) TableName() string { return "invites" }

// ErrInviteBeyondAuthority: an invite may grant only roles its creator may grant.
var ErrInviteBeyondAuthority = fault.New(fault.KindForbidden, "invite_beyond_authority", "an invite can only grant roles you hold yourself (or roles below them)")

// CreateInvite makes a one-time invite link token valid for ttl. The actor
// must be an active member who may grant every role in it.
func (s *Members) CreateInvite(ctx context.Context, actor int64, roles []member.Role, note string, ttl time.Duration) (string, member.Invite, error) {
	if len(roles) == 0 {
		return "", member.Invite{}, fault.ErrInvalid.With("an invite needs at least one role")
	}
	var names []string
	for _, r := range roles {
		if _, err := member.ParseRole(string(r)); err != nil {
			return "", member.Invite{}, err
		}
		names = append(names, string(r))
	}
	if len(note) > 500 {
		return "", member.Invite{}, fault.ErrInvalid.With("note is at most 500 characters")
	}
	token, hash := member.NewSecret("inv_")
	now := s.clock()
	row := inviteRow{TokenHash: hash, Roles: strings.Join(names, ","), Note: note, CreatedBy: actor, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.inviterMayGrant(tx, actor, roles); err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return event.Append(tx, "member.invited", event.CoopScope, &actor, map[string]any{"invite_id": row.ID, "roles": roles})
	})
	return token, member.Invite{Roles: roles, Note: note, ExpiresAt: row.ExpiresAt}, err
}

func (s *Members) openInvite(tx *gorm.DB, token string) (inviteRow, error) {
	var row inviteRow
	err := tx.Where("token_hash = ?", member.HashSecret(token)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, member.ErrInviteInvalid
	}
	if err != nil {
		return row, err
	}
	if row.UsedAt != nil || row.RevokedAt != nil || !s.clock().Before(row.ExpiresAt) {
		return row, member.ErrInviteInvalid
	}
	return row, nil
}

// inviterMayGrant checks, in tx, that the inviter is active and may grant
// every role: at creation and again at acceptance, so a demoted or
// deactivated coordinator's invites stop working.
func (s *Members) inviterMayGrant(tx *gorm.DB, inviter int64, roles []member.Role) error {
	m, err := s.memberWhere(tx, "id = ?", inviter)
	if err != nil {
		return err
	}
	for _, r := range roles {
		if !m.MayGrant(r) {
			return ErrInviteBeyondAuthority.With("%s may not grant the %s role", m.Login, r)
		}
	}
	return nil
}

// PendingInvites lists a page of the invites that can still be accepted,
// newest first.
func (s *Members) PendingInvites(ctx context.Context, p page.Page) ([]member.PendingInvite, error) {
	var rows []inviteRow
	q := s.db.WithContext(ctx).Where("used_at IS NULL AND revoked_at IS NULL AND expires_at > ?", s.clock())
	err := pageByID(q, "id", true, p).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]member.PendingInvite, len(rows))
	for i, r := range rows {
		inv := inviteOf(r)
		out[i] = member.PendingInvite{ID: r.ID, Roles: inv.Roles, Note: r.Note, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}
	}
	return out, nil
}

// RevokeInvite ends a pending invite; one used, expired or revoked already
// is not found.
func (s *Members) RevokeInvite(ctx context.Context, actor, id int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&inviteRow{}).Where("id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?", id, s.clock()).
			Update("revoked_at", s.clock())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fault.ErrNotFound.With("no pending invite %d", id)
		}
		return event.Append(tx, "member.invite_revoked", event.CoopScope, &actor, map[string]any{"invite_id": id})
	})
}

func inviteOf(row inviteRow) member.Invite {
	var roles []member.Role
	for _, r := range strings.Split(row.Roles, ",") {
		roles = append(roles, member.Role(r))
	}
	return member.Invite{Roles: roles, Note: row.Note, ExpiresAt: row.ExpiresAt}
}

// PeekInvite shows an open invite.
func (s *Members) PeekInvite(ctx context.Context, token string) (member.Invite, error) {
	row, err := s.openInvite(s.db.WithContext(ctx), token)
	if err != nil {
		return member.Invite{}, err
	}
	return inviteOf(row), nil
}

// AcceptInvite creates the member and spends the invite, atomically. When
// the co-op admits by vote (the Ledger is an Admissions that says so), the
// person is created as an inactive applicant and the admission proposal is
// opened in the same transaction; otherwise they are admitted at once (and
// owe the entry fee, if the members set one).
func (s *Members) AcceptInvite(ctx context.Context, token string, nm member.NewMember) (member.Member, error) {
	var out member.Member
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := s.openInvite(tx, token)
		if err != nil {
			return err
		}
		adm, _ := s.ledger.(Admissions)
		byVote := false
		if adm != nil {
			if byVote, err = adm.AdmissionByVote(tx); err != nil {
				return err
			}
		}
		nm.Roles = inviteOf(row).Roles
		if err := s.inviterMayGrant(tx, row.CreatedBy, nm.Roles); err != nil {
			if errors.Is(err, ErrInviteBeyondAuthority) || errors.Is(err, fault.ErrNotFound) {
				return member.ErrInviteInvalid.With("the invite is no longer valid: the member who sent it may no longer grant its roles")
			}
			return err
		}
		m, err := s.createMemberAs(tx, &row.CreatedBy, nm, byVote)
		if err != nil {
			return err
		}
		now := s.clock()
		res := tx.Model(&inviteRow{}).Where("id = ? AND used_at IS NULL", row.ID).Updates(map[string]any{"used_at": now, "used_by": m.ID})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return member.ErrInviteInvalid
		}
		if adm != nil {
			if byVote {
				err = adm.Applied(tx, m, row.CreatedBy)
			} else {
				err = adm.Admitted(tx, m.ID, 0)
			}
			if err != nil {
				return err
			}
		}
		out = m
		return nil
	})
	return out, err
}
