// Package server is copyhold's HTTP transport: gin routes, sessions, JSON errors, the browser app and the websocket route.
package server

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"copyhold/labeling/member"
	"copyhold/server/live"

	"github.com/gin-gonic/gin"
)

// Config is the transport's configuration, passed in explicitly.
type Config struct {
	BaseURL        string
	AllowedOrigins []string
	SecureCookies  bool
	SessionTTL     time.Duration
	InviteTTL      time.Duration
	PasswordCost   member.PasswordCost
	// MaxBodyBytes bounds ordinary JSON bodies; imports have their own limit.
	MaxBodyBytes int64
	// Assets is the built browser app (frontend/dist); nil serves an API only.
	Assets fs.FS
	// Hub delivers live events on GET /ws; nil turns live tracking off.
	Hub *live.Hub
	// Exports caches snapshot downloads; nil answers them 503.
	Exports *ExportCache
	// Ready is pinged by /readyz (the database); nil is always ready.
	Ready Pinger
	// Witnesses are the verifier keys of the witnesses whose cosignatures on
	// the court roll's checkpoints the co-op accepts and shows.
	Witnesses []string
	// TrustedProxies are the addresses or CIDRs of reverse proxies whose
	// X-Forwarded-For is believed; empty trusts none, so the client address
	// (login limits, the audit trail, websocket caps) is the TCP peer.
	TrustedProxies []string
	// Timeouts bound how long a request may take to arrive and its answer
	// to leave (timeouts.go); zero fields take the defaults.
	Timeouts Timeouts
	// Demo says whether the demo co-op is loaded, for the login page
	// (GET /api/demo); nil: never.
	Demo DemoProbe
	// RequestRate is each session's and API token's request budget
	// (credlimit.go); zero fields take the defaults.
	RequestRate RequestRate
}

// Pinger checks that a dependency is reachable (*sql.DB is one).
type Pinger interface {
	PingContext(ctx context.Context) error
}

func (c *Config) defaults() {
	if c.SessionTTL == 0 {
		c.SessionTTL = 7 * 24 * time.Hour
	}
	if c.InviteTTL == 0 {
		c.InviteTTL = 7 * 24 * time.Hour
	}
	if c.PasswordCost == 0 {
		c.PasswordCost = member.DefaultPasswordCost
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	c.Timeouts.defaults()
	c.RequestRate.defaults()
}

// Server holds the dependencies of every handler.
type Server struct {
	cfg       Config
	members   Members
	projects  Projects
	leases    Leases
	reviews   Reviews
	quality   Quality
	datasets  Datasets
	work      Work // submit, review decisions, disputes
	register  Register
	votes     Votes
	rollLog   Roll
	webhooks  Webhooks
	wellbeing Wellbeing
	gen       Generation
	models    ModelEndpoints
	relEPs    ReleaseEndpoints
	log       *slog.Logger
	limits    *failureLimiter // logins, per account and per address
	pwLimits  *failureLimiter // wrong current passwords, per member
	// credLimits is each credential's request budget.
	credLimits *credentialLimiter
	engine     *gin.Engine
	handler    http.Handler
}

// New builds the server on its configuration and the stores and services
// its handlers call. Call Handler for the http.Handler.
func New(cfg Config, deps Deps, log *slog.Logger) *Server {
	cfg.defaults()
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, log: log, limits: newLoginLimiter(), pwLimits: newPasswordLimiter(),
		credLimits: newCredentialLimiter(cfg.RequestRate),
		members:    deps.Members, projects: deps.Projects, leases: deps.Leases, reviews: deps.Reviews,
		quality: deps.Quality, datasets: deps.Datasets, work: deps.Work, register: deps.Register, votes: deps.Votes, rollLog: deps.Roll,
		webhooks: deps.Webhooks, wellbeing: deps.Wellbeing, models: deps.Models, relEPs: deps.ReleaseEndpoints, gen: deps.Generation}
	if deps.Register == nil {
		log.Warn("no equity register configured: the /api/equity routes will fail")
	}
	s.engine = gin.New()
	s.engine.HandleMethodNotAllowed = true
	// gin believes X-Forwarded-For from anyone unless told otherwise.
	if err := s.engine.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		log.Error("ignoring trusted proxies: trusting none", "proxies", cfg.TrustedProxies, "err", err)
		s.engine.SetTrustedProxies(nil)
	}
	s.routes()
	s.handler = s.crossOrigin(s.engine)
	return s
}

// Handler is the root http.Handler, with cross-origin protection outermost.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists "METHOD path" of every registered route (for the role matrix test).
func (s *Server) Routes() []gin.RouteInfo { return s.engine.Routes() }

// crossOrigin rejects cross-site state-changing requests (CSRF) using
// Sec-Fetch-Site and Origin, as Go's http.CrossOriginProtection does.
func (s *Server) crossOrigin(h http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	for _, o := range s.cfg.AllowedOrigins {
		if err := p.AddTrustedOrigin(o); err != nil {
			s.log.Warn("ignoring allowed origin", "origin", o, "err", err)
		}
	}
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"code":"cross_origin","message":"cross-origin request refused"}`))
	}))
	return p.Handler(h)
}

// Ready pings the database for /readyz.
func (s *Server) Ready(ctx context.Context) error {
	if s.cfg.Ready == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.cfg.Ready.PingContext(ctx)
}
