package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Timeouts bound how long a client may take to send a request and to take
// its answer, so that slow or stalled clients cannot hold connections. The
// http.Server gets the ordinary bounds (ConfigureHTTP); the routes that move
// big bodies extend their own deadlines, within bounds of their own.
// Websockets are hijacked connections: their pumps keep their own deadlines
// (server/live), untouched by these.
type Timeouts struct {
	ReadHeader time.Duration // 10 s for the request line and headers
	Read       time.Duration // 30 s for a whole ordinary request, body included
	Write      time.Duration // 2 min from the end of the headers to the end of an ordinary answer
	Idle       time.Duration // 2 min a kept-alive connection may wait for its next request
	Import     time.Duration // 30 min to upload an import and hear its report
	Export     time.Duration // 2 h to stream a snapshot or personal export
}

func (t *Timeouts) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&t.ReadHeader, 10*time.Second)
	set(&t.Read, 30*time.Second)
	set(&t.Write, 2*time.Minute)
	set(&t.Idle, 2*time.Minute)
	set(&t.Import, 30*time.Minute)
	set(&t.Export, 2*time.Hour)
}

// ConfigureHTTP sets the server-wide timeouts on hs, which serves Handler.
func (s *Server) ConfigureHTTP(hs *http.Server) {
	t := s.cfg.Timeouts
	hs.ReadHeaderTimeout = t.ReadHeader
	hs.ReadTimeout = t.Read
	hs.WriteTimeout = t.Write
	hs.IdleTimeout = t.Idle
}

// deadlines gives a route its own read and write deadlines (0 leaves one
// as the server set it). Put it after the route's authentication, so only
// callers allowed to use the route get the longer bound.
func deadlines(read, write time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		rc := http.NewResponseController(c.Writer)
		now := time.Now()
		// ErrNotSupported only under test recorders, where no deadline applies.
		if read > 0 {
			_ = rc.SetReadDeadline(now.Add(read))
		}
		if write > 0 {
			_ = rc.SetWriteDeadline(now.Add(write))
		}
		c.Next()
	}
}
