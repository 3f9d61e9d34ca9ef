package server

import (
	"net/http"
	"strconv"

	"copyhold/labeling/fault"
	"copyhold/labeling/webhook"

	"github.com/gin-gonic/gin"
)

// Outbound webhooks over HTTP (docs/API.md, "Webhooks"): coordinators
// register endpoints per event type, see each endpoint's attempts, turn a
// disabled endpoint back on, and delete one.

var (
	errWebhooksOff = fault.New(fault.KindUnavailable, "webhooks_unavailable", "webhooks are not configured on this server")
	errBadCursor   = fault.New(fault.KindInvalid, "invalid_cursor", "the cursor is not one this list gave")
	errBadLimit    = fault.New(fault.KindInvalid, "invalid_limit", "limit is 1 to 100")
)

// maxAttemptsPage is the largest page of GET /api/webhooks/:id/attempts.
const maxAttemptsPage = 100

func (s *Server) webhooksOn(c *gin.Context) bool {
	if s.webhooks == nil {
		fail(c, errWebhooksOff)
		return false
	}
	return true
}

// handleListWebhooks: GET /api/webhooks — every endpoint (at most
// webhook.MaxEndpoints, so one page), without secrets, and the event types.
func (s *Server) handleListWebhooks(c *gin.Context) {
	if !s.webhooksOn(c) {
		return
	}
	eps, err := s.webhooks.List(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	if eps == nil {
		eps = []webhook.Endpoint{}
	}
	c.JSON(http.StatusOK, gin.H{"items": eps, "event_types": webhook.Types})
}

// handleCreateWebhook: POST /api/webhooks — 201 with the endpoint and its
// signing secret, shown this once.
func (s *Server) handleCreateWebhook(c *gin.Context) {
	if !s.webhooksOn(c) {
		return
	}
	me, _ := currentMember(c)
	var req webhook.NewEndpoint
	if !bindJSON(c, &req) {
		return
	}
	ep, err := s.webhooks.Register(c.Request.Context(), me.ID, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, ep)
}

// handleGetWebhook: GET /api/webhooks/:id
func (s *Server) handleGetWebhook(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.webhooksOn(c) {
		return
	}
	ep, err := s.webhooks.Get(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ep)
}

// handleDeleteWebhook: DELETE /api/webhooks/:id — 204; its queue and log go too.
func (s *Server) handleDeleteWebhook(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.webhooksOn(c) {
		return
	}
	if err := s.webhooks.Delete(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleEnableWebhook: POST /api/webhooks/:id/enable — a disabled endpoint
// is tried again from the message it stopped at.
func (s *Server) handleEnableWebhook(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.webhooksOn(c) {
		return
	}
	ep, err := s.webhooks.Enable(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ep)
}

// handleWebhookAttempts: GET /api/webhooks/:id/attempts?cursor=&limit= —
// newest first, limit 1 to 100 (default 50); next_cursor is null on the
// last page.
func (s *Server) handleWebhookAttempts(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.webhooksOn(c) {
		return
	}
	limit := 50
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAttemptsPage {
			fail(c, errBadLimit)
			return
		}
		limit = n
	}
	var before int64
	if v := c.Query("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 || strconv.FormatInt(n, 10) != v {
			fail(c, errBadCursor)
			return
		}
		before = n
	}
	atts, err := s.webhooks.Attempts(c.Request.Context(), id, before, limit+1)
	if err != nil {
		fail(c, err)
		return
	}
	var next *string
	if len(atts) > limit {
		atts = atts[:limit]
		cur := strconv.FormatInt(atts[limit-1].ID, 10)
		next = &cur
	}
	if atts == nil {
		atts = []webhook.Attempt{}
	}
	c.JSON(http.StatusOK, gin.H{"items": atts, "next_cursor": next})
}
