package endpoints_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"copyhold/labeling/fault"
	"copyhold/labeling/model"
	"copyhold/labeling/model/client"
	"copyhold/labeling/model/endpoints"
	"copyhold/labeling/model/modeltest"
	"copyhold/labeling/model/store"
	"copyhold/labeling/page"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

type fixture struct {
	svc   *endpoints.Service
	db    *gorm.DB
	coord int64
	env   map[string]string
}

func newFixture(t *testing.T, db *gorm.DB, sealer *endpoints.Sealer) *fixture {
	t.Helper()
	now := time.Now().UTC()
	if err := db.Exec(`INSERT INTO members (login, display_name, created_at, updated_at) VALUES ('coord', 'Coord', ?, ?)`, now, now).Error; err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, env: map[string]string{}}
	db.Raw(`SELECT id FROM members WHERE login = 'coord'`).Scan(&f.coord)
	f.svc = endpoints.New(endpoints.Config{Store: store.New(db, nil), Prober: client.New(client.Config{Timeout: 5 * time.Second}),
		Sealer: sealer, Policy: endpoints.Policy{Self: []string{"copyhold.example:443", "copyhold.example:7070"}, SelfPort: "7070", LocalAddrs: []netip.Addr{}},
		Getenv: func(k string) string { return f.env[k] }})
	return f
}

func newSealer(t *testing.T) *endpoints.Sealer {
	text, err := endpoints.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := endpoints.ParseDataKey(text)
	if err != nil {
		t.Fatal(err)
	}
	s, err := endpoints.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wantCode(t *testing.T, err error, want *fault.Error) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code != want.Code {
		t.Fatalf("got %v, want %s", err, want.Code)
	}
}

func (f *fixture) count(q string, args ...any) int64 {
	var n int64
	f.db.Raw(q, args...).Scan(&n)
	return n
}

func TestRegisterProbesAndSealsTheKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, newSealer(t))
		ctx := context.Background()
		srv := modeltest.New(t, modeltest.LlamaCpp, modeltest.WithKey("sk-secret-1"))
		ep, err := f.svc.Register(ctx, f.coord, endpoints.NewEndpoint{Name: " local llama ", BaseURL: srv.URL + "/", Model: "qwen", APIKey: "sk-secret-1", Concurrency: 4})
		if err != nil {
			t.Fatal(err)
		}
		if ep.Name != "local llama" || ep.BaseURL != srv.URL || !ep.HasKey || ep.Concurrency != 4 {
			t.Fatalf("registered %+v", ep)
		}
		if !ep.Caps.Chat || ep.Caps.N || ep.Caps.Logprobs != model.LogprobsPreSampling || ep.Caps.ProbedAt.IsZero() {
			t.Fatalf("llama.cpp capabilities %+v", ep.Caps)
		}
		// The key is sealed in the database and never in an answer or event.
		b, _ := json.Marshal(ep)
		if strings.Contains(string(b), "sk-secret") {
			t.Fatalf("the answer shows the key: %s", b)
		}
		if n := f.count(`SELECT COUNT(*) FROM model_endpoints WHERE key_cipher LIKE '%sk-secret%' OR key_cipher = ''`); n != 0 {
			t.Fatal("the key is stored in the clear")
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE payload LIKE '%sk-secret%'`); n != 0 {
			t.Fatal("an event carries the key")
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE scope = 'coordinators' AND type IN ('model_endpoint.created', 'model_endpoint.probed')`); n != 2 {
			t.Fatalf("%d endpoint events on the coordinators' channel", n)
		}
		full, key, err := f.svc.Endpoint(ctx, ep.ID)
		if err != nil || key != "sk-secret-1" || full.Caps.Logprobs != model.LogprobsPreSampling {
			t.Fatalf("Endpoint: %v %q %+v", err, key, full)
		}
		list, err := f.svc.List(ctx, page.Page{Limit: 10})
		if err != nil || len(list) != 1 || list[0].ID != ep.ID || !list[0].Caps.Chat {
			t.Fatalf("list %v %+v", err, list)
		}
		// The same name twice is refused.
		_, err = f.svc.Register(ctx, f.coord, endpoints.NewEndpoint{Name: "local llama", BaseURL: srv.URL, Model: "x"})
		wantCode(t, err, model.ErrNameTaken)
	})
}

func TestRegisterWithAWrongKeyStillRegisters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, newSealer(t))
		ctx := context.Background()
		srv := modeltest.New(t, modeltest.VLLM, modeltest.WithKey("right"))
		ep, err := f.svc.Register(ctx, f.coord, endpoints.NewEndpoint{Name: "vllm", BaseURL: srv.URL, Model: "m", APIKey: "wrong"})
		if err != nil {
			t.Fatal(err)
		}
		if ep.Caps.Chat || len(ep.Caps.Notes) != 1 || !strings.Contains(ep.Caps.Notes[0], "refused the key") {
			t.Fatalf("caps after a wrong key: %+v", ep.Caps)
		}
		// The coordinator fixes the key: the endpoint is probed again.
		right := "right"
		ep, err = f.svc.Update(ctx, f.coord, ep.ID, endpoints.Patch{APIKey: &right})
		if err != nil || !ep.Caps.Chat || !ep.Caps.N || !ep.Caps.Tools {
			t.Fatalf("after the fix: %v %+v", err, ep.Caps)
		}
	})
}

