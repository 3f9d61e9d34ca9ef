package runner

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/gen"
	"copyhold/labeling/gen/store"
	"copyhold/labeling/model"

	"gorm.io/gorm"
)

// Releases says which endpoint serves a release (0: none) (labeling/store.Datasets).
type Releases interface {
	ReleaseEndpoint(ctx context.Context, releaseID int64) (int64, error)
}

// Evaluations creates a generated evaluation's project (labeling/store.Datasets).
type Evaluations interface {
	StartEvaluation(ctx context.Context, actor *int64, req dataset.EvaluationRequest) (dataset.Evaluation, labeling.Project, error)
}

// Snapshots read a snapshot's items, for an evaluation's prompts (labeling/store.Datasets).
type Snapshots interface {
	Snapshot(ctx context.Context, id int64) (dataset.Snapshot, error)
	SnapshotRows(ctx context.Context, id int64) ([]dataset.ExportRow, error)
}

// EvaluationWriter writes one prompt's comparisons (labeling/store.Projects).
type EvaluationWriter interface {
	WriteEvaluationItems(tx *gorm.DB, projectID int64, prompt string, outputs map[int64]string, releaseIDs []int64, origins map[int64]json.RawMessage) (int, error)
}

// WithEvaluations enables evaluation jobs.
func (s *Service) WithEvaluations(ev Evaluations, rel Releases) *Service {
	c := *s
	c.evals, c.releases = ev, rel
	return &c
}

var errEvaluationsOff = gen.ErrInvalidJob.With("evaluation jobs are not available on this server")

// StartEvaluation creates a blinded evaluation project and queues the job that asks every release,
// through its endpoint, to answer every prompt; each prompt's answers become its comparisons.
func (s *Service) StartEvaluation(ctx context.Context, actor int64, p gen.EvaluationParams) (gen.Job, error) {
	if s.evals == nil || s.releases == nil {
		return gen.Job{}, errEvaluationsOff
	}
	if err := p.Check(); err != nil {
		return gen.Job{}, err
	}
	slots := make([]gen.Slot, len(p.ReleaseIDs))
	for i, rid := range p.ReleaseIDs {
		ep, err := s.releases.ReleaseEndpoint(ctx, rid)
		if err != nil {
			return gen.Job{}, err
		}
		if ep == 0 {
			return gen.Job{}, gen.ErrInvalidJob.With("release %d names no endpoint that serves it", rid)
		}
		if _, _, err := s.endpoints.Endpoint(ctx, ep); err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return gen.Job{}, gen.ErrInvalidJob.With("release %d: its endpoint %d is gone", rid, ep)
			}
			return gen.Job{}, err
		}
		slots[i] = gen.Slot{EndpointID: ep, ReleaseID: rid, Seed: p.Seed}
	}
	sources := make([]gen.Source, 0, len(p.Prompts))
	if p.SnapshotID > 0 {
		var err error
		if sources, err = s.snapshotPrompts(ctx, p.ModelID, p.SnapshotID); err != nil {
			return gen.Job{}, err
		}
	}
	for i, raw := range p.Prompts {
		src, err := gen.ParsePrompt(i, raw)
		if err != nil {
			return gen.Job{}, err
		}
		if _, ok := gen.EvaluationPrompt(src); !ok {
			return gen.Job{}, gen.ErrInvalidJob.With("prompts[%d]: an evaluation prompt is one user turn", i)
		}
		sources = append(sources, src)
	}
	var seed int64
	if p.Seed != nil {
		seed = *p.Seed
	}
	_, proj, err := s.evals.StartEvaluation(ctx, &actor, dataset.EvaluationRequest{ModelID: p.ModelID, Name: p.Name,
		Instructions: p.Instructions, Overlap: p.Overlap, ReleaseIDs: p.ReleaseIDs, Seed: seed})
	if err != nil {
		return gen.Job{}, err
	}
	params, err := json.Marshal(map[string]any{"slots": slots, "max_tokens": p.MaxTokens, "model_id": p.ModelID, "release_ids": p.ReleaseIDs})
	if err != nil {
		return gen.Job{}, err
	}
	return s.st.Create(ctx, store.NewJob{Kind: gen.KindEvaluation, ProjectID: proj.ID, Params: params, CreatedBy: actor,
		Sources: sources, Slots: slots})
}

