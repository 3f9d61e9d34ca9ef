// Package modeltest is a faithful OpenAI-compatible chat-completions server
// for tests, on a loopback port, with one profile per real server (vLLM,
// llama.cpp's server, Ollama) and injectable faults (429 with Retry-After,
// 5xx, slow answers, malformed JSON, a wrong key). Its text is a pure
// function of (model, messages, seed) when the profile honours seeds, so
// seed tests can pass or fail honestly.
package modeltest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is a failure injected into the next requests.
type Fault struct {
	Status     int           // answer this status (429, 500, 503, 401, …) with an OpenAI error body
	RetryAfter string        // the Retry-After header with Status (seconds or an HTTP date)
	Delay      time.Duration // wait this long before answering (the client's cancel ends it)
	Malformed  bool          // 200 with a body that is not JSON
	NoChoices  bool          // 200 with "choices": []
	// Times is how many requests it applies to (0: one; negative: until Heal).
	Times int
}

// Handler is the test server's HTTP handler (New wraps it in a loopback
// httptest server; cmd/modeltest serves it on a port).
type Handler struct {
	profile Profile
	key     string

	mu       sync.Mutex
	faults   []Fault
	requests int
	bodies   []map[string]any
	calls    uint64
}

// NewHandler serves profile p; key "" accepts any key (Ollama ignores keys).
func NewHandler(p Profile, key string) *Handler { return &Handler{profile: p, key: key} }

// Server is a running test server.
type Server struct {
	*Handler
	// URL is the base URL to register: http://127.0.0.1:port/v1.
	URL string
	srv *httptest.Server
}

// Option configures New.
type Option func(*Handler)

// WithKey makes the server require "Authorization: Bearer key" (401 otherwise).
func WithKey(key string) Option { return func(h *Handler) { h.key = key } }

// New starts a server for profile p on a loopback port, closed when the
// test ends.
func New(t testing.TB, p Profile, opts ...Option) *Server {
	t.Helper()
	h := NewHandler(p, "")
	for _, o := range opts {
		o(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Server{Handler: h, URL: srv.URL + "/v1", srv: srv}
}

// Close stops the server early (a later request is refused: unreachable).
func (s *Server) Close() { s.srv.Close() }

// Fail queues a fault for the next requests.
func (h *Handler) Fail(f Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	h.faults = append(h.faults, f)
}

// Heal drops every queued fault.
func (h *Handler) Heal() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = nil
}

// Requests is how many chat-completion requests arrived (faulted ones too).
func (h *Handler) Requests() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.requests
}

// Bodies are the decoded request bodies, in arrival order.
func (h *Handler) Bodies() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.bodies...)
}

// Profile is the profile served.
func (h *Handler) Profile() Profile { return h.profile }

func (h *Handler) nextFault() (Fault, bool) {
	if len(h.faults) == 0 {
		return Fault{}, false
	}
	f := h.faults[0]
	if f.Times > 0 {
		h.faults[0].Times--
		if h.faults[0].Times == 0 {
			h.faults = h.faults[1:]
		}
	}
	return f, true
}

// ServeHTTP answers POST …/chat/completions (with or without /v1) and
// GET …/models.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/models"):
		writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []any{map[string]any{"id": "test-model", "object": "model"}}})
		return
	case r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions"):
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	var body map[string]any
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	h.mu.Lock()
	h.requests++
	h.calls++
	call := h.calls
	if body != nil {
		h.bodies = append(h.bodies, body)
	}
	f, faulted := h.nextFault()
	h.mu.Unlock()
	if faulted && f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if h.key != "" && r.Header.Get("Authorization") != "Bearer "+h.key {
		writeError(w, http.StatusUnauthorized, "Incorrect API key provided.")
		return
	}
	if faulted {
		switch {
		case f.Status != 0:
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			writeError(w, f.Status, http.StatusText(f.Status))
			return
		case f.Malformed:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id": "chatcmpl-1", "choices": [{"message": {"content": "trunc`)
			return
		case f.NoChoices:
			writeJSON(w, http.StatusOK, map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "choices": []any{}})
			return
		}
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "the body is not JSON: "+err.Error())
		return
	}
	req, err := parseRequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	h.answer(w, r, req, call)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	typ := "invalid_request_error"
	if status >= 500 {
		typ = "server_error"
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": typ, "code": status}})
}
