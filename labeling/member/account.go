package member

import "time"

// The requests and views of accounts: a new member, an invite, a personal token.

// NewMember is what it takes to add a member.
type NewMember struct {
	Login       string
	DisplayName string
	Password    string
	Roles       []Role
	Cost        PasswordCost
}

// Invite is an open, one-time invitation.
type Invite struct {
	Roles     []Role    `json:"roles"`
	Note      string    `json:"note"`
	ExpiresAt time.Time `json:"expires_at"`
}

// APIToken describes a personal API token without its secret.
type APIToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// PendingInvite is an open invite as coordinators see it: never its token.
type PendingInvite struct {
	ID        int64     `json:"id"`
	Roles     []Role    `json:"roles"`
	Note      string    `json:"note"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PasswordChange is a new password and whether the member's API tokens end
// with the old one. Sessions always end.
type PasswordChange struct {
	Password     string
	Cost         PasswordCost
	RevokeTokens bool
	// Reset marks a password set by an operator rather than by the member.
	Reset bool
}

// Credential is what an authenticated request or websocket stands on: a
// session or an API token, by id. Its end (logout, password change,
// revocation, expiry) ends whatever it opened.
type Credential struct {
	Kind      CredentialKind `json:"kind"`
	ID        int64          `json:"id"`
	ExpiresAt time.Time      `json:"-"` // zero: no expiry (API tokens)
}

// CredentialKind says whether a credential is a session or an API token.
type CredentialKind string

const (
	CredentialSession CredentialKind = "session"
	CredentialToken   CredentialKind = "token"
)

// LoginBurst is a run of failed logins that tripped a limit, for the audit
// trail: Limit is "account" or "ip", Failures the failed attempts it counted.
type LoginBurst struct {
	Login    string
	IP       string
	Limit    string
	Failures int
}
