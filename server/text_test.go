package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// badTexts are bodies that break the text rule in the field "x".
var badTexts = []struct{ name, body, want string }{
	{"invalid UTF-8", "{\"x\":\"a\xffb\"}", "x: invalid UTF-8"},
	{"raw NUL", "{\"x\":\"a\x00b\"}", "x: NUL character"},
	{"NUL escape", `{"x":"a\u0000b"}`, "x: NUL character"},
	{"lone surrogate", `{"x":"a\ud800b"}`, `x: lone surrogate \ud800`},
	{"nested lone low surrogate", `{"x":{"y":["\udfff"]}}`, `x.y[0]: lone surrogate \udfff`},
}

// noJSONBody lists the write routes that take no JSON body (the import is
// a file, checked line by line in TestImportBadText; a cosignature is a
// signed note).
var noJSONBody = map[string]bool{
	"POST /api/projects/:id/imports":  true,
	"POST /api/register/cosignatures": true,
	"POST /api/auth/logout":           true,
	// These act on the path alone and ignore any body.
	"POST /api/projects/:id/review/next":  true,
	"POST /api/projects/:id/next":         true,
	"POST /api/proposals/:id/sponsor":     true,
	"POST /api/proposals/:id/withdraw":    true,
	"POST /api/equity/members/:id/exit":   true,
	"POST /api/members/:id/deactivate":    true,
	"POST /api/webhooks/:id/enable":       true,
	"POST /api/gen/jobs/:id/cancel":       true,
	"POST /api/model-endpoints/:id/probe": true,
	"POST /api/me/wellbeing/resume":       true,
}

// loginFor picks a caller the role matrix lets through.
func loginFor(a access) string {
	for _, l := range []string{"", "lab", "rev", "coord"} {
		if allowed(a, l) {
			return l
		}
	}
	return "coord"
}

// TestEveryJSONEndpointRefusesBadText sends each bad text to every route
// that reads a JSON body, as a caller allowed to use it: 400 invalid_text
// naming the field, never a 500, on both databases.
func TestEveryJSONEndpointRefusesBadText(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		target := fmt.Sprint(e.Members["target"].ID)
		project := fmt.Sprint(e.Project(t).ID)
		checked := 0
		for _, rt := range e.Server.Routes() {
			key := rt.Method + " " + rt.Path
			if !strings.HasPrefix(rt.Path, "/api") || rt.Method == "GET" || rt.Method == "DELETE" || noJSONBody[key] {
				continue
			}
			id := target
			if strings.HasPrefix(rt.Path, "/api/projects/:id") {
				id = project
			}
			path := strings.NewReplacer(":id", id, ":member", target, ":token", "no-such-token", ":role", "reviewer").Replace(rt.Path)
			who := loginFor(routeAccess[key])
			for _, b := range badTexts {
				r := e.as(who).do(rt.Method, path, b.body)
				if routeAccess[key] == nobody && r.status == 403 {
					continue
				}
				if r.status != 400 || r.code() != "invalid_text" || !strings.Contains(message(r), b.want) {
					t.Errorf("%s (%s) as %q: %d %s, want 400 invalid_text naming %q", key, b.name, who, r.status, r.body, b.want)
				}
			}
			checked++
		}
		if checked < 35 {
			t.Fatalf("only %d JSON routes checked; the route walk is broken", checked)
		}
	})
}

// TestParamsRefuseBadText: a NUL or a stray byte in a query or path
// parameter is a 400 naming the parameter, before anything reaches a store.
func TestParamsRefuseBadText(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.as("coord")
		project := e.Project(t).ID
		cases := []struct{ method, path, want string }{
			{"GET", "/api/projects?x=a%00b", `query parameter "x": NUL character`},
			{"GET", "/api/me/submissions?cursor=%ff", `query parameter "cursor": invalid UTF-8`},
			{"GET", "/api/invites/ab%00cd", "path parameter token: NUL character"},
			{"POST", "/api/invites/%c0%af/accept", "path parameter token: invalid UTF-8"},
			{"POST", fmt.Sprintf("/api/projects/%d/imports?format=jsonl&filename=a%%00.jsonl", project), `query parameter "filename": NUL character`},
		}
		for _, tc := range cases {
			r := c.do(tc.method, tc.path, "{}")
			if r.status != 400 || r.code() != "invalid_text" || !strings.Contains(message(r), tc.want) {
				t.Errorf("%s %s: %d %s, want 400 naming %q", tc.method, tc.path, r.status, r.body, tc.want)
			}
		}
	})
}

