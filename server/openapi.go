package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"copyhold/labeling/fault"
	"copyhold/labeling/member"
	"copyhold/labeling/textrule"

	"github.com/gin-gonic/gin"
)

// The OpenAPI 3.1 document of the whole HTTP surface, served at
// /api/openapi.json and rendered at /api/docs. Each route of routes.go has
// one operation in the openapi_ops_*.go files; TestOpenAPIRoutes fails when
// the two lists differ, and every response of the HTTP tests is validated
// against it (servertest). To document a new route, add an operation to the
// area's list (or a new list to operationLists): its request and answer
// schemas come from the Go types the handler decodes and encodes.

// access is who may call an operation; it gives its security and the
// authentication and role errors it may answer.
type access int

const (
	public       access = iota // anyone (a bad token still gets 401)
	anyMember                  // any logged-in member
	labellers                  // requireRole(labeller)
	reviewers                  // requireRole(reviewer)
	overseers                  // requireRole(coordinator, reviewer)
	coordinators               // requireRole(coordinator)
)

var accessWho = map[access]string{
	public: "anyone", anyMember: "any member", labellers: "labellers",
	reviewers: "reviewers", overseers: "reviewers and coordinators", coordinators: "coordinators",
}

// op is one documented route.
type op struct {
	method, path string // as registered in routes.go
	summary, doc string
	access       access
	body         any    // the Go value the handler decodes, or a schema
	bodyType     string // a raw body's content type (imports)
	params       []schema
	answers      []answer
	errs         []*fault.Error
}

type answer struct {
	status  int
	body    any    // Go value or schema; nil: no body
	content string // content type, default application/json
	doc     string
	headers []string
}

func newOp(method, path, summary string, a access) *op {
	return &op{method: method, path: path, summary: summary, access: a}
}

func opGet(path, summary string, a access) *op    { return newOp(http.MethodGet, path, summary, a) }
func opPost(path, summary string, a access) *op   { return newOp(http.MethodPost, path, summary, a) }
func opPut(path, summary string, a access) *op    { return newOp(http.MethodPut, path, summary, a) }
func opPatch(path, summary string, a access) *op  { return newOp(http.MethodPatch, path, summary, a) }
func opDelete(path, summary string, a access) *op { return newOp(http.MethodDelete, path, summary, a) }

// about adds prose.
func (o *op) about(doc string) *op { o.doc = doc; return o }

// in is the JSON body: a Go value of the type the handler decodes.
func (o *op) in(v any) *op { o.body = v; return o }

// raw is a body read as bytes of the content type.
func (o *op) raw(content string) *op { o.bodyType = content; return o }

// q adds a query parameter.
func (o *op) q(name string, s schema, doc string) *op {
	o.params = append(o.params, schema{"name": name, "in": "query", "schema": s, "description": doc})
	return o
}

// ok adds a JSON answer: v is a Go value of the answer's type, or a schema.
func (o *op) ok(status int, v any, doc ...string) *op {
	o.answers = append(o.answers, answer{status: status, body: v, doc: strings.Join(doc, " ")})
	return o
}

// paged makes the route a list endpoint (page.go): ?cursor= and ?limit=,
// and a 200 of {items, next_cursor} with items of item's type and any extra
// fields, and the two errors of a bad page.
func (o *op) paged(item any, extra fields) *op {
	body := fields{"items": arrayOf(item), "next_cursor": nullable(tString)}
	for k, v := range extra {
		body[k] = v
	}
	return o.q("cursor", tString, "next_cursor of the previous page").
		q("limit", tInteger, fmt.Sprintf("rows per page, 1 to %d (default %d)", pageMax, pageDefault)).
		ok(http.StatusOK, body).fails(errBadLimit, errBadCursor)
}

// file adds a download or a text answer, in one of contents (comma-separated).
func (o *op) file(status int, contents, doc string, headers ...string) *op {
	o.answers = append(o.answers, answer{status: status, body: tString, content: contents, doc: doc, headers: headers})
	return o
}

// empty adds an answer without a body.
func (o *op) empty(status int, doc ...string) *op {
	o.answers = append(o.answers, answer{status: status, doc: strings.Join(doc, " ")})
	return o
}

// fails lists the domain errors the route may answer, beyond those every
// route of its kind may (commonErrors).
func (o *op) fails(errs ...*fault.Error) *op { o.errs = append(o.errs, errs...); return o }

