package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"copyhold/server"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Every answer of a test server is checked against the OpenAPI document
// (server.OpenAPIDocument) for its route and status, with kin-openapi: an
// undocumented status, an error code the route does not list, or a body
// that does not fit the schema fails the test that made the request.

var loadOpenAPI = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(server.OpenAPIDocument())
	if err != nil {
		return nil, err
	}
	return doc, nil
})

// OpenAPI is the server's document, loaded.
func OpenAPI(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var openAPIRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := loadOpenAPI()
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

// Discard is a logger that writes nowhere.
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// maxChecked bounds the bytes of one answer kept for checking (exports stream more).
const maxChecked = 8 << 20

// checkResponses wraps h so that every answer is validated.
func checkResponses(t testing.TB, h http.Handler) http.Handler {
	router, err := openAPIRouter()
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" { // websockets: the annex is prose
			h.ServeHTTP(w, r)
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		route, params, err := router.FindRoute(r)
		if err != nil { // not an API route (the app, an unknown path)
			return
		}
		if err := validate(r, route, params, rec); err != nil {
			t.Errorf("%s %s answered %d, which the OpenAPI document does not allow: %v\nbody: %.500s",
				r.Method, r.URL.RequestURI(), rec.status, err, rec.body.String())
		}
	})
}

func validate(r *http.Request, route *routers.Route, params map[string]string, rec *recorder) error {
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	ct := rec.Header().Get("Content-Type")
	if rec.truncated || r.Method == http.MethodHead || (ct != "" && !strings.HasPrefix(ct, "application/json")) {
		opts.ExcludeResponseBody = true
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: opts},
		Status:                 rec.status,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		Options:                opts,
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// recorder passes the answer through and keeps its status and body.
type recorder struct {
	http.ResponseWriter
	status    int
	wrote     bool
	body      bytes.Buffer
	truncated bool
}

func (w *recorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	w.wrote = true
	if w.body.Len()+len(b) <= maxChecked {
		w.body.Write(b)
	} else {
		w.truncated = true
	}
	return w.ResponseWriter.Write(b)
}

func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection (deadlines).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// CheckWSFrame validates a frame the server sent on /ws against the
// document's WSServerFrame (the x-websocket annex): an op, field or error
// code the document does not name is an error.
func CheckWSFrame(frame []byte) error {
	doc, err := loadOpenAPI()
	if err != nil {
		return err
	}
	ref := doc.Components.Schemas["WSServerFrame"]
	if ref == nil || ref.Value == nil {
		return errors.New("the OpenAPI document has no WSServerFrame")
	}
	var v any
	if err := json.Unmarshal(frame, &v); err != nil {
		return err
	}
	if err := ref.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("frame %s does not fit WSServerFrame: %w", frame, err)
	}
	return nil
}
