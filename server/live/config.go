package live

import (
	"context"
	"time"

	"copyhold/labeling/event/feed"
	"copyhold/labeling/member"
)

// Reader is everything the hub reads from the events table. It is the live
// layer's only way to the database; labeling/event's Store implements it.
type Reader interface {
	// After returns committed events with an id above after, oldest first.
	After(ctx context.Context, after int64, limit int) ([]feed.Event, error)
	// InScope returns one scope's committed events with after < id <= upTo, oldest first.
	InScope(ctx context.Context, scope string, after, upTo int64, limit int) ([]feed.Event, error)
	// ByID returns those of ids that have committed, oldest first.
	ByID(ctx context.Context, ids []int64) ([]feed.Event, error)
	// LastID is the highest committed id, 0 for none.
	LastID(ctx context.Context) (int64, error)
	// OldestDeliverableID is the lowest retained id a client may be sent,
	// and false when there is none.
	OldestDeliverableID(ctx context.Context) (int64, bool, error)

	// CommitsInOrder reports whether ids become visible in id order, so
	// that a gap below a committed id is final.
	CommitsInOrder() bool
	// GapProbe marks the present moment for WritersSince.
	GapProbe(ctx context.Context) (string, error)
	// WritersSince counts event writers begun at or before probe that are
	// still in flight: while there are any, a gap may yet fill.
	WritersSince(ctx context.Context, probe string) (int64, error)

	// Prune deletes deliverable events older than olderThan and says how many went.
	Prune(ctx context.Context, olderThan time.Duration) (int64, error)
}

// Members re-checks the credential a websocket was opened with, on every
// subscribe and every RecheckEvery: the member while it is live, an
// ErrUnauthenticated or ErrMemberInactive fault once it has ended.
type Members interface {
	CredentialMember(ctx context.Context, cred member.Credential) (member.Member, error)
}

// ProjectMembers says whether a member belongs to a project.
type ProjectMembers interface {
	IsProjectMember(ctx context.Context, projectID, memberID int64) (bool, error)
}

// LeaseHolders lists the members holding a live lease in a project, across
// every instance: the database half of presence.
type LeaseHolders interface {
	LeaseHolders(ctx context.Context, projectID int64) ([]int64, error)
}

// Config configures live delivery. Zero durations and sizes take the defaults shown.
type Config struct {
	Events   Reader         // required
	Members  Members        // required
	Projects ProjectMembers // required
	Leases   LeaseHolders   // required

	// Wake is the fan-out seam: a coalesced signal, carrying no data, that
	// events may have committed (labeling/event's Store.Listen gives one: a
	// PostgreSQL LISTEN that crosses instances, or an in-process hook on
	// SQLite). A NATS subject or a Redis channel would fit behind it too.
	// The events table stays the only source of truth, so a lost or
	// duplicated wake-up costs at most one extra read or one PollInterval,
	// never an event. Nil leaves delivery to the fallback poll.
	Wake <-chan struct{}

	PongWait      time.Duration // 60 s: a connection silent this long is dead
	PingPeriod    time.Duration // 54 s: must be below PongWait
	WriteWait     time.Duration // 10 s per frame write
	SendBuffer    int           // 256 queued frames, then the client is dropped as slow
	MaxFrameBytes int64         // 4 KB client frames; larger closes with 1009
	MaxChannels   int           // 64 subscriptions per connection
	MaxReplay     int           // 5000 events replayed on resume; more gets "reset"

	RecheckEvery      time.Duration // 30 s between re-checks of each socket's credential
	MaxConnsPerMember int           // 16 open sockets per member; more are refused with 429
	MaxConnsPerIP     int           // 256 open sockets per client address; more are refused with 429

	PollInterval time.Duration // 1 s fallback poll when no wake-up arrives
	BatchSize    int           // 500 events per read
	GapSettle    time.Duration // 20 ms before probing in-flight transactions at a gap
	GapWait      time.Duration // 2 s: the longest delivery is held at a gap

	Retention  time.Duration // 30 days of events kept for resume
	PruneEvery time.Duration // 1 h between prunes; negative disables pruning

	PresenceEvery  time.Duration // 500 ms: presence updates are batched this often
	LateCheckEvery time.Duration // 5 s: how often ids skipped at a gap are looked up again
}

func (c *Config) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	set(&c.PongWait, 60*time.Second)
	set(&c.PingPeriod, c.PongWait*9/10)
	set(&c.WriteWait, 10*time.Second)
	set(&c.PollInterval, time.Second)
	set(&c.GapSettle, 20*time.Millisecond)
	set(&c.GapWait, 2*time.Second)
	set(&c.Retention, 30*24*time.Hour)
	set(&c.PruneEvery, time.Hour)
	set(&c.PresenceEvery, 500*time.Millisecond)
	set(&c.LateCheckEvery, 5*time.Second)
	set(&c.RecheckEvery, 30*time.Second)
	setN := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	setN(&c.SendBuffer, 256)
	setN(&c.MaxChannels, 64)
	setN(&c.MaxReplay, 5000)
	setN(&c.BatchSize, 500)
	setN(&c.MaxConnsPerMember, 16)
	setN(&c.MaxConnsPerIP, 256)
	if c.MaxFrameBytes == 0 {
		c.MaxFrameBytes = 4096
	}
}
