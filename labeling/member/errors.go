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
	// ErrApplicationPending: the right password of an applicant whose admission the members are still voting on.
	ErrApplicationPending = fault.New(fault.KindForbidden, "application_pending", "Your application is before the members: you can log in once they admit you")
	// ErrApplicationRefused: the right password of an applicant the members did not admit.
	ErrApplicationRefused = fault.New(fault.KindForbidden, "application_refused", "The members did not admit your application")
)
