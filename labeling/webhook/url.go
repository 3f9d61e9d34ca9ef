package webhook

// Where webhooks may go. A URL must be http(s) with a host; it may not name
// this server (its public host, or a local address on its listen port), nor
// a loopback, private, link-local, multicast or unspecified address. The
// address check runs twice: on the names a URL resolves to when it is
// registered (a clear error for the coordinator), and on the address actually
// dialled, after resolution, for every attempt (Policy.Control), so a name
// that later resolves somewhere internal (DNS rebinding) is still refused.

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Policy says which addresses webhooks may reach.
type Policy struct {
	// AllowLoopback lets webhooks reach loopback addresses (127.0.0.0/8,
	// ::1, localhost): for tests and development only; serve refuses it in
	// production (docs/API.md).
	AllowLoopback bool
	// SelfHosts are this server's public host names (from --base-url).
	SelfHosts []string
	// SelfPort is the port this server listens on: a local address on it is
	// the server itself.
	SelfPort string
	// LocalAddrs are this machine's interface addresses (nil: looked up).
	LocalAddrs []netip.Addr
	// Resolver resolves names at registration (nil: net.DefaultResolver).
	Resolver *net.Resolver
}

// maxURLLen bounds a registered URL.
const maxURLLen = 2000

// CheckURL validates a URL a coordinator registers, and returns it in the
// form it is stored in.
func (p Policy) CheckURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxURLLen {
		return "", ErrInvalidEndpoint.With("url is required, at most %d bytes", maxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", ErrInvalidEndpoint.With("url does not parse")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", ErrURLScheme
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", ErrInvalidEndpoint.With("url has no host")
	}
	if u.User != nil {
		return "", ErrInvalidEndpoint.With("url must not carry a user name or password")
	}
	if u.Fragment != "" {
		return "", ErrInvalidEndpoint.With("url must not have a #fragment")
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	for _, h := range p.SelfHosts {
		if h != "" && strings.EqualFold(strings.TrimSuffix(h, "."), host) {
			return "", ErrURLSelf
		}
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		if err := p.checkAddr(netip.MustParseAddr("127.0.0.1"), port); err != nil {
			return "", err
		}
		return u.String(), nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if err := p.checkAddr(a, port); err != nil {
			return "", err
		}
		return u.String(), nil
	}
	// A name: refuse it now if it resolves somewhere internal. A name that
	// does not resolve yet is accepted; every attempt checks again.
	r := p.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(rctx, "ip", host)
	if err == nil {
		for _, a := range addrs {
			if err := p.checkAddr(a, port); err != nil {
				return "", err
			}
		}
	}
	return u.String(), nil
}

// Control is a net.Dialer Control function: it refuses a connection to an
// address CheckURL would refuse, after name resolution, at dial time.
func (p Policy) Control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return ErrURLRefused.With("webhook dial to %q refused: not an IP address and port", address)
	}
	return p.checkAddr(ap.Addr(), strconv.Itoa(int(ap.Port())))
}

// checkAddr refuses internal addresses and this server itself.
func (p Policy) checkAddr(a netip.Addr, port string) error {
	a = a.Unmap()
	local := a.IsLoopback() || slices.Contains(p.localAddrs(), a)
	if local && p.SelfPort != "" && port == p.SelfPort {
		return ErrURLSelf
	}
	if a.IsLoopback() && p.AllowLoopback {
		return nil
	}
	if blocked(a) || local {
		return ErrURLRefused.With("webhooks cannot be sent to %s: a loopback, private, link-local or otherwise internal address", a)
	}
	return nil
}

// blocked is every range a webhook must not reach.
func blocked(a netip.Addr) bool {
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || !a.IsValid() {
		return true
	}
	for _, pfx := range reserved {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

// reserved are further non-public ranges net/netip has no predicate for.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64 (could reach internal IPv4)
	netip.MustParsePrefix("64:ff9b:1::/48"), // local NAT64
	netip.MustParsePrefix("2002::/16"),      // 6to4 (embeds IPv4)
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
	netip.MustParsePrefix("::ffff:0:0/96"),  // IPv4-mapped (Unmap handles most)
	netip.MustParsePrefix("100::/64"),       // discard-only
}

func (p Policy) localAddrs() []netip.Addr {
	if p.LocalAddrs != nil {
		return p.LocalAddrs
	}
	return InterfaceAddrs()
}

// InterfaceAddrs lists this machine's own addresses (none on error).
func InterfaceAddrs() []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return []netip.Addr{}
	}
	out := []netip.Addr{}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok {
				out = append(out, ip.Unmap())
			}
		}
	}
	return out
}

// IsRefusal reports whether err came from Policy.Control.
func IsRefusal(err error) bool { return errors.Is(err, ErrURLRefused) || errors.Is(err, ErrURLSelf) }
