package server

import (
	"net/http"
	"strconv"

	"copyhold/labeling/fault"
	"copyhold/labeling/page"
	"copyhold/labeling/webhook"

	"github.com/gin-gonic/gin"
)

// Outbound webhooks over HTTP (docs/API.md, "Webhooks"): coordinators
// register endpoints per event type, see each endpoint's attempts, turn a
// disabled endpoint back on, and delete one.

var (
	errWebhooksOff = fault.New(fault.KindUnavailable, "webhooks_unavailable", "webhooks are not configured on this server")
)

func (s *Server) webhooksOn(c *gin.Context) bool {
	if s.webhooks == nil {
		fail(c, errWebhooksOff)
		return false
	}
	return true
}

// handleListWebhooks: GET /api/webhooks?cursor=&limit= — a page of
// endpoints, oldest first, without secrets, and the event types.
func (s *Server) handleListWebhooks(c *gin.Context) {
	if !s.webhooksOn(c) {
		return
	}
	p, ok := readPage(c, "webhooks")
	if !ok {
		return
	}
	eps, err := s.webhooks.List(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	out := pageOf("webhooks", p, eps, func(e webhook.Endpoint) page.Key { return byID(e.ID) })
	out["event_types"] = webhook.Types
	c.JSON(http.StatusOK, out)
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
// a page of attempts, newest first.
func (s *Server) handleWebhookAttempts(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.webhooksOn(c) {
		return
	}
	list := "webhook-attempts:" + strconv.FormatInt(id, 10)
	p, ok := readPage(c, list)
	if !ok {
		return
	}
	var before int64
	if p.After != nil {
		before = p.After.ID
	}
	atts, err := s.webhooks.Attempts(c.Request.Context(), id, before, p.Limit)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf(list, p, atts, func(a webhook.Attempt) page.Key { return byID(a.ID) }))
}
