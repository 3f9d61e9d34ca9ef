package member

import (
	"errors"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// Finding 9: the NIST SP 800-63B checks on new passwords.
func TestCheckNewPassword(t *testing.T) {
	for _, c := range []struct {
		pw, login string
		want      error
	}{
		{"aaaaaaaaaa", "ana", ErrPasswordPattern},
		{"ababababab", "ana", ErrPasswordPattern},
		{"abcabcabcabc", "ana", ErrPasswordPattern},
		{"1234567890", "ana", ErrPasswordPattern},
		{"0987654321", "ana", ErrPasswordPattern},
		{"abcdefghijkl", "ana", ErrPasswordPattern},
		{"7890123456", "ana", ErrPasswordPattern},
		{"asdfghjkl;", "ana", ErrPasswordPattern},
		{";lkjhgfdsa", "ana", ErrPasswordPattern},
		{"1qaz2wsx3edc", "ana", ErrPasswordPattern},
		{"aaaaabbbbb", "ana", ErrPasswordPattern},
		{"password123", "ana", ErrCommonPassword},
		{"Password2024!", "ana", ErrCommonPassword},
		{"P@ssw0rd!!", "ana", ErrCommonPassword},
		{"iloveyou12345", "ana", ErrCommonPassword},
		{"123football", "ana", ErrCommonPassword},
		{"letmein!!!!", "ana", ErrCommonPassword},
		{"copyhold2025", "ana", ErrCommonPassword},
		{"1q2w3e4r5t", "ana", ErrCommonPassword},
		{"ana.silva.2025", "ana.silva", ErrPasswordHasLogin},
		{"my-ANA-password", "ana", ErrPasswordHasLogin},
		{"short", "ana", ErrWeakPassword},
		{"correct-horse-battery", "ana", nil},
		{"a-brand-new-password", "ana", nil},
		{"dragonfly-rocket-93", "ana", nil},
		{"copyhold-demo", "labeller", nil},
		{"Tr0ub4dor&3xyz", "ana", nil},
		{"an-ab-password", "ab", nil}, // logins under 3 characters are too short to look for
	} {
		err := CheckNewPassword(c.pw, c.login)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("CheckNewPassword(%q, %q) = %v, want %v", c.pw, c.login, err, c.want)
		}
	}
	if err := CheckNewPassword(string(make([]byte, 73)), ""); err == nil {
		t.Error("a password over 72 bytes was accepted")
	}
	if n := len(commonPasswords()); n < 300 {
		t.Errorf("the embedded list has %d entries", n)
	}
}

// Finding 3: an invite grants at most the creator's highest role.
func TestMayGrant(t *testing.T) {
	coord := Member{Active: true, Roles: []Role{RoleCoordinator}}
	rev := Member{Active: true, Roles: []Role{RoleReviewer}}
	gone := Member{Active: false, Roles: []Role{RoleCoordinator}}
	for _, c := range []struct {
		m    Member
		r    Role
		want bool
	}{
		{coord, RoleCoordinator, true}, {coord, RoleLabeller, true}, {rev, RoleLabeller, true},
		{rev, RoleReviewer, true}, {rev, RoleCoordinator, false}, {gone, RoleLabeller, false},
		{coord, Role("owner"), false},
	} {
		if got := c.m.MayGrant(c.r); got != c.want {
			t.Errorf("%v MayGrant(%s) = %v", c.m.Roles, c.r, got)
		}
	}
}

// The dummy hash costs what a real password check costs, and is made once.
func TestDummyHashIsLazyAndStable(t *testing.T) {
	h := dummyHash()
	if cost, err := bcrypt.Cost(h); err != nil || cost != int(DefaultPasswordCost) {
		t.Fatalf("dummy hash cost = %d, %v; want %d", cost, err, DefaultPasswordCost)
	}
	if again := dummyHash(); &again[0] != &h[0] {
		t.Fatal("dummy hash computed twice")
	}
}
