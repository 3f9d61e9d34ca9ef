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
