package main

import (
	"context"
	"log/slog"

	"copyhold/labeling/gen/runner"
	genstore "copyhold/labeling/gen/store"
	"copyhold/labeling/model"
	"copyhold/labeling/store"
	"copyhold/server"

	"gorm.io/gorm"
)

// startGeneration runs this instance's generation worker (labeling/gen/runner) until ctx ends and
// returns the jobs service for the server, and a stop that waits for the worker to hand its units
// back. Without an endpoint registry or a client there are no jobs: the routes answer 503.
func startGeneration(ctx context.Context, db *gorm.DB, st *store.Stores, eps runner.Endpoints, c model.Completer, log *slog.Logger) (server.Generation, func()) {
	if eps == nil || c == nil {
		return nil, func() {}
	}
	gs := genstore.New(db, nil)
	w := runner.NewWorker(runner.Config{Completer: c, Endpoints: eps, Projects: st.Projects}, gs, log)
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	return runner.NewService(gs, st.Projects, eps), func() { <-done }
}
