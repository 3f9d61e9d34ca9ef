package main

import (
	"io"
	"slices"
	"testing"
	"time"

	"copyhold/server"
	"copyhold/server/live"
)

// Findings 2, 5 and 15: serve's security settings, from flags or the
// environment; no proxy is trusted unless one is named.
func TestServeLimits(t *testing.T) {
	parse := func(vars map[string]string, args ...string) (server.Config, live.Config, error) {
		e := &env{getenv: getenvFrom(vars), stderr: io.Discard}
		var l serveLimits
		fs := newFlags("serve", "test", e)
		bindServeLimits(fs, e, &l)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		var sc server.Config
		var hc live.Config
		return sc, hc, l.apply(&sc, &hc)
	}
	sc, hc, err := parse(nil)
	if err != nil || sc.TrustedProxies != nil || hc.MaxConnsPerMember != 16 || hc.MaxConnsPerIP != 256 || hc.RecheckEvery != 30*time.Second || sc.Timeouts.Read != 30*time.Second ||
		sc.RequestRate != (server.RequestRate{PerMinute: 1200, Burst: 200}) {
		t.Fatalf("defaults: %+v %+v %v", sc, hc, err)
	}
	sc, hc, err = parse(map[string]string{"COPYHOLD_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.10", "COPYHOLD_WS_MAX_PER_IP": "5", "COPYHOLD_RATE_LIMIT": "60"},
		"--ws-max-per-member", "3", "--read-timeout", "5s", "--rate-burst", "7")
	if err != nil || !slices.Equal(sc.TrustedProxies, []string{"10.0.0.0/8", "192.168.1.10"}) || hc.MaxConnsPerIP != 5 || hc.MaxConnsPerMember != 3 || sc.Timeouts.Read != 5*time.Second ||
		sc.RequestRate != (server.RequestRate{PerMinute: 60, Burst: 7}) {
		t.Fatalf("set: %+v %+v %v", sc.TrustedProxies, hc, err)
	}
	if _, _, err := parse(nil, "--rate-limit", "0"); err == nil {
		t.Fatal("a rate limit of 0 was accepted")
	}
	if _, _, err := parse(nil, "--trusted-proxies", "everyone"); err == nil {
		t.Fatal("a trusted proxy that is no address was accepted")
	}
}
