package server

import (
	"bytes"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
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
