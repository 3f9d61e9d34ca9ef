package server

import (
	"testing"
	"time"
)

// A bucket refills at its rate: a credential refused now is let in again
// once Retry-After has passed, and not before.
func TestCredentialLimiterRefills(t *testing.T) {
	l := newCredentialLimiter(RequestRate{PerMinute: 60, Burst: 2})
	now := time.Now()
	for i := range 2 {
		if ok, _ := l.take("token:1", now); !ok {
			t.Fatalf("request %d within the burst refused", i+1)
		}
	}
	ok, retry := l.take("token:1", now)
	if ok || retry <= 0 || retry > time.Second {
		t.Fatalf("past the burst: ok %v, retry %v (want up to 1s at 60 a minute)", ok, retry)
	}
	if ok, _ := l.take("token:1", now.Add(retry/2)); ok {
		t.Fatal("let in before Retry-After")
	}
	if ok, _ := l.take("token:1", now.Add(retry)); !ok {
		t.Fatal("refused after Retry-After")
	}
	if ok, _ := l.take("session:1", now); !ok {
		t.Fatal("a session shares a token's bucket")
	}
}
