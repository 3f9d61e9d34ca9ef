package gen

import (
	"encoding/json"
	"strings"
)

// EvaluationParams ask for a blinded comparison of two or more releases of one model: each release
// (through the endpoint that serves it) answers every prompt, and each prompt's answers become one
// pairwise item per pair of releases in a new evaluation project, which feeds the model's
// Bradley–Terry leaderboard like any evaluation.
type EvaluationParams struct {
	ModelID      int64             `json:"model_id"`
	Name         string            `json:"name"`
	Instructions string            `json:"instructions,omitempty"`
	Overlap      int               `json:"overlap,omitempty"`
	ReleaseIDs   []int64           `json:"release_ids"`
	Prompts      []json.RawMessage `json:"prompts,omitempty"` // each {"prompt": "…"}: evaluations compare single-turn answers
	// SnapshotID takes the prompts from a snapshot's items instead: each item's prompt, once
	// (items whose prompt is not a single user turn are left out).
	SnapshotID int64  `json:"snapshot_id,omitempty"`
	Seed       *int64 `json:"seed,omitempty"`
	MaxTokens  int    `json:"max_tokens,omitempty"`
}

// Check validates the parameters' shape (the service checks the releases and their endpoints).
func (p EvaluationParams) Check() error {
	if p.ModelID <= 0 {
		return ErrInvalidJob.With("model_id is required")
	}
	if strings.TrimSpace(p.Name) == "" {
		return ErrInvalidJob.With("name is required")
	}
	if len(p.ReleaseIDs) < 2 || len(p.ReleaseIDs) > MaxSlots {
		return ErrInvalidJob.With("release_ids: an evaluation compares 2 to %d releases", MaxSlots)
	}
	seen := map[int64]bool{}
	for _, id := range p.ReleaseIDs {
		if id <= 0 || seen[id] {
			return ErrInvalidJob.With("release_ids: %d is not a release id, or is listed twice", id)
		}
		seen[id] = true
	}
	switch {
	case p.SnapshotID < 0:
		return ErrInvalidJob.With("snapshot_id is not a snapshot id")
	case p.SnapshotID > 0 && len(p.Prompts) > 0:
		return ErrInvalidJob.With("give prompts or a snapshot_id, not both")
	case p.SnapshotID == 0 && (len(p.Prompts) == 0 || len(p.Prompts) > MaxSources):
		return ErrInvalidJob.With("prompts: give 1 to %d prompts, or a snapshot_id", MaxSources)
	}
	if p.MaxTokens < 0 || p.MaxTokens > 32768 {
		return ErrInvalidJob.With("max_tokens must be between 0 and 32768")
	}
	return nil
}

// Answer is one release's answer to a prompt (an evaluation unit's output).
type Answer struct {
	ReleaseID int64  `json:"release_id"`
	Text      string `json:"text"`
	Origin    Origin `json:"origin"`
}

// EvaluationPrompt reads a source's single user turn.
func EvaluationPrompt(src Source) (string, bool) {
	p, ok := PromptText(src)
	return p, ok && len(src.Messages) == 1 && src.Messages[0].Role == "user"
}
