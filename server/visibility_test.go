package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/tasktype"
)

// To a labeller outside a project, every /api/projects/:id/... route answers
// exactly as it does for a project that does not exist: 404 not_found where
// the labeller's role may call the route (as GET /api/projects/:id does), and
// the same role refusal for both where it may not. No answer tells that the
// project exists.
func TestProjectRoutesHideOtherProjectsFromLabellers(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		hidden := e.Project(t)
		coord := e.Members["coord"].ID
		if err := e.Stores.Projects.RemoveProjectMember(ctx, &coord, hidden.ID, e.Members["lab"].ID); err != nil {
			t.Fatal(err)
		}
		// lab belongs to another project of the same model, with a rate card,
		// so the hidden project has everything a member would see.
		if _, err := e.Stores.Projects.CreateProject(ctx, &coord, labeling.ProjectSettings{ModelID: hidden.ModelID, Name: "other",
			TaskType: tasktype.TaskClassification, Overlap: 1,
			Schema: []byte(`{"choices":[{"value":"a"},{"value":"b"}]}`)}, true); err != nil {
			t.Fatal(err)
		}
		if r := e.as("coord").do("POST", fmt.Sprintf("/api/projects/%d/rate-card", hidden.ID), map[string]any{
			"annotation_accepted": "1", "review_decision": "0.1", "correction_labeller_bp": 5000, "reason": "launch"}); r.status != 201 {
			t.Fatalf("rate card = %d %s", r.status, r.body)
		}
		lab := e.as("lab")
		const missing = 987654
		want := lab.do("GET", fmt.Sprintf("/api/projects/%d", hidden.ID), nil)
		if want.status != 404 || want.code() != "not_found" {
			t.Fatalf("GET /api/projects/:id = %d %s, want 404 not_found", want.status, want.body)
		}
		n := 0
		for _, rt := range e.Server.Routes() {
			if !strings.HasPrefix(rt.Path, "/api/projects/:id") {
				continue
			}
			n++
			path := func(id int64) string {
				return strings.NewReplacer(":id", fmt.Sprint(id), ":member", fmt.Sprint(e.Members["target"].ID)).Replace(rt.Path)
			}
			var body any
			if rt.Method != "GET" && rt.Method != "DELETE" {
				body = map[string]any{}
			}
			got, ghost := lab.do(rt.Method, path(hidden.ID), body), lab.do(rt.Method, path(missing), body)
			name := rt.Method + " " + rt.Path
			if got.status != ghost.status || got.code() != ghost.code() {
				t.Errorf("%s: hidden project %d %s, missing project %d %s", name, got.status, got.body, ghost.status, ghost.body)
			}
			if a := routeAccess[name]; a == anyMember || a == labellerOnly {
				if got.status != want.status || got.code() != want.code() {
					t.Errorf("%s: %d %s, want %d %s as GET /api/projects/:id", name, got.status, got.body, want.status, want.code())
				}
			} else if got.status != 403 {
				t.Errorf("%s (not the labeller's role): %d %s, want 403", name, got.status, got.body)
			}
		}
		if n < 15 {
			t.Fatalf("only %d project routes found", n)
		}
	})
}