// operationLists are every area's operations, in the document's order.
// A new area adds its list here.
var operationLists = []struct {
	tag, about string
	ops        func() []*op
}{
	{"system", "health, this document and the live websocket", systemOps},
	{"accounts", "logins, sessions, API tokens, members and invites", authOps},
	{"projects", "models, projects, imports and labelling schemas", projectOps},
	{"work", "claiming, drafting and submitting tasks", workOps},
	{"wellbeing", "workbench keys, sensitive-content choices, breaks and the co-op's contact", wellbeingOps},
	{"review", "the review queue, quality, agreement and consensus", reviewOps},
	{"equity", "the register of model units", equityOps},
	{"votes", "the constitution and proposals", voteOps},
	{"datasets", "snapshots, exports, releases and evaluations", datasetOps},
	{"register", "the court roll: checkpoints, tiles and proofs, public", registerOps},
	{"webhooks", "outbound webhooks for training pipelines (Standard Webhooks)", webhookOps},
	{"generation", "generation jobs: candidates from the co-op's models", genOps},
	{"models", "the co-op's model endpoints and what each can do", modelOps},
	{"suggestions", "models' suggestions: the after_answer reveal", suggestOps},
}

func tags() []schema {
	out := make([]schema, len(operationLists))
	for i, l := range operationLists {
		out[i] = schema{"name": l.tag, "description": l.about}
	}
	return out
}

var (
	ginParam      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[:*]([A-Za-z_]+)`) })
	templateParam = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{([A-Za-z_]+)\}`) })
)

// pathShape is a path with its parameters unnamed: OpenAPI allows one
// template per shape, gin one name per position and method.
func pathShape(p string) string { return templateParam().ReplaceAllString(openAPIPath(p), "{}") }

// openAPIPath turns a gin path (/projects/:id, /tile/*path) into OpenAPI's (/projects/{id}).
func openAPIPath(p string) string { return ginParam().ReplaceAllString(p, "{$1}") }

// commonErrors are the errors a route answers because of what it is: under
// /api (text rule, database), logged in, with a role, with a body, with an
// id in its path, changing state.
func (o *op) commonErrors() []*fault.Error {
	var out []*fault.Error
	if strings.HasPrefix(o.path, "/api/") {
		// rate_limited: every /api request with a session or token spends its budget (credlimit.go).
		out = append(out, fault.ErrUnauthenticated, textrule.ErrInvalidText, errUnavailable, fault.ErrRateLimited)
	}
	if o.access != public {
		out = append(out, member.ErrMemberInactive)
	}
	if o.access > anyMember {
		out = append(out, fault.ErrForbidden)
	}
	if o.body != nil {
		out = append(out, errMalformed, errUnknownField, errWrongType, errBodyTooLarge, fault.ErrInvalid)
	}
	if o.bodyType != "" {
		out = append(out, errBodyTooLarge)
	}
	if strings.Contains(o.path, ":") {
		out = append(out, fault.ErrInvalid, fault.ErrNotFound)
	}
	if o.method != http.MethodGet {
		out = append(out, errCrossOrigin)
	}
	return out
}

// errCrossOrigin is answered by server.crossOrigin, not fail;
// it is here so the document lists it.
var (
	errCrossOrigin = fault.New(fault.KindForbidden, "cross_origin", "cross-origin request refused")
)

// errorStatus is the status fail answers err with.
func errorStatus(e *fault.Error) int {
	switch e.Code {
	case errBodyTooLarge.Code:
		return http.StatusRequestEntityTooLarge
	case errMethod.Code:
		return http.StatusMethodNotAllowed
	}
	return statusOf(e.Kind)
}

func errorSchema(codes []string) schema {
	return schema{"type": "object", "required": []string{"code", "message"}, "additionalProperties": false,
		"properties": schema{"code": schema{"type": "string", "enum": codes}, "message": tString}}
}

