package server

import (
	"net/http"
	"net/url"
	"strings"

	"copyhold/server/live"

	"github.com/gin-gonic/gin"
)

// handleWS upgrades an authenticated request to a live-tracking websocket
// (the protocol is described in server/live).
func (s *Server) handleWS(c *gin.Context) {
	h := s.cfg.Hub
	if h == nil {
		fail(c, errRouteMissing)
		return
	}
	m, ok := currentMember(c)
	if !ok {
		fail(c, anonymous(c))
		return
	}
	h.ServeWS(c.Writer, c.Request, live.Client{Member: m, Credential: currentCredential(c), IP: c.ClientIP()}, s.wsOriginAllowed)
}

// wsOriginAllowed accepts requests without Origin (non-browser clients, which
// have no ambient cookies to abuse), the request's own host, the base URL and
// the allowed origins.
func (s *Server) wsOriginAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	trusted := append([]string{s.cfg.BaseURL}, s.cfg.AllowedOrigins...)
	for _, o := range trusted {
		if t, err := url.Parse(strings.TrimSpace(o)); err == nil && t.Host != "" &&
			strings.EqualFold(t.Scheme, u.Scheme) && strings.EqualFold(t.Host, u.Host) {
			return true
		}
	}
	return false
}
