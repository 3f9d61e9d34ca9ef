package endpoints

// Where a model endpoint may point: http(s) with a host, never copyhold
// itself (its --base-url host, or one of this machine's addresses on its
// listening port). Unlike webhooks, loopback and private addresses are
// allowed: co-ops run their models on their own hardware. Link-local
// addresses (cloud metadata services) are refused.

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"copyhold/labeling/model"
	"copyhold/labeling/webhook"
)

// Policy knows this server's own addresses.
type Policy struct {
	// Self are this server's own "host:port"s (its --base-url's, its
	// --addr's). A model may run on the same host on another port.
	Self       []string
	SelfPort   string       // the listening port: any local address on it is this server
	LocalAddrs []netip.Addr // this machine's addresses (nil: looked up)
	Resolver   *net.Resolver
}

const maxURLLen = 2000

// CheckURL validates a base URL and returns it as stored (no trailing slash).
func (p Policy) CheckURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxURLLen {
		return "", model.ErrInvalidEndpoint.With("base_url is required, at most %d bytes", maxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", model.ErrInvalidEndpoint.With("base_url does not parse")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", model.ErrURLScheme
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", model.ErrInvalidEndpoint.With("base_url has no host")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", model.ErrInvalidEndpoint.With("base_url must not carry a user name, a ?query or a #fragment")
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	for _, hp := range p.Self {
		if h, sp, err := net.SplitHostPort(hp); err == nil && sp == port && strings.EqualFold(strings.TrimSuffix(h, "."), host) {
			return "", model.ErrURLSelf
		}
	}
	var addrs []netip.Addr
	switch a, err := netip.ParseAddr(host); {
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		addrs = []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}
	case err == nil:
		addrs = []netip.Addr{a}
	default:
		r := p.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		addrs, _ = r.LookupNetIP(rctx, "ip", host) // a name that does not resolve yet is accepted
	}
	for _, a := range addrs {
		a = a.Unmap()
		if p.isSelf(a, port) {
			return "", model.ErrURLSelf
		}
		// No model runs on a link-local address; cloud metadata services do.
		if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsMulticast() {
			return "", model.ErrInvalidEndpoint.With("base_url resolves to %s: link-local and multicast addresses are refused", a)
		}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u.String(), nil
}

func (p Policy) isSelf(a netip.Addr, port string) bool {
	if p.SelfPort == "" || port != p.SelfPort {
		return false
	}
	local := p.LocalAddrs
	if local == nil {
		local = webhook.InterfaceAddrs()
	}
	return a.IsLoopback() || a.IsUnspecified() || slices.Contains(local, a)
}
