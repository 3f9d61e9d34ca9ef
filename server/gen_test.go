package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/model"
	"copyhold/labeling/tasktype"
)

func TestGenerationRoutes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		coord, lab, rev := e.as("coord"), e.as("lab"), e.as("rev")
		e.Endpoints.Add(model.Endpoint{ID: 1, Name: "alpha", Model: "m", Concurrency: 1})
		ctx := context.Background()
		cid := e.Members["coord"].ID
		p, err := e.Stores.Projects.CreateProject(ctx, &cid, labeling.ProjectSettings{ModelID: e.Project(t).ModelID, Name: "prefs",
			TaskType: tasktype.TaskPairwise, Overlap: 1, Schema: json.RawMessage(`{"conversation_field":"messages","a_field":"a","b_field":"b"}`)}, true)
		if err != nil {
			t.Fatal(err)
		}
		gen := "/api/projects/" + jsonInt(p.ID) + "/generate"
		good := map[string]any{"slots": []map[string]any{{"endpoint_id": 1, "seed": 1}, {"endpoint_id": 1, "seed": 2, "temperature": 0.9}},
			"prompts": []map[string]any{{"prompt": "Say hi"}, {"messages": []map[string]any{{"role": "user", "content": "Hello"}}}}}
		for _, who := range []*client{lab, rev} {
			for _, c := range []struct{ method, path string }{{"POST", gen}, {"GET", "/api/gen/jobs"}, {"GET", "/api/gen/jobs/1"}, {"POST", "/api/gen/jobs/1/cancel"}} {
				var body any
				if c.method == "POST" && c.path == gen {
					body = good
				}
				if r := who.do(c.method, c.path, body); r.status != 403 {
					t.Fatalf("a non-coordinator: %s %s: %d %s", c.method, c.path, r.status, r.body)
				}
			}
		}
		for _, c := range []struct {
			body   any
			status int
			code   string
		}{
			{map[string]any{"slots": []map[string]any{{"endpoint_id": 1}}, "prompts": []map[string]any{{"prompt": "x"}}}, 400, "invalid_gen_job"},
			{map[string]any{"slots": []map[string]any{{"endpoint_id": 1}, {"endpoint_id": 7}}, "prompts": []map[string]any{{"prompt": "x"}}}, 400, "invalid_gen_job"},
			{map[string]any{"slots": []map[string]any{{"endpoint_id": 1}, {"endpoint_id": 1, "temperature": 9}}, "prompts": []map[string]any{{"prompt": "x"}}}, 400, "invalid_gen_job"},
			{map[string]any{"slots": []map[string]any{{"endpoint_id": 1}, {"endpoint_id": 1}}}, 400, "invalid_gen_job"},
			{map[string]any{"slots": []map[string]any{{"endpoint_id": 1}, {"endpoint_id": 1}}, "prompts": []map[string]any{{"messages": []map[string]any{{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}}}}}, 400, "invalid_gen_job"},
			{map[string]any{"slots": "two", "prompts": []map[string]any{{"prompt": "x"}}}, 400, "wrong_type"},
			{map[string]any{"slots": []map[string]any{{"endpoint_id": 1}, {"endpoint_id": 1}}, "prompts": []map[string]any{{"prompt": "x"}}, "key": "k"}, 400, "unknown_field"},
		} {
			if r := coord.do("POST", gen, c.body); r.status != c.status || r.code() != c.code {
				t.Errorf("%v: %d %s, want %d %s", c.body, r.status, r.body, c.status, c.code)
			}
		}
		if r := coord.do("POST", "/api/projects/99999/generate", good); r.status != 404 {
			t.Fatalf("missing project: %d %s", r.status, r.body)
		}
		r := coord.do("POST", gen, good)
		if r.status != 201 {
			t.Fatalf("start: %d %s", r.status, r.body)
		}
		var job struct {
			ID     int64
			Status string
			Counts struct{ Tasks, Sources int }
		}
		json.Unmarshal(r.body, &job)
		if job.Status != "queued" || job.Counts.Tasks != 4 || job.Counts.Sources != 2 {
			t.Fatalf("job %s", r.body)
		}
		r = coord.do("GET", "/api/gen/jobs?project_id="+jsonInt(p.ID)+"&limit=1", nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"kind":"candidates"`) {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		for q, code := range map[string]string{"?project_id=x": "invalid", "?limit=0": "invalid_limit", "?cursor=abc": "invalid_cursor"} {
			if r = coord.do("GET", "/api/gen/jobs"+q, nil); r.status != 400 || r.code() != code {
				t.Errorf("list%s: %d %s", q, r.status, r.body)
			}
		}
		path := "/api/gen/jobs/" + jsonInt(job.ID)
		if r = coord.do("GET", path, nil); r.status != 200 || !strings.Contains(string(r.body), `"status":"queued"`) {
			t.Fatalf("get: %d %s", r.status, r.body)
		}
		if r = coord.do("POST", path+"/cancel", nil); r.status != 200 || !strings.Contains(string(r.body), `"status":"cancelled"`) {
			t.Fatalf("cancel: %d %s", r.status, r.body)
		}
		if r = coord.do("POST", path+"/cancel", nil); r.status != 409 || r.code() != "gen_job_finished" {
			t.Fatalf("cancel again: %d %s", r.status, r.body)
		}
		if r = coord.do("GET", "/api/gen/jobs/99999", nil); r.status != 404 || r.code() != "gen_job_not_found" {
			t.Fatalf("missing: %d %s", r.status, r.body)
		}
		if r = coord.do("GET", "/api/gen/jobs/abc", nil); r.status != 400 {
			t.Fatalf("bad id: %d %s", r.status, r.body)
		}
	})
}

func TestGenerationEvaluationRoute(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		coord, lab := e.as("coord"), e.as("lab")
		e.Endpoints.Add(model.Endpoint{ID: 1, Name: "alpha", Model: "m", Concurrency: 1})
		modelID := e.Project(t).ModelID
		var rels []int64
		for _, v := range []string{"v1", "v2"} {
			var id int64
			if err := e.DB.Raw(`INSERT INTO releases (model_id, version, hash, ledger_seq, ledger_head, created_at)
VALUES (?, ?, ?, 0, '', CURRENT_TIMESTAMP) RETURNING id`, modelID, v, "h"+v).Scan(&id).Error; err != nil {
				t.Fatal(err)
			}
			rels = append(rels, id)
		}
		body := map[string]any{"model_id": modelID, "name": "arena", "release_ids": rels, "prompts": []map[string]any{{"prompt": "q"}}}
		if r := lab.do("POST", "/api/gen/evaluations", body); r.status != 403 {
			t.Fatalf("a labeller: %d %s", r.status, r.body)
		}
		if r := coord.do("POST", "/api/gen/evaluations", body); r.status != 400 || r.code() != "invalid_gen_job" || !strings.Contains(string(r.body), "names no endpoint") {
			t.Fatalf("releases without endpoints: %d %s", r.status, r.body)
		}
		e.Endpoints.ServeRelease(rels[0], 1)
		e.Endpoints.ServeRelease(rels[1], 1)
		if r := coord.do("POST", "/api/gen/evaluations", map[string]any{"model_id": modelID, "name": "arena", "release_ids": rels[:1], "prompts": []map[string]any{{"prompt": "q"}}}); r.status != 400 {
			t.Fatalf("one release: %d %s", r.status, r.body)
		}
		r := coord.do("POST", "/api/gen/evaluations", body)
		if r.status != 201 || !strings.Contains(string(r.body), `"kind":"evaluation"`) {
			t.Fatalf("start: %d %s", r.status, r.body)
		}
		if r := coord.do("POST", "/api/gen/evaluations", body); r.status != 409 || r.code() != "project_name_taken" {
			t.Fatalf("the same name again: %d %s", r.status, r.body)
		}
	})
}
