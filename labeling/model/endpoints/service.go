// Package endpoints is the model endpoints service: coordinators register
// the co-op's OpenAI-compatible servers, copyhold probes what each can do,
// and the generation workers get an endpoint with its key (Endpoint).
package endpoints

import (
	"context"
	"os"
	"time"

	"copyhold/labeling/model"
	"copyhold/labeling/model/store"
	"copyhold/labeling/page"
)

// Prober learns an endpoint's capabilities (client.Client).
type Prober interface {
	Probe(ctx context.Context, ep model.Endpoint, key string) (model.Capabilities, error)
}

// Config assembles a Service.
type Config struct {
	Store  *store.Store
	Prober Prober
	// Sealer seals stored API keys (nil: api_key is refused, key_env works).
	Sealer *Sealer
	Policy Policy
	// Getenv reads key_env variables (nil: os.Getenv).
	Getenv func(string) string
	// ProbeBudget bounds a probe made while a coordinator waits (0: 90 s,
	// under the server's write timeout).
	ProbeBudget time.Duration
}

// Service is what the HTTP handlers call (server.ModelEndpoints).
type Service struct {
	cfg Config
}

// New makes the service.
func New(cfg Config) *Service {
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.ProbeBudget <= 0 {
		cfg.ProbeBudget = 90 * time.Second
	}
	return &Service{cfg: cfg}
}

// Register checks and stores a new endpoint, then probes it. A probe that
// fails (the server is down, the key is wrong) does not undo the
// registration: the capabilities say so, and the coordinator probes again.
func (s *Service) Register(ctx context.Context, actor int64, n NewEndpoint) (model.Endpoint, error) {
	ep, key, err := s.normalise(ctx, n)
	if err != nil {
		return model.Endpoint{}, err
	}
	sealed := ""
	if key != "" {
		if s.cfg.Sealer == nil {
			return model.Endpoint{}, model.ErrNoKeyStore
		}
		if sealed, err = s.cfg.Sealer.Seal(key); err != nil {
			return model.Endpoint{}, err
		}
	}
	created, err := s.cfg.Store.Create(ctx, actor, ep, sealed)
	if err != nil {
		return model.Endpoint{}, err
	}
	return s.probe(ctx, &actor, created.ID)
}

// List returns a page of endpoints, oldest first, without keys.
func (s *Service) List(ctx context.Context, p page.Page) ([]model.Endpoint, error) {
	eps, err := s.cfg.Store.List(ctx, p)
	for i := range eps {
		s.markKey(&eps[i])
	}
	return eps, err
}

// Get returns one endpoint without its key.
func (s *Service) Get(ctx context.Context, id int64) (model.Endpoint, error) {
	got, err := s.cfg.Store.Get(ctx, id)
	if err != nil {
		return model.Endpoint{}, err
	}
	s.markKey(&got.Endpoint)
	return got.Endpoint, nil
}

// markKey: an endpoint whose key is named by key_env has one when that
// variable is set on this server.
func (s *Service) markKey(ep *model.Endpoint) {
	if ep.KeyEnv != "" {
		ep.HasKey = s.cfg.Getenv(ep.KeyEnv) != ""
	}
}

// Update changes an endpoint's settings. Its capabilities stay until the
// next probe, except that a new URL or model is probed at once.
func (s *Service) Update(ctx context.Context, actor, id int64, p Patch) (model.Endpoint, error) {
	var reprobe bool
	_, err := s.cfg.Store.Update(ctx, actor, id, func(cur *store.Sealed) error {
		var err error
		reprobe, err = s.apply(ctx, cur, p)
		return err
	})
	if err != nil {
		return model.Endpoint{}, err
	}
	if reprobe {
		return s.probe(ctx, &actor, id)
	}
	return s.Get(ctx, id)
}

// Delete removes an endpoint; releases that named it name none.
func (s *Service) Delete(ctx context.Context, actor, id int64) error {
	return s.cfg.Store.Delete(ctx, actor, id)
}

// Probe probes an endpoint again and stores what it found.
func (s *Service) Probe(ctx context.Context, actor, id int64) (model.Endpoint, error) {
	return s.probe(ctx, &actor, id)
}

func (s *Service) probe(ctx context.Context, actor *int64, id int64) (model.Endpoint, error) {
	ep, key, err := s.Endpoint(ctx, id)
	if err != nil {
		return model.Endpoint{}, err
	}
	pctx, cancel := context.WithTimeout(ctx, s.cfg.ProbeBudget)
	caps, _ := s.cfg.Prober.Probe(pctx, ep, key) // a failed probe is in caps (Chat false, a note)
	cancel()
	if caps.ProbedAt.IsZero() {
		caps.ProbedAt = time.Now().UTC()
	}
	out, err := s.cfg.Store.SetCapabilities(context.WithoutCancel(ctx), actor, id, caps)
	if err != nil {
		return model.Endpoint{}, err
	}
	s.markKey(&out)
	return out, nil
}

// Endpoint returns an endpoint with its plain API key ("" for none), for
// the workers that call it (never for an HTTP answer).
func (s *Service) Endpoint(ctx context.Context, id int64) (model.Endpoint, string, error) {
	got, err := s.cfg.Store.Get(ctx, id)
	if err != nil {
		return model.Endpoint{}, "", err
	}
	ep := got.Endpoint
	s.markKey(&ep)
	switch {
	case ep.KeyEnv != "":
		return ep, s.cfg.Getenv(ep.KeyEnv), nil
	case got.KeyCipher != "":
		if s.cfg.Sealer == nil {
			return ep, "", model.ErrKeyUnavailable.With("endpoint %d has a stored API key, and this server has no --model-key to open it", id)
		}
		key, err := s.cfg.Sealer.Open(got.KeyCipher)
		if err != nil {
			return ep, "", model.ErrKeyUnavailable.With("endpoint %d: %v", id, err)
		}
		return ep, key, nil
	}
	return ep, "", nil
}
