package live_test

// The live layer is tested through the whole transport: a real server
// (server.New, so authentication and the /ws route are the production ones)
// on httptest, real websockets, and a fresh database per test.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/labeling"
	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"
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
	st := store.New(db)
	cfg := server.Config{PasswordCost: member.PasswordCost(bcrypt.MinCost)}
	for _, o := range opts {
		o(&cfg, &st)
	}
	e := &env{t: t, db: db, st: st, members: map[string]member.Member{}, tokens: map[string]string{}}
	e.srv = server.New(cfg, deps(db, st), slog.New(slog.NewTextHandler(io.Discard, nil)))
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
