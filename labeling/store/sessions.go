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

// SessionMember resolves a session cookie to its member and the session.
// Expired sessions are revoked on sight and answer ErrUnauthenticated, as do
// revoked ones.
func (s *Members) SessionMember(ctx context.Context, token string) (member.Member, member.Credential, error) {
	c, err := s.credential(ctx, "sessions", "c.token_hash = ? AND c.revoked_at IS NULL", member.HashSecret(token))
	if err != nil {
		return member.Member{}, member.Credential{}, err
	}
	if !c.found {
		return member.Member{}, member.Credential{}, fault.ErrUnauthenticated
	}
	cred := member.Credential{Kind: member.CredentialSession, ID: c.id, ExpiresAt: c.at.Time}
	if err := s.sessionLive(ctx, c); err != nil {
		return member.Member{}, member.Credential{}, err
	}
	m, err := c.activeMember()
	return m, cred, err
}

func (s *Members) sessionLive(ctx context.Context, c credentialRow) error {
	if c.revoked {
		return fault.ErrUnauthenticated.With("your session has ended; log in again")
	}
	if !s.clock().Before(c.at.Time) {
		s.db.WithContext(ctx).Model(&sessionRow{}).Where("id = ?", c.id).Update("revoked_at", s.clock())
		return fault.ErrUnauthenticated.With("your session has expired; log in again")
	}
	return nil
}

// CredentialMember re-checks a credential that authenticated earlier (an
// open websocket's): the member while it is live, ErrUnauthenticated once
// it was revoked or expired, ErrMemberInactive once the membership ended.
func (s *Members) CredentialMember(ctx context.Context, cred member.Credential) (member.Member, error) {
	var table string
	switch cred.Kind {
	case member.CredentialSession:
		table = "sessions"
	case member.CredentialToken:
		table = "api_tokens"
	default:
		return member.Member{}, fault.ErrUnauthenticated
	}
	c, err := s.credential(ctx, table, "c.id = ?", cred.ID)
	if err != nil {
		return member.Member{}, err
	}
	if !c.found {
		return member.Member{}, fault.ErrUnauthenticated
	}
	if cred.Kind == member.CredentialSession {
		if err := s.sessionLive(ctx, c); err != nil {
			return member.Member{}, err
		}
	} else if c.revoked {
		return member.Member{}, fault.ErrUnauthenticated.With("this API token was revoked")
	}
	return c.activeMember()
}

// RevokeSession ends a session (logout). The session.ended event on the
// audit trail closes the websockets it opened, on every instance.
func (s *Members) RevokeSession(ctx context.Context, token string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row sessionRow
		err := tx.Where("token_hash = ? AND revoked_at IS NULL", member.HashSecret(token)).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.Model(&sessionRow{}).Where("id = ?", row.ID).Update("revoked_at", s.clock()).Error; err != nil {
			return err
		}
		return event.Append(tx, "session.ended", event.AuditScope, &row.MemberID,
			map[string]any{"member_id": row.MemberID, "sessions": []int64{row.ID}})
	})
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

// Tokens lists a page of a member's live tokens, oldest first.
func (s *Members) Tokens(ctx context.Context, memberID int64, p page.Page) ([]member.APIToken, error) {
	var rows []tokenRow
	q := s.db.WithContext(ctx).Where("member_id = ? AND revoked_at IS NULL", memberID)
	if err := pageByID(q, "id", false, p).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]member.APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// RevokeToken revokes one of the member's own tokens; the token.revoked
// event closes the websockets it opened.
func (s *Members) RevokeToken(ctx context.Context, memberID, id int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&tokenRow{}).Where("id = ? AND member_id = ? AND revoked_at IS NULL", id, memberID).Update("revoked_at", s.clock())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fault.ErrNotFound.With("token not found")
		}
		return event.Append(tx, "token.revoked", event.AuditScope, &memberID,
			map[string]any{"member_id": memberID, "tokens": []int64{id}})
	})
}

// revokeAll ends every live session of the member, and with tokens every
// live API token, and returns the ids it ended.
func (s *Members) revokeAll(tx *gorm.DB, memberID int64, tokens bool) (sessions, toks []int64, err error) {
	now := s.clock()
	if err := tx.Raw("SELECT id FROM sessions WHERE member_id = ? AND revoked_at IS NULL ORDER BY id", memberID).Scan(&sessions).Error; err != nil {
		return nil, nil, err
	}
	if err := tx.Model(&sessionRow{}).Where("member_id = ? AND revoked_at IS NULL", memberID).Update("revoked_at", now).Error; err != nil {
		return nil, nil, err
	}
	if !tokens {
		return sessions, []int64{}, nil
	}
	if err := tx.Raw("SELECT id FROM api_tokens WHERE member_id = ? AND revoked_at IS NULL ORDER BY id", memberID).Scan(&toks).Error; err != nil {
		return nil, nil, err
	}
	if err := tx.Model(&tokenRow{}).Where("member_id = ? AND revoked_at IS NULL", memberID).Update("revoked_at", now).Error; err != nil {
		return nil, nil, err
	}
	return sessions, toks, nil
}

// TokenMember resolves an API token to its member and the token.
func (s *Members) TokenMember(ctx context.Context, token string) (member.Member, member.Credential, error) {
	c, err := s.credential(ctx, "api_tokens", "c.token_hash = ? AND c.revoked_at IS NULL", member.HashSecret(token))
	if err != nil {
		return member.Member{}, member.Credential{}, err
	}
	if !c.found {
		return member.Member{}, member.Credential{}, fault.ErrUnauthenticated.With("unknown or revoked API token")
	}
	// Coarse last-used stamp: at most one write a minute per token.
	if !c.at.Valid || s.clock().Sub(c.at.Time) > time.Minute {
		s.db.WithContext(ctx).Model(&tokenRow{}).Where("id = ?", c.id).Update("last_used_at", s.clock())
	}
	m, err := c.activeMember()
	return m, member.Credential{Kind: member.CredentialToken, ID: c.id}, err
}
