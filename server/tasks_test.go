package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestProjectImportClaimSubmitOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		coord, lab := e.as("coord"), e.as("lab")

		r := coord.do("POST", "/api/models", map[string]string{"name": "coop-assistant-v1", "base_model": "llama-3-8b"})
		if r.status != 201 {
			t.Fatalf("create model = %d %s", r.status, r.body)
		}
		var model struct{ ID int64 }
		mustJSON(t, r.body, &model)

		bad := coord.do("POST", "/api/projects", map[string]any{"model_id": model.ID, "name": "x", "task_type": "classification", "overlap": 1, "schema": map[string]any{"choices": []any{}}})
		if bad.status != 400 || bad.code() != "invalid_schema" {
			t.Fatalf("invalid schema = %d %s", bad.status, bad.body)
		}
		r = coord.do("POST", "/api/projects", map[string]any{
			"model_id": model.ID, "name": "Sentiment", "task_type": "classification", "overlap": 1,
			"instructions": "Pick the sentiment.", "add_all_members": true,
			"schema": map[string]any{"field": "text", "choices": []map[string]string{{"value": "positive"}, {"value": "negative"}}},
		})
		if r.status != 201 {
			t.Fatalf("create project = %d %s", r.status, r.body)
		}
		var p struct {
			ID     int64
			Status string
		}
		mustJSON(t, r.body, &p)
		base := fmt.Sprintf("/api/projects/%d", p.ID)

		// A bad line rejects the whole file and names the line.
		r = coord.do("POST", base+"/imports?format=jsonl&filename=bad.jsonl", "{\"text\":\"fine\"}\n{\"text\":\"also fine\"}\n{oops\n")
		if r.status != 400 || r.code() != "import_invalid" || !strings.Contains(string(r.body), "line 3") {
			t.Fatalf("bad import = %d %s", r.status, r.body)
		}
		r = coord.do("POST", base+"/imports?format=jsonl&filename=ok.jsonl", "{\"text\":\"Great phone.\"}\n{\"text\":\"Awful battery.\"}\n{\"text\":\"Great phone.\"}\n")
		if r.status != 201 || !strings.Contains(string(r.body), `"imported":2`) || !strings.Contains(string(r.body), `"duplicates":1`) {
			t.Fatalf("import = %d %s", r.status, r.body)
		}

		if r := lab.do("POST", base+"/next", nil); r.status != 409 || r.code() != "project_not_open" {
			t.Fatalf("claim in a draft project = %d %s", r.status, r.body)
		}
		if r := coord.do("POST", base+"/status", map[string]string{"status": "open"}); r.status != 200 {
			t.Fatalf("open = %d %s", r.status, r.body)
		}
		r = lab.do("POST", base+"/next", nil)
		if r.status != 200 {
			t.Fatalf("claim = %d %s", r.status, r.body)
		}
		var task struct {
			LeaseToken string `json:"lease_token"`
			ItemID     int64  `json:"item_id"`
		}
		mustJSON(t, r.body, &task)
		if strings.Contains(string(r.body), "gold") {
			t.Fatalf("task reveals gold: %s", r.body)
		}
		// Asking again returns the same lease (resume after a reload).
		var again struct {
			LeaseToken string `json:"lease_token"`
		}
		mustJSON(t, lab.do("POST", base+"/next", nil).body, &again)
		if again.LeaseToken != task.LeaseToken {
			t.Fatal("a second claim while holding a lease gave a different task")
		}
		// Coordinators see which leases run out first.
		var prog struct {
			Expiring []struct {
				ItemID int64 `json:"item_id"`
			}
		}
		mustJSON(t, coord.do("GET", base+"/progress", nil).body, &prog)
		if len(prog.Expiring) != 1 || prog.Expiring[0].ItemID != task.ItemID {
			t.Fatalf("expiring leases = %+v, want item %d", prog.Expiring, task.ItemID)
		}
		if r := lab.do("POST", "/api/tasks/heartbeat", map[string]any{"lease_token": task.LeaseToken, "active_ms": 1000}); r.status != 200 {
			t.Fatalf("heartbeat = %d %s", r.status, r.body)
		}
		if r := lab.do("POST", "/api/tasks/heartbeat", map[string]any{"lease_token": "forged"}); r.status != 409 || r.code() != "lease_lost" {
			t.Fatalf("heartbeat with a wrong token = %d %s", r.status, r.body)
		}
		if r := lab.do("PUT", "/api/tasks/draft", map[string]any{"lease_token": task.LeaseToken, "answer": map[string]string{"choice": "pos"}}); r.status != 204 {
			t.Fatalf("draft = %d %s", r.status, r.body)
		}
		if r := lab.do("POST", "/api/submissions", map[string]any{"lease_token": task.LeaseToken, "idempotency_key": "k1", "answer": map[string]string{"choice": "meh"}}); r.status != 400 {
			t.Fatalf("unknown label = %d %s", r.status, r.body)
		}
		submit := map[string]any{"lease_token": task.LeaseToken, "idempotency_key": "k2", "answer": map[string]string{"choice": "positive"}, "lead_time_ms": 4200}
		if r := lab.do("POST", "/api/submissions", submit); r.status != 201 {
			t.Fatalf("submit = %d %s", r.status, r.body)
		}
		if r := lab.do("POST", "/api/submissions", submit); r.status != 200 || !strings.Contains(string(r.body), `"replayed":true`) {
			t.Fatalf("retried submit = %d %s", r.status, r.body)
		}
		submit["answer"] = map[string]string{"choice": "negative"}
		if r := lab.do("POST", "/api/submissions", submit); r.status != 409 || r.code() != "idempotency_conflict" {
			t.Fatalf("same key, other body = %d %s", r.status, r.body)
		}
		var n int64
		e.DB.Table("submissions").Count(&n)
		if n != 1 {
			t.Fatalf("%d submissions stored, want 1", n)
		}

		// My work lists it, and it can be amended while unreviewed.
		r = lab.do("GET", fmt.Sprintf("/api/me/submissions?project_id=%d", p.ID), nil)
		var mine struct {
			Submissions []struct{ ID int64 } `json:"items"`
		}
		mustJSON(t, r.body, &mine)
		if len(mine.Submissions) != 1 {
			t.Fatalf("my submissions = %s", r.body)
		}
		// Filters narrow it and are validated; a cursor belongs to its filter.
		today := time.Now().UTC().Format(time.DateOnly)
		for q, want := range map[string]int{
			"status=submitted&from=" + today + "&to=" + today: 1,
			"status=accepted": 0,
			"to=2000-01-01":   0,
		} {
			r := lab.do("GET", fmt.Sprintf("/api/me/submissions?project_id=%d&%s", p.ID, q), nil)
			var filtered struct {
				Submissions []struct{ ID int64 } `json:"items"`
			}
			mustJSON(t, r.body, &filtered)
			if r.status != 200 || len(filtered.Submissions) != want {
				t.Fatalf("my submissions?%s = %d %s, want %d", q, r.status, r.body, want)
			}
		}
		for q, want := range map[string]string{
			"status=pending":                "status must be one of",
			"from=yesterday":                "from must be a day",
			"to=2026-02-30":                 "to must be a day",
			"from=2026-03-02&to=2026-03-01": "is before from",
			"project_id=-1":                 "project_id must be",
		} {
			r := lab.do("GET", "/api/me/submissions?"+q, nil)
			if r.status != 400 || r.code() != "invalid" || !strings.Contains(message(r), want) {
				t.Fatalf("my submissions?%s = %d %s", q, r.status, r.body)
			}
		}
		amend := map[string]any{"idempotency_key": "a1", "answer": map[string]string{"choice": "negative"}}
		if r := lab.do("PUT", fmt.Sprintf("/api/submissions/%d", mine.Submissions[0].ID), amend); r.status != 200 {
			t.Fatalf("amend = %d %s", r.status, r.body)
		}
		if r := e.as("target").do("PUT", fmt.Sprintf("/api/submissions/%d", mine.Submissions[0].ID), amend); r.status != 404 {
			t.Fatalf("amending someone else's submission = %d %s", r.status, r.body)
		}

		if r := coord.do("POST", base+"/status", map[string]string{"status": "paused"}); r.status != 200 {
			t.Fatalf("pause = %d", r.status)
		}
		if r := e.as("target").do("POST", base+"/next", nil); r.status != 409 || r.code() != "project_paused" {
			t.Fatalf("claim in a paused project = %d %s", r.status, r.body)
		}
		r = coord.do("GET", base+"/progress", nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"slots_done":1`) {
			t.Fatalf("progress = %d %s", r.status, r.body)
		}
	})
}

func TestLabellerSeesOnlyOwnProjects(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.Project(t)
		coord := e.Members["coord"].ID
		if err := e.Stores.Projects.RemoveProjectMember(t.Context(), &coord, p.ID, e.Members["lab"].ID); err != nil {
			t.Fatal(err)
		}
		lab := e.as("lab")
		if r := lab.do("GET", fmt.Sprintf("/api/projects/%d", p.ID), nil); r.status != 404 {
			t.Fatalf("non-member sees the project: %d", r.status)
		}
		if r := lab.do("POST", fmt.Sprintf("/api/projects/%d/next", p.ID), nil); r.status != 404 {
			t.Fatalf("non-member claims: %d %s", r.status, r.body)
		}
		if r := lab.do("GET", "/api/projects", nil); strings.Contains(string(r.body), `"id":`) {
			t.Fatalf("non-member lists the project: %s", r.body)
		}
		if r := e.as("target").do("GET", fmt.Sprintf("/api/projects/%d", p.ID), nil); r.status != 200 {
			t.Fatalf("member cannot see the project: %d", r.status)
		}
	})
}
