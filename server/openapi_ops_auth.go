package server

import (
	"net/http"

	"copyhold/labeling/fault"
	"copyhold/labeling/member"
)

// Codes whose sentinels other packages keep unexported; the kind is theirs.
var (
	errInviteBeyondAuthority = fault.New(fault.KindForbidden, "invite_beyond_authority", "")
	errLastCoordinator       = fault.New(fault.KindConflict, "last_coordinator", "")
)

var passwordErrors = []*fault.Error{member.ErrWeakPassword, member.ErrCommonPassword, member.ErrPasswordHasLogin, member.ErrPasswordPattern}

// pendingApplication is the answer to a login or an accepted invite of a
// member whose admission the members still have to vote on.
var pendingApplication = fields{"member": member.Member{}, "application": schema{"type": "string", "enum": []string{"pending"}}, "message": tString}

func systemOps() []*op {
	return []*op{
		opGet("/healthz", "Liveness", public).ok(http.StatusOK, fields{"status": tString}),
		opGet("/readyz", "Readiness: the database answers", public).ok(http.StatusOK, fields{"status": tString}).
			fails(errUnavailable),
		opGet("/api/openapi.json", "This document", public).ok(http.StatusOK, schema{"type": "object"}),
		opGet("/api/docs", "This document, rendered for reading", public).file(http.StatusOK, "text/html", "the reader's page"),
		opGet("/api/docs/assets/*file", "The reader's scripts and styles", public).
			file(http.StatusOK, "application/octet-stream", "a file of swagger-ui-dist or its initializer").fails(errRouteMissing),
		opGet("/ws", "The live websocket", anyMember).
			about("Upgrades to a websocket; its messages are described in the document's `x-websocket` annex and in docs/WEBSOCKET.md.").
			empty(http.StatusSwitchingProtocols, "the websocket").
			fails(errRouteMissing, errTooManyConnections, fault.ErrUnauthenticated, fault.ErrRateLimited),
	}
}

var errTooManyConnections = fault.New(fault.KindRateLimited, "too_many_connections", "")

func authOps() []*op {
	return []*op{
		opPost("/api/auth/login", "Log in: sets the session cookie", public).in(loginRequest{}).
			ok(http.StatusOK, fields{"member": member.Member{}}).
			ok(http.StatusAccepted, pendingApplication, "an applicant: no session until the members admit them").
			fails(member.ErrInvalidCredentials, fault.ErrRateLimited, member.ErrMemberInactive, member.ErrApplicationRefused, member.ErrApplicationPending),
		opPost("/api/auth/logout", "Log out: revokes the session", public).empty(http.StatusNoContent),
		opGet("/api/demo", "Whether the demo co-op is loaded and, only then, its logins (for the login page)", public).
			ok(http.StatusOK, DemoInfo{}),
		opGet("/api/invites/:token", "Look at an invite", public).ok(http.StatusOK, member.Invite{}).
			fails(member.ErrInviteInvalid),
		opPost("/api/invites/:token/accept", "Accept an invite: creates the member and a session", public).in(acceptRequest{}).
			ok(http.StatusCreated, fields{"member": member.Member{}}).
			ok(http.StatusAccepted, pendingApplication, "an applicant: no session until the members admit them").
			fails(append(passwordErrors, member.ErrInviteInvalid, member.ErrLoginTaken)...),

		opGet("/api/me", "The caller", anyMember).ok(http.StatusOK, member.Member{}),
		opPost("/api/me/password", "Change the caller's password", anyMember).in(passwordRequest{}).
			empty(http.StatusNoContent, "changed; a fresh session cookie is set").
			fails(append(passwordErrors, errWrongPassword, fault.ErrRateLimited)...),
		opGet("/api/me/settings", "The caller's settings", anyMember).ok(http.StatusOK, mySettings),
		opPut("/api/me/settings", "Change the caller's settings", anyMember).in(settingsRequest{}).ok(http.StatusOK, mySettings),
		opGet("/api/tokens", "The caller's live API tokens, oldest first", anyMember).paged(member.APIToken{}, nil),
		opPost("/api/tokens", "Create an API token (shown this once)", anyMember).in(tokenRequest{}).
			ok(http.StatusCreated, fields{"id": tInteger, "name": tString, "prefix": tString, "token": tString}),
		opDelete("/api/tokens/:id", "Revoke an API token", anyMember).empty(http.StatusNoContent),

		opGet("/api/members", "The members, oldest first", coordinators).paged(member.Member{}, nil),
		opPost("/api/members/:id/roles", "Grant a role", coordinators).in(roleRequest{}).empty(http.StatusNoContent).
			fails(member.ErrUnknownRole),
		opDelete("/api/members/:id/roles/:role", "Revoke a role", coordinators).empty(http.StatusNoContent).
			fails(member.ErrUnknownRole, errLastCoordinator),
		opPost("/api/members/:id/deactivate", "Deactivate a member", coordinators).empty(http.StatusNoContent).
			fails(errLastCoordinator),
		opPost("/api/invites", "Create an invite", coordinators).in(inviteRequest{}).
			ok(http.StatusCreated, fields{"url": tString, "token": tString, "expires_at": tTime, "roles": []member.Role{}}).
			fails(member.ErrUnknownRole, errInviteBeyondAuthority),
		opGet("/api/invites", "The pending invites, newest first", coordinators).paged(member.PendingInvite{}, nil),
		opDelete("/api/invites/:id", "Revoke a pending invite", coordinators).empty(http.StatusNoContent),
	}
}

var mySettings = fields{"sensitive_daily_cap": tInteger, "coop_sensitive_max": tInteger}
