package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote/govern"
	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/servertest"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// env is one running server on a fresh database, with a member per role.
type env struct{ *servertest.Env }

func newEnv(t *testing.T, db *gorm.DB, opts ...servertest.Option) *env {
	t.Helper()
	return newEnvVotes(t, db, nil, opts...)
}

// newEnvVotes is newEnv with collective rule run by votes (nil: one on the
// system clock).
func newEnvVotes(t *testing.T, db *gorm.DB, votes server.Votes, opts ...servertest.Option) *env {
	t.Helper()
	if votes == nil {
		votes = govern.New(db, nil, nil)
	}
	st := store.New(db).WithRegister(equitystore.Reads{})
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{PasswordCost: member.PasswordCost(bcrypt.MinCost), Ready: sqlDB,
		Exports: server.NewExportCache(t.TempDir(), server.ExportCacheLimits{}, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	return &env{servertest.New(t, db, st, cfg, votes, opts...)}
}

// client is a browser-like caller with its own cookie jar.
type client struct {
	e     *env
	hc    *http.Client
	token string
}

func (e *env) browser() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (e *env) as(login string) *client {
	c := e.browser()
	if login != "" {
		c.token = e.Tokens[login]
	}
	return c
}

type resp struct {
	status int
	body   []byte
	header http.Header
}

func (r resp) code() string {
	var v struct{ Code string }
	json.Unmarshal(r.body, &v)
	return v.Code
}

func (c *client) do(method, path string, body any, headers ...string) resp {
	c.e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, c.e.TS.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, b, res.Header}
}

func (c *client) login(login, password string) resp {
	return c.do("POST", "/api/auth/login", map[string]string{"login": login, "password": password})
}

func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) { fn(t, newEnv(t, db)) })
}
