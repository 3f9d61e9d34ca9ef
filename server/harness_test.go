package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote/govern"
	"copyhold/labeling"
	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"
	"copyhold/migrations/dbtest"
	"copyhold/server"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

const testPassword = "correct-horse-battery"

// env is one running server on a fresh database, with a member per role.
type env struct {
	t       *testing.T
	db      *gorm.DB
	st      *store.Stores
	srv     *server.Server
	ts      *httptest.Server
	members map[string]member.Member // by login
	tokens  map[string]string        // API token by login
}

type envOption func(*server.Config, **store.Stores)

func newEnv(t *testing.T, db *gorm.DB, opts ...envOption) *env {
	t.Helper()
	return newEnvVotes(t, db, nil, opts...)
}

// newEnvVotes is newEnv with collective rule run by votes (nil: one on the
// system clock).
func newEnvVotes(t *testing.T, db *gorm.DB, votes server.Votes, opts ...envOption) *env {
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
	for _, o := range opts {
		o(&cfg, &st)
	}
	e := &env{t: t, db: db, st: st, members: map[string]member.Member{}, tokens: map[string]string{}}
	d := deps(db, st)
	d.Votes = votes
	e.srv = server.New(cfg, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	for _, who := range []struct {
		login string
		roles []member.Role
	}{
		{"lab", []member.Role{member.RoleLabeller}},
		{"rev", []member.Role{member.RoleReviewer}},
		{"coord", []member.Role{member.RoleCoordinator}},
		{"target", []member.Role{member.RoleLabeller, member.RoleReviewer}},
	} {
		m, err := st.Members.CreateMember(context.Background(), nil, member.NewMember{Login: who.login, DisplayName: who.login, Password: testPassword, Roles: who.roles, Cost: member.PasswordCost(bcrypt.MinCost)})
		if err != nil {
			t.Fatal(err)
		}
		e.members[who.login] = m
		_, tok, err := st.Members.CreateToken(context.Background(), m.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[who.login] = tok
	}
	return e
}

// deps hands the server the stores, the labelling workflow over them and the
// equity register, as cmd/copyhold's serverDeps does.
func deps(db *gorm.DB, st *store.Stores) server.Deps {
	return server.Deps{Members: st.Members, Projects: st.Projects, Leases: st.Leases, Reviews: st.Reviews,
		Quality: st.Quality, Datasets: st.Datasets, Work: work.New(st), Register: equitystore.New(db)}
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
		c.token = e.tokens[login]
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
	c.e.t.Helper()
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
	req, _ := http.NewRequest(method, c.e.ts.URL+path, rd)
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
		c.e.t.Fatalf("%s %s: %v", method, path, err)
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

// project creates an open classification project with every test member in it.
func (e *env) project(t *testing.T) labeling.Project {
	t.Helper()
	ctx := context.Background()
	coord := e.members["coord"].ID
	m, err := e.st.Projects.CreateModel(ctx, &coord, labeling.Model{Name: fmt.Sprintf("model-%d", time.Now().UnixNano())})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.st.Projects.CreateProject(ctx, &coord, labeling.ProjectSettings{
		ModelID: m.ID, Name: "sentiment", TaskType: tasktype.TaskClassification, Overlap: 2,
		Schema: json.RawMessage(`{"choices":[{"value":"positive"},{"value":"negative"}]}`),
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.st.Projects.SetProjectStatus(ctx, &coord, p.ID, labeling.ProjectOpen); err != nil {
		t.Fatal(err)
	}
	return p
}
