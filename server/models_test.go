package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"copyhold/labeling/dataset"
	"copyhold/labeling/model"
	"copyhold/labeling/model/modeltest"
)

// Model endpoints are the coordinators': labellers and reviewers can
// neither see nor change them, and no answer ever carries a key.
func TestModelEndpointRoutes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		coord, lab, rev := e.as("coord"), e.as("lab"), e.as("rev")
		srv := modeltest.New(t, modeltest.VLLM, modeltest.WithKey("sk-test-secret"))
		good := map[string]any{"name": "local vLLM", "base_url": srv.URL, "model": "org/model-7b", "api_key": "sk-test-secret",
			"params": map[string]any{"temperature": 0.7, "max_tokens": 256}, "concurrency": 4, "per_minute": 120}
		for _, who := range []*client{lab, rev} {
			for _, c := range []struct {
				method, path string
				body         any
			}{{"POST", "/api/model-endpoints", good}, {"GET", "/api/model-endpoints", nil}, {"GET", "/api/model-endpoints/1", nil},
				{"PATCH", "/api/model-endpoints/1", map[string]any{"name": "x"}}, {"DELETE", "/api/model-endpoints/1", nil},
				{"POST", "/api/model-endpoints/1/probe", nil}, {"PUT", "/api/releases/1/endpoint", map[string]any{"endpoint_id": 1}}} {
				if r := who.do(c.method, c.path, c.body); r.status != 403 {
					t.Fatalf("a non-coordinator: %s %s: %d %s", c.method, c.path, r.status, r.body)
				}
			}
		}
		if srv.Requests() != 0 {
			t.Fatal("a refused registration reached the model server")
		}
		for _, c := range []struct {
			body   map[string]any
			status int
			code   string
		}{
			{map[string]any{"name": "a", "base_url": "file:///etc/passwd", "model": "m"}, 400, "model_url_scheme"},
			{map[string]any{"name": "a", "base_url": "", "model": "m"}, 400, "invalid_model_endpoint"},
			{map[string]any{"name": "a", "base_url": srv.URL, "model": ""}, 400, "invalid_model_endpoint"},
			{map[string]any{"name": "a", "base_url": srv.URL, "model": "m", "concurrency": 100}, 400, "invalid_model_endpoint"},
			{map[string]any{"name": "a", "base_url": srv.URL, "model": "m", "key_env": "COPYHOLD_DATABASE_URL"}, 400, "invalid_model_endpoint"},
			{map[string]any{"name": "a", "base_url": srv.URL, "model": "m", "has_key": true}, 400, "unknown_field"},
			{map[string]any{"name": "a", "base_url": srv.URL, "model": "m", "concurrency": "4"}, 400, "wrong_type"},
		} {
			if r := coord.do("POST", "/api/model-endpoints", c.body); r.status != c.status || r.code() != c.code {
				t.Errorf("%v: %d %s, want %d %s", c.body, r.status, r.body, c.status, c.code)
			}
		}
		r := coord.do("POST", "/api/model-endpoints", good)
		if r.status != 201 || strings.Contains(string(r.body), "sk-test-secret") {
			t.Fatalf("register: %d %s", r.status, r.body)
		}
		var ep model.Endpoint
		json.Unmarshal(r.body, &ep)
		if !ep.HasKey || !ep.Caps.Chat || !ep.Caps.N || !ep.Caps.JSONSchema || ep.Caps.Logprobs != model.LogprobsSampled || ep.Concurrency != 4 {
			t.Fatalf("registered %s", r.body)
		}
		if r := coord.do("POST", "/api/model-endpoints", good); r.status != 409 || r.code() != "model_endpoint_name_taken" {
			t.Fatalf("same name: %d %s", r.status, r.body)
		}
		path := fmt.Sprintf("/api/model-endpoints/%d", ep.ID)
		for _, p := range []string{"/api/model-endpoints", path} {
			if r := coord.do("GET", p, nil); r.status != 200 || strings.Contains(string(r.body), "sk-test-secret") || !strings.Contains(string(r.body), `"has_key":true`) {
				t.Fatalf("GET %s: %d %s", p, r.status, r.body)
			}
		}
		// A new URL needs the key restated; the key field never echoes.
		if r := coord.do("PATCH", path, map[string]any{"base_url": srv.URL + "/x"}); r.status != 400 || r.code() != "invalid_model_endpoint" {
			t.Fatalf("move without the key: %d %s", r.status, r.body)
		}
		if r := coord.do("PATCH", path, map[string]any{"concurrency": 2}); r.status != 200 || !strings.Contains(string(r.body), `"concurrency":2`) {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
		srv.Fail(modeltest.Fault{Status: 503, Times: -1})
		if r := coord.do("POST", path+"/probe", nil); r.status != 200 || !strings.Contains(string(r.body), `"chat":false`) || !strings.Contains(string(r.body), "503") {
			t.Fatalf("probe of a failing server: %d %s", r.status, r.body)
		}
		srv.Heal()
		if r := coord.do("POST", path+"/probe", nil); r.status != 200 || !strings.Contains(string(r.body), `"chat":true`) {
			t.Fatalf("probe again: %d %s", r.status, r.body)
		}
		for _, c := range []struct{ method, path, code string }{
			{"GET", "/api/model-endpoints/99999", "model_endpoint_not_found"}, {"POST", "/api/model-endpoints/99999/probe", "model_endpoint_not_found"},
			{"DELETE", "/api/model-endpoints/99999", "model_endpoint_not_found"}, {"GET", "/api/model-endpoints/abc", "invalid"},
		} {
			if r := coord.do(c.method, c.path, nil); r.code() != c.code {
				t.Fatalf("%s %s: %d %s", c.method, c.path, r.status, r.body)
			}
		}

		// A release names its endpoint; every member who sees the release sees which one.
		p := e.acceptedPairwise(t, 2)
		r = coord.do("POST", "/api/snapshots", map[string]any{"model_id": p.ModelID, "project_ids": []int64{p.ID}, "mode": "consensus"})
		var snap dataset.Snapshot
		json.Unmarshal(r.body, &snap)
		r = coord.do("POST", "/api/releases", map[string]any{"model_id": p.ModelID, "version": "v1", "snapshot_hashes": []string{snap.Hash}})
		var rel dataset.Release
		json.Unmarshal(r.body, &rel)
		relPath := fmt.Sprintf("/api/releases/%d", rel.ID)
		if r.status != 201 || !strings.Contains(string(r.body), `"endpoint_id":null`) {
			t.Fatalf("release: %d %s", r.status, r.body)
		}
		if r := coord.do("PUT", relPath+"/endpoint", map[string]any{"endpoint_id": 99999}); r.status != 404 || r.code() != "model_endpoint_not_found" {
			t.Fatalf("unknown endpoint: %d %s", r.status, r.body)
		}
		if r := coord.do("PUT", "/api/releases/99999/endpoint", map[string]any{"endpoint_id": ep.ID}); r.status != 404 {
			t.Fatalf("unknown release: %d %s", r.status, r.body)
		}
		want := fmt.Sprintf(`"endpoint_id":%d`, ep.ID)
		if r := coord.do("PUT", relPath+"/endpoint", map[string]any{"endpoint_id": ep.ID}); r.status != 200 || !strings.Contains(string(r.body), want) {
			t.Fatalf("set: %d %s", r.status, r.body)
		}
		if r := lab.do("GET", relPath, nil); r.status != 200 || !strings.Contains(string(r.body), want) || strings.Contains(string(r.body), srv.URL) {
			t.Fatalf("a labeller reads the release: %d %s", r.status, r.body)
		}
		if r := coord.do("DELETE", path, nil); r.status != 204 {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
		if r := coord.do("GET", relPath, nil); !strings.Contains(string(r.body), `"endpoint_id":null`) {
			t.Fatalf("after delete: %s", r.body)
		}
		// No event anywhere carries the key.
		var n int64
		e.DB.Raw(`SELECT COUNT(*) FROM events WHERE payload LIKE '%sk-test-secret%'`).Scan(&n)
		if n != 0 {
			t.Fatal("an event carries the key")
		}
	})
}
