package main

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"copyhold/labeling/webhook"
)

// webhookSettings are serve's webhook flags.
type webhookSettings struct {
	AllowLoopback bool
	Backoff       string
}

// defaultBackoff is relay.DefaultBackoff as the flag writes it.
const defaultBackoff = "5s,30s,2m,10m,30m,2h,6h"

func bindWebhookSettings(fs *flag.FlagSet, e *env, w *webhookSettings) {
	allow, _ := strconv.ParseBool(e.getenv("COPYHOLD_WEBHOOK_ALLOW_LOOPBACK"))
	fs.BoolVar(&w.AllowLoopback, "webhook-allow-loopback", allow, "let webhooks reach loopback addresses (127.0.0.1, ::1, localhost), for tests and development only; "+
		"refused together with --secure-cookies or an https --base-url (env COPYHOLD_WEBHOOK_ALLOW_LOOPBACK)")
	def := e.getenv("COPYHOLD_WEBHOOK_BACKOFF")
	if def == "" {
		def = defaultBackoff
	}
	fs.StringVar(&w.Backoff, "webhook-backoff", def, "comma-separated pauses before each retry of a failed webhook; when they are spent the endpoint is disabled "+
		"(env COPYHOLD_WEBHOOK_BACKOFF)")
}

// backoff parses --webhook-backoff: 1 to 20 positive durations.
func (w webhookSettings) backoff() ([]time.Duration, error) {
	parts := strings.Split(w.Backoff, ",")
	if len(parts) > 20 {
		return nil, fmt.Errorf("--webhook-backoff / COPYHOLD_WEBHOOK_BACKOFF: at most 20 pauses")
	}
	out := make([]time.Duration, 0, len(parts))
	for _, p := range parts {
		d, err := time.ParseDuration(strings.TrimSpace(p))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("--webhook-backoff / COPYHOLD_WEBHOOK_BACKOFF: %q is not a positive duration such as 30s", strings.TrimSpace(p))
		}
		out = append(out, d)
	}
	return out, nil
}

// webhookPolicy says where this server's webhooks may go: never to itself
// (its --base-url host, or a local address on its listen port), never to an
// internal address, and to loopback only with the development setting,
// which a production configuration refuses.
func webhookPolicy(c config, w webhookSettings, listenAddr string) (webhook.Policy, error) {
	p := webhook.Policy{AllowLoopback: w.AllowLoopback}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
			p.SelfHosts = append(p.SelfHosts, u.Hostname())
			if w.AllowLoopback && u.Scheme == "https" {
				return p, fmt.Errorf("--webhook-allow-loopback is for tests and development; this server's --base-url is https (production)")
			}
		}
	}
	if w.AllowLoopback && c.SecureCookies {
		return p, fmt.Errorf("--webhook-allow-loopback is for tests and development; it cannot be used with --secure-cookies (production)")
	}
	if _, port, err := net.SplitHostPort(listenAddr); err == nil {
		p.SelfPort = port
	}
	if host, _, err := net.SplitHostPort(listenAddr); err == nil && host != "" && !strings.ContainsAny(host, ":") && net.ParseIP(host) == nil {
		p.SelfHosts = append(p.SelfHosts, host)
	}
	return p, nil
}
