package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/gen"
	"copyhold/labeling/gen/store"
	"copyhold/labeling/model"
	labelstore "copyhold/labeling/store"
	"copyhold/labeling/suggest"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// suggestionJob is what a suggestions job keeps in its params: the request and the project's
// task type and schema when it started (SetSuggestion checks the answer against the schema
// of the moment it writes).
type suggestionJob struct {
	gen.SuggestionParams
	TaskType tasktype.TaskType `json:"task_type"`
	Schema   json.RawMessage   `json:"schema"`
}

// StartSuggestions queues a suggestions job: the endpoint suggests an answer for every open item
// of the project (those without a suggestion, unless Replace), by structured output where the
// endpoint honours it and by validation and retry where it does not.
func (s *Service) StartSuggestions(ctx context.Context, actor, projectID int64, p gen.SuggestionParams) (gen.Job, error) {
	if err := p.Check(); err != nil {
		return gen.Job{}, err
	}
	proj, err := s.projects.Project(ctx, projectID)
	if err != nil {
		return gen.Job{}, err
	}
	if proj.Status == labeling.ProjectClosed {
		return gen.Job{}, labeling.ErrProjectClosed
	}
	if !suggest.Supported(proj.TaskType) {
		return gen.Job{}, gen.ErrInvalidJob.With("suggestions are made for classification, multi-label, spans and moderation projects, not %s", proj.TaskType)
	}
	ep, _, err := s.endpoints.Endpoint(ctx, p.EndpointID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return gen.Job{}, gen.ErrInvalidJob.With("no model endpoint %d", p.EndpointID)
		}
		return gen.Job{}, err
	}
	if !ep.Caps.Chat {
		return gen.Job{}, gen.ErrInvalidJob.With("endpoint %q did not answer chat completions when probed; probe it again", ep.Name)
	}
	var sources []gen.Source
	var after int64
	for {
		items, err := s.projects.Items(ctx, proj.ID, after, 1000)
		if err != nil {
			return gen.Job{}, err
		}
		for _, it := range items {
			after = it.Seq
			if it.Status != labeling.ItemOpen || (!p.Replace && len(it.Prediction) > 0) {
				continue
			}
			if _, err := suggest.RequestFor(proj.TaskType, proj.Schema, it.Data, ep.Caps); err != nil {
				return gen.Job{}, gen.ErrInvalidJob.With("item %d: %s", it.ID, err.Error())
			}
			if len(sources) == gen.MaxSources {
				return gen.Job{}, gen.ErrInvalidJob.With("project %d has more than %d open items to suggest for", proj.ID, gen.MaxSources)
			}
			sources = append(sources, gen.ItemSource(it.ID, it.Data))
		}
		if len(items) < 1000 {
			break
		}
	}
	if len(sources) == 0 {
		return gen.Job{}, gen.ErrInvalidJob.With("there is nothing to suggest for: no open item without a suggestion")
	}
	params, err := json.Marshal(suggestionJob{SuggestionParams: p, TaskType: proj.TaskType, Schema: proj.Schema})
	if err != nil {
		return gen.Job{}, err
	}
	return s.st.Create(ctx, store.NewJob{Kind: gen.KindSuggestions, ProjectID: proj.ID, Params: params, CreatedBy: actor,
		Sources: sources, Slots: gen.SuggestionSlots(ep)})
}

// Suggestions is the suggestions kind: each unit asks for the item's answer (suggest.RequestFor),
// keeps its choices once at least one is valid (else retry, then skip with the reasons), and the
// item's last unit parses every sample together (agreement or logprobs for the confidence) and
// writes the suggestion on the item in the same transaction (labeling/store.SetSuggestion).
func Suggestions() Handler {
	return Handler{
		Request: func(ep model.Endpoint, c store.Claimed) (model.Request, error) {
			j, src, err := suggestionUnit(c)
			if err != nil {
				return model.Request{}, err
			}
			req, err := suggest.RequestFor(j.TaskType, j.Schema, src.Data, ep.Caps)
			if err != nil {
				return model.Request{}, err
			}
			if c.Slot < 0 || c.Slot >= len(gen.SuggestionSlots(ep)) {
				return model.Request{}, gen.ErrInvalidJob.With("slot %d is not one of the endpoint's suggestion slots", c.Slot)
			}
			req.Seed = gen.SuggestionSlots(ep)[c.Slot].Seed
			req.MaxTokens = j.MaxTokens
			return req, nil
		},
		Accept: func(ep model.Endpoint, c store.Claimed, resp model.Response, at time.Time) (json.RawMessage, bool, error) {
			j, src, err := suggestionUnit(c)
			if err != nil {
				return nil, false, err
			}
			if _, _, err := suggest.Parse(j.TaskType, j.Schema, src.Data, resp.Choices); err != nil {
				if errors.Is(err, suggest.ErrNoValid) {
					return nil, false, gen.ErrInvalidOutput.With("%s", err.Error())
				}
				return nil, false, err
			}
			name := resp.Model
			if name == "" {
				name = ep.Model
			}
			out, err := json.Marshal(suggestionOutput{Choices: resp.Choices, EndpointID: ep.ID, Model: name, At: at.UTC()})
			return out, false, err
		},
		Write: func(tx *gorm.DB, job gen.Job, input json.RawMessage, outputs []json.RawMessage) (int64, bool, error) {
			var j suggestionJob
			if err := json.Unmarshal(job.Params, &j); err != nil {
				return 0, false, err
			}
			var src gen.Source
			if err := json.Unmarshal(input, &src); err != nil {
				return 0, false, err
			}
			var all []model.Choice
			var last suggestionOutput
			for _, o := range outputs {
				if err := json.Unmarshal(o, &last); err != nil {
					return 0, false, err
				}
				all = append(all, last.Choices...)
			}
			sg, _, err := suggest.Parse(j.TaskType, j.Schema, src.Data, all)
			if err != nil {
				return 0, false, err
			}
			ep := last.EndpointID
			err = labelstore.SetSuggestion(tx, src.ItemID, labeling.ItemSuggestion{Answer: sg.Answer, Source: labeling.SuggestionFromEndpoint,
				EndpointID: &ep, Model: last.Model, Confidence: sg.Confidence, At: last.At})
			if err != nil {
				return 0, false, fmt.Errorf("item %d: %w", src.ItemID, err)
			}
			return src.ItemID, true, nil
		},
	}
}

// suggestionOutput is one unit's kept answer.
type suggestionOutput struct {
	Choices    []model.Choice `json:"choices"`
	EndpointID int64          `json:"endpoint_id"`
	Model      string         `json:"model"`
	At         time.Time      `json:"at"`
}

func suggestionUnit(c store.Claimed) (suggestionJob, gen.Source, error) {
	var j suggestionJob
	var src gen.Source
	if err := json.Unmarshal(c.Params, &j); err != nil {
		return j, src, err
	}
	if err := json.Unmarshal(c.Input, &src); err != nil {
		return j, src, err
	}
	if src.ItemID <= 0 {
		return j, src, gen.ErrInvalidJob.With("a suggestions unit names no item")
	}
	return j, src, nil
}
