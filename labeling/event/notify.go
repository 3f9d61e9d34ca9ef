package event

// The PostgreSQL wake-up's sending side. A NOTIFY queued inside a writing
// transaction makes its COMMIT take a lock that every notifying transaction
// on the server shares, held across the WAL flush: commits that would have
// shared one flush (group commit) then queue behind each other, and under
// many writers every transaction that writes an event pays for it. So the
// NOTIFY is sent after the commit, from outside the transaction: each
// process has one notifier per database, which coalesces the commits it
// hears about into one NOTIFY at a time, with synchronous_commit off (a lost
// wake-up costs a reader one fallback poll, never an event).

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// notifyIdle is how long a notifier's goroutine waits for work before it ends
// (the next commit starts it again).
const notifyIdle = 30 * time.Second

// notifiers holds one notifier per connection pool.
var notifiers sync.Map // *sql.DB → *notifier

// notifyAfterCommit arranges a NOTIFY once tx commits (PostgreSQL only;
// SQLite's readers are woken by OnAppended).
func notifyAfterCommit(tx *gorm.DB) {
	if !sqldb.IsPostgres(tx) {
		return
	}
	pool, err := tx.DB()
	if err != nil {
		return
	}
	v, _ := notifiers.LoadOrStore(pool, &notifier{pool: pool, kick: make(chan struct{}, 1)})
	n := v.(*notifier)
	// One poke per transaction, however many of its statements wrote events:
	// a second poke after the notifier took the first would send a second
	// NOTIFY for the same commit.
	sqldb.AfterCommitOnce(tx, n, n.poke)
}

// notifier sends NOTIFYs for one pool, one at a time.
type notifier struct {
	pool    *sql.DB
	kick    chan struct{}
	mu      sync.Mutex
	running bool
}

// poke asks for a NOTIFY; it never blocks.
func (n *notifier) poke() {
	select {
	case n.kick <- struct{}{}:
	default: // one is already due: it covers this commit too
	}
	n.mu.Lock()
	if !n.running {
		n.running = true
		go n.run()
	}
	n.mu.Unlock()
}

func (n *notifier) run() {
	idle := time.NewTimer(notifyIdle)
	defer idle.Stop()
	for {
		select {
		case <-n.kick:
			if err := n.send(); err != nil && n.pool.Ping() != nil {
				n.stop(true) // the pool is closed or gone: the next poke starts afresh
				return
			}
			idle.Reset(notifyIdle)
		case <-idle.C:
			if n.stop(false) {
				return
			}
			idle.Reset(notifyIdle)
		}
	}
}

// stop ends the goroutine unless a poke arrived meanwhile (and always when
// forced); forced also forgets the pool.
func (n *notifier) stop(forced bool) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !forced && len(n.kick) > 0 {
		return false
	}
	n.running = false
	if forced {
		notifiers.CompareAndDelete(n.pool, n)
	}
	return true
}

// send is one autocommitted statement: the NOTIFY, naming this schema (the
// listeners filter on it), committed without waiting for the WAL flush.
func (n *notifier) send() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := n.pool.ExecContext(ctx, "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, current_schema())", Channel)
	return err
}