func TestKeyEnv(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, nil) // no data key: only key_env works
		ctx := context.Background()
		srv := modeltest.New(t, modeltest.Ollama, modeltest.WithKey("from-env"))
		_, err := f.svc.Register(ctx, f.coord, endpoints.NewEndpoint{Name: "o", BaseURL: srv.URL, Model: "m", APIKey: "k"})
		wantCode(t, err, model.ErrNoKeyStore)
		for _, bad := range []string{"COPYHOLD_DATABASE_URL", "HOME", "model_api_key", "MODEL_API_KEY-X"} {
			_, err := f.svc.Register(ctx, f.coord, endpoints.NewEndpoint{Name: "o", BaseURL: srv.URL, Model: "m", KeyEnv: bad})
			wantCode(t, err, model.ErrInvalidEndpoint)
		}
		f.env["MODEL_API_KEY_OLLAMA"] = "from-env"
		ep, err := f.svc.Register(ctx, f.coord, endpoints.NewEndpoint{Name: "o", BaseURL: srv.URL, Model: "m", KeyEnv: "MODEL_API_KEY_OLLAMA"})
		if err != nil || !ep.HasKey || ep.KeyEnv != "MODEL_API_KEY_OLLAMA" || !ep.Caps.Chat {
			t.Fatalf("key_env: %v %+v", err, ep)
		}
		if _, key, err := f.svc.Endpoint(ctx, ep.ID); err != nil || key != "from-env" {
			t.Fatalf("Endpoint: %v %q", err, key)
		}
		delete(f.env, "MODEL_API_KEY_OLLAMA")
		if got, _ := f.svc.Get(ctx, ep.ID); got.HasKey {
			t.Fatal("has_key with the variable unset")
		}
	})
}

func TestValidationAndURLRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, newSealer(t))
		ctx := context.Background()
		srv := modeltest.New(t, modeltest.Bare)
		ok := endpoints.NewEndpoint{Name: "n", BaseURL: srv.URL, Model: "m"}
		cases := []struct {
			edit func(*endpoints.NewEndpoint)
			want *fault.Error
		}{
			{func(n *endpoints.NewEndpoint) { n.BaseURL = "ftp://10.0.0.1/v1" }, model.ErrURLScheme},
			{func(n *endpoints.NewEndpoint) { n.BaseURL = "javascript:alert(1)" }, model.ErrURLScheme},
			{func(n *endpoints.NewEndpoint) { n.BaseURL = "https://copyhold.example/v1" }, model.ErrURLSelf},
			{func(n *endpoints.NewEndpoint) { n.BaseURL = "http://COPYHOLD.example.:7070/v1" }, model.ErrURLSelf},
			{func(n *endpoints.NewEndpoint) { n.BaseURL = "http://127.0.0.1:7070/v1" }, model.ErrURLSelf},
			{func(n *endpoints.NewEndpoint) { n.BaseURL = "http://localhost:7070" }, model.ErrURLSelf},
			{func(n *endpoints.NewEndpoint) { n.BaseURL = "http://[::1]:7070/v1" }, model.ErrURLSelf},
			{func(n *endpoints.NewEndpoint) { n.BaseURL = "http://u:p@10.0.0.5/v1" }, model.ErrInvalidEndpoint},
			{func(n *endpoints.NewEndpoint) { n.BaseURL = "http://169.254.169.254/latest" }, model.ErrInvalidEndpoint},
			{func(n *endpoints.NewEndpoint) { n.BaseURL = "http://[fe80::1]:8000/v1" }, model.ErrInvalidEndpoint},
			{func(n *endpoints.NewEndpoint) { n.BaseURL = "" }, model.ErrInvalidEndpoint},
			{func(n *endpoints.NewEndpoint) { n.Name = " " }, model.ErrInvalidEndpoint},
			{func(n *endpoints.NewEndpoint) { n.Model = strings.Repeat("m", 201) }, model.ErrInvalidEndpoint},
			{func(n *endpoints.NewEndpoint) { n.Concurrency = 65 }, model.ErrInvalidEndpoint},
			{func(n *endpoints.NewEndpoint) { n.Concurrency = -1 }, model.ErrInvalidEndpoint},
			{func(n *endpoints.NewEndpoint) { n.PerMinute = -1 }, model.ErrInvalidEndpoint},
			{func(n *endpoints.NewEndpoint) { t := 3.0; n.Params.Temperature = &t }, model.ErrInvalidEndpoint},
			{func(n *endpoints.NewEndpoint) { n.APIKey, n.KeyEnv = "k", "MODEL_API_KEY" }, model.ErrInvalidEndpoint},
		}
		for i, tc := range cases {
			n := ok
			tc.edit(&n)
			_, err := f.svc.Register(ctx, f.coord, n)
			if err == nil {
				t.Fatalf("case %d (%+v) registered", i, n)
			}
			wantCode(t, err, tc.want)
		}
		// Loopback and private addresses on other ports are the co-op's own hardware: allowed.
		// So is copyhold's own host on another port.
		for i, u := range []string{srv.URL, "http://10.1.2.3:8000/v1", "http://192.168.1.20:11434/v1", "http://copyhold.example:8000/v1"} {
			n := ok
			n.BaseURL, n.Name = u, "ok"+string(rune('a'+i))
			if _, err := f.svc.Register(ctx, f.coord, n); err != nil {
				t.Fatalf("%s: %v", u, err)
			}
		}
		if n := f.count(`SELECT COUNT(*) FROM model_endpoints`); n != 4 {
			t.Fatalf("%d endpoints stored", n)
		}
	})
}

func TestUpdateRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, newSealer(t))
		ctx := context.Background()
		a := modeltest.New(t, modeltest.VLLM)
		b := modeltest.New(t, modeltest.Ollama)
		ep, err := f.svc.Register(ctx, f.coord, endpoints.NewEndpoint{Name: "a", BaseURL: a.URL, Model: "m", APIKey: "sk-a"})
		if err != nil {
			t.Fatal(err)
		}
		// A new URL with a stored key needs the key restated.
		_, err = f.svc.Update(ctx, f.coord, ep.ID, endpoints.Patch{BaseURL: &b.URL})
		wantCode(t, err, model.ErrInvalidEndpoint)
		before := b.Requests()
		got, err := f.svc.Update(ctx, f.coord, ep.ID, endpoints.Patch{BaseURL: &b.URL, ClearKey: true})
		if err != nil || got.BaseURL != b.URL || got.HasKey || got.Caps.N || b.Requests() == before {
			t.Fatalf("moved: %v %+v (requests %d→%d)", err, got, before, b.Requests())
		}
		// A settings change keeps the capabilities and sends no request.
		conc, name := 8, "renamed"
		before = b.Requests()
		got, err = f.svc.Update(ctx, f.coord, ep.ID, endpoints.Patch{Concurrency: &conc, Name: &name})
		if err != nil || got.Concurrency != 8 || got.Name != "renamed" || !got.Caps.Chat || b.Requests() != before {
			t.Fatalf("settings: %v %+v", err, got)
		}
		bad := 0
		_, err = f.svc.Update(ctx, f.coord, ep.ID, endpoints.Patch{Concurrency: &bad})
		wantCode(t, err, model.ErrInvalidEndpoint)
		_, err = f.svc.Update(ctx, f.coord, ep.ID+100, endpoints.Patch{Name: &name})
		wantCode(t, err, model.ErrNotFound)
		// Probe on demand, then delete.
		b.Fail(modeltest.Fault{Status: 503, Times: -1})
		got, err = f.svc.Probe(ctx, f.coord, ep.ID)
		if err != nil || got.Caps.Chat {
			t.Fatalf("probe of a failing server: %v %+v", err, got.Caps)
		}
		if err := f.svc.Delete(ctx, f.coord, ep.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.svc.Delete(ctx, f.coord, ep.ID), model.ErrNotFound)
		_, err = f.svc.Get(ctx, ep.ID)
		wantCode(t, err, model.ErrNotFound)
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'model_endpoint.deleted' AND scope = 'coordinators'`); n != 1 {
			t.Fatalf("%d delete events", n)
		}
	})
}

func TestSealer(t *testing.T) {
	s := newSealer(t)
	a, _ := s.Seal("k")
	b, _ := s.Seal("k")
	if a == b {
		t.Fatal("two seals of one key are equal (nonce reuse)")
	}
	if got, err := s.Open(a); err != nil || got != "k" {
		t.Fatalf("open: %v %q", err, got)
	}
	if _, err := newSealer(t).Open(a); err == nil {
		t.Fatal("another data key opened the seal")
	}
	if _, err := s.Open(a[:len(a)-4] + "AAAA"); err == nil {
		t.Fatal("a tampered seal opened")
	}
	if _, err := endpoints.ParseDataKey("c2hvcnQ="); err == nil {
		t.Fatal("a short data key parsed")
	}
}

func TestAtMostMaxEndpoints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, nil)
		now := time.Now().UTC()
		for i := range model.MaxEndpoints {
			if err := db.Exec(`INSERT INTO model_endpoints (name, base_url, model, created_by, created_at, updated_at) VALUES (?, 'http://10.0.0.1/v1', 'm', ?, ?, ?)`,
				"e"+strings.Repeat("x", i), f.coord, now, now).Error; err != nil {
				t.Fatal(err)
			}
		}
		_, err := f.svc.Register(context.Background(), f.coord, endpoints.NewEndpoint{Name: "one more", BaseURL: "http://10.0.0.2/v1", Model: "m"})
		wantCode(t, err, model.ErrTooMany)
	})
}
