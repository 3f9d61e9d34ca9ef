package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"copyhold/labeling"
	"copyhold/labeling/fault"
	"copyhold/labeling/page"

	"github.com/gin-gonic/gin"
)

func queryInt(c *gin.Context, name string) (int64, bool) {
	v := c.Query(name)
	if v == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		fail(c, fault.ErrInvalid.With("%s must be a non-negative integer", name))
		return 0, false
	}
	return n, true
}

// handleMySubmissions: GET /api/me/submissions?project_id=&cursor=&limit= —
// a page of the caller's submissions, newest first.
func (s *Server) handleMySubmissions(c *gin.Context) {
	m, _ := currentMember(c)
	project, ok := queryInt(c, "project_id")
	if !ok {
		return
	}
	list := "my-submissions:" + strconv.FormatInt(project, 10)
	p, ok := readPage(c, list)
	if !ok {
		return
	}
	subs, err := s.leases.MySubmissions(c.Request.Context(), m.ID, project, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf(list, p, subs, func(w labeling.MyWorkItem) page.Key { return byID(w.ID) }))
}

type amendRequest struct {
	IdempotencyKey string          `json:"idempotency_key"`
	Answer         json.RawMessage `json:"answer"`
}

func (s *Server) handleAmendSubmission(c *gin.Context) {
	m, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	var req amendRequest
	if !bindJSON(c, &req) {
		return
	}
	sub, err := s.leases.AmendSubmission(c.Request.Context(), m.ID, id, req.IdempotencyKey, req.Answer)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sub)
}
