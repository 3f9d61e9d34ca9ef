// Package runner is generation jobs' service and worker: coordinators start, list, watch and cancel
// jobs; the worker (one per `copyhold serve`) claims units under a lease, asks the model, retries by
// policy and writes each source's item when its last candidate arrives.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"copyhold/labeling"
	"copyhold/labeling/gen"
	"copyhold/labeling/gen/store"
	"copyhold/labeling/model"
	"copyhold/labeling/page"
	labelstore "copyhold/labeling/store"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// Endpoints is what the jobs need of the endpoint registry (labeling/model/endpoints): an
// endpoint with its plain key ("" for none).
type Endpoints interface {
	Endpoint(ctx context.Context, id int64) (model.Endpoint, string, error)
}

// Projects is what the jobs need of the labelling store (labeling/store.Projects).
type Projects interface {
	Project(ctx context.Context, id int64) (labeling.Project, error)
	Items(ctx context.Context, projectID, afterSeq int64, limit int) ([]labeling.Item, error)
	WriteGenerated(tx *gorm.DB, projectID int64, build labelstore.BuildGenerated) (int64, bool, error)
}

// Service is what the HTTP handlers call (server.Generation).
type Service struct {
	st        *store.Store
	projects  Projects
	endpoints Endpoints
	evals     Evaluations // nil: no evaluation jobs (WithEvaluations)
	releases  Releases
}

// NewService runs jobs stored in st.
func NewService(st *store.Store, projects Projects, endpoints Endpoints) *Service {
	return &Service{st: st, projects: projects, endpoints: endpoints}
}

// StartCandidates plans a candidates job into projectID (a pairwise or ranking project): K
// candidate next turns per source, one item per source.
func (s *Service) StartCandidates(ctx context.Context, actor, projectID int64, p gen.CandidateParams) (gen.Job, error) {
	target, err := s.projects.Project(ctx, projectID)
	if err != nil {
		return gen.Job{}, err
	}
	if target.Status == labeling.ProjectClosed {
		return gen.Job{}, labeling.ErrProjectClosed
	}
	if err := p.Check(target.TaskType); err != nil {
		return gen.Job{}, err
	}
	for i, sl := range p.Slots {
		if _, _, err := s.endpoints.Endpoint(ctx, sl.EndpointID); err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return gen.Job{}, gen.ErrInvalidJob.With("slots[%d]: no model endpoint %d", i, sl.EndpointID)
			}
			return gen.Job{}, err
		}
	}
	sources, err := s.sources(ctx, p)
	if err != nil {
		return gen.Job{}, err
	}
	if len(sources) == 0 {
		return gen.Job{}, gen.ErrInvalidJob.With("there is nothing to generate for: no prompts")
	}
	// A dry run on the first source catches a mismatch (a conversation into a text-prompt project)
	// before any request is sent.
	dry := make([]gen.Candidate, len(p.Slots))
	for i := range dry {
		dry[i] = gen.Candidate{Slot: i, Message: tasktype.Message{Role: "assistant", Content: fmt.Sprintf("candidate %d", i+1)}}
	}
	for _, src := range sources {
		if _, _, err := gen.BuildItem(target.TaskType, target.Schema, src, dry); err != nil {
			return gen.Job{}, gen.ErrInvalidJob.With("%s", err.Error())
		}
	}
	params, err := json.Marshal(gen.CandidateParams{Slots: p.Slots, SourceProjectID: p.SourceProjectID, MaxTokens: p.MaxTokens})
	if err != nil {
		return gen.Job{}, err
	}
	return s.st.Create(ctx, store.NewJob{Kind: gen.KindCandidates, ProjectID: projectID, Params: params, CreatedBy: actor,
		Sources: sources, Slots: p.Slots})
}

// sources reads a job's prompts: uploaded, or the items of a project.
func (s *Service) sources(ctx context.Context, p gen.CandidateParams) ([]gen.Source, error) {
	var out []gen.Source
	if p.SourceProjectID == 0 {
		for i, raw := range p.Prompts {
			src, err := gen.ParsePrompt(i, raw)
			if err != nil {
				return nil, err
			}
			out = append(out, src)
		}
		return out, nil
	}
	sp, err := s.projects.Project(ctx, p.SourceProjectID)
	if err != nil {
		return nil, err
	}
	var after int64
	for {
		items, err := s.projects.Items(ctx, sp.ID, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			src, err := gen.SourceFromItem(it.ID, sp.TaskType, sp.Schema, it.Data)
			if err != nil {
				return nil, err
			}
			if len(out) == gen.MaxSources {
				return nil, gen.ErrInvalidJob.With("source project %d has more than %d items", sp.ID, gen.MaxSources)
			}
			out = append(out, src)
			after = it.Seq
		}
		if len(items) < 1000 {
			return out, nil
		}
	}
}

// List returns a page of jobs, newest first (projectID 0: every project's).
func (s *Service) List(ctx context.Context, projectID int64, p page.Page) ([]gen.Job, error) {
	return s.st.List(ctx, projectID, p)
}

// Get returns one job's progress and its latest failures.
func (s *Service) Get(ctx context.Context, id int64) (gen.Job, error) { return s.st.Get(ctx, id) }

// Cancel stops a job; no new request is sent for it.
func (s *Service) Cancel(ctx context.Context, actor, id int64) (gen.Job, error) {
	return s.st.Cancel(ctx, id, actor)
}
