package server_test

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"copyhold/server"
	"copyhold/server/servertest"
)

// TestOpenAPIDocument: the document loads and is a valid OpenAPI 3.1 document.
func TestOpenAPIDocument(t *testing.T) {
	doc := servertest.OpenAPI(t)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q, want 3.1", doc.OpenAPI)
	}
}

var (
	ginParam      = regexp.MustCompile(`[:*]([A-Za-z_]+)`)
	templateParam = regexp.MustCompile(`\{([A-Za-z_]+)\}`)
)

// TestOpenAPIRoutes: every route routes.go registers is in the document,
// and every operation of the document is a registered route. Parameter
// names are not compared: OpenAPI gives one name per position of a path,
// gin one per method (DELETE /api/invites/:id, GET /api/invites/:token).
func TestOpenAPIRoutes(t *testing.T) {
	doc := servertest.OpenAPI(t)
	s := server.New(server.Config{}, server.Deps{}, servertest.Discard())
	var registered, documented []string
	for _, r := range s.Routes() {
		registered = append(registered, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{}"))
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+templateParam.ReplaceAllString(path, "{}"))
		}
	}
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is registered in routes.go but not in the OpenAPI document (server/openapi_ops_*.go)", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("%s is in the OpenAPI document but not registered in routes.go", d)
		}
	}
	if len(registered) < 90 {
		t.Fatalf("only %d routes registered: is Routes() still the whole surface?", len(registered))
	}
}

// TestOpenAPIFileIsCurrent: docs/openapi.json, from which the browser app's
// types are generated, is the document the server serves. Refresh it with
// COPYHOLD_WRITE_OPENAPI=1 go test ./server -run TestOpenAPIFileIsCurrent.
func TestOpenAPIFileIsCurrent(t *testing.T) {
	const file = "../docs/openapi.json"
	want := server.OpenAPIDocument()
	if os.Getenv("COPYHOLD_WRITE_OPENAPI") != "" {
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not the served document: run COPYHOLD_WRITE_OPENAPI=1 go test ./server -run TestOpenAPIFileIsCurrent (or make openapi)", file)
	}
}

// TestOpenAPIServed: the document and its reader are served, the reader
// with no inline script.
func TestOpenAPIServed(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.browser()
		r := c.do("GET", "/api/openapi.json", nil)
		if r.status != 200 || !bytes.Equal(r.body, server.OpenAPIDocument()) {
			t.Fatalf("openapi.json: %d", r.status)
		}
		r = c.do("GET", "/api/docs", nil)
		if r.status != 200 || !strings.Contains(string(r.body), `src="/api/docs/assets/init.js"`) ||
			regexp.MustCompile(`<script>`).Match(r.body) {
			t.Fatalf("docs: %d %s", r.status, r.body)
		}
		if !strings.Contains(r.header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Fatalf("docs without the CSP: %v", r.header)
		}
		if r = c.do("GET", "/api/docs/assets/init.js", nil); r.status != 200 || !strings.Contains(string(r.body), "/api/openapi.json") {
			t.Fatalf("init.js: %d", r.status)
		}
		if r = c.do("GET", "/api/docs/assets/nope.js", nil); r.status != 404 {
			t.Fatalf("unknown asset: %d", r.status)
		}
	})
}
