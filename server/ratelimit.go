package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// failureLimiter throttles failed attempts at a secret (a login, a current
// password) per key of each of its kinds: per account and per client
// address for logins, so a guesser can neither hammer one account nor spray
// many from one address. An attempt spends a token of each key up front, so
// parallel guesses cannot overrun the burst; a success hands them back, so
// only failures count.
type failureLimiter struct {
	mu    sync.Mutex
	kinds []*limitKind
}

type limitKind struct {
	name    string
	every   rate.Limit
	burst   int
	entries map[string]*limitEntry
}

type limitEntry struct {
	lim      *rate.Limiter
	seen     time.Time
	failures int // since the key was last idle for failureWindow
	lastFail time.Time
	reported bool
}

// failureWindow: failures further apart than this start a new count.
const failureWindow = 10 * time.Minute

func limitOf(name string, every time.Duration, burst int) *limitKind {
	return &limitKind{name: name, every: rate.Every(every), burst: burst, entries: map[string]*limitEntry{}}
}

func newFailureLimiter(kinds ...*limitKind) *failureLimiter { return &failureLimiter{kinds: kinds} }

// newLoginLimiter: 5 failures at once per account, then 5 a minute; 20 at
// once per address, then 20 a minute.
func newLoginLimiter() *failureLimiter {
	return newFailureLimiter(limitOf("account", 12*time.Second, 5), limitOf("ip", 3*time.Second, 20))
}

// newPasswordLimiter: 5 wrong current passwords at once per member, then 5 a minute.
func newPasswordLimiter() *failureLimiter {
	return newFailureLimiter(limitOf("member", 12*time.Second, 5))
}

// trip is a limit that just refused its first attempt: worth a line on the
// audit trail.
type trip struct {
	limit    string
	failures int
}

// attempt is a try in progress, holding one token of each key.
type attempt struct {
	l       *failureLimiter
	at      time.Time
	entries []*limitEntry
	res     []*rate.Reservation
}

// begin spends one attempt for keys (one per kind, in order). When any key
// is spent out it refuses, with how long to wait and, the first time that
// key trips since it last let an attempt through, the trip to record.
func (l *failureLimiter) begin(keys ...string) (a *attempt, ok bool, retry time.Duration, tripped *trip) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	l.sweep(now)
	a = &attempt{l: l, at: now}
	for i, k := range l.kinds {
		e := k.entry(keys[i], now)
		a.entries = append(a.entries, e)
		a.res = append(a.res, e.lim.ReserveN(now, 1))
	}
	for i, r := range a.res {
		if d := r.DelayFrom(now); d > 0 {
			retry = max(retry, d)
			if e := a.entries[i]; !e.reported && tripped == nil {
				e.reported = true
				tripped = &trip{limit: l.kinds[i].name, failures: e.failures}
			}
		}
	}
	if retry > 0 {
		for _, r := range a.res {
			r.CancelAt(now)
		}
		return nil, false, retry, tripped
	}
	for _, e := range a.entries {
		e.reported = false
	}
	return a, true, 0, nil
}

// succeeded hands the attempt's tokens back: successes do not count.
func (a *attempt) succeeded() {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	for _, r := range a.res {
		r.CancelAt(a.at) // at the reservation's own time: rate only refunds reservations not yet due
	}
}

// failed keeps the tokens spent and counts the failure on every key.
func (a *attempt) failed() {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	now := time.Now()
	for _, e := range a.entries {
		if now.Sub(e.lastFail) > failureWindow {
			e.failures = 0
		}
		e.failures++
		e.lastFail = now
	}
}

func (k *limitKind) entry(key string, now time.Time) *limitEntry {
	e, ok := k.entries[key]
	if !ok {
		e = &limitEntry{lim: rate.NewLimiter(k.every, k.burst)}
		k.entries[key] = e
	}
	e.seen = now
	return e
}

// sweep forgets keys idle long enough to have refilled, once the maps grow.
func (l *failureLimiter) sweep(now time.Time) {
	n := 0
	for _, k := range l.kinds {
		n += len(k.entries)
	}
	if n <= 100_000 {
		return
	}
	for _, k := range l.kinds {
		for key, e := range k.entries {
			if now.Sub(e.seen) > failureWindow {
				delete(k.entries, key)
			}
		}
	}
}
