package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"

	"copyhold/server"
	"copyhold/server/live"
)

// serveLimits are serve's own security settings: which proxies to believe,
// how long a request may take, each credential's request budget, and the
// websocket caps and re-checks.
type serveLimits struct {
	TrustedProxies string
	ReadTimeout    time.Duration
	ImportTimeout  time.Duration
	WSPerMember    int
	WSPerIP        int
	WSRecheck      time.Duration
	RatePerMinute  int
	RateBurst      int
}

// bindServeLimits registers serve's security flags on fs with env-derived defaults.
func bindServeLimits(fs *flag.FlagSet, e *env, l *serveLimits) {
	def := e.getenv("COPYHOLD_TRUSTED_PROXIES")
	fs.StringVar(&l.TrustedProxies, "trusted-proxies", def, "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed; "+
		"empty believes none, so login limits and the audit trail use the connecting address (env COPYHOLD_TRUSTED_PROXIES)")
	durationFlag(fs, e, &l.ReadTimeout, "read-timeout", "COPYHOLD_READ_TIMEOUT", 30*time.Second,
		"longest time a client may take to send an ordinary request, body included")
	durationFlag(fs, e, &l.ImportTimeout, "import-timeout", "COPYHOLD_IMPORT_TIMEOUT", 30*time.Minute,
		"longest time an item import may take to upload and be answered")
	intFlag(fs, e, &l.WSPerMember, "ws-max-per-member", "COPYHOLD_WS_MAX_PER_MEMBER", 16,
		"most live-update websockets one member may hold open; more are refused with 429 too_many_connections")
	intFlag(fs, e, &l.WSPerIP, "ws-max-per-ip", "COPYHOLD_WS_MAX_PER_IP", 256,
		"most live-update websockets one client address may hold open; more are refused with 429 too_many_connections")
	durationFlag(fs, e, &l.WSRecheck, "ws-recheck", "COPYHOLD_WS_RECHECK", 30*time.Second,
		"how often each open websocket's session or API token is checked again (an expired one closes the socket)")
	intFlag(fs, e, &l.RatePerMinute, "rate-limit", "COPYHOLD_RATE_LIMIT", 1200,
		"requests a minute each session or API token may make, per serve instance; more get 429 rate_limited with Retry-After")
	intFlag(fs, e, &l.RateBurst, "rate-burst", "COPYHOLD_RATE_BURST", 200,
		"requests each session or API token may make at once before --rate-limit paces it")
}

// apply hands the limits to the server's and the hub's configurations.
func (l serveLimits) apply(sc *server.Config, hc *live.Config) error {
	proxies, err := server.ParseTrustedProxies(l.TrustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies / COPYHOLD_TRUSTED_PROXIES: %w", err)
	}
	sc.TrustedProxies = proxies
	sc.Timeouts.Read, sc.Timeouts.Import = l.ReadTimeout, l.ImportTimeout
	if l.RatePerMinute <= 0 || l.RateBurst <= 0 {
		return fmt.Errorf("--rate-limit and --rate-burst must be positive")
	}
	sc.RequestRate = server.RequestRate{PerMinute: l.RatePerMinute, Burst: l.RateBurst}
	hc.MaxConnsPerMember, hc.MaxConnsPerIP, hc.RecheckEvery = l.WSPerMember, l.WSPerIP, l.WSRecheck
	return nil
}

func durationFlag(fs *flag.FlagSet, e *env, p *time.Duration, name, envName string, def time.Duration, help string) {
	if v := e.getenv(envName); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			def = d
		} else {
			fmt.Fprintf(e.stderr, "copyhold: %s=%q is not a positive duration such as 30s; using %s\n", envName, v, def)
		}
	}
	fs.DurationVar(p, name, def, help+" (env "+envName+")")
}

func intFlag(fs *flag.FlagSet, e *env, p *int, name, envName string, def int, help string) {
	if v := e.getenv(envName); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			def = n
		} else {
			fmt.Fprintf(e.stderr, "copyhold: %s=%q is not a positive whole number; using %d\n", envName, v, def)
		}
	}
	fs.IntVar(p, name, def, help+" (env "+envName+")")
}
