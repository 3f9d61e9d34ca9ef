package labeling

import "fmt"

// Kind groups error codes by how a caller should react; the server maps each
// kind to one HTTP status in one place.
type Kind int

const (
	KindInvalid Kind = iota + 1
	KindNotFound
	KindConflict
	KindForbidden
	KindUnauthenticated
	KindRateLimited
	KindUnavailable
	KindGone
)

// Error is a domain error with a stable, machine-readable code.
// Compare with errors.Is against the sentinels below; With adds detail.
type Error struct {
	Kind    Kind
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Is matches any *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// With returns a copy of e carrying a more specific message.
func (e *Error) With(format string, args ...any) *Error {
	return &Error{Kind: e.Kind, Code: e.Code, Message: fmt.Sprintf(format, args...)}
}

func newError(k Kind, code, msg string) *Error { return &Error{Kind: k, Code: code, Message: msg} }

// NewError defines a sentinel error; other domain packages use it for their own codes.
func NewError(k Kind, code, msg string) *Error { return newError(k, code, msg) }

var (
	ErrInvalid         = newError(KindInvalid, "invalid", "the request is invalid")
	ErrNotFound        = newError(KindNotFound, "not_found", "not found")
	ErrForbidden       = newError(KindForbidden, "forbidden", "you are not allowed to do this")
	ErrUnauthenticated = newError(KindUnauthenticated, "unauthenticated", "log in first")
	ErrConflict        = newError(KindConflict, "conflict", "the request conflicts with the current state")

	ErrInvalidCredentials = newError(KindUnauthenticated, "invalid_credentials", "login or password is wrong")
	ErrRateLimited        = newError(KindRateLimited, "rate_limited", "too many attempts; wait and try again")
	ErrLoginTaken         = newError(KindConflict, "login_taken", "that login is already in use")
	ErrInviteInvalid      = newError(KindGone, "invite_invalid", "the invite link is unknown, used or expired")
	ErrWeakPassword       = newError(KindInvalid, "weak_password", "passwords need at least 10 characters")
	ErrUnknownRole        = newError(KindInvalid, "unknown_role", "roles are labeller, reviewer and coordinator")
	ErrMemberInactive     = newError(KindForbidden, "member_inactive", "this membership has been deactivated")
)
