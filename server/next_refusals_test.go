package server_test

import (
	"fmt"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/member"
)

// Every refusal of POST /api/projects/:id/next, whoever asks: to a labeller
// a project they are not in does not exist, whatever its status; one who
// may see every project (here a labeller who also reviews) learns its
// status first, then that they are not in it.
func TestNextRefusals(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.Project(t)
		coord := e.Members["coord"].ID
		e.AddMember(t, "ivy", member.RoleLabeller)
		if err := e.Stores.Projects.AddProjectMember(t.Context(), &coord, p.ID, e.Members["ivy"].ID); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"lab", "target"} {
			if err := e.Stores.Projects.RemoveProjectMember(t.Context(), &coord, p.ID, e.Members[who].ID); err != nil {
				t.Fatal(err)
			}
		}
		lab, target, ivy := e.as("lab"), e.as("target"), e.as("ivy")
		next := fmt.Sprintf("/api/projects/%d/next", p.ID)
		check := func(what string, c *client, path string, status int, code, message string) {
			t.Helper()
			r := c.do("POST", path, nil)
			if r.status != status || r.code() != code || !strings.Contains(string(r.body), message) {
				t.Fatalf("%s = %d %s, want %d %s %q", what, r.status, r.body, status, code, message)
			}
		}
		check("a bad id", lab, "/api/projects/x/next", 400, "invalid", "")
		check("an unknown project", lab, "/api/projects/987654321/next", 404, "not_found", "project 987654321 not found")
		check("an unknown project, for one who sees all", target, "/api/projects/987654321/next", 404, "not_found", "project 987654321 not found")
		check("an open project, not a member", lab, next, 404, "not_found", `"project not found"`)
		check("an open project, not a member, sees all", target, next, 403, "not_project_member", "")
		for _, st := range []struct {
			status labeling.ProjectStatus
			code   string
		}{{labeling.ProjectPaused, "project_paused"}, {labeling.ProjectClosed, "project_closed"}} {
			if _, err := e.Stores.Projects.SetProjectStatus(t.Context(), &coord, p.ID, st.status); err != nil {
				t.Fatal(err)
			}
			check(string(st.status)+", a member", ivy, next, 409, st.code, "")
			check(string(st.status)+", not a member", lab, next, 404, "not_found", `"project not found"`)
			check(string(st.status)+", not a member, sees all", target, next, 409, st.code, "")
		}
		check("a reviewer only", e.as("rev"), next, 403, "forbidden", "")
		check("no credential", e.as(""), next, 401, "unauthenticated", "")
	})
}
