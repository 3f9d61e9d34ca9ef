// Package servertest runs copyhold's HTTP server on httptest for tests, with a member per role.
package servertest

import (
	"context"
	"copyhold/equity/roll"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/labeling"
	"copyhold/labeling/gen/runner"
	genstore "copyhold/labeling/gen/store"
	"copyhold/labeling/member"
	"copyhold/labeling/model/client"
	"copyhold/labeling/model/endpoints"
	modelstore "copyhold/labeling/model/store"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/webhook"
	"copyhold/labeling/webhook/relay"
	webhookstore "copyhold/labeling/webhook/store"
	"copyhold/labeling/work"
	"copyhold/server"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Password is every test member's password.
const Password = "correct-horse-battery"

// Env is one running server on a fresh database, with a member per role.
type Env struct {
	T       *testing.T
	DB      *gorm.DB
	Stores  *store.Stores
	Server  *server.Server
	TS      *httptest.Server
	Members map[string]member.Member // by login
	Tokens  map[string]string        // API token by login
	Roll    *equitystore.Roll        // the court roll, signing with a test key
	// Endpoints are the model endpoints the generation routes see (add with Endpoints.Add).
	Endpoints *Endpoints
}

// Option changes the server's config or its stores before the server starts.
type Option func(*server.Config, **store.Stores)

// New applies opts to cfg and st, starts server.New with Deps(db, st) and
// votes on httptest (closed when the test ends) and adds the members lab
// (labeller), rev (reviewer), coord (coordinator) and target (labeller and
// reviewer), each with an API token.
func New(t *testing.T, db *gorm.DB, st *store.Stores, cfg server.Config, votes server.Votes, opts ...Option) *Env {
	t.Helper()
	for _, o := range opts {
		o(&cfg, &st)
	}
	e := &Env{T: t, DB: db, Stores: st, Members: map[string]member.Member{}, Tokens: map[string]string{}, Endpoints: &Endpoints{}}
	d := Deps(db, st)
	d.Generation = runner.NewService(genstore.New(db, nil), st.Projects, e.Endpoints).WithEvaluations(st.Datasets, e.Endpoints)
	d.Votes = votes
	e.Roll = d.Roll.(*equitystore.Roll)
	e.Server = server.New(cfg, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.TS = httptest.NewUnstartedServer(checkResponses(t, e.Server.Handler()))
	e.Server.ConfigureHTTP(e.TS.Config) // the timeouts serve gives its http.Server
	e.TS.Start()
	t.Cleanup(e.TS.Close)
	for _, who := range []struct {
		login string
		roles []member.Role
	}{
		{"lab", []member.Role{member.RoleLabeller}},
		{"rev", []member.Role{member.RoleReviewer}},
		{"coord", []member.Role{member.RoleCoordinator}},
		{"target", []member.Role{member.RoleLabeller, member.RoleReviewer}},
	} {
		e.AddMember(t, who.login, who.roles...)
	}
	return e
}

// Deps hands the server the stores, the labelling workflow over them and the
// equity register, as cmd/copyhold's serverDeps does.
func Deps(db *gorm.DB, st *store.Stores) server.Deps {
	skey, err := roll.GenerateKey(roll.Origin("test.example"))
	if err != nil {
		panic(err)
	}
	k, err := roll.ParseKey(skey)
	if err != nil {
		panic(err)
	}
	return server.Deps{Wellbeing: st.Wellbeing, Members: st.Members, Projects: st.Projects, Leases: st.Leases, Reviews: st.Reviews,
		Quality: st.Quality, Datasets: st.Datasets, Work: work.New(st), Register: equitystore.New(db),
		Roll: equitystore.NewRoll(db, &k), Webhooks: relay.NewService(webhookstore.New(db, nil), webhook.Policy{}),
		Models: modelEndpoints(db), ReleaseEndpoints: st.Datasets,
		Generation: runner.NewService(genstore.New(db, nil), st.Projects, &Endpoints{})}
}

// modelEndpoints is the model endpoints service with a fresh data key and a
// client that gives up after five seconds.
func modelEndpoints(db *gorm.DB) *endpoints.Service {
	text, err := endpoints.NewDataKey()
	if err != nil {
		panic(err)
	}
	key, _ := endpoints.ParseDataKey(text)
	sealer, err := endpoints.NewSealer(key)
	if err != nil {
		panic(err)
	}
	return endpoints.New(endpoints.Config{Store: modelstore.New(db, nil), Prober: client.New(client.Config{Timeout: 5 * time.Second}),
		Sealer: sealer, Getenv: func(string) string { return "" }})
}

// AddMember creates a member with Password and the roles, and an API token.
func (e *Env) AddMember(t *testing.T, login string, roles ...member.Role) member.Member {
	t.Helper()
	ctx := context.Background()
	m, err := e.Stores.Members.CreateMember(ctx, nil, member.NewMember{Login: login, DisplayName: login, Password: Password, Roles: roles, Cost: member.PasswordCost(bcrypt.MinCost)})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := e.Stores.Members.CreateToken(ctx, m.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	e.Members[login], e.Tokens[login] = m, tok
	return m
}

// Project creates an open classification project with every test member in it.
func (e *Env) Project(t *testing.T) labeling.Project {
	t.Helper()
	ctx := context.Background()
	coord := e.Members["coord"].ID
	m, err := e.Stores.Projects.CreateModel(ctx, &coord, labeling.Model{Name: fmt.Sprintf("model-%d", time.Now().UnixNano())})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Stores.Projects.CreateProject(ctx, &coord, labeling.ProjectSettings{
		ModelID: m.ID, Name: "sentiment", TaskType: tasktype.TaskClassification, Overlap: 2,
		Schema: json.RawMessage(`{"choices":[{"value":"positive"},{"value":"negative"}]}`),
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.Stores.Projects.SetProjectStatus(ctx, &coord, p.ID, labeling.ProjectOpen); err != nil {
		t.Fatal(err)
	}
	return p
}
