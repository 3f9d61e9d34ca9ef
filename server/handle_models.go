package server

import (
	"net/http"

	"copyhold/labeling/fault"
	"copyhold/labeling/model"
	"copyhold/labeling/page"

	"github.com/gin-gonic/gin"
)

// Model endpoints over HTTP (docs/MODELS.md, "Endpoints and probes"):
// coordinators only. A key goes in (api_key) and never comes out: answers
// say has_key.

var errModelsOff = fault.New(fault.KindUnavailable, "models_unavailable", "model endpoints are not configured on this server")

func (s *Server) modelsOn(c *gin.Context) bool {
	if s.models == nil {
		fail(c, errModelsOff)
		return false
	}
	return true
}

// handleListModelEndpoints: GET /api/model-endpoints?cursor=&limit=
func (s *Server) handleListModelEndpoints(c *gin.Context) {
	if !s.modelsOn(c) {
		return
	}
	p, ok := readPage(c, "model-endpoints")
	if !ok {
		return
	}
	eps, err := s.models.List(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf("model-endpoints", p, eps, func(e model.Endpoint) page.Key { return byID(e.ID) }))
}

// handleCreateModelEndpoint: POST /api/model-endpoints — 201 with the
// endpoint and what the probe found (a failed probe is in its notes).
func (s *Server) handleCreateModelEndpoint(c *gin.Context) {
	if !s.modelsOn(c) {
		return
	}
	me, _ := currentMember(c)
	var req model.NewEndpoint
	if !bindJSON(c, &req) {
		return
	}
	ep, err := s.models.Register(c.Request.Context(), me.ID, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, ep)
}

// handleGetModelEndpoint: GET /api/model-endpoints/:id
func (s *Server) handleGetModelEndpoint(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.modelsOn(c) {
		return
	}
	ep, err := s.models.Get(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ep)
}

// handleUpdateModelEndpoint: PATCH /api/model-endpoints/:id — a new URL,
// model or key is probed at once.
func (s *Server) handleUpdateModelEndpoint(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.modelsOn(c) {
		return
	}
	me, _ := currentMember(c)
	var req model.EndpointPatch
	if !bindJSON(c, &req) {
		return
	}
	ep, err := s.models.Update(c.Request.Context(), me.ID, id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ep)
}

// handleDeleteModelEndpoint: DELETE /api/model-endpoints/:id — 204.
func (s *Server) handleDeleteModelEndpoint(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.modelsOn(c) {
		return
	}
	me, _ := currentMember(c)
	if err := s.models.Delete(c.Request.Context(), me.ID, id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleProbeModelEndpoint: POST /api/model-endpoints/:id/probe
func (s *Server) handleProbeModelEndpoint(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.modelsOn(c) {
		return
	}
	me, _ := currentMember(c)
	ep, err := s.models.Probe(c.Request.Context(), me.ID, id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ep)
}

// ReleaseEndpointRequest names the endpoint that serves a release (null: none).
type ReleaseEndpointRequest struct {
	EndpointID *int64 `json:"endpoint_id"`
}

// handleSetReleaseEndpoint: PUT /api/releases/:id/endpoint
func (s *Server) handleSetReleaseEndpoint(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.modelsOn(c) {
		return
	}
	if s.relEPs == nil {
		fail(c, errModelsOff)
		return
	}
	me, _ := currentMember(c)
	var req ReleaseEndpointRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.EndpointID != nil {
		if *req.EndpointID <= 0 {
			fail(c, fault.ErrInvalid.With("endpoint_id must be a positive id or null"))
			return
		}
		if _, err := s.models.Get(c.Request.Context(), *req.EndpointID); err != nil {
			fail(c, err)
			return
		}
	}
	rel, err := s.relEPs.SetReleaseEndpoint(c.Request.Context(), me.ID, id, req.EndpointID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rel)
}
