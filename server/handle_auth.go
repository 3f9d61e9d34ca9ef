package server

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"copyhold/labeling/fault"
	"copyhold/labeling/member"
	"copyhold/labeling/page"

	"github.com/gin-gonic/gin"
)

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

func (s *Server) handleLogin(c *gin.Context) {
	var req loginRequest
	if !bindJSON(c, &req) {
		return
	}
	login := strings.ToLower(strings.TrimSpace(req.Login))
	if login == "" || req.Password == "" {
		fail(c, fault.ErrInvalid.With("login and password are required"))
		return
	}
	ip := c.ClientIP() // the TCP peer unless a trusted proxy forwarded it
	try, ok, retry, tripped := s.limits.begin(login, ip)
	if !ok {
		if tripped != nil {
			burst := member.LoginBurst{Login: login, IP: ip, Limit: tripped.limit, Failures: tripped.failures}
			if err := s.members.RecordLoginBurst(c.Request.Context(), burst); err != nil {
				s.log.Warn("record login burst", "err", err)
			}
		}
		tooMany(c, retry, fault.ErrRateLimited)
		return
	}
	m, err := s.members.Authenticate(c.Request.Context(), login, req.Password)
	if errors.Is(err, member.ErrInvalidCredentials) {
		try.failed()
	} else {
		try.succeeded()
	}
	if err != nil {
		fail(c, err)
		return
	}
	if m.Admission == member.Applicant {
		// Admission by vote: no session until the members admit them.
		c.JSON(http.StatusAccepted, gin.H{"member": m, "application": "pending",
			"message": "Your application is before the members: you can log in once they admit you"})
		return
	}
	token, exp, err := s.members.CreateSession(c.Request.Context(), m.ID, s.cfg.SessionTTL)
	if err != nil {
		fail(c, err)
		return
	}
	s.setSessionCookie(c, token, exp)
	c.JSON(http.StatusOK, gin.H{"member": m})
}

func (s *Server) handleLogout(c *gin.Context) {
	if cookie, err := c.Cookie(sessionCookie); err == nil && cookie != "" {
		if err := s.members.RevokeSession(c.Request.Context(), cookie); err != nil {
			fail(c, err)
			return
		}
	}
	s.clearSessionCookie(c)
	c.Status(http.StatusNoContent)
}

func (s *Server) handleMe(c *gin.Context) {
	m, _ := currentMember(c)
	c.JSON(http.StatusOK, m)
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
	// RevokeTokens ends the member's API tokens with the old password.
	RevokeTokens bool `json:"revoke_tokens"`
}

// handleChangePassword sets a new password after checking the current one
// (wrong guesses are throttled per member), ends every session and, when
// asked, every API token, and gives this browser a fresh session.
func (s *Server) handleChangePassword(c *gin.Context) {
	m, _ := currentMember(c)
	var req passwordRequest
	if !bindJSON(c, &req) {
		return
	}
	try, ok, retry, _ := s.pwLimits.begin(fmt.Sprint(m.ID))
	if !ok {
		tooMany(c, retry, fault.ErrRateLimited)
		return
	}
	if _, err := s.members.Authenticate(c.Request.Context(), m.Login, req.CurrentPassword); err != nil {
		try.failed()
		fail(c, errWrongPassword)
		return
	}
	try.succeeded()
	pc := member.PasswordChange{Password: req.NewPassword, Cost: s.cfg.PasswordCost, RevokeTokens: req.RevokeTokens}
	if err := s.members.SetPassword(c.Request.Context(), m.ID, pc); err != nil {
		fail(c, err)
		return
	}
	// SetPassword ended every session; give this browser a fresh one.
	token, exp, err := s.members.CreateSession(c.Request.Context(), m.ID, s.cfg.SessionTTL)
	if err != nil {
		fail(c, err)
		return
	}
	s.setSessionCookie(c, token, exp)
	c.Status(http.StatusNoContent)
}

// tooMany answers 429 with Retry-After in whole seconds (at least 1) and
// err, fault.ErrRateLimited or one with its code.
func tooMany(c *gin.Context, retry time.Duration, err *fault.Error) {
	c.Header("Retry-After", fmt.Sprint(max(1, int(math.Ceil(retry.Seconds())))))
	fail(c, err)
}

// handleListMembers: GET /api/members?cursor=&limit= — a page of members,
// oldest first.
func (s *Server) handleListMembers(c *gin.Context) {
	p, ok := readPage(c, "members")
	if !ok {
		return
	}
	ms, err := s.members.Members(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf("members", p, ms, func(m member.Member) page.Key { return byID(m.ID) }))
}

