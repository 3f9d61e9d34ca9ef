package store

// The delivery queue: the fan-out turns committed events into one row per
// subscribed endpoint, workers claim each endpoint's oldest pending row, and
// the result of every attempt is logged and fenced on the claim's token.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/event/feed"
	"copyhold/labeling/sqldb"
	"copyhold/labeling/webhook"

	"gorm.io/gorm"
)

// ErrCursorMoved says another instance fanned out the same events first.
var ErrCursorMoved = errors.New("webhook fan-out: the cursor moved; another instance got there first")

// Cursor is the last event id turned into deliveries.
func (s *Store) Cursor(ctx context.Context) (int64, error) {
	var id int64
	err := s.db.WithContext(ctx).Raw(`SELECT event_id FROM webhook_cursor WHERE id = 1`).Scan(&id).Error
	return id, err
}

type target struct {
	ID           int64
	EventTypes   string
	AfterEventID int64
}

// Fanout queues, for each event in evs (committed, in id order, all above
// from), a delivery to every enabled endpoint subscribed to the message it
// makes, and moves the cursor from from to upTo. Moving the cursor is the
// first statement and is conditional, so two instances reading the same
// events fan them out once: the loser gets ErrCursorMoved and nothing is
// written. review.decided events join the endpoint's newest delivery while
// that one is the same project's gathering batch and not yet due; window is
// how long a batch gathers.
func (s *Store) Fanout(ctx context.Context, from, upTo int64, evs []feed.Event, window time.Duration) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE webhook_cursor SET event_id = ? WHERE id = 1 AND event_id = ?`, upTo, from)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrCursorMoved
		}
		var targets []target
		if err := tx.Raw(`SELECT id, event_types, after_event_id FROM webhook_endpoints WHERE disabled_at IS NULL ORDER BY id`).
			Scan(&targets).Error; err != nil || len(targets) == 0 {
			return err
		}
		now := sqldb.Now(tx)
		for _, e := range evs {
			msg, ok, err := webhook.FromEvent(e)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			for _, t := range targets {
				if e.ID <= t.AfterEventID || !slices.Contains(strings.Fields(t.EventTypes), msg.Type) {
					continue
				}
				if err := s.queue(tx, t.ID, e, msg, now, window); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

type batchRow struct {
	ID            int64
	EventType     string
	BatchKey      string
	Body          string
	Attempts      int
	NextAttemptAt time.Time
	LockToken     string
}

// queue adds one message for one endpoint, or gathers it into a batch.
func (s *Store) queue(tx *gorm.DB, endpointID int64, e feed.Event, msg webhook.Message, now time.Time, window time.Duration) error {
	if msg.BatchKey != "" {
		var last []batchRow
		if err := tx.Raw(`SELECT id, event_type, batch_key, body, attempts, next_attempt_at, lock_token FROM webhook_deliveries
WHERE endpoint_id = ? AND status = 'pending' ORDER BY id DESC LIMIT 1`, endpointID).Scan(&last).Error; err != nil {
			return err
		}
		if len(last) == 1 && last[0].BatchKey == msg.BatchKey && last[0].Attempts == 0 && last[0].LockToken == "" &&
			last[0].NextAttemptAt.After(now) {
			body, err := webhook.MergeDecision([]byte(last[0].Body), e)
			if err != nil {
				return err
			}
			res := tx.Exec(`UPDATE webhook_deliveries SET body = ?, event_id = ? WHERE id = ? AND lock_token = '' AND attempts = 0`,
				string(body), e.ID, last[0].ID)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				return nil
			}
		}
	}
	// Anything queued after a gathering batch releases it now, so the
	// endpoint's order holds without waiting for the window.
	if err := tx.Exec(`UPDATE webhook_deliveries SET next_attempt_at = ?