// TestImportBadText sends bad text in every import format through the API:
// 400 naming the line (and field), nothing stored, the same on both
// databases; an overlong line is import_too_large with its line.
func TestImportBadText(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.Project(t)
		good := `{"text":"fine"}` + "\n"
		cases := []struct {
			name, format, body, code, want string
		}{
			{"jsonl invalid UTF-8", "jsonl", good + "{\"text\":\"a\xffb\"}\n", "invalid_text", "line 2: text: invalid UTF-8"},
			{"jsonl NUL escape", "jsonl", good + good + `{"text":"a\u0000"}` + "\n", "invalid_text", "line 3: text: NUL character"},
			{"jsonl lone surrogate", "jsonl", `{"text":"\ud800"}` + "\n", "invalid_text", `line 1: text: lone surrogate \ud800`},
			{"jsonl surrogate in wrapper", "jsonl", `{"data":{"text":"ok"},"gold":"\udc00"}` + "\n", "invalid_text", `line 1: gold: lone surrogate`},
			{"jsonl overlong", "jsonl", good + `{"text":"` + strings.Repeat("a", 1<<20+10) + `"}` + "\n", "import_too_large", "line 2"},
			{"csv invalid UTF-8", "csv", "text\nfine\na\xffb\n", "invalid_text", `line 3: "text": invalid UTF-8`},
			{"csv NUL", "csv", "text\nfin\x00e\n", "invalid_text", `line 2: "text": NUL character`},
			{"csv header", "csv", "te\xffxt\nfine\n", "invalid_text", "line 1: column 1: invalid UTF-8"},
			{"csv gold surrogate", "csv", "text,gold\nok,\"{\"\"choice\"\":\"\"\\ud800\"\"}\"\n", "invalid_text", `line 2: gold: choice: lone surrogate`},
			{"csv overlong", "csv", "text\n" + strings.Repeat("a", 1<<20+10) + "\n", "import_too_large", "line 2"},
			{"labelstudio invalid UTF-8", "labelstudio", "[{\"data\":{\"text\":\"ok\"}},{\"data\":{\"text\":\"\xfe\"}}]", "invalid_text", "record 2: data.text: invalid UTF-8"},
			{"labelstudio lone surrogate", "labelstudio", `[{"data":{"text":"\ud83d"}}]`, "invalid_text", `record 1: data.text: lone surrogate \ud83d`},
			{"labelstudio NUL in annotation", "labelstudio", `[{"data":{"text":"ok"},"annotations":[{"result":[{"value":{"choices":["a\u0000"]}}]}]}]`, "invalid_text", "record 1: annotations[0].result[0].value.choices[0]: NUL character"},
			{"labelstudio overlong", "labelstudio", `[{"data":{"text":"` + strings.Repeat("a", 1<<20+10) + `"}}]`, "import_too_large", "record 1"},
		}
		for _, tc := range cases {
			r := importRaw(t, e, p.ID, tc.format, []byte(tc.body))
			if r.status != 400 || r.code() != tc.code || !strings.Contains(message(r), tc.want) {
				t.Errorf("%s: %d %s, want 400 %s naming %q", tc.name, r.status, r.body, tc.code, tc.want)
			}
		}
		items, err := e.Stores.Projects.Items(t.Context(), p.ID, 0, 10)
		if err != nil || len(items) != 0 {
			t.Fatalf("refused imports stored %d items (%v)", len(items), err)
		}
	})
}

func importRaw(t *testing.T, e *env, projectID int64, format string, body []byte) resp {
	t.Helper()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/projects/%d/imports?format=%s", e.TS.URL, projectID, format), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.Tokens["coord"])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	return resp{status: res.StatusCode, body: buf.Bytes(), header: res.Header}
}

func message(r resp) string {
	var v struct{ Message string }
	json.Unmarshal(r.body, &v)
	return v.Message
}
