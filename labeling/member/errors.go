package member

import "copyhold/labeling/fault"

// Membership and login codes.
var (
	ErrInvalidCredentials = fault.New(fault.KindUnauthenticated, "invalid_credentials", "login or password is wrong")
	ErrLoginTaken         = fault.New(fault.KindConflict, "login_taken", "that login is already in use")
	ErrInviteInvalid      = fault.New(fault.KindGone, "invite_invalid", "the invite link is unknown, used or expired")
	ErrWeakPassword       = fault.New(fault.KindInvalid, "weak_password", "passwords need at least 10 characters")
	ErrUnknownRole        = fault.New(fault.KindInvalid, "unknown_role", "roles are labeller, reviewer and coordinator")
	ErrMemberInactive     = fault.New(fault.KindForbidden, "member_inactive", "this membership has been deactivated")
)
