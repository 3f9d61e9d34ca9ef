package endpoints

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"copyhold/labeling/model"
	"copyhold/labeling/model/store"
)

// NewEndpoint and Patch are the model package's input shapes (the server
// names them without linking this package's store).
type (
	NewEndpoint = model.NewEndpoint
	Patch       = model.EndpointPatch
)

// Limits.
const (
	MaxConcurrency = 64
	MaxPerMinute   = 100000
	maxName        = 100
	maxModel       = 200
	maxKey         = 4096
	maxTokens      = 131072
)

// KeyEnvPrefix starts every key_env name, so that a coordinator cannot send
// the server's other secrets (its database URL, …) to a model server.
const KeyEnvPrefix = "MODEL_API_KEY"

var envName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^MODEL_API_KEY[A-Z0-9_]{0,100}$`) })

func invalid(f string, a ...any) error { return model.ErrInvalidEndpoint.With(f, a...) }

func cleanText(field, v string, limit int) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > limit {
		return "", invalid("%s is required, at most %d bytes", field, limit)
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		return "", invalid("%s must not contain control characters", field)
	}
	return v, nil
}

func checkKeyEnv(v string) error {
	if v != "" && !envName().MatchString(v) {
		return invalid("key_env must be an environment variable name starting with %s (upper case, digits, _)", KeyEnvPrefix)
	}
	return nil
}

func checkKey(v string) error {
	if len(v) > maxKey || strings.ContainsFunc(v, unicode.IsControl) {
		return invalid("api_key must be at most %d bytes without control characters", maxKey)
	}
	return nil
}

func checkParams(p model.Params) error {
	if p.Temperature != nil && (*p.Temperature < 0 || *p.Temperature > 2) {
		return invalid("params.temperature must be between 0 and 2")
	}
	if p.TopP != nil && (*p.TopP <= 0 || *p.TopP > 1) {
		return invalid("params.top_p must be above 0 and at most 1")
	}
	if p.MaxTokens < 0 || p.MaxTokens > maxTokens {
		return invalid("params.max_tokens must be between 0 and %d", maxTokens)
	}
	return nil
}

func checkLimits(concurrency, perMinute int) error {
	if concurrency < 1 || concurrency > MaxConcurrency {
		return invalid("concurrency must be between 1 and %d", MaxConcurrency)
	}
	if perMinute < 0 || perMinute > MaxPerMinute {
		return invalid("per_minute must be between 0 (no bound) and %d", MaxPerMinute)
	}
	return nil
}

// normalise validates a registration and returns the endpoint and the
// plain key to seal.
func (s *Service) normalise(ctx context.Context, n NewEndpoint) (model.Endpoint, string, error) {
	var ep model.Endpoint
	var err error
	if ep.Name, err = cleanText("name", n.Name, maxName); err != nil {
		return ep, "", err
	}
	if ep.Model, err = cleanText("model", n.Model, maxModel); err != nil {
		return ep, "", err
	}
	if ep.BaseURL, err = s.cfg.Policy.CheckURL(ctx, n.BaseURL); err != nil {
		return ep, "", err
	}
	if n.APIKey != "" && n.KeyEnv != "" {
		return ep, "", invalid("give api_key or key_env, not both")
	}
	if err := checkKey(n.APIKey); err != nil {
		return ep, "", err
	}
	if err := checkKeyEnv(n.KeyEnv); err != nil {
		return ep, "", err
	}
	ep.KeyEnv = n.KeyEnv
	if n.Concurrency == 0 {
		n.Concurrency = 1
	}
	if err := checkLimits(n.Concurrency, n.PerMinute); err != nil {
		return ep, "", err
	}
	if err := checkParams(n.Params); err != nil {
		return ep, "", err
	}
	ep.Params, ep.Concurrency, ep.PerMinute = n.Params, n.Concurrency, n.PerMinute
	return ep, n.APIKey, nil
}

// apply edits cur by p; it says whether the endpoint must be probed again.
// Moving an endpoint that has a key to another URL needs the key restated
// (or cleared): otherwise a changed URL would send the stored key to a
// server its owner never meant it for.
func (s *Service) apply(ctx context.Context, cur *store.Sealed, p Patch) (bool, error) {
	reprobe := false
	hadKey := cur.KeyCipher != "" || cur.KeyEnv != ""
	if p.Name != nil {
		v, err := cleanText("name", *p.Name, maxName)
		if err != nil {
			return false, err
		}
		cur.Name = v
	}
	if p.Model != nil {
		v, err := cleanText("model", *p.Model, maxModel)
		if err != nil {
			return false, err
		}
		reprobe = reprobe || v != cur.Model
		cur.Model = v
	}
	if p.BaseURL != nil {
		v, err := s.cfg.Policy.CheckURL(ctx, *p.BaseURL)
		if err != nil {
			return false, err
		}
		if v != cur.BaseURL {
			if hadKey && p.APIKey == nil && p.KeyEnv == nil && !p.ClearKey {
				return false, invalid("a new base_url would receive the endpoint's key: give api_key or key_env again, or clear_key")
			}
			reprobe = true
		}
		cur.BaseURL = v
	}
	keyGiven := (p.APIKey != nil && *p.APIKey != "") || (p.KeyEnv != nil && *p.KeyEnv != "")
	if p.ClearKey && keyGiven {
		return false, invalid("clear_key with a new api_key or key_env: choose one")
	}
	if p.APIKey != nil && p.KeyEnv != nil && *p.APIKey != "" && *p.KeyEnv != "" {
		return false, invalid("give api_key or key_env, not both")
	}
	switch {
	case p.ClearKey:
		cur.KeyCipher, cur.KeyEnv = "", ""
		reprobe = reprobe || hadKey
	case p.APIKey != nil && *p.APIKey != "":
		if err := checkKey(*p.APIKey); err != nil {
			return false, err
		}
		if s.cfg.Sealer == nil {
			return false, model.ErrNoKeyStore
		}
		sealed, err := s.cfg.Sealer.Seal(*p.APIKey)
		if err != nil {
			return false, err
		}
		cur.KeyCipher, cur.KeyEnv, reprobe = sealed, "", true
	case p.KeyEnv != nil && *p.KeyEnv != "":
		if err := checkKeyEnv(*p.KeyEnv); err != nil {
			return false, err
		}
		cur.KeyEnv, cur.KeyCipher, reprobe = *p.KeyEnv, "", true
	}
	if p.Params != nil {
		if err := checkParams(*p.Params); err != nil {
			return false, err
		}
		cur.Params = *p.Params
	}
	if p.Concurrency != nil {
		cur.Concurrency = *p.Concurrency
	}
	if p.PerMinute != nil {
		cur.PerMinute = *p.PerMinute
	}
	if err := checkLimits(cur.Concurrency, cur.PerMinute); err != nil {
		return false, err
	}
	return reprobe, nil
}
