package member

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"copyhold/labeling/fault"
)

// The password policy follows NIST SP 800-63B §5.1.1.2: a minimum length, no
// composition rules, and a refusal of passwords that are common, expected or
// derived from the account (the login), or repetitive or sequential.

// Password policy codes; each says what to change.
var (
	ErrCommonPassword   = fault.New(fault.KindInvalid, "password_common", "that password is one of the most common passwords; choose another")
	ErrPasswordHasLogin = fault.New(fault.KindInvalid, "password_has_login", "a password must not contain your login")
	ErrPasswordPattern  = fault.New(fault.KindInvalid, "password_pattern", "a password must not be a repeated or sequential string such as aaaaaaaaaa, abcabcabc or 1234567890")
)

//go:embed common-passwords.txt
var commonPasswordsText string

// commonPasswords is the embedded list as a set of lower-case entries.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := map[string]struct{}{}
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		if w := strings.ToLower(strings.TrimSpace(line)); w != "" && !strings.HasPrefix(w, "#") {
			set[w] = struct{}{}
		}
	}
	return set
})

// CheckNewPassword applies the password policy to a new password for login
// (which may be empty when it is not known).
func CheckNewPassword(pw, login string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return ErrWeakPassword
	}
	if len(pw) > 72 {
		// bcrypt ignores bytes past 72; refuse rather than silently truncate.
		return fault.ErrInvalid.With("passwords are at most 72 bytes")
	}
	lower := strings.ToLower(pw)
	if l := strings.ToLower(strings.TrimSpace(login)); len(l) >= 3 && strings.Contains(lower, l) {
		return ErrPasswordHasLogin
	}
	if isPatterned(lower) {
		return ErrPasswordPattern
	}
	if isCommonPassword(lower) {
		return ErrCommonPassword
	}
	return nil
}

// isCommonPassword looks lower up in the list as it is, and its core: with
// look-alike digits read as letters and the digits and symbols people add
// before and after a common word taken off ("P@ssw0rd2024!" is "password").
func isCommonPassword(lower string) bool {
	set := commonPasswords()
	if _, ok := set[lower]; ok {
		return true
	}
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if _, ok := set[core]; ok {
		return true
	}
	plain := strings.TrimFunc(unleet(lower), func(r rune) bool { return !unicode.IsLetter(r) })
	_, ok := set[plain]
	return ok
}

var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i")

// unleet reads look-alike digits and symbols inside a word as letters, but
// leaves a trailing run of digits and symbols alone so that it can be trimmed.
func unleet(s string) string {
	end := len(s)
	for end > 0 && !unicode.IsLetter(rune(s[end-1])) {
		end--
	}
	return leet.Replace(s[:end]) + s[end:]
}

// isPatterned reports strings made of one short unit repeated (aaaa, abab,
// abcabc) or of one run of consecutive characters up or down (1234, abcd,
// 9876), or a keyboard row walked, ignoring separators.
func isPatterned(s string) bool {
	rs := []rune(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' || r == '.' {
			return -1
		}
		return r
	}, s))
	if len(rs) == 0 {
		return true
	}
	for unit := 1; unit <= len(rs)/2; unit++ {
		if repeats(rs, unit) {
			return true
		}
	}
	if distinct(rs) <= 2 {
		return true
	}
	if sequential(rs) {
		return true
	}
	for _, row := range keyboardRows {
		if strings.Contains(row, string(rs)) || strings.Contains(reverse(row), string(rs)) {
			return true
		}
	}
	return false
}

func repeats(rs []rune, unit int) bool {
	for i := unit; i < len(rs); i++ {
		if rs[i] != rs[i-unit] {
			return false
		}
	}
	return true
}

func distinct(rs []rune) int {
	seen := map[rune]bool{}
	for _, r := range rs {
		seen[r] = true
	}
	return len(seen)
}

// sequential: each character is one after (or one before) the last, with
// 0 following 9 so that 7890123456 counts.
func sequential(rs []rune) bool {
	step := func(a, b rune) rune {
		if a == '9' && b == '0' {
			return 1
		}
		if a == '0' && b == '9' {
			return -1
		}
		return b - a
	}
	d := step(rs[0], rs[1])
	if d != 1 && d != -1 {
		return false
	}
	for i := 2; i < len(rs); i++ {
		if step(rs[i-1], rs[i]) != d {
			return false
		}
	}
	return true
}

// keyboardRows are walks along a QWERTY keyboard, forwards here and backwards
// by reverse; a password that is all one walk is refused.
var keyboardRows = []string{
	"`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/", "qazwsxedcrfvtgbyhnujmikolp",
	"qwertzuiop", "azertyuiop", "qsdfghjklm", "wxcvbn",
}

func reverse(s string) string {
	rs := []rune(s)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs)
}
