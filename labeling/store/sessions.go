package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"copyhold/labeling/fault"
	"copyhold/labeling/member"

	"gorm.io/gorm"
)

type sessionRow struct {
	ID        int64 `gorm:"primaryKey"`
	TokenHash string
	MemberID  int64
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

func (sessionRow) TableName() string { return "sessions" }

type tokenRow struct {
	ID         int64 `gorm:"primaryKey"`
	MemberID   int64
	Name       string
	TokenHash  string
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }

// token is the row without its secret.
func (r tokenRow) token() member.APIToken {
	return member.APIToken{ID: r.ID, Name: r.Name, Prefix: r.Prefix, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt}
}

// CreateSession starts a server-side session and returns its cookie value.
func (s *Members) CreateSession(ctx context.Context, memberID int64, ttl time.Duration) (string, time.Time, error) {
	token, hash := member.NewSecret("s_")
	now := s.clock()
	row := sessionRow{TokenHash: hash, MemberID: memberID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return "", time.Time{}, err
	}
	return token, row.ExpiresAt, nil
}

// SessionMember resolves a session cookie. Expired sessions are revoked on
// sight and answer ErrUnauthenticated, as do revoked ones.
func (s *Members) SessionMember(ctx context.Context, token string) (member.Member, error) {
	var row sessionRow
	err := s.db.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", member.HashSecret(token)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return member.Member{}, fault.ErrUnauthenticated
	}
	if err != nil {
		return member.Member{}, err
	}
	if !s.clock().Before(row.ExpiresAt) {
		s.db.WithContext(ctx).Model(&sessionRow{}).Where("id = ?", row.ID).Update("revoked_at", s.clock())
		return member.Member{}, fault.ErrUnauthenticated.With("your session has expired; log in again")
	}
	return s.activeMember(ctx, row.MemberID)
}

func (s *Members) activeMember(ctx context.Context, id int64) (member.Member, error) {
	m, err := s.Member(ctx, id)
	if err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return member.Member{}, fault.ErrUnauthenticated
		}
		return member.Member{}, err
	}
	if !m.Active {
		return member.Member{}, member.ErrMemberInactive
	}
	return m, nil
}

// RevokeSession ends a session (logout).
func (s *Members) RevokeSession(ctx context.Context, token string) error {
	return s.db.WithContext(ctx).Model(&sessionRow{}).
		Where("token_hash = ? AND revoked_at IS NULL", member.HashSecret(token)).Update("revoked_at", s.clock()).Error
}

// CreateToken issues a personal API token. The secret is returned once.
func (s *Members) CreateToken(ctx context.Context, memberID int64, name string) (member.APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 80 {
		return member.APIToken{}, "", fault.ErrInvalid.With("token name must be 1-80 characters")
	}
	token, hash := member.NewSecret("cht_")
	row := tokenRow{MemberID: memberID, Name: name, TokenHash: hash, Prefix: token[:10], CreatedAt: s.clock()}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return member.APIToken{}, "", err
	}
	return row.token(), token, nil
}

// Tokens lists a member's live tokens.
func (s *Members) Tokens(ctx context.Context, memberID int64) ([]member.APIToken, error) {
	var rows []tokenRow
	if err := s.db.WithContext(ctx).Where("member_id = ? AND revoked_at IS NULL", memberID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]member.APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// RevokeToken revokes one of the member's own tokens.
func (s *Members) RevokeToken(ctx context.Context, memberID, id int64) error {
	res := s.db.WithContext(ctx).Model(&tokenRow{}).Where("id = ? AND member_id = ? AND revoked_at IS NULL", id, memberID).Update("revoked_at", s.clock())
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return fault.ErrNotFound.With("token not found")
	}
	return nil
}

// TokenMember resolves an API token.
func (s *Members) TokenMember(ctx context.Context, token string) (member.Member, error) {
	var row tokenRow
	err := s.db.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", member.HashSecret(token)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return member.Member{}, fault.ErrUnauthenticated.With("unknown or revoked API token")
	}
	if err != nil {
		return member.Member{}, err
	}
	// Coarse last-used stamp: at most one write a minute per token.
	if row.LastUsedAt == nil || s.clock().Sub(*row.LastUsedAt) > time.Minute {
		s.db.WithContext(ctx).Model(&tokenRow{}).Where("id = ?", row.ID).Update("last_used_at", s.clock())
	}
	return s.activeMember(ctx, row.MemberID)
}
