package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

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

// handleMySubmissions: GET /api/me/submissions?project_id=&status=&from=&to=&cursor=&limit= —
// a page of the caller's submissions, newest first; from and to are UTC days.
func (s *Server) handleMySubmissions(c *gin.Context) {
	m, _ := currentMember(c)
	f, ok := myWorkFilter(c)
	if !ok {
		return
	}
	list := "my-submissions:" + f.Key()
	p, ok := readPage(c, list)
	if !ok {
		return
	}
	subs, err := s.leases.MySubmissions(c.Request.Context(), m.ID, f, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf(list, p, subs, func(w labeling.MyWorkItem) page.Key { return byID(w.ID) }))
}

// myWorkFilter reads My work's filters from the query.
func myWorkFilter(c *gin.Context) (labeling.MyWorkFilter, bool) {
	var f labeling.MyWorkFilter
	var ok bool
	if f.ProjectID, ok = queryInt(c, "project_id"); !ok {
		return f, false
	}
	f.Status = labeling.SubmissionStatus(c.Query("status"))
	for _, d := range []struct {
		name string
		to   **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		v := c.Query(d.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			fail(c, fault.ErrInvalid.With("%s must be a day as YYYY-MM-DD, not %q", d.name, v))
			return f, false
		}
		*d.to = &t
	}
	if err := f.Check(); err != nil {
		fail(c, err)
		return f, false
	}
	return f, true
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
