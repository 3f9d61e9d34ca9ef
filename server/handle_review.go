package server

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"

	"copyhold/labeling"
	"copyhold/labeling/fault"
	"copyhold/labeling/member"
	"copyhold/labeling/page"

	"github.com/gin-gonic/gin"
)

// Review and quality: the reviewer queue (same lease mechanics as
// labelling), decisions, disputes, quality stats and consensus.

// handleNextReview gives the reviewer their next review in a project, or the
// one they hold.
func (s *Server) handleNextReview(c *gin.Context) {
	m, _ := currentMember(c)
	p, ok := s.project(c)
	if !ok {
		return
	}
	t, err := s.reviews.ClaimNextReview(c.Request.Context(), m.ID, p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

// handleReviewerHome: GET /api/review/home, for reviewers only (the route's
// role): what waits across projects and what the caller may take next.
func (s *Server) handleReviewerHome(c *gin.Context) {
	m, _ := currentMember(c)
	h, err := s.reviews.ReviewerHome(c.Request.Context(), m.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

// handleReviewQueue: what waits for review in the project, what the caller
// may take, and who may take the rest (a dispute never goes back to the
// reviewer who rejected it).
func (s *Server) handleReviewQueue(c *gin.Context) {
	m, _ := currentMember(c)
	p, ok := s.project(c)
	if !ok {
		return
	}
	v, err := s.reviews.ReviewQueueView(c.Request.Context(), m.ID, p.ID, m.Has(member.RoleReviewer))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

type reviewLeaseRequest struct {
	LeaseToken string `json:"lease_token"`
}

func bindReviewLease(c *gin.Context) (string, bool) {
	var req reviewLeaseRequest
	if !bindJSON(c, &req) {
		return "", false
	}
	if req.LeaseToken == "" {
		fail(c, fault.ErrInvalid.With("lease_token is required"))
		return "", false
	}
	return req.LeaseToken, true
}

func (s *Server) handleReviewHeartbeat(c *gin.Context) {
	m, _ := currentMember(c)
	tok, ok := bindReviewLease(c)
	if !ok {
		return
	}
	exp, err := s.reviews.ReviewHeartbeat(c.Request.Context(), m.ID, tok)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"lease_expires_at": exp})
}

func (s *Server) handleReviewRelease(c *gin.Context) {
	m, _ := currentMember(c)
	tok, ok := bindReviewLease(c)
	if !ok {
		return
	}
	if err := s.reviews.ReleaseReview(c.Request.Context(), m.ID, tok); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleReviewDecisions decides the held review. The idempotency key makes
// retries safe: the same key and body return the stored result (200), a
// different body under the same key is a 409.
func (s *Server) handleReviewDecisions(c *gin.Context) {
	m, _ := currentMember(c)
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		fail(c, decodeError(err))
		return
	}
	var req labeling.DecisionRequest
	if err := strictUnmarshal(raw, &req); err != nil {
		fail(c, err)
		return
	}
	if req.LeaseToken == "" {
		fail(c, fault.ErrInvalid.With("lease_token is required"))
		return
	}
	sum := sha256.Sum256(raw)
	req.BodyHash = hex.EncodeToString(sum[:])
	res, err := s.work.DecideReview(c.Request.Context(), m.ID, req)
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	c.JSON(status, res)
}

type disputeRequest struct {
	Comment string `json:"comment"`
}

// handleDispute lets a labeller contest the rejection of their own submission, once.
func (s *Server) handleDispute(c *gin.Context) {
	m, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	var req disputeRequest
	if !bindJSON(c, &req) {
		return
	}
	sub, err := s.work.DisputeRejection(c.Request.Context(), m.ID, id, req.Comment)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sub)
}

func (s *Server) handleProjectQuality(c *gin.Context) {
	p, ok := s.project(c)
	if !ok {
		return
	}
	q, err := s.quality.ProjectQuality(c.Request.Context(), p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

func (s *Server) handleProjectAgreement(c *gin.Context) {
	p, ok := s.project(c)
	if !ok {
		return
	}
	a, err := s.quality.ProjectAgreement(c.Request.Context(), p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

// handleMyQuality shows a labeller their own stats in a project and whether
// (and why) all their work is routed to review.
func (s *Server) handleMyQuality(c *gin.Context) {
	m, _ := currentMember(c)
	projectID, ok := queryInt(c, "project_id")
	if !ok {
		return
	}
	if projectID == 0 {
		fail(c, fault.ErrInvalid.With("project_id is required"))
		return
	}
	in, err := s.projects.IsProjectMember(c.Request.Context(), projectID, m.ID)
	if err != nil {
		fail(c, err)
		return
	}
	if !in {
		fail(c, labeling.ErrNotProjectMember)
		return
	}
	q, err := s.quality.MyQuality(c.Request.Context(), m.ID, projectID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

func (s *Server) handleReviewSettings(c *gin.Context) {
	p, ok := s.project(c)
	if !ok {
		return
	}
	set, err := s.reviews.ReviewSettings(c.Request.Context(), p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, set)
}

func (s *Server) handleUpdateReviewSettings(c *gin.Context) {
	actor, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	var patch labeling.ReviewSettingsPatch
	if !bindJSON(c, &patch) {
		return
	}
	set, err := s.reviews.UpdateReviewSettings(c.Request.Context(), &actor.ID, id, patch)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, set)
}

type consensusRequest struct {
	Method string `json:"method"` // majority or dawid_skene (default)
	// Smoothing is Dawid–Skene's pseudo-count (default 0.01; 0 = maximum likelihood).
	Smoothing *float64 `json:"smoothing"`
}

func (s *Server) handleRecomputeConsensus(c *gin.Context) {
	actor, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	var req consensusRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Method == "" {
		req.Method = "dawid_skene"
	}
	if req.Smoothing != nil && (*req.Smoothing < 0 || *req.Smoothing > 1000) {
		fail(c, fault.ErrInvalid.With("smoothing must be a number from 0 to 1000"))
		return
	}
	rep, err := s.quality.RecomputeConsensusWith(c.Request.Context(), &actor.ID, id, labeling.ConsensusOptions{Method: req.Method, Smoothing: req.Smoothing})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// handleItemConsensus: GET /api/projects/:id/consensus?cursor=&limit= — a
// page of the stored consensus, by item.
func (s *Server) handleItemConsensus(c *gin.Context) {
	p, ok := s.project(c)
	if !ok {
		return
	}
	list := "consensus:" + strconv.FormatInt(p.ID, 10)
	pg, ok := readPage(c, list)
	if !ok {
		return
	}
	cs, err := s.quality.ItemConsensus(c.Request.Context(), p.ID, pg)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf(list, pg, cs, func(x labeling.Consensus) page.Key { return byID(x.ItemID) }))
}
