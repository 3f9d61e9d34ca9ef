package servertest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCheckResponsesCanFail: answers that break the document are caught.
func TestCheckResponsesCanFail(t *testing.T) {
	router, err := openAPIRouter()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, body string
		status     int
		ok         bool
	}{
		{"/healthz", `{"status":"ok"}`, 200, true},
		{"/healthz", `{"status":1}`, 200, false},                                // wrong type
		{"/healthz", `{"status":"ok","extra":true}`, 200, false},                // unknown field
		{"/healthz", `{}`, 200, false},                                          // missing field
		{"/healthz", `{"status":"ok"}`, 201, false},                             // undocumented status
		{"/api/me", `{"code":"unauthenticated","message":"log in"}`, 401, true}, // a listed code
		{"/api/me", `{"code":"lease_lost","message":"no"}`, 409, false},         // an unlisted status
		{"/api/me", `{"code":"no_such_code","message":"log in"}`, 401, false},   // an unlisted code
	} {
		r := httptest.NewRequest(http.MethodGet, c.path, nil)
		route, params, err := router.FindRoute(r)
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{ResponseWriter: httptest.NewRecorder(), status: c.status}
		rec.Header().Set("Content-Type", "application/json")
		rec.body.WriteString(c.body)
		if err := validate(r, route, params, rec); (err == nil) != c.ok {
			t.Errorf("%s %d %s: valid %v, want %v (%v)", c.path, c.status, c.body, err == nil, c.ok, err)
		}
	}
}

// TestCheckWSFrameCanFail: frames that break the annex are caught.
func TestCheckWSFrameCanFail(t *testing.T) {
	for _, c := range []struct {
		frame string
		ok    bool
	}{
		{`{"op":"pong"}`, true},
		{`{"op":"subscribed","channel":"coop","head":3,"replayed":0}`, true},
		{`{"op":"event","channel":"coop","seq":4,"type":"x","at":"2026-01-01T00:00:00Z","payload":{}}`, true},
		{`{"op":"error","code":"forbidden","channel":"review:1","message":"no"}`, true},
		{`{"op":"hello"}`, false}, // an unknown op
		{`{"op":"subscribed","channel":"coop","head":"3","replayed":0}`, false},     // wrong type
		{`{"op":"subscribed","channel":"coop","replayed":0}`, false},                // missing field
		{`{"op":"subscribed","channel":"coop","head":3,"replayed":0,"x":1}`, false}, // unknown field
		{`{"op":"error","code":"no_such_code","message":"no"}`, false},              // an unlisted code
		{`{"op":"presence","channel":"project:1","count":1,"you":"yes"}`, false},    // wrong type
	} {
		if err := CheckWSFrame([]byte(c.frame)); (err == nil) != c.ok {
			t.Errorf("%s: valid %v, want %v (%v)", c.frame, err == nil, c.ok, err)
		}
	}
}