// Evaluation is the evaluation kind: one answer per release per prompt; a prompt's answers become
// one pairwise item per pair of releases, blinded (labeling/store.WriteEvaluationItems).
func Evaluation(w EvaluationWriter) Handler {
	cands := Candidates(nil)
	return Handler{
		Request: cands.Request,
		Accept: func(ep model.Endpoint, c store.Claimed, resp model.Response, at time.Time) (json.RawMessage, bool, error) {
			out, flagged, err := cands.Accept(ep, c, resp, at)
			if err != nil {
				return nil, false, err
			}
			var cand gen.Candidate
			if err := json.Unmarshal(out, &cand); err != nil {
				return nil, false, err
			}
			if len(cand.Message.ToolCalls) > 0 || cand.Message.Content == "" {
				return nil, false, gen.ErrInvalidOutput.With("an evaluation answer must be text")
			}
			b, err := json.Marshal(gen.Answer{ReleaseID: cand.Origin.Params.ReleaseID, Text: cand.Message.Content, Origin: cand.Origin})
			return b, flagged, err
		},
		Write: func(tx *gorm.DB, job gen.Job, input json.RawMessage, outputs []json.RawMessage) (int64, bool, error) {
			var src gen.Source
			if err := json.Unmarshal(input, &src); err != nil {
				return 0, false, err
			}
			prompt, _ := gen.EvaluationPrompt(src)
			texts := map[int64]string{}
			origins := map[int64]json.RawMessage{}
			releases := make([]int64, len(outputs))
			for i, o := range outputs {
				var a gen.Answer
				if err := json.Unmarshal(o, &a); err != nil {
					return 0, false, err
				}
				texts[a.ReleaseID] = a.Text
				origins[a.ReleaseID], _ = json.Marshal(a.Origin)
				releases[i] = a.ReleaseID
			}
			n, err := w.WriteEvaluationItems(tx, job.ProjectID, prompt, texts, releases, origins)
			return 0, n > 0, err
		},
	}
}

// snapshotPrompts are the distinct single-turn prompts of a snapshot of the model's data.
func (s *Service) snapshotPrompts(ctx context.Context, modelID, id int64) ([]gen.Source, error) {
	sn, ok := s.evals.(Snapshots)
	if !ok {
		return nil, gen.ErrInvalidJob.With("prompts from a snapshot are not available on this server")
	}
	snap, err := sn.Snapshot(ctx, id)
	if err != nil {
		return nil, err
	}
	if snap.ModelID != modelID {
		return nil, gen.ErrInvalidJob.With("snapshot %d is of model %d, not %d", id, snap.ModelID, modelID)
	}
	if snap.Items > gen.MaxSources {
		return nil, gen.ErrInvalidJob.With("snapshot %d has %d items; an evaluation takes at most %d prompts", id, snap.Items, gen.MaxSources)
	}
	rows, err := sn.SnapshotRows(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []gen.Source
	seen := map[string]bool{}
	for _, r := range rows {
		tt := r.TaskType
		if tt == "" {
			tt = snap.TaskType
		}
		src, err := gen.SourceFromItem(r.ItemID, tt, r.Schema, r.Data)
		if err != nil {
			continue // an item without a prompt (classification text, say) asks nothing
		}
		if _, ok := gen.EvaluationPrompt(src); !ok {
			continue
		}
		// The same prompt in several items is asked once.
		if src.Key = gen.SourceKey(src.Messages); seen[src.Key] {
			continue
		}
		seen[src.Key] = true
		out = append(out, src)
	}
	if len(out) == 0 {
		return nil, gen.ErrInvalidJob.With("snapshot %d has no item with a single-turn prompt to evaluate on", id)
	}
	return out, nil
}
