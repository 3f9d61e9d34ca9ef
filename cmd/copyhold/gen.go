package main

import (
	"context"
	"log/slog"
	"time"

	"copyhold/labeling/dataset"
	"copyhold/labeling/gen/runner"
	genstore "copyhold/labeling/gen/store"
	"copyhold/labeling/model"
	"copyhold/labeling/store"
	"copyhold/server"

	"gorm.io/gorm"
)

// startGeneration runs this instance's generation worker (labeling/gen/runner), once gate opens, until ctx ends and
// returns the jobs service for the server, and a stop that waits for the worker to hand its units
// back. timeout bounds one request (--model-timeout); a unit's lease outlasts it by a minute.
// Without an endpoint registry or a client there are no jobs: the routes answer 503.
func startGeneration(ctx context.Context, gate *startGate, db *gorm.DB, st *store.Stores, eps runner.Endpoints, c model.Completer, timeout time.Duration, log *slog.Logger) (server.Generation, func()) {
	if eps == nil || c == nil {
		return nil, func() {}
	}
	gs := genstore.New(db, nil)
	w := runner.NewWorker(runner.Config{Completer: c, Endpoints: eps, Projects: st.Projects, Timeout: timeout}, gs, log)
	done := gate.run(ctx, w.Run)
	return runner.NewService(gs, st.Projects, eps).WithEvaluations(st.Datasets, releaseEndpoints{st.Datasets}), func() { <-done }
}

// releaseEndpoints reads the endpoint a release names (labeling/store.Datasets).
type releaseEndpoints struct {
	d interface {
		ModelRelease(ctx context.Context, id int64) (dataset.Release, error)
	}
}

func (r releaseEndpoints) ReleaseEndpoint(ctx context.Context, id int64) (int64, error) {
	rel, err := r.d.ModelRelease(ctx, id)
	if err != nil || rel.EndpointID == nil {
		return 0, err
	}
	return *rel.EndpointID, nil
}
