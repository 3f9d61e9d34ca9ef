// Package store is outbound webhooks in SQL: endpoints, the fan-out cursor, the per-endpoint delivery queue and the attempt log; dialect.go holds the PostgreSQL/SQLite difference.
package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/page"
	"copyhold/labeling/sqldb"
	"copyhold/labeling/webhook"

	"gorm.io/gorm"
)

// Store reads and writes the webhook_* tables.
type Store struct {
	db    *gorm.DB
	clock sqldb.Clock
}

// New runs on db with the system clock (nil) or clock.
func New(db *gorm.DB, clock sqldb.Clock) *Store { return &Store{db: db, clock: clock} }

func (s *Store) now() time.Time { return s.clock.Now() }

func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return sqldb.InTx(sqldb.WithClock(ctx, s.clock), s.db, fn)
}

type endpointRow struct {
	ID             int64
	URL            string
	Description    string
	Secret         string
	EventTypes     string
	AfterEventID   int64
	CreatedBy      int64
	CreatedAt      time.Time
	DisabledAt     *time.Time
	DisabledReason string
	Pending        int64
}

func (r endpointRow) endpoint() webhook.Endpoint {
	return webhook.Endpoint{ID: r.ID, URL: r.URL, Description: r.Description, EventTypes: strings.Fields(r.EventTypes),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), DisabledAt: utc(r.DisabledAt), DisabledReason: r.DisabledReason, Pending: r.Pending}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Create registers an endpoint (URL already checked, request normalised)
// with its secret. It receives events committed after this moment.
func (s *Store) Create(ctx context.Context, actor int64, n webhook.NewEndpoint, secret string) (webhook.Endpoint, error) {
	var out webhook.Endpoint
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var count int64
		if err := tx.Raw(`SELECT COUNT(*) FROM webhook_endpoints`).Scan(&count).Error; err != nil {
			return err
		}
		if count >= webhook.MaxEndpoints {
			return webhook.ErrTooMany
		}
		last, err := event.NewStore(tx).LastID(ctx)
		if err != nil {
			return err
		}
		row := endpointRow{URL: n.URL, Description: n.Description, Secret: secret, EventTypes: strings.Join(n.EventTypes, " "),
			AfterEventID: last, CreatedBy: actor, CreatedAt: sqldb.Now(tx)}
		if err := tx.Raw(`INSERT INTO webhook_endpoints (url, description, secret, event_types, after_event_id, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, row.URL, row.Description, row.Secret, row.EventTypes, row.AfterEventID, row.CreatedBy, row.CreatedAt).
			Scan(&row.ID).Error; err != nil {
			return err
		}
		out = row.endpoint()
		out.Secret = secret
		return nil
	})
	return out, err
}

const endpointCols = `e.id, e.url, e.description, e.secret, e.event_types, e.after_event_id, e.created_by, e.created_at,
    e.disabled_at, e.disabled_reason,
    (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending') AS pending`

// List returns a page of endpoints, oldest first, without secrets.
func (s *Store) List(ctx context.Context, p page.Page) ([]webhook.Endpoint, error) {
	q, args := `SELECT `+endpointCols+` FROM webhook_endpoints e`, []any{}
	if p.After != nil {
		q, args = q+` WHERE e.id > ?`, append(args, p.After.ID)
	}
	q += ` ORDER BY e.id`
	if p.Limit > 0 {
		q, args = q+` LIMIT ?`, append(args, p.Limit)
	}
	var rows []endpointRow
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]webhook.Endpoint, len(rows))
	for i, r := range rows {
		out[i] = r.endpoint()
	}
	return out, nil
}

// Get returns one endpoint without its secret.
func (s *Store) Get(ctx context.Context, id int64) (webhook.Endpoint, error) {
	var rows []endpointRow
	if err := s.db.WithContext(ctx).Raw(`SELECT `+endpointCols+` FROM webhook_endpoints e WHERE e.id = ?`, id).Scan(&rows).Error; err != nil {
		return webhook.Endpoint{}, err
	}
	if len(rows) == 0 {
		return webhook.Endpoint{}, webhook.ErrNotFound
	}
	return rows[0].endpoint(), nil
}

// Delete removes an endpoint with its queue and attempt log.
func (s *Store) Delete(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM webhook_attempts WHERE endpoint_id = ?`, id).Error; err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM webhook_deliveries WHERE endpoint_id = ?`, id).Error; err != nil {
			return err
		}
		res := tx.Exec(`DELETE FROM webhook_endpoints WHERE id = ?`, id)
		if res.Error == nil && res.RowsAffected == 0 {
			return webhook.ErrNotFound
		}
		return res.Error
	})
}

// Enable turns a disabled endpoint back on: the message it stopped at, and
// those after it, are tried again from now with a fresh retry schedule.
func (s *Store) Enable(ctx context.Context, id int64) (webhook.Endpoint, error) {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = '' WHERE id = ?`, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return webhook.ErrNotFound
		}
		return tx.Exec(`UPDATE webhook_deliveries SET attempts = 0, next_attempt_at = ? WHERE endpoint_id = ? AND status = 'pending'`,
			sqldb.Now(tx), id).Error
	})
	if err != nil {
		return webhook.Endpoint{}, err
	}
	return s.Get(ctx, id)
}

type attemptRow struct {
	ID          int64
	EndpointID  int64
	DeliveryID  int64
	EventType   string
	Attempt     int
	StatusCode  int
	Error       string
	DurationMS  int64
	AttemptedAt time.Time
}

// Attempts lists an endpoint's attempts, newest first, with ids below
// before (0: from the newest), at most limit.
func (s *Store) Attempts(ctx context.Context, endpointID, before int64, limit int) ([]webhook.Attempt, error) {
	if _, err := s.Get(ctx, endpointID); err != nil {
		return nil, err
	}
	q := `SELECT a.id, a.endpoint_id, a.delivery_id, d.event_type, a.attempt, a.status_code, a.error, a.duration_ms, a.attempted_at
FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
WHERE a.endpoint_id = ?`
	args := []any{endpointID}
	if before > 0 {
		q += ` AND a.id < ?`
		args = append(args, before)
	}
	q += ` ORDER BY a.id DESC LIMIT ?`
	args = append(args, limit)
	var rows []attemptRow
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]webhook.Attempt, len(rows))
	for i, r := range rows {
		out[i] = webhook.Attempt{ID: r.ID, EndpointID: r.EndpointID, DeliveryID: r.DeliveryID, MessageID: webhook.MessageID(r.DeliveryID),
			EventType: r.EventType, Attempt: r.Attempt, StatusCode: r.StatusCode, Error: r.Error, DurationMS: r.DurationMS, AttemptedAt: r.AttemptedAt.UTC()}
	}
	return out, nil
}

// Prune deletes delivered messages (and their attempts) delivered before
// olderThan ago, and says how many went.
func (s *Store) Prune(ctx context.Context, olderThan time.Duration) (int64, error) {
	if olderThan <= 0 {
		return 0, errors.New("prune webhooks: the retention window must be positive")
	}
	cutoff := s.now().Add(-olderThan)
	var n int64
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM webhook_attempts WHERE delivery_id IN (
    SELECT id FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < ?)`, cutoff).Error; err != nil {
			return err
		}
		res := tx.Exec(`DELETE FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < ?`, cutoff)
		n = res.RowsAffected
		return res.Error
	})
	return n, err
}
