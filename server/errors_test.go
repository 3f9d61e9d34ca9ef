package server

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/gin-gonic/gin"
)

// Errors the server hides from clients are logged through the logger it was
// given, never the process-global one.
func TestFailLogsThroughServerLogger(t *testing.T) {
	var mine, global bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&global, nil)))
	defer slog.SetDefault(old)

	s := New(Config{}, Deps{}, slog.New(slog.NewTextHandler(&mine, nil)))
	s.engine.GET("/boom", func(c *gin.Context) { fail(c, errors.New("kaboom")) })
	s.engine.GET("/db-gone", func(c *gin.Context) { fail(c, fmt.Errorf("read: %w", driver.ErrBadConn)) })
	for _, c := range []struct {
		path   string
		status int
		logged string
	}{
		{"/boom", http.StatusInternalServerError, "kaboom"},
		{"/db-gone", http.StatusServiceUnavailable, "database unavailable"},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", c.path, nil)
		req.Header.Set("X-Request-Id", "req-"+c.path[1:])
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != c.status {
			t.Fatalf("%s: status %d %s", c.path, rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "kaboom") {
			t.Errorf("%s: the error reached the client: %s", c.path, rec.Body)
		}
		if !strings.Contains(mine.String(), c.logged) || !strings.Contains(mine.String(), "req-"+c.path[1:]) {
			t.Errorf("%s: the server's log lacks %q and the request id:\n%s", c.path, c.logged, mine.String())
		}
	}
	if global.Len() != 0 {
		t.Fatalf("the global logger was used:\n%s", global.String())
	}
}

// A client that cuts the request off is logged as a disconnect, not as a 500:
// a query that fails because the request's context was canceled, or a write
// to a connection that the client closed.
func TestClientDisconnectIsNotAnInternalError(t *testing.T) {
	var logs bytes.Buffer
	s := New(Config{}, Deps{}, slog.New(slog.NewTextHandler(&logs, nil)))
	s.engine.GET("/query", func(c *gin.Context) {
		fail(c, fmt.Errorf("claim: %w", c.Request.Context().Err()))
	})
	s.engine.GET("/write", func(c *gin.Context) {
		fail(c, fmt.Errorf("write tcp 127.0.0.1:8080->127.0.0.1:5555: %w", syscall.EPIPE))
	})
	s.engine.GET("/canceled-elsewhere", func(c *gin.Context) {
		fail(c, fmt.Errorf("export: %w", context.Canceled))
	})
	for _, path := range []string{"/query", "/write", "/canceled-elsewhere"} {
		logs.Reset()
		ctx, cancel := context.WithCancel(context.Background())
		if path != "/canceled-elsewhere" {
			cancel()
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil).WithContext(ctx))
		cancel()
		if rec.Code != statusClientClosed {
			t.Errorf("%s: status %d, want %d", path, rec.Code, statusClientClosed)
		}
		out := logs.String()
		if strings.Contains(out, "level=ERROR") || strings.Contains(out, "internal error") || strings.Contains(out, "unavailable") {
			t.Errorf("%s: logged as a server fault:\n%s", path, out)
		}
		if !strings.Contains(out, "client disconnected") {
			t.Errorf("%s: the log does not say the client went away:\n%s", path, out)
		}
	}
}
