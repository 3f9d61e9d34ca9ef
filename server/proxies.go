package server

import (
	"fmt"
	"net/netip"
	"strings"
)

// ParseTrustedProxies reads a comma-separated list of proxy addresses and
// CIDRs (--trusted-proxies); empty means none.
func ParseTrustedProxies(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return nil, fmt.Errorf("trusted proxy %q is neither an IP address nor a CIDR such as 10.0.0.0/8", p)
			}
		}
		out = append(out, p)
	}
	return out, nil
}
