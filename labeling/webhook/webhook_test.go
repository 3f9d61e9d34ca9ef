package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// The Standard Webhooks specification's published test vector.
func TestSignMatchesTheSpecificationVector(t *testing.T) {
	got, err := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	other, _ := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, []byte(`{"test": 2432232314}`))
	if other == got {
		t.Fatal("a different timestamp gave the same signature")
	}
}

func TestNewSecretIsWhsecBase64Of32Bytes(t *testing.T) {
	a, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSecret()
	if !strings.HasPrefix(a, "whsec_") || len(a) != len("whsec_")+44 || a == b {
		t.Fatalf("secrets %q, %q", a, b)
	}
	if _, err := Sign(a, "msg_1", 1, nil); err != nil {
		t.Fatal(err)
	}
}

func TestCheckURLRefusesInternalAndSelf(t *testing.T) {
	p := Policy{SelfHosts: []string{"copyhold.example"}, SelfPort: "8080", LocalAddrs: []netip.Addr{netip.MustParseAddr("203.0.113.7")}}
	dev := p
	dev.AllowLoopback = true
	cases := []struct {
		p    Policy
		url  string
		want error
	}{
		{p, "ftp://hooks.example/x", ErrURLScheme},
		{p, "file:///etc/passwd", ErrURLScheme},
		{p, "javascript:alert(1)", ErrURLScheme},
		{p, "http://", ErrInvalidEndpoint},
		{p, "http://user:pw@203.0.113.9/", ErrInvalidEndpoint},
		{p, "http://127.0.0.1:9000/hook", ErrURLRefused},
		{p, "http://localhost:9000/hook", ErrURLRefused},
		{p, "http://[::1]:9000/hook", ErrURLRefused},
		{p, "http://10.1.2.3/hook", ErrURLRefused},
		{p, "http://192.168.0.10/hook", ErrURLRefused},
		{p, "http://172.16.0.1/hook", ErrURLRefused},
		{p, "http://169.254.169.254/latest/meta-data", ErrURLRefused},
		{p, "http://[fe80::1]/hook", ErrURLRefused},
		{p, "http://[fd00::1]/hook", ErrURLRefused},
		{p, "http://0.0.0.0/hook", ErrURLRefused},
		{p, "http://100.64.0.1/hook", ErrURLRefused},
		{p, "http://[::ffff:127.0.0.1]/hook", ErrURLRefused},
		{p, "http://203.0.113.7:9000/hook", ErrURLRefused}, // this machine's own address
		{p, "https://copyhold.example/api/hook", ErrURLSelf},
		{p, "https://COPYHOLD.example./x", ErrURLSelf},
		{dev, "http://127.0.0.1:8080/hook", ErrURLSelf}, // loopback allowed, but not the server's own port
		{dev, "http://10.1.2.3/hook", ErrURLRefused},    // the dev setting opens loopback only
	}
	for _, c := range cases {
		_, err := c.p.CheckURL(context.Background(), c.url)
		if !errors.Is(err, c.want) {
			t.Errorf("%s (allow loopback %v): got %v, want %v", c.url, c.p.AllowLoopback, err, c.want)
		}
	}
	for _, ok := range []string{"https://93.184.215.14/hook", "http://203.0.113.9:8080/x?y=1"} {
		if _, err := p.CheckURL(context.Background(), ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	if _, err := dev.CheckURL(context.Background(), "http://127.0.0.1:9000/hook"); err != nil {
		t.Errorf("loopback with AllowLoopback refused: %v", err)
	}
}

// The check at dial time, after resolution: a client on a policy without
// the loopback setting cannot reach a loopback server, whatever the URL said.
func TestControlRefusesAtDialTime(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	defer ts.Close()
	dial := func(p Policy) error {
		d := &net.Dialer{Timeout: time.Second, Control: p.Control}
		c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
		resp, err := c.Get(ts.URL)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := dial(Policy{}); err == nil || !IsRefusal(err) {
		t.Fatalf("dial to %s: %v, want a refusal", ts.URL, err)
	}
	if err := dial(Policy{AllowLoopback: true}); err != nil {
		t.Fatalf("dial with AllowLoopback: %v", err)
	}
}

func TestNormalize(t *testing.T) {
	n, err := NewEndpoint{EventTypes: []string{"release.created", "snapshot.created", "release.created"}}.Normalize()
	if err != nil || strings.Join(n.EventTypes, ",") != "release.created,snapshot.created" {
		t.Fatalf("%v %v", n.EventTypes, err)
	}
	if _, err := (NewEndpoint{EventTypes: []string{"task.claimed"}}).Normalize(); !errors.Is(err, ErrUnknownType) {
		t.Fatalf("unknown type: %v", err)
	}
	if _, err := (NewEndpoint{}).Normalize(); !errors.Is(err, ErrUnknownType) {
		t.Fatalf("no types: %v", err)
	}
}
