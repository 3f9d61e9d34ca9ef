package server

import (
	"net/http"

	"copyhold/labeling"
	"copyhold/labeling/fault"

	"github.com/gin-gonic/gin"
)

// handleFirstAnswer records the labeller's own first answer under the
// after_answer suggestion policy and answers with the suggestion, revealed
// only now (docs/MODELS.md, "Suggestions").
func (s *Server) handleFirstAnswer(c *gin.Context) {
	m, _ := currentMember(c)
	var req labeling.FirstAnswerRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.LeaseToken == "" {
		fail(c, fault.ErrInvalid.With("lease_token is required"))
		return
	}
	if len(req.Answer) == 0 {
		fail(c, fault.ErrInvalid.With("answer is required"))
		return
	}
	res, err := s.work.FirstAnswer(c.Request.Context(), m.ID, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
