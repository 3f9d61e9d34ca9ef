package runner

import (
	"encoding/json"
	"time"

	"copyhold/labeling/gen"
	"copyhold/labeling/gen/store"
	"copyhold/labeling/model"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// Handler is one job kind: how a unit asks the model, how an answer becomes the unit's output,
// and how a source's outputs become its item. A new kind (suggestions) plugs in as a Handler.
type Handler struct {
	// Request is the chat request of a claimed unit.
	Request func(ep model.Endpoint, c store.Claimed) (model.Request, error)
	// Accept checks an answer and returns the unit's output and whether to flag it for the
	// coordinator (gen.ErrInvalidOutput: retry, then skip).
	Accept func(ep model.Endpoint, c store.Claimed, resp model.Response, at time.Time) (json.RawMessage, bool, error)
	// Write makes the source's item once every unit of it is done (the store's transaction).
	Write store.Writer
}

// Candidates is the candidates kind: one next turn per slot, one pairwise or ranking item per
// source, with each candidate's provenance in items.generation.
func Candidates(projects Projects) Handler {
	return Handler{
		Request: func(ep model.Endpoint, c store.Claimed) (model.Request, error) {
			p, src, err := candidateUnit(c)
			if err != nil {
				return model.Request{}, err
			}
			return gen.CandidateRequest(ep, src, p.Slots[c.Slot], p.MaxTokens), nil
		},
		Accept: func(ep model.Endpoint, c store.Claimed, resp model.Response, at time.Time) (json.RawMessage, bool, error) {
			p, _, err := candidateUnit(c)
			if err != nil {
				return nil, false, err
			}
			msg, err := gen.AcceptCandidate(resp)
			if err != nil {
				return nil, false, err
			}
			name := resp.Model
			if name == "" {
				name = ep.Model
			}
			text := msg.Content
			for _, tc := range msg.ToolCalls {
				text += " " + tc.Function.Arguments
			}
			self := gen.NamesSelf(text, name, ep.Name)
			out, err := json.Marshal(gen.Candidate{Slot: c.Slot, Message: msg, Origin: gen.Origin{JobID: c.JobID,
				EndpointID: ep.ID, EndpointName: ep.Name, Model: name, Params: p.Slots[c.Slot], MaxTokens: p.MaxTokens,
				At: at.UTC(), NamesSelf: self}})
			return out, self, err
		},
		Write: func(tx *gorm.DB, job gen.Job, input json.RawMessage, outputs []json.RawMessage) (int64, bool, error) {
			var src gen.Source
			if err := json.Unmarshal(input, &src); err != nil {
				return 0, false, err
			}
			cands := make([]gen.Candidate, len(outputs))
			for i, o := range outputs {
				if err := json.Unmarshal(o, &cands[i]); err != nil {
					return 0, false, err
				}
			}
			return projects.WriteGenerated(tx, job.ProjectID, func(tt tasktype.TaskType, schema json.RawMessage) (json.RawMessage, json.RawMessage, error) {
				data, origins, err := gen.BuildItem(tt, schema, src, cands)
				if err != nil {
					return nil, nil, err
				}
				g, err := json.Marshal(origins)
				return data, g, err
			})
		},
	}
}

func candidateUnit(c store.Claimed) (gen.CandidateParams, gen.Source, error) {
	var p gen.CandidateParams
	var src gen.Source
	if err := json.Unmarshal(c.Params, &p); err != nil {
		return p, src, err
	}
	if c.Slot < 0 || c.Slot >= len(p.Slots) {
		return p, src, gen.ErrInvalidJob.With("slot %d is not in the job's %d slots", c.Slot, len(p.Slots))
	}
	return p, src, json.Unmarshal(c.Input, &src)
}
