// Package member holds the co-op's members and roles and the rules for logins, passwords and secrets.
package member

import (
	"copyhold/labeling/fault"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Role is what a member may do. A member may hold several.
type Role string

const (
	RoleLabeller    Role = "labeller"
	RoleReviewer    Role = "reviewer"
	RoleCoordinator Role = "coordinator"
)

// Roles lists every role in display order.
var Roles = []Role{RoleLabeller, RoleReviewer, RoleCoordinator}

// ParseRole accepts a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(strings.ToLower(s)))
	if !slices.Contains(Roles, r) {
		return "", ErrUnknownRole.With("unknown role %q: roles are labeller, reviewer and coordinator", s)
	}
	return r, nil
}

// Member is a person in the co-op.
type Member struct {
	ID          int64  `json:"id"`
	Login       string `json:"login"`
	DisplayName string `json:"display_name"`
	Roles       []Role `json:"roles"`
	Active      bool   `json:"active"`
	// Admission is admitted, or applicant / refused for a membership the
	// members vote on (the entry rule's admission by vote).
	Admission string    `json:"admission"`
	CreatedAt time.Time `json:"created_at"`
}

// Admission states of a membership.
const (
	Admitted  = "admitted"
	Applicant = "applicant"
	Refused   = "refused"
)

// Has reports whether m holds role r.
func (m Member) Has(r Role) bool { return slices.Contains(m.Roles, r) }

// rank orders roles by authority: labeller < reviewer < coordinator.
func rank(r Role) int { return slices.Index(Roles, r) }

// MayGrant reports whether m may hand r to someone else (by invite): an
// active member holding r or a role above it.
func (m Member) MayGrant(r Role) bool {
	if !m.Active || rank(r) < 0 {
		return false
	}
	for _, h := range m.Roles {
		if rank(h) >= rank(r) {
			return true
		}
	}
	return false
}

var loginRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,39}$`) })

// NormalizeLogin lower-cases a login and checks its shape.
func NormalizeLogin(s string) (string, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	if !loginRE().MatchString(l) {
		return "", fault.ErrInvalid.With("login must be 2-40 characters: letters, digits, dot, dash or underscore, starting with a letter or digit")
	}
	return l, nil
}

// CheckDisplayName trims and bounds a display name.
func CheckDisplayName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > 80 {
		return "", fault.ErrInvalid.With("display name must be 1-80 characters")
	}
	return s, nil
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// PasswordCost is the bcrypt cost; tests lower it.
type PasswordCost int

// DefaultPasswordCost balances login latency against guessing cost.
const DefaultPasswordCost PasswordCost = 11

// HashPassword checks the password policy for login and hashes the
// password with bcrypt.
func HashPassword(pw, login string, cost PasswordCost) (string, error) {
	if err := CheckNewPassword(pw, login); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), int(cost))
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// CheckPassword compares in constant time. An empty hash never matches.
func CheckPassword(hash, pw string) bool {
	if hash == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// dummyHash lets a login for an unknown account cost the same as a real one.
// It is computed on first use, once: computing it when the package loads
// cost every copyhold command about 100 ms of start-up.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("copyhold-timing-equaliser"), int(DefaultPasswordCost))
	return h
})

// BurnPasswordCheck spends the time of one password check.
func BurnPasswordCheck(pw string) { bcrypt.CompareHashAndPassword(dummyHash(), []byte(pw)) }

// NewSecret returns a random URL-safe token with a readable prefix, and its
// SHA-256 hash, which is all the database keeps.
func NewSecret(prefix string) (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashSecret(token)
}

// HashSecret hashes a token for lookup.
func HashSecret(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
