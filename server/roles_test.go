package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// access says who may call a route.
type access int

const (
	public access = iota
	anyMember
	labellerOnly
	reviewerOnly
	coordinatorOnly
	reviewerOrCoordinator
	// nobody: refused to every role. A coordinator's direct governance
	// change is 403 needs_vote: only a vote of the members changes it.
	nobody
)

// routeAccess is the role matrix. Every /api route must be listed: a new
// route fails TestRoleMatrix until its access is decided here.
var routeAccess = map[string]access{
	"POST /api/auth/login":            public,
	"POST /api/auth/logout":           public,
	"GET /api/demo":                   public,
	"GET /api/invites/:token":         public,
	"POST /api/invites/:token/accept": public,

	"GET /api/register/key":               public,
	"GET /api/register/checkpoint":        public,
	"GET /api/register/tile/*path":        public,
	"GET /api/register/entries/:index":    public,
	"GET /api/openapi.json":               public,
	"GET /api/docs":                       public,
	"GET /api/docs/assets/*file":          public,
	"GET /api/register/proof/inclusion":   public,
	"GET /api/register/proof/consistency": public,
	"POST /api/register/cosignatures":     public,
	"GET /api/register/witnesses":         public,
	"GET /api/me":                         anyMember,
	"POST /api/me/password":               anyMember,
	"GET /api/tokens":                     anyMember,
	"POST /api/tokens":                    anyMember,
	"DELETE /api/tokens/:id":              anyMember,
	"GET /api/members":                    coordinatorOnly,
	"POST /api/members/:id/roles":         coordinatorOnly,
	"DELETE /api/members/:id/roles/:role": coordinatorOnly,
	"POST /api/members/:id/deactivate":    coordinatorOnly,
	"POST /api/invites":                   coordinatorOnly,
	"GET /api/invites":                    coordinatorOnly,
	"DELETE /api/invites/:id":             coordinatorOnly,
	"GET /api/model-endpoints":            coordinatorOnly,
	"POST /api/model-endpoints":           coordinatorOnly,
	"GET /api/model-endpoints/:id":        coordinatorOnly,
	"PATCH /api/model-endpoints/:id":      coordinatorOnly,
	"DELETE /api/model-endpoints/:id":     coordinatorOnly,
	"POST /api/model-endpoints/:id/probe": coordinatorOnly,
	"PUT /api/releases/:id/endpoint":      coordinatorOnly,
	"GET /api/webhooks":                   coordinatorOnly,
	"POST /api/webhooks":                  coordinatorOnly,
	"GET /api/webhooks/:id":               coordinatorOnly,
	"DELETE /api/webhooks/:id":            coordinatorOnly,
	"POST /api/webhooks/:id/enable":       coordinatorOnly,
	"GET /api/webhooks/:id/attempts":      coordinatorOnly,
	"POST /api/projects/:id/generate":     coordinatorOnly,
	"POST /api/projects/:id/suggest":      coordinatorOnly,
	"POST /api/gen/evaluations":           coordinatorOnly,
	"GET /api/gen/jobs":                   coordinatorOnly,
	"GET /api/gen/jobs/:id":               coordinatorOnly,
	"POST /api/gen/jobs/:id/cancel":       coordinatorOnly,

	"GET /api/me/settings":                     anyMember,
	"PUT /api/me/settings":                     anyMember,
	"GET /api/me/shortcuts":                    anyMember,
	"PUT /api/me/shortcuts":                    anyMember,
	"GET /api/me/wellbeing":                    anyMember,
	"PUT /api/me/wellbeing":                    anyMember,
	"POST /api/me/wellbeing/affected":          anyMember,
	"POST /api/me/wellbeing/resume":            anyMember,
	"GET /api/wellbeing/notices":               anyMember,
	"GET /api/wellbeing/settings":              coordinatorOnly,
	"PUT /api/wellbeing/settings":              coordinatorOnly,
	"GET /api/wellbeing/summary":               coordinatorOnly,
	"GET /api/models":                          anyMember,
	"GET /api/projects":                        anyMember,
	"GET /api/projects/:id":                    anyMember,
	"GET /api/projects/:id/me":                 anyMember,
	"GET /api/projects/:id/pace":               anyMember,
	"POST /api/projects/:id/next":              labellerOnly,
	"POST /api/tasks/heartbeat":                labellerOnly,
	"PUT /api/tasks/draft":                     labellerOnly,
	"POST /api/tasks/release":                  labellerOnly,
	"POST /api/tasks/skip":                     labellerOnly,
	"POST /api/tasks/first-answer":             labellerOnly,
	"POST /api/submissions":                    labellerOnly,
	"PUT /api/submissions/:id":                 labellerOnly,
	"GET /api/me/submissions":                  labellerOnly,
	"GET /api/projects/:id/progress":           reviewerOrCoordinator,
	"GET /api/projects/:id/members":            reviewerOrCoordinator,
	"POST /api/models":                         coordinatorOnly,
	"POST /api/projects":                       coordinatorOnly,
	"PATCH /api/projects/:id":                  coordinatorOnly,
	"POST /api/projects/:id/status":            coordinatorOnly,
	"POST /api/projects/:id/members":           coordinatorOnly,
	"DELETE /api/projects/:id/members/:member": coordinatorOnly,
	"POST /api/projects/:id/imports":           coordinatorOnly,
	"POST /api/schema/validate":                coordinatorOnly,
	"POST /api/lsconfig":                       coordinatorOnly,
	"GET /api/projects/:id/lsconfig":           coordinatorOnly,

	"GET /api/equity/head":                      anyMember,
	"GET /api/equity/me":                        anyMember,
	"GET /api/equity/governance":                anyMember,
	"GET /api/equity/models/:id/register":       anyMember,
	"GET /api/equity/models/:id/statement":      anyMember,
	"GET /api/equity/models/:id/holdings":       anyMember,
	"GET /api/projects/:id/rate-card":           anyMember,
	"POST /api/equity/transfers":                anyMember,
	"PUT /api/equity/successor":                 anyMember,
	"PUT /api/equity/privacy":                   anyMember,
	"POST /api/equity/governance":               nobody,
	"POST /api/projects/:id/rate-card":          coordinatorOnly,
	"POST /api/equity/models/:id/distributions": nobody,
	"POST /api/equity/members/:id/exit":         coordinatorOnly,

	"GET /api/constitution":            anyMember,
	"GET /api/constitution/history":    anyMember,
	"GET /api/proposals":               anyMember,
	"POST /api/proposals":              anyMember,
	"GET /api/proposals/:id":           anyMember,
	"PUT /api/proposals/:id":           anyMember,
	"POST /api/proposals/:id/sponsor":  anyMember,
	"POST /api/proposals/:id/withdraw": anyMember,
	"POST /api/proposals/:id/votes":    anyMember,
	"GET /api/proposals/:id/preview":   anyMember,
	"GET /api/proposals/:id/ballots":   anyMember,

	"POST /api/submissions/:id/dispute":       labellerOnly,
	"GET /api/me/quality":                     labellerOnly,
	"GET /api/review/home":                    reviewerOnly,
	"POST /api/projects/:id/review/next":      reviewerOnly,
	"POST /api/review/heartbeat":              reviewerOnly,
	"POST /api/review/release":                reviewerOnly,
	"POST /api/review/decisions":              reviewerOnly,
	"GET /api/projects/:id/quality":           reviewerOrCoordinator,
	"GET /api/projects/:id/agreement":         reviewerOrCoordinator,
	"GET /api/projects/:id/review-settings":   reviewerOrCoordinator,
	"GET /api/projects/:id/review/queue":      reviewerOrCoordinator,
	"GET /api/projects/:id/consensus":         reviewerOrCoordinator,
	"PATCH /api/projects/:id/review-settings": coordinatorOnly,
	"POST /api/projects/:id/consensus":        coordinatorOnly,

	"GET /api/snapshots":              anyMember,
	"GET /api/snapshots/:id":          anyMember,
	"GET /api/releases":               anyMember,
	"GET /api/releases/:id":           anyMember,
	"GET /api/me/releases":            anyMember,
	"GET /api/me/export":              anyMember,
	"GET /api/models/:id/leaderboard": anyMember,
	"POST /api/snapshots":             coordinatorOnly,
	"GET /api/snapshots/:id/export":   coordinatorOnly,
	"GET /api/snapshots/:id/manifest": coordinatorOnly,
	"POST /api/releases":              coordinatorOnly,
	"POST /api/evaluations":           coordinatorOnly,
}

