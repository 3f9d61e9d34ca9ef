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
)

// routeAccess is the role matrix. Every /api route must be listed: a new
// route fails TestRoleMatrix until its access is decided here.
var routeAccess = map[string]access{
	"POST /api/auth/login":                public,
	"POST /api/auth/logout":               public,
	"GET /api/invites/:token":             public,
	"POST /api/invites/:token/accept":     public,
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
	}
	return false
}

func TestRoleMatrix(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		target := fmt.Sprint(e.members["target"].ID)
		for _, rt := range e.srv.Routes() {
			if !strings.HasPrefix(rt.Path, "/api") {
				continue
			}
			key := rt.Method + " " + rt.Path
			a, ok := routeAccess[key]
			if !ok {
				t.Errorf("route %s is not in the role matrix", key)
				continue
			}
			path := strings.NewReplacer(":id", target, ":token", "no-such-token", ":role", "reviewer", ":project", "1").Replace(rt.Path)
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
