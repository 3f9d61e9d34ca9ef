package server

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

const notBuilt = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>copyhold</title></head>
<body><h1>copyhold</h1><p>The browser app has not been built into this binary. Run <code>make build</code> (or <code>make run</code>) and start it again. The API under /api works.</p></body></html>`

// serveApp serves the embedded single-page app: real files as they are,
// every other path as index.html so client-side routes survive a reload.
func (s *Server) serveApp(c *gin.Context) {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/api/") || p == "/api" {
		fail(c, errRouteMissing)
		return
	}
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		fail(c, errMethod)
		return
	}
	if s.cfg.Assets == nil {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuilt))
		return
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name != "" && name != "index.html" {
		if st, err := fs.Stat(s.cfg.Assets, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				// Vite names assets by content hash, so they never change.
				c.Header("Cache-Control", "public, max-age=31536000, immutable")
			}
			c.FileFromFS(name, http.FS(s.cfg.Assets))
			return
		}
	}
	index, err := fs.ReadFile(s.cfg.Assets, "index.html")
	if err != nil {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuilt))
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", index)
}

func (s *Server) handleHealth(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

func (s *Server) handleReady(c *gin.Context) {
	if err := s.Ready(c.Request.Context()); err != nil {
		c.JSON(http.StatusServiceUnavailable, apiError{"unavailable", "database unreachable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
