package server

import (
	"fmt"
	"sync"
	"time"

	"copyhold/labeling/fault"
	"copyhold/labeling/member"

	"golang.org/x/time/rate"

	"github.com/gin-gonic/gin"
)

// RequestRate is the budget of requests of each credential (a session or an
// API token): a token bucket refilled at PerMinute and holding Burst. It is
// kept in memory, so with several `copyhold serve` behind one balancer each
// instance grants its own budget (docs/API.md, "Rate limits").
type RequestRate struct {
	PerMinute int
	Burst     int
}

// The default lets the browser app load a page of follow-up lists at once
// and a script run at 20 requests a second.
const (
	defaultRatePerMinute = 1200
	defaultRateBurst     = 200
)

func (r *RequestRate) defaults() {
	if r.PerMinute <= 0 {
		r.PerMinute = defaultRatePerMinute
	}
	if r.Burst <= 0 {
		r.Burst = defaultRateBurst
	}
}

// credentialLimiter holds one bucket per credential.
type credentialLimiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// bucketIdle: a bucket unused this long has refilled and can be forgotten.
const bucketIdle = 10 * time.Minute

func newCredentialLimiter(r RequestRate) *credentialLimiter {
	return &credentialLimiter{every: rate.Limit(float64(r.PerMinute) / 60), burst: r.Burst, buckets: map[string]*bucket{}}
}

// take spends one request of key's budget; when it is spent, it says how
// long until the next request is allowed.
func (l *credentialLimiter) take(key string, now time.Time) (ok bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buckets) > 100_000 {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > bucketIdle {
				delete(l.buckets, k)
			}
		}
	}
	b, found := l.buckets[key]
	if !found {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// errRequestRate is the 429 of a credential over its budget.
var errRequestRate = fault.ErrRateLimited.With("too many requests with this session or API token; wait Retry-After seconds")

// limitCredential spends a request of the caller's credential, or answers
// 429 rate_limited with Retry-After. Anonymous requests pass: the routes
// they reach (login, invites, the public register) have their own limits
// or are cheap reads.
func (s *Server) limitCredential(c *gin.Context, cred member.Credential) bool {
	if cred.ID == 0 {
		return true
	}
	ok, retry := s.credLimits.take(fmt.Sprintf("%s:%d", cred.Kind, cred.ID), time.Now())
	if !ok {
		tooMany(c, retry, errRequestRate)
		return false
	}
	return true
}