func allowed(a access, login string) bool {
	switch a {
	case public:
		return true
	case anyMember:
		return login != ""
	case labellerOnly:
		return login == "lab"
	case reviewerOnly:
		return login == "rev"
	case coordinatorOnly:
		return login == "coord"
	case reviewerOrCoordinator:
		return login == "rev" || login == "coord"
	}
	return false
}

func TestRoleMatrix(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		target := fmt.Sprint(e.Members["target"].ID)
		project := fmt.Sprint(e.Project(t).ID)
		for _, rt := range e.Server.Routes() {
			if !strings.HasPrefix(rt.Path, "/api") {
				continue
			}
			key := rt.Method + " " + rt.Path
			a, ok := routeAccess[key]
			if !ok {
				t.Errorf("route %s is not in the role matrix", key)
				continue
			}
			id := target
			if strings.HasPrefix(rt.Path, "/api/projects/:id") {
				id = project
			}
			path := strings.NewReplacer(":id", id, ":member", target, ":token", "no-such-token", ":role", "reviewer", ":index", "0", "*path", "0/000").Replace(rt.Path)
			for _, login := range []string{"", "lab", "rev", "coord"} {
				r := e.as(login).do(rt.Method, path, "{}")
				denied := r.status == 401 || r.status == 403
				if want := allowed(a, login); want == denied {
					who := login
					if who == "" {
						who = "anonymous"
					}
					t.Errorf("%s as %s: status %d %s, want allowed=%v", key, who, r.status, r.body, want)
				}
			}
		}
	})
}
