package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
)

// DemoLogin is one demo member the login page lists.
type DemoLogin struct {
	Login       string `json:"login"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
}

// DemoInfo is GET /api/demo: whether the demo co-op is loaded and, only
// then, its logins and their published password.
type DemoInfo struct {
	Loaded   bool        `json:"loaded"`
	Logins   []DemoLogin `json:"logins"`
	Password string      `json:"password,omitempty"`
}

// DemoProbe tells whether the demo co-op is loaded (cmd/copyhold's demo:
// its members still have the published password).
type DemoProbe interface {
	DemoInfo(ctx context.Context) (DemoInfo, error)
}

// handleDemo: GET /api/demo, public. Nothing is listed unless the demo
// co-op is loaded.
func (s *Server) handleDemo(c *gin.Context) {
	out := DemoInfo{Logins: []DemoLogin{}}
	if s.cfg.Demo != nil {
		d, err := s.cfg.Demo.DemoInfo(c.Request.Context())
		if err != nil {
			fail(c, err)
			return
		}
		if d.Loaded {
			out = d
		}
		if out.Logins == nil {
			out.Logins = []DemoLogin{}
		}
	}
	c.JSON(http.StatusOK, out)
}
