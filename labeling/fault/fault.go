// Package fault is the error type every domain returns: a kind that the
// server maps to one HTTP status, and a stable machine-readable code.
package fault

import "fmt"

// Kind groups error codes by how a caller should react; the server maps each
// kind to one HTTP status in one place (server/errors.go).
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
// Compare with errors.Is against sentinels; With adds detail.
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

// New defines a sentinel error; each domain declares its own codes with it.
func New(k Kind, code, msg string) *Error { return &Error{Kind: k, Code: code, Message: msg} }

// The generic codes, shared by every domain.
var (
	ErrInvalid         = New(KindInvalid, "invalid", "the request is invalid")
	ErrNotFound        = New(KindNotFound, "not_found", "not found")
	ErrForbidden       = New(KindForbidden, "forbidden", "you are not allowed to do this")
	ErrUnauthenticated = New(KindUnauthenticated, "unauthenticated", "log in first")
	ErrConflict        = New(KindConflict, "conflict", "the request conflicts with the current state")
	ErrRateLimited     = New(KindRateLimited, "rate_limited", "too many attempts; wait and try again")
)
