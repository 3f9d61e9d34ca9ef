package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"copyhold/labeling/fault"
	"copyhold/labeling/member"
	"copyhold/labeling/textrule"

	"github.com/gin-gonic/gin"
)

const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

// requestID tags each request, for logs and error messages.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set("request_id", id)
		c.Header("X-Request-Id", id)
		c.Next()
	}
}

// accessLog writes one structured line per request.
func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		s.log.Log(c.Request.Context(), level, "request",
			"method", c.Request.Method, "path", c.Request.URL.Path, "status", c.Writer.Status(),
			"ms", time.Since(start).Milliseconds(), "request_id", c.GetString("request_id"),
			"member", c.GetInt64("member_id"), "ip", c.ClientIP())
	}
}

// recovery turns a panic into a JSON 500 without a stack trace in the answer.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if err, ok := r.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(r)
				}
				s.log.Error("panic", "panic", r, "request_id", c.GetString("request_id"))
				c.AbortWithStatusJSON(http.StatusInternalServerError, apiError{"internal", "something went wrong on our side"})
			}
		}()
		c.Next()
	}
}

// securityHeaders sets a strict CSP and friends on every answer.
func (s *Server) securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.cfg.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		c.Next()
	}
}

// limitBody caps request bodies under /api.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

// checkParams applies the text rule to every query and path parameter, so a
// NUL or a stray byte in an id or a filename is a 400 naming the parameter on
// both databases (bodies get the same rule in strictUnmarshal).
func checkParams() gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, p := range c.Params {
			if err := textrule.CheckString("path parameter "+p.Key, p.Value); err != nil {
				fail(c, err)
				return
			}
		}
		for k, vs := range c.Request.URL.Query() {
			for _, v := range vs {
				if err := textrule.CheckString("query parameter "+strconv.Quote(k), v); err != nil {
					fail(c, err)
					return
				}
			}
		}
		c.Next()
	}
}

const sessionCookie = "copyhold_session"

// authenticate resolves the caller, and the credential they stand on, from
// a session cookie or a bearer token. Anonymous callers pass through;
// requireMember and requireRole decide. A cookie that names no live session
// (expired, logged out, planted) is cleared and the caller is anonymous, so
// that it never stands in the way of logging in again; why it failed is kept
// for the 401 of a route that needs a member.
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		var m member.Member
		var cred member.Credential
		var err error
		if auth := c.GetHeader("Authorization"); auth != "" {
			token, ok := strings.CutPrefix(auth, "Bearer ")
			if !ok {
				fail(c, fault.ErrUnauthenticated.With("Authorization must be 'Bearer <token>'"))
				return
			}
			m, cred, err = s.members.TokenMember(ctx, strings.TrimSpace(token))
		} else if cookie, cerr := c.Cookie(sessionCookie); cerr == nil && cookie != "" {
			m, cred, err = s.members.SessionMember(ctx, cookie)
			if err != nil && (errors.Is(err, fault.ErrUnauthenticated) || errors.Is(err, member.ErrMemberInactive)) {
				s.clearSessionCookie(c)
				c.Set("auth_error", err)
				c.Next()
				return
			}
		} else {
			c.Next()
			return
		}
		if err != nil {
			fail(c, err)
			return
		}
		if !s.limitCredential(c, cred) {
			return
		}
		c.Set("member", m)
		c.Set("member_id", m.ID)
		c.Set("credential", cred)
		c.Next()
	}
}

// anonymous is the 401 for a caller without a member: why their cookie
// failed, when it did.
func anonymous(c *gin.Context) error {
	if v, ok := c.Get("auth_error"); ok {
		if err, ok := v.(error); ok {
			return err
		}
	}
	return fault.ErrUnauthenticated
}

func currentCredential(c *gin.Context) member.Credential {
	v, _ := c.Get("credential")
	cred, _ := v.(member.Credential)
	return cred
}

func currentMember(c *gin.Context) (member.Member, bool) {
	v, ok := c.Get("member")
	if !ok {
		return member.Member{}, false
	}
	return v.(member.Member), true
}

// requireMember refuses anonymous callers.
func requireMember(c *gin.Context) {
	if _, ok := currentMember(c); !ok {
		fail(c, anonymous(c))
		return
	}
	c.Next()
}

// requireRole refuses members without one of roles.
func requireRole(roles ...member.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		m, ok := currentMember(c)
		if !ok {
			fail(c, anonymous(c))
			return
		}
		for _, r := range roles {
			if m.Has(r) {
				c.Next()
				return
			}
		}
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = string(r)
		}
		fail(c, fault.ErrForbidden.With("you need the %s role for this", strings.Join(names, " or ")))
	}
}

func (s *Server) setSessionCookie(c *gin.Context, token string, expires time.Time) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}