WHERE endpoint_id = ? AND status = 'pending' AND attempts = 0 AND lock_token = '' AND next_attempt_at > ?`, now, endpointID, now).Error; err != nil {
		return err
	}
	due := now
	if msg.BatchKey != "" {
		due = now.Add(window)
	}
	return tx.Exec(`INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, batch_key, body, next_attempt_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`, endpointID, e.ID, msg.Type, msg.BatchKey, string(msg.Body), due, now).Error
}

// Claimed is a delivery a worker holds until its lease ends.
type Claimed struct {
	ID         int64
	EndpointID int64
	URL        string
	Secret     string
	EventType  string
	Body       string
	Attempts   int
	CreatedBy  int64
	Token      string
}

// Claim takes up to n due deliveries, each the oldest pending one of its
// enabled endpoint and not held by another worker, and holds them for
// lease. An endpoint's next message waits until the one before it is
// delivered, so each endpoint receives its events in order, one at a time.
func (s *Store) Claim(ctx context.Context, n int, lease time.Duration) ([]Claimed, error) {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, err
	}
	token := hex.EncodeToString(tok)
	var out []Claimed
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := sqldb.Now(tx)
		var ids []int64
		if err := tx.Raw(claimSQL(tx), map[string]any{"now": now, "lease": now.Add(lease), "token": token, "n": n}).
			Scan(&ids).Error; err != nil || len(ids) == 0 {
			return err
		}
		return tx.Raw(`SELECT d.id, d.endpoint_id, e.url, e.secret, d.event_type, d.body, d.attempts, e.created_by, d.lock_token AS token
FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id IN ? ORDER BY d.id`, ids).Scan(&out).Error
	})
	return out, err
}

// Result is how one attempt went.
type Result struct {
	StatusCode int
	Error      string
	Duration   time.Duration
	At         time.Time
}

// Outcome is what happens to a delivery after an attempt.
type Outcome struct {
	Delivered bool
	// RetryAt is when a failed delivery is tried again.
	RetryAt time.Time
	// Disable stops the endpoint (the retry schedule is spent) with this
	// reason, and tells the coordinator who registered it.
	Disable string
}

// Finish logs the attempt and, if c still holds its delivery, applies the
// outcome. It reports false when the claim had been lost (its lease ran out
// and another worker took the delivery): the attempt is logged either way.
func (s *Store) Finish(ctx context.Context, c Claimed, r Result, o Outcome) (bool, error) {
	held := false
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := sqldb.Now(tx)
		// The endpoint may have been deleted while the attempt ran: then
		// there is nothing left to log it against.
		if err := tx.Exec(`INSERT INTO webhook_attempts (delivery_id, endpoint_id, attempt, status_code, error, duration_ms, attempted_at)
SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = ?)`,
			c.ID, c.EndpointID, c.Attempts+1, r.StatusCode, clip(r.Error, 500), r.Duration.Milliseconds(), r.At, c.ID).Error; err != nil {
			return err
		}
		var res *gorm.DB
		switch {
		case o.Delivered:
			res = tx.Exec(`UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?,
    locked_until = NULL, lock_token = '' WHERE id = ? AND lock_token = ?`, now, c.ID, c.Token)
		default:
			next := o.RetryAt
			if o.Disable != "" {
				next = now
			}
			res = tx.Exec(`UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?,
    locked_until = NULL, lock_token = '' WHERE id = ? AND lock_token = ?`, next, c.ID, c.Token)
		}
		if res.Error != nil {
			return res.Error
		}
		held = res.RowsAffected == 1
		if !held || o.Disable == "" {
			return nil
		}
		res = tx.Exec(`UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ? WHERE id = ? AND disabled_at IS NULL`,
			now, clip(o.Disable, 500), c.EndpointID)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return event.Append(tx, "webhook.disabled", event.MemberScope(c.CreatedBy), nil, map[string]any{
			"endpoint_id": c.EndpointID, "url": c.URL, "reason": clip(o.Disable, 500), "message_id": webhook.MessageID(c.ID)})
	})
	return held, err
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// NextDue is when the earliest pending delivery of an enabled endpoint is
// due (the zero time when none is pending).
func (s *Store) NextDue(ctx context.Context) (time.Time, error) {
	var at []time.Time
	err := s.db.WithContext(ctx).Raw(`SELECT d.next_attempt_at FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
WHERE d.status = 'pending' AND e.disabled_at IS NULL ORDER BY d.next_attempt_at LIMIT 1`).Scan(&at).Error
	if err != nil || len(at) == 0 {
		return time.Time{}, err
	}
	return at[0], nil
}
