package server

import (
	"copyhold/labeling"

	"github.com/gin-gonic/gin"
)

// routes is the whole HTTP surface in one place.
func (s *Server) routes() {
	r := s.engine
	r.Use(requestID(), s.recovery(), s.accessLog(), s.securityHeaders())
	r.NoRoute(s.serveApp)
	r.NoMethod(func(c *gin.Context) { fail(c, errMethod) })

	r.GET("/healthz", s.handleHealth)
	r.GET("/readyz", s.handleReady)

	coordinator := requireRole(labeling.RoleCoordinator)

	api := r.Group("/api", limitBody(s.cfg.MaxBodyBytes), s.authenticate())
	{
		api.POST("/auth/login", s.handleLogin)
		api.POST("/auth/logout", s.handleLogout)
		api.GET("/invites/:token", s.handlePeekInvite)
		api.POST("/invites/:token/accept", s.handleAcceptInvite)
	}

	me := api.Group("", requireMember)
	{
		me.GET("/me", s.handleMe)
		me.POST("/me/password", s.handleChangePassword)
		me.GET("/tokens", s.handleListTokens)
		me.POST("/tokens", s.handleCreateToken)
		me.DELETE("/tokens/:id", s.handleRevokeToken)
	}

	admin := api.Group("", coordinator)
	{
		admin.GET("/members", s.handleListMembers)
		admin.POST("/members/:id/roles", s.handleGrantRole)
		admin.DELETE("/members/:id/roles/:role", s.handleRevokeRole)
		admin.POST("/members/:id/deactivate", s.handleDeactivate)
		admin.POST("/invites", s.handleCreateInvite)
	}
}
