package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestProjectLSConfig: a project made from a Label Studio config keeps it
// (GET /api/projects/{id}/lsconfig answers it, stored); another project gets
// the generated one; a config that does not fit the schema is refused.
func TestProjectLSConfig(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		base := e.Project(t)
		coord := e.as("coord")
		x := `<View><Text name="review" value="$text"/><Choices name="sentiment" toName="review"><Choice value="positive"/><Choice value="negative"/></Choices></View>`
		r := coord.do("POST", "/api/projects", map[string]any{"model_id": base.ModelID, "name": "from ls", "overlap": 1, "ls_config": x})
		var p struct {
			ID       int64
			TaskType string `json:"task_type"`
		}
		mustJSON(t, r.body, &p)
		if r.status != 201 || p.TaskType != "classification" {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		var got struct {
			Config string
			Stored bool
		}
		r = coord.do("GET", fmt.Sprintf("/api/projects/%d/lsconfig", p.ID), nil)
		mustJSON(t, r.body, &got)
		if r.status != 200 || !got.Stored || got.Config != x {
			t.Fatalf("lsconfig: %d %s", r.status, r.body)
		}
		r = coord.do("GET", fmt.Sprintf("/api/projects/%d/lsconfig", base.ID), nil)
		mustJSON(t, r.body, &got)
		if r.status != 200 || got.Stored || !strings.Contains(got.Config, `<Choices name="label" toName="text"`) {
			t.Fatalf("generated lsconfig: %d %s", r.status, r.body)
		}
		if r := coord.do("GET", "/api/projects/999999/lsconfig", nil); r.status != 404 {
			t.Errorf("unknown project: %d %s", r.status, r.body)
		}
		if r := e.as("lab").do("GET", fmt.Sprintf("/api/projects/%d/lsconfig", p.ID), nil); r.status != 403 {
			t.Errorf("labeller: %d %s", r.status, r.body)
		}
		r = coord.do("POST", "/api/projects", map[string]any{"model_id": base.ModelID, "name": "misfit", "overlap": 1, "ls_config": x,
			"task_type": "classification", "schema": map[string]any{"field": "body", "choices": []map[string]string{{"value": "a"}, {"value": "b"}}}})
		if r.status != 400 || r.code() != "ls_config_unsupported" {
			t.Errorf("misfit config: %d %s", r.status, r.body)
		}
	})
}

// TestImportAnnotationsChoiceRequired: a Label Studio file whose tasks carry
// annotations, imported without a choice, is a 400 that stores nothing.
func TestImportAnnotationsChoiceRequired(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.Project(t)
		ls := `[{"data":{"text":"New."}},{"data":{"text":"Old work."},"annotations":[{"completed_by":{"email":"x@example.org"},"result":[{"type":"choices","value":{"choices":["negative"]}}]},{"result":[{"type":"choices","value":{"choices":["positive"]}}]}]}]`
		r := importRawQuery(t, e, p.ID, "format=labelstudio", []byte(ls))
		if r.status != 400 || r.code() != "annotations_choice_required" || !strings.Contains(message(r), "carry 2 Label Studio annotations") {
			t.Fatalf("no choice: %d %s", r.status, r.body)
		}
		if items, err := e.Stores.Projects.Items(t.Context(), p.ID, 0, 10); err != nil || len(items) != 0 {
			t.Fatalf("a refused import stored %d items (%v)", len(items), err)
		}
		r = importRawQuery(t, e, p.ID, "format=labelstudio&annotations=prior", []byte(ls))
		if r.status != 201 || !strings.Contains(string(r.body), `"prior_annotations":2`) {
			t.Fatalf("prior: %d %s", r.status, r.body)
		}
	})
}
