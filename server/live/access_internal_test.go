package live

import (
	"testing"

	"copyhold/labeling/member"
)

// The coordinators' channel (model endpoints, generation jobs) is for
// coordinators only: reviewers and labellers may not subscribe.
func TestCoordinatorsChannelAccess(t *testing.T) {
	ch, ok := parseChannel("coordinators")
	if !ok || ch.kind != chCoordinators {
		t.Fatalf("parseChannel(coordinators) = %+v, %v", ch, ok)
	}
	for _, tc := range []struct {
		roles []member.Role
		want  bool
	}{
		{[]member.Role{member.RoleCoordinator}, true},
		{[]member.Role{member.RoleReviewer}, false},
		{[]member.Role{member.RoleLabeller}, false},
		{nil, false},
	} {
		m := member.Member{ID: 1, Active: true, Roles: tc.roles}
		if ok, _ := access(m, ch, true); ok != tc.want {
			t.Fatalf("roles %v: access %v, want %v", tc.roles, ok, tc.want)
		}
	}
	if ok, _ := access(member.Member{ID: 1, Roles: []member.Role{member.RoleCoordinator}}, ch, true); ok {
		t.Fatal("an inactive coordinator may subscribe")
	}
}