// operation is o in the document, at template: its path with OpenAPI's
// parameter names, which are the first route's names at that shape.
func (o *op) operation(ss *schemaSet, tag, template string) schema {
	who := accessWho[o.access]
	desc := "Who: " + who + "."
	if o.doc != "" {
		desc = o.doc + "\n\n" + desc
	}
	out := schema{"summary": o.summary, "description": desc, "tags": []string{tag},
		"operationId": operationID(o.method, o.path), "x-access": who}
	if o.access == public {
		out["security"] = []schema{{}, {"session": []string{}}, {"bearer": []string{}}}
	}
	var params []schema
	names := templateParam().FindAllStringSubmatch(template, -1)
	for i, m := range ginParam().FindAllStringSubmatch(o.path, -1) {
		s, doc := tString, ""
		if strings.HasSuffix(m[1], "id") || m[1] == "member" || m[1] == "index" {
			s = tInteger
		}
		if names[i][1] != m[1] {
			doc = "the " + m[1] // another method's name for this position
		}
		params = append(params, schema{"name": names[i][1], "in": "path", "required": true, "schema": s, "description": doc})
	}
	params = append(params, o.params...)
	if len(params) > 0 {
		out["parameters"] = params
	}
	switch {
	case o.body != nil:
		out["requestBody"] = schema{"required": true, "content": schema{"application/json": schema{"schema": ss.value(o.body, asRequest)}}}
	case o.bodyType != "":
		out["requestBody"] = schema{"required": true, "content": schema{o.bodyType: schema{"schema": tString}}}
	}
	responses := schema{}
	for _, a := range o.answers {
		r := schema{"description": cmp(a.doc, http.StatusText(a.status))}
		if a.body != nil {
			content := schema{}
			for _, ct := range strings.Split(cmp(a.content, "application/json"), ",") {
				s := ss.value(a.body, asResponse)
				if a.content != "" && strings.HasPrefix(ct, "application/json") {
					s = tAny // a JSON download: described in its own doc
				}
				content[strings.TrimSpace(ct)] = schema{"schema": s}
			}
			r["content"] = content
		}
		if len(a.headers) > 0 {
			h := schema{}
			for _, name := range a.headers {
				h[name] = schema{"schema": tString}
			}
			r["headers"] = h
		}
		if prev, ok := responses[fmt.Sprint(a.status)].(schema); ok && prev["content"] != nil && r["content"] != nil {
			for ct, v := range r["content"].(schema) { // another content type of the same status
				prev["content"].(schema)[ct] = v
			}
			continue
		}
		responses[fmt.Sprint(a.status)] = r
	}
	byStatus := map[int][]string{}
	for _, e := range append(o.commonErrors(), o.errs...) {
		st := errorStatus(e)
		if !slices.Contains(byStatus[st], e.Code) {
			byStatus[st] = append(byStatus[st], e.Code)
		}
	}
	for st, codes := range byStatus {
		slices.Sort(codes)
		r := schema{"description": http.StatusText(st) + ": " + strings.Join(codes, ", "),
			"content": schema{"application/json": schema{"schema": errorSchema(codes)}}}
		if st == http.StatusTooManyRequests {
			r["headers"] = schema{"Retry-After": schema{"schema": tInteger, "description": "seconds to wait"}}
		}
		responses[fmt.Sprint(st)] = r
	}
	out["responses"] = responses
	return out
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(openAPIPath(path), func(r rune) bool { return r == '/' || r == '-' || r == '.' }) {
		if part == "api" {
			continue
		}
		if strings.HasPrefix(part, "{") {
			part = "By" + strings.Trim(part, "{}")
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// buildOpenAPI assembles the document; it panics on a Go type it cannot
// describe (TestOpenAPIDocument builds it).
func buildOpenAPI() []byte {
	ss := newSchemaSet()
	paths := map[string]schema{}
	templates := map[string]string{} // by shape
	for _, l := range operationLists {
		for _, o := range l.ops() {
			p, ok := templates[pathShape(o.path)]
			if !ok {
				p = openAPIPath(o.path)
				templates[pathShape(o.path)] = p
				paths[p] = schema{}
			}
			paths[p][strings.ToLower(o.method)] = o.operation(ss, l.tag, p)
		}
	}
	ss.components["Error"] = errorSchema(nil)
	delete(ss.components["Error"]["properties"].(schema)["code"].(schema), "enum")
	for name, s := range wsSchemas() {
		ss.components[name] = s
	}
	doc := schema{
		"openapi": "3.1.0",
		"info": schema{"title": "copyhold API", "version": "1",
			"description": "The HTTP API of copyhold, the labelling co-operative's workbench. " +
				"Errors are `{code, message}`; each operation lists the codes it may answer per status. " +
				"The websocket at `/ws` is described in the `x-websocket` annex and docs/WEBSOCKET.md. The guide is docs/API.md."},
		"paths": paths,
		"components": schema{"schemas": ss.components, "securitySchemes": schema{
			"session": schema{"type": "apiKey", "in": "cookie", "name": sessionCookie,
				"description": "set by POST /api/auth/login"},
			"bearer": schema{"type": "http", "scheme": "bearer",
				"description": "a personal API token (`cht_…`) from POST /api/tokens"},
		}},
		"security":    []schema{{"session": []string{}}, {"bearer": []string{}}},
		"tags":        tags(),
		"x-websocket": wsAnnex(),
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

var openAPIDocument = sync.OnceValue(buildOpenAPI)

// OpenAPIDocument is the API's OpenAPI 3.1 document as JSON.
func OpenAPIDocument() []byte { return openAPIDocument() }

func (s *Server) handleOpenAPI(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/json", OpenAPIDocument())
}
