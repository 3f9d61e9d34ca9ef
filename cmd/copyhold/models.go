package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"copyhold/labeling/model/client"
	"copyhold/labeling/model/endpoints"
	modelstore "copyhold/labeling/model/store"

	"gorm.io/gorm"
)

// modelSettings are serve's model endpoint flags (docs/MODELS.md).
type modelSettings struct {
	Key     string
	Timeout time.Duration
}

const modelKeySetting = "--model-key / COPYHOLD_MODEL_KEY"

func bindModelSettings(fs *flag.FlagSet, e *env, m *modelSettings) {
	fs.StringVar(&m.Key, "model-key", e.getenv("COPYHOLD_MODEL_KEY"), "file holding the data key that encrypts model endpoints' API keys (base64 of 32 bytes); "+
		"empty means model.key in the data folder, made on first start with the embedded SQLite database. Without one, "+
		"endpoints take their key from an environment variable only (env COPYHOLD_MODEL_KEY)")
	def := client.DefaultTimeout
	if v := e.getenv("COPYHOLD_MODEL_TIMEOUT"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			def = d
		} else {
			def = -1 // reported by check
		}
	}
	fs.DurationVar(&m.Timeout, "model-timeout", def, "longest one request to a model endpoint may take, answer included: 15s to 60s (env COPYHOLD_MODEL_TIMEOUT)")
}

func (m modelSettings) check() error {
	if m.Timeout < 15*time.Second || m.Timeout > 60*time.Second {
		return fmt.Errorf("--model-timeout / COPYHOLD_MODEL_TIMEOUT must be a duration from 15s to 60s")
	}
	return nil
}

// modelKeyFile is the default data key file in the data folder.
func (c config) modelKeyFile() string { return filepath.Join(c.DataDir, "model.key") }

// modelSealer loads the data key that seals endpoints' API keys. A
// configured file must load; without one the data folder's model.key is
// used, made (0600) on first start with the embedded SQLite database. A
// PostgreSQL installation without a key gets none: API keys are then
// refused, and key_env works.
func modelSealer(c config, m modelSettings, log *slog.Logger) (*endpoints.Sealer, error) {
	open := func(path, setting string) (*endpoints.Sealer, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		key, err := endpoints.ParseDataKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %v", setting, path, err)
		}
		return endpoints.NewSealer(key)
	}
	if p := strings.TrimSpace(m.Key); p != "" {
		s, err := open(p, modelKeySetting)
		if err != nil {
			return nil, fmt.Errorf("%s: cannot read the model data key: %v (copyhold never generates a key when one is configured)", modelKeySetting, err)
		}
		return s, nil
	}
	path := c.modelKeyFile()
	s, err := open(path, "model data key")
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return s, err
	}
	if c.DatabaseURL != "" {
		log.Warn("no model data key: model endpoints can take their API key from an environment variable only; set " + modelKeySetting)
		return nil, nil
	}
	text, err := endpoints.NewDataKey()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create the model data key: %w", err)
	}
	if _, err := f.WriteString(text + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return open(path, "model data key")
}

// modelEndpoints is the endpoints service. An endpoint is never this
// server itself: its --base-url's host and port, its --addr, or a local
// address on the port it listens on.
func modelEndpoints(db *gorm.DB, c config, sealer *endpoints.Sealer, m modelSettings, listenPort string) *endpoints.Service {
	return endpoints.New(endpoints.Config{Store: modelstore.New(db, nil), Prober: client.New(client.Config{Timeout: m.Timeout}),
		Sealer: sealer, Policy: modelPolicy(c, listenPort)})
}

func modelPolicy(c config, listenPort string) endpoints.Policy {
	p := endpoints.Policy{SelfPort: listenPort}
	if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		p.Self = append(p.Self, net.JoinHostPort(u.Hostname(), port))
	}
	if host, _, err := net.SplitHostPort(c.Addr); err == nil && host != "" && listenPort != "" {
		p.Self = append(p.Self, net.JoinHostPort(host, listenPort))
	}
	return p
}
