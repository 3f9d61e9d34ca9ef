package main

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"copyhold/labeling/webhook"
)

// webhookSettings are serve's webhook flags.
type webhookSettings struct {
	AllowLoopback bool
}

func bindWebhookSettings(fs *flag.FlagSet, e *env, w *webhookSettings) {
	allow, _ := strconv.ParseBool(e.getenv("COPYHOLD_WEBHOOK_ALLOW_LOOPBACK"))
	fs.BoolVar(&w.AllowLoopback, "webhook-allow-loopback", allow, "let webhooks reach loopback addresses (127.0.0.1, ::1, localhost), for tests and development only; "+
		"refused together with --secure-cookies or an https --base-url (env COPYHOLD_WEBHOOK_ALLOW_LOOPBACK)")
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