type roleRequest struct {
	Role string `json:"role"`
}

func (s *Server) handleGrantRole(c *gin.Context) {
	actor, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	var req roleRequest
	if !bindJSON(c, &req) {
		return
	}
	r, err := member.ParseRole(req.Role)
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.members.GrantRole(c.Request.Context(), &actor.ID, id, r); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleRevokeRole(c *gin.Context) {
	actor, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	r, err := member.ParseRole(c.Param("role"))
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.members.RevokeRole(c.Request.Context(), &actor.ID, id, r); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleDeactivate(c *gin.Context) {
	actor, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	if err := s.members.Deactivate(c.Request.Context(), &actor.ID, id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type inviteRequest struct {
	Roles []string `json:"roles"`
	Note  string   `json:"note"`
}

func (s *Server) handleCreateInvite(c *gin.Context) {
	actor, _ := currentMember(c)
	var req inviteRequest
	if !bindJSON(c, &req) {
		return
	}
	var roles []member.Role
	for _, name := range req.Roles {
		r, err := member.ParseRole(name)
		if err != nil {
			fail(c, err)
			return
		}
		roles = append(roles, r)
	}
	token, inv, err := s.members.CreateInvite(c.Request.Context(), actor.ID, roles, req.Note, s.cfg.InviteTTL)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"url": s.baseURL(c) + "/invite/" + token, "token": token, "expires_at": inv.ExpiresAt, "roles": inv.Roles})
}

// handleListInvites: GET /api/invites?cursor=&limit= — a page of the
// pending invites, newest first.
func (s *Server) handleListInvites(c *gin.Context) {
	p, ok := readPage(c, "invites")
	if !ok {
		return
	}
	invs, err := s.members.PendingInvites(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf("invites", p, invs, func(i member.PendingInvite) page.Key { return byID(i.ID) }))
}

// handleRevokeInvite ends a pending invite.
func (s *Server) handleRevokeInvite(c *gin.Context) {
	actor, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	if err := s.members.RevokeInvite(c.Request.Context(), actor.ID, id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) baseURL(c *gin.Context) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

func (s *Server) handlePeekInvite(c *gin.Context) {
	inv, err := s.members.PeekInvite(c.Request.Context(), c.Param("token"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, inv)
}

type acceptRequest struct {
	Login       string `json:"login"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
}

func (s *Server) handleAcceptInvite(c *gin.Context) {
	var req acceptRequest
	if !bindJSON(c, &req) {
		return
	}
	m, err := s.members.AcceptInvite(c.Request.Context(), c.Param("token"), member.NewMember{
		Login: req.Login, DisplayName: req.DisplayName, Password: req.Password, Cost: s.cfg.PasswordCost,
	})
	if err != nil {
		fail(c, err)
		return
	}
	if m.Admission == member.Applicant {
		// Admission by vote: no session until the members admit them.
		c.JSON(http.StatusAccepted, gin.H{"member": m, "application": "pending",
			"message": "Your application is before the members: you can log in once they admit you"})
		return
	}
	token, exp, err := s.members.CreateSession(c.Request.Context(), m.ID, s.cfg.SessionTTL)
	if err != nil {
		fail(c, err)
		return
	}
	s.setSessionCookie(c, token, exp)
	c.JSON(http.StatusCreated, gin.H{"member": m})
}

type tokenRequest struct {
	Name string `json:"name"`
}

// handleListTokens: GET /api/tokens?cursor=&limit= — a page of the
// caller's live tokens, oldest first.
func (s *Server) handleListTokens(c *gin.Context) {
	m, _ := currentMember(c)
	p, ok := readPage(c, "tokens")
	if !ok {
		return
	}
	ts, err := s.members.Tokens(c.Request.Context(), m.ID, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf("tokens", p, ts, func(t member.APIToken) page.Key { return byID(t.ID) }))
}

func (s *Server) handleCreateToken(c *gin.Context) {
	m, _ := currentMember(c)
	var req tokenRequest
	if !bindJSON(c, &req) {
		return
	}
	t, secret, err := s.members.CreateToken(c.Request.Context(), m.ID, req.Name)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": t.ID, "name": t.Name, "prefix": t.Prefix, "token": secret})
}

func (s *Server) handleRevokeToken(c *gin.Context) {
	m, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	if err := s.members.RevokeToken(c.Request.Context(), m.ID, id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
