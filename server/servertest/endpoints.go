package servertest

import (
	"context"
	"sync"

	"copyhold/labeling/model"
)

// Endpoints is an in-memory model endpoint registry for the generation routes' tests (the real
// one is labeling/model/endpoints). Keys are "key-<name>".
type Endpoints struct {
	mu       sync.Mutex
	eps      map[int64]model.Endpoint
	releases map[int64]int64
}

// ServeRelease says that endpoint serves release.
func (e *Endpoints) ServeRelease(release, endpoint int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.releases == nil {
		e.releases = map[int64]int64{}
	}
	e.releases[release] = endpoint
}

// ReleaseEndpoint is the endpoint serving a release (0: none).
func (e *Endpoints) ReleaseEndpoint(_ context.Context, release int64) (int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.releases[release], nil
}

// Add registers ep under its ID.
func (e *Endpoints) Add(ep model.Endpoint) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.eps == nil {
		e.eps = map[int64]model.Endpoint{}
	}
	e.eps[ep.ID] = ep
}

// Endpoint returns a registered endpoint and its key, or model.ErrNotFound.
func (e *Endpoints) Endpoint(_ context.Context, id int64) (model.Endpoint, string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ep, ok := e.eps[id]
	if !ok {
		return model.Endpoint{}, "", model.ErrNotFound.With("no model endpoint %d", id)
	}
	return ep, "key-" + ep.Name, nil
}
