package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimiter throttles login attempts per account and per client IP, so a
// guesser can neither hammer one account nor spray many from one address.
type loginLimiter struct {
	mu       sync.Mutex
	accounts map[string]*limitEntry
	ips      map[string]*limitEntry
	perAcct  rate.Limit
	acctB    int
	perIP    rate.Limit
	ipB      int
}

type limitEntry struct {
	lim      *rate.Limiter
	seen     time.Time
	reported bool
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{
		accounts: map[string]*limitEntry{}, ips: map[string]*limitEntry{},
		perAcct: rate.Every(12 * time.Second), acctB: 5, // 5 at once, then 5 a minute
		perIP: rate.Every(3 * time.Second), ipB: 20, // 20 at once, then 20 a minute
	}
}

// allow spends one attempt for login and ip. It reports whether the attempt
// may go ahead and, the first time a key trips, that a burst should be recorded.
func (l *loginLimiter) allow(login, ip string) (ok bool, burst bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.accounts)+len(l.ips) > 100_000 {
		l.sweep(now)
	}
	a := entry(l.accounts, login, l.perAcct, l.acctB, now)
	i := entry(l.ips, ip, l.perIP, l.ipB, now)
	ra, ri := a.lim.ReserveN(now, 1), i.lim.ReserveN(now, 1)
	if ra.DelayFrom(now) == 0 && ri.DelayFrom(now) == 0 {
		a.reported, i.reported = false, false
		return true, false, 0
	}
	retry = max(ra.DelayFrom(now), ri.DelayFrom(now))
	ra.CancelAt(now)
	ri.CancelAt(now)
	burst = !a.reported || !i.reported
	a.reported, i.reported = true, true
	return false, burst, retry
}

func entry(m map[string]*limitEntry, key string, r rate.Limit, b int, now time.Time) *limitEntry {
	e, ok := m[key]
	if !ok {
		e = &limitEntry{lim: rate.NewLimiter(r, b)}
		m[key] = e
	}
	e.seen = now
	return e
}

// sweep forgets keys idle long enough to have refilled.
func (l *loginLimiter) sweep(now time.Time) {
	for _, m := range []map[string]*limitEntry{l.accounts, l.ips} {
		for k, e := range m {
			if now.Sub(e.seen) > 10*time.Minute {
				delete(m, k)
			}
		}
	}
}
