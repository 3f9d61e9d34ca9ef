// Package relay is outbound webhooks' service and worker: coordinators register endpoints, and the worker turns committed events into signed deliveries, retried with backoff.
package relay

import (
	"context"

	"copyhold/labeling/page"

	"copyhold/labeling/webhook"
	"copyhold/labeling/webhook/store"
)

// Service is what the HTTP handlers call (server.Webhooks).
type Service struct {
	st     *store.Store
	policy webhook.Policy
}

// NewService registers endpoints in st, checking URLs with policy.
func NewService(st *store.Store, policy webhook.Policy) *Service {
	return &Service{st: st, policy: policy}
}

// Register checks and stores a new endpoint and returns it with its
// signing secret, which is shown this once.
func (s *Service) Register(ctx context.Context, actor int64, n webhook.NewEndpoint) (webhook.Endpoint, error) {
	n, err := n.Normalize()
	if err != nil {
		return webhook.Endpoint{}, err
	}
	if n.URL, err = s.policy.CheckURL(ctx, n.URL); err != nil {
		return webhook.Endpoint{}, err
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return webhook.Endpoint{}, err
	}
	return s.st.Create(ctx, actor, n, secret)
}

// List returns a page of endpoints, oldest first, without secrets.
func (s *Service) List(ctx context.Context, p page.Page) ([]webhook.Endpoint, error) {
	return s.st.List(ctx, p)
}

// Get returns one endpoint, without its secret.
func (s *Service) Get(ctx context.Context, id int64) (webhook.Endpoint, error) {
	return s.st.Get(ctx, id)
}

// Delete removes an endpoint, its queue and its attempt log.
func (s *Service) Delete(ctx context.Context, id int64) error { return s.st.Delete(ctx, id) }

// Enable turns a disabled endpoint back on.
func (s *Service) Enable(ctx context.Context, id int64) (webhook.Endpoint, error) {
	return s.st.Enable(ctx, id)
}

// Attempts lists an endpoint's attempts, newest first, below before (0: all).
func (s *Service) Attempts(ctx context.Context, id, before int64, limit int) ([]webhook.Attempt, error) {
	return s.st.Attempts(ctx, id, before, limit)
}
