package server

import (
	"context"

	"copyhold/labeling/dataset"
	"copyhold/labeling/model"
	"copyhold/labeling/page"
)

// ModelEndpoints registers, lists, probes and deletes the co-op's model
// endpoints (labeling/model/endpoints.Service). No method returns a key.
type ModelEndpoints interface {
	Register(ctx context.Context, actor int64, n model.NewEndpoint) (model.Endpoint, error)
	List(ctx context.Context, p page.Page) ([]model.Endpoint, error)
	Get(ctx context.Context, id int64) (model.Endpoint, error)
	Update(ctx context.Context, actor, id int64, p model.EndpointPatch) (model.Endpoint, error)
	Delete(ctx context.Context, actor, id int64) error
	Probe(ctx context.Context, actor, id int64) (model.Endpoint, error)
}

// ReleaseEndpoints names the endpoint that serves a release
// (labeling/store.Datasets, release_endpoint.go).
type ReleaseEndpoints interface {
	SetReleaseEndpoint(ctx context.Context, actor int64, releaseID int64, endpointID *int64) (dataset.Release, error)
}
