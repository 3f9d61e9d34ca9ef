package server

import (
	"context"
	"net/http"
	"strconv"

	"copyhold/labeling/fault"
	"copyhold/labeling/gen"
	"copyhold/labeling/page"

	"github.com/gin-gonic/gin"
)

// Generation jobs over HTTP (docs/MODELS.md, "Generation jobs"): coordinators start a candidates job
// for a pairwise or ranking project, list jobs, watch one and cancel it. Progress also arrives on the
// websocket channel gen:<project id>, which only coordinators may join.

// Generation is generation jobs (labeling/gen/runner.Service).
type Generation interface {
	StartCandidates(ctx context.Context, actor, projectID int64, p gen.CandidateParams) (gen.Job, error)
	StartEvaluation(ctx context.Context, actor int64, p gen.EvaluationParams) (gen.Job, error)
	StartSuggestions(ctx context.Context, actor, projectID int64, p gen.SuggestionParams) (gen.Job, error)
	List(ctx context.Context, projectID int64, p page.Page) ([]gen.Job, error)
	Get(ctx context.Context, id int64) (gen.Job, error)
	Cancel(ctx context.Context, actor, id int64) (gen.Job, error)
}

var errGenOff = fault.New(fault.KindUnavailable, "generation_unavailable", "generation jobs are not configured on this server")

func (s *Server) genOn(c *gin.Context) bool {
	if s.gen == nil {
		fail(c, errGenOff)
		return false
	}
	return true
}

// handleGenerate: POST /api/projects/:id/generate — 201 with the queued job.
func (s *Server) handleGenerate(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.genOn(c) {
		return
	}
	me, _ := currentMember(c)
	var req gen.CandidateParams
	if !bindJSON(c, &req) {
		return
	}
	j, err := s.gen.StartCandidates(c.Request.Context(), me.ID, id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, j)
}

// handleSuggest: POST /api/projects/:id/suggest — 201 with the queued suggestions job.
func (s *Server) handleSuggest(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.genOn(c) {
		return
	}
	me, _ := currentMember(c)
	var req gen.SuggestionParams
	if !bindJSON(c, &req) {
		return
	}
	j, err := s.gen.StartSuggestions(c.Request.Context(), me.ID, id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, j)
}

// handleGenerateEvaluation: POST /api/gen/evaluations — 201 with the queued job; its project_id is
// the new blinded evaluation project.
func (s *Server) handleGenerateEvaluation(c *gin.Context) {
	if !s.genOn(c) {
		return
	}
	me, _ := currentMember(c)
	var req gen.EvaluationParams
	if !bindJSON(c, &req) {
		return
	}
	j, err := s.gen.StartEvaluation(c.Request.Context(), me.ID, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, j)
}

// handleListGenJobs: GET /api/gen/jobs?project_id=&cursor=&limit= — newest first.
func (s *Server) handleListGenJobs(c *gin.Context) {
	if !s.genOn(c) {
		return
	}
	var project int64
	if v := c.Query("project_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			fail(c, fault.ErrInvalid.With("project_id must be a positive integer"))
			return
		}
		project = n
	}
	list := "gen-jobs:" + strconv.FormatInt(project, 10)
	p, ok := readPage(c, list)
	if !ok {
		return
	}
	jobs, err := s.gen.List(c.Request.Context(), project, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf(list, p, jobs, func(j gen.Job) page.Key { return byID(j.ID) }))
}

// handleGetGenJob: GET /api/gen/jobs/:id — progress and the latest failures with their reasons.
func (s *Server) handleGetGenJob(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.genOn(c) {
		return
	}
	j, err := s.gen.Get(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, j)
}

// handleCancelGenJob: POST /api/gen/jobs/:id/cancel — no new request is sent for the job.
func (s *Server) handleCancelGenJob(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok || !s.genOn(c) {
		return
	}
	me, _ := currentMember(c)
	j, err := s.gen.Cancel(c.Request.Context(), me.ID, id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, j)
}
