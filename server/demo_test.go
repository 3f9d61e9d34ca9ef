package server_test

import (
	"context"
	"strings"
	"testing"

	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"

	"gorm.io/gorm"
)

type fakeDemo struct{ info server.DemoInfo }

func (f fakeDemo) DemoInfo(context.Context) (server.DemoInfo, error) { return f.info, nil }

// TestDemoInfo: the login page's demo logins are given only when the demo
// co-op is loaded, to anyone, and never otherwise.
func TestDemoInfo(t *testing.T) {
	loaded := server.DemoInfo{Loaded: true, Password: "copyhold-demo",
		Logins: []server.DemoLogin{{Login: "labeller", DisplayName: "Lena Labeller", Role: "labeller"}}}
	for _, tc := range []struct {
		name  string
		probe server.DemoProbe
		want  string
	}{
		{"no probe", nil, `{"loaded":false,"logins":[]}`},
		{"not loaded", fakeDemo{server.DemoInfo{Logins: loaded.Logins, Password: "leaked"}}, `{"loaded":false,"logins":[]}`},
		{"loaded", fakeDemo{loaded}, `{"loaded":true,"logins":[{"login":"labeller","display_name":"Lena Labeller","role":"labeller"}],"password":"copyhold-demo"}`},
	} {
		probe := tc.probe
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				e := newEnv(t, db, func(c *server.Config, _ **store.Stores) { c.Demo = probe })
				r := e.browser().do("GET", "/api/demo", nil)
				if r.status != 200 || strings.TrimSpace(string(r.body)) != tc.want {
					t.Errorf("GET /api/demo = %d %s, want %s", r.status, r.body, tc.want)
				}
			})
		})
	}
}
