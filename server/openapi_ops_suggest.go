package server

import (
	"net/http"

	"copyhold/labeling"
	"copyhold/labeling/fault"
)

// suggestOps are the routes of models' suggestions (handle_suggest.go;
// docs/API.md, "Suggestions"). The policy, control share and ordering are
// project settings (PATCH /api/projects/:id); anchoring is part of
// GET /api/projects/:id/quality.
func suggestOps() []*op {
	return []*op{
		opPost("/api/tasks/first-answer", "Record one's first answer under the after_answer policy; the answer reveals the suggestion", labellers).
			in(labeling.FirstAnswerRequest{}).ok(http.StatusOK, labeling.FirstAnswerResult{}).
			fails(append(answerErrors, fault.ErrInvalid, labeling.ErrLeaseLost, labeling.ErrNotProjectMember, labeling.ErrSuggestionPolicy)...),
	}
}
