package gen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"copyhold/labeling/model"
)

// Action is what happens to a unit after a failed attempt.
type Action int

const (
	Retry   Action = iota + 1 // try again after Backoff
	Skip                      // give up on this unit; record the reason; its source gets no item
	FailJob                   // nothing will work (bad key, bad URL): stop the whole job
)

// Policy bounds retries. Zero values take the defaults.
type Policy struct {
	MaxAttempts        int           // 5: attempts for 429, 5xx, timeouts and unreachable servers
	MaxInvalidAttempts int           // 3: attempts for answers that are not usable
	Base               time.Duration // 2 s: the first backoff
	Cap                time.Duration // 5 min: the longest backoff
}

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.MaxInvalidAttempts <= 0 {
		p.MaxInvalidAttempts = 3
	}
	if p.Base <= 0 {
		p.Base = 2 * time.Second
	}
	if p.Cap <= 0 {
		p.Cap = 5 * time.Minute
	}
	return p
}

// Decide says what to do after attempt number attempts (1 for the first) failed with err, and the
// reason to record.
func (p Policy) Decide(err error, attempts int) (Action, string) {
	p = p.withDefaults()
	reason := err.Error()
	switch {
	case errors.Is(err, model.ErrAuth), errors.Is(err, model.ErrURLScheme), errors.Is(err, model.ErrURLSelf),
		errors.Is(err, model.ErrInvalidEndpoint), errors.Is(err, model.ErrNotFound):
		return FailJob, reason
	case errors.Is(err, model.ErrBadResponse), errors.Is(err, ErrInvalidOutput):
		if attempts >= p.MaxInvalidAttempts {
			return Skip, fmt.Sprintf("invalid output after %d attempts: %s", attempts, reason)
		}
		return Retry, reason
	}
	// 429, 5xx, timeouts, unreachable, and anything unforeseen.
	if attempts >= p.MaxAttempts {
		return Skip, fmt.Sprintf("gave up after %d attempts: %s", attempts, reason)
	}
	return Retry, reason
}

// Backoff is the pause before attempt number attempts+1: exponential from Base, capped, with full
// jitter over its upper half. A Retry-After the server sent (carried by model.RetryAfter) is a floor:
// the pause is never shorter, plus up to a tenth more so that waiting workers do not return at once.
func (p Policy) Backoff(err error, attempts int, rnd *rand.Rand) time.Duration {
	p = p.withDefaults()
	d := p.Base
	for i := 1; i < attempts && d < p.Cap; i++ {
		d *= 2
	}
	d = min(d, p.Cap)
	d = d/2 + time.Duration(rnd.Int64N(int64(d/2)+1))
	var ra *model.RetryAfter
	if errors.As(err, &ra) && ra.Delay > 0 {
		floor := ra.Delay + time.Duration(rnd.Int64N(int64(ra.Delay/10)+1))
		d = max(d, floor)
	}
	return d
}
