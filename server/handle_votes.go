package server

import (
	"net/http"

	"copyhold/equity/vote"
	"copyhold/labeling/page"

	"github.com/gin-gonic/gin"
)

// Collective rule over HTTP (docs/GOVERNANCE.md, docs/API.md): members
// propose typed changes, co-sponsor, amend or withdraw their own, vote, and
// read the what-if preview, the published ballots and the constitution.

// handleConstitution: GET /api/constitution — the rules in force.
func (s *Server) handleConstitution(c *gin.Context) {
	k, err := s.votes.Constitution(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, k)
}

// handleConstitutionHistory: GET /api/constitution/history?cursor=&limit= —
// a page of the constitution's versions, oldest first.
func (s *Server) handleConstitutionHistory(c *gin.Context) {
	p, ok := readPage(c, "constitution-history")
	if !ok {
		return
	}
	vs, err := s.votes.ConstitutionHistory(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf("constitution-history", p, vs, func(v vote.ConstitutionVersion) page.Key { return byID(int64(v.Version)) }))
}

// handleListProposals: GET /api/proposals?status=open|closed&cursor=&limit=
// — a page of proposals, open ones first, then the newest.
func (s *Server) handleListProposals(c *gin.Context) {
	me, _ := currentMember(c)
	f := vote.ListFilter{Status: c.Query("status")}
	list := "proposals:" + f.Status
	var ok bool
	if f.Page, ok = readPage(c, list); !ok {
		return
	}
	items, err := s.votes.List(c.Request.Context(), me.ID, f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf(list, f.Page, items, vote.ProposalView.PageKey))
}

// handlePropose: POST /api/proposals — 201 with the proposal, 200 on a replay.
func (s *Server) handlePropose(c *gin.Context) {
	me, _ := currentMember(c)
	var req vote.ProposalRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Key == "" {
		req.Key = c.GetHeader("Idempotency-Key")
	}
	v, created, err := s.votes.Propose(c.Request.Context(), me.ID, req)
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	c.JSON(status, v)
}

// handleGetProposal: GET /api/proposals/:id
func (s *Server) handleGetProposal(c *gin.Context) {
	me, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	v, err := s.votes.Get(c.Request.Context(), me.ID, id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// handleSponsor: POST /api/proposals/:id/sponsor
func (s *Server) handleSponsor(c *gin.Context) {
	me, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	v, err := s.votes.Sponsor(c.Request.Context(), me.ID, id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// handleWithdraw: POST /api/proposals/:id/withdraw (the proposer, before the first vote)
func (s *Server) handleWithdraw(c *gin.Context) {
	me, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	v, err := s.votes.Withdraw(c.Request.Context(), me.ID, id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

type amendProposalRequest struct {
	Title       string      `json:"title"`
	Reason      string      `json:"reason"`
	Change      vote.Change `json:"change"`
	PeriodHours int         `json:"period_hours"`
}

// handleAmend: PUT /api/proposals/:id — the proposer amends; the vote restarts.
func (s *Server) handleAmend(c *gin.Context) {
	me, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	var req amendProposalRequest
	if !bindJSON(c, &req) {
		return
	}
	v, err := s.votes.Amend(c.Request.Context(), me.ID, id, vote.ProposalRequest{Title: req.Title, Reason: req.Reason,
		Change: req.Change, PeriodHours: req.PeriodHours})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

type voteRequest struct {
	Choice  string `json:"choice"`
	Receipt string `json:"receipt"`
}

// handleVote: POST /api/proposals/:id/votes — {receipt, choice, changed}.
func (s *Server) handleVote(c *gin.Context) {
	me, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	var req voteRequest
	if !bindJSON(c, &req) {
		return
	}
	out, err := s.votes.Vote(c.Request.Context(), me.ID, id, req.Choice, req.Receipt)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// handlePreview: GET /api/proposals/:id/preview — the what-if, recomputed from the register.
func (s *Server) handlePreview(c *gin.Context) {
	me, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	p, err := s.votes.Preview(c.Request.Context(), me.ID, id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// handleBallots: GET /api/proposals/:id/ballots — published at close.
func (s *Server) handleBallots(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	b, err := s.votes.Ballots(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}
