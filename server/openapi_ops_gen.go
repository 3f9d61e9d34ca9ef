package server

import (
	"net/http"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/fault"
	"copyhold/labeling/gen"
)

// genOps are generation jobs (handle_gen.go; docs/MODELS.md, "Generation jobs").
func genOps() []*op {
	return []*op{
		opPost("/api/projects/:id/generate", "Generate K candidate next turns per prompt into a pairwise or ranking project", coordinators).
			about("Queues a durable job: one unit per prompt and candidate slot, each sent once, retried by policy; one item per prompt when all its candidates are in. Progress arrives on the websocket channel gen:<project id>.").
			in(gen.CandidateParams{}).ok(http.StatusCreated, gen.Job{}).
			fails(fault.ErrInvalid, fault.ErrNotFound, gen.ErrInvalidJob, labeling.ErrProjectClosed, errGenOff),
		opPost("/api/projects/:id/suggest", "Ask a model endpoint for a suggestion on every open item of a classification, multi-label, spans or moderation project", coordinators).
			about("Queues a durable suggestions job: the answer is constrained to the project's labels by structured output where the endpoint honours it, validated and retried where it does not; spans are aligned to the text; confidence comes from sampled logprobs or from agreement between samples. Items that already have a suggestion are skipped unless replace is set. Generation earns no units.").
			in(gen.SuggestionParams{}).ok(http.StatusCreated, gen.Job{}).
			fails(fault.ErrInvalid, fault.ErrNotFound, gen.ErrInvalidJob, labeling.ErrProjectClosed, errGenOff),
		opPost("/api/gen/evaluations", "Evaluate releases: each release's endpoint answers every prompt, into a new blinded evaluation project", coordinators).
			about("The job's project_id is the new pairwise evaluation project (draft); accepted answers feed the model's leaderboard.").
			in(gen.EvaluationParams{}).ok(http.StatusCreated, gen.Job{}).
			fails(fault.ErrInvalid, fault.ErrNotFound, gen.ErrInvalidJob, dataset.ErrEvaluationReleases, labeling.ErrProjectNameTaken, errGenOff),
		opGet("/api/gen/jobs", "Generation jobs, newest first", coordinators).
			q("project_id", tInteger, "only this project's jobs").paged(gen.Job{}, nil).fails(fault.ErrInvalid, errGenOff),
		opGet("/api/gen/jobs/:id", "A generation job's progress and its latest failures", coordinators).
			ok(http.StatusOK, gen.Job{}).fails(fault.ErrInvalid, gen.ErrJobNotFound, errGenOff),
		opPost("/api/gen/jobs/:id/cancel", "Cancel a generation job: no new request is sent", coordinators).
			ok(http.StatusOK, gen.Job{}).fails(fault.ErrInvalid, gen.ErrJobNotFound, gen.ErrJobFinished, errGenOff),
	}
}
