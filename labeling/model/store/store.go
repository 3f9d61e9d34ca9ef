// Package store is model endpoints in SQL (the model_* tables): their
// settings, the sealed API key and what the last probe found; dialect.go
// holds what differs between PostgreSQL and SQLite.
package store

import (
	"context"
	"encoding/json"
	"time"

	"copyhold/labeling/event"
	"copyhold/labeling/model"
	"copyhold/labeling/page"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// Event types, on the coordinators' channel. Payloads carry the endpoint
// without its key (model.Endpoint never holds one).
const (
	EventCreated = "model_endpoint.created"
	EventUpdated = "model_endpoint.updated"
	EventDeleted = "model_endpoint.deleted"
	EventProbed  = "model_endpoint.probed"
)

// Store reads and writes the model_* tables.
type Store struct {
	db    *gorm.DB
	clock sqldb.Clock
}

// New runs on db with the system clock (nil) or clock.
func New(db *gorm.DB, clock sqldb.Clock) *Store { return &Store{db: db, clock: clock} }

func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return sqldb.InTx(sqldb.WithClock(ctx, s.clock), s.db, fn)
}

// Sealed is an endpoint with its sealed key (the service opens it).
type Sealed struct {
	model.Endpoint
	KeyCipher string
}

type row struct {
	ID           int64
	Name         string
	BaseURL      string
	Model        string
	KeyEnv       string
	KeyCipher    string
	Params       string
	Concurrency  int
	PerMinute    int
	Capabilities string
	CreatedAt    time.Time
}

func (r row) sealed() Sealed {
	ep := model.Endpoint{ID: r.ID, Name: r.Name, BaseURL: r.BaseURL, Model: r.Model, KeyEnv: r.KeyEnv, HasKey: r.KeyCipher != "",
		Concurrency: r.Concurrency, PerMinute: r.PerMinute, CreatedAt: r.CreatedAt.UTC()}
	_ = json.Unmarshal([]byte(r.Params), &ep.Params)
	_ = json.Unmarshal([]byte(r.Capabilities), &ep.Caps)
	return Sealed{Endpoint: ep, KeyCipher: r.KeyCipher}
}

const cols = `id, name, base_url, model, key_env, key_cipher, params, concurrency, per_minute, capabilities, created_at`

func encode(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Create stores a new endpoint (already validated) with its sealed key.
func (s *Store) Create(ctx context.Context, actor int64, ep model.Endpoint, keyCipher string) (model.Endpoint, error) {
	var out model.Endpoint
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var count int64
		if err := tx.Raw(`SELECT COUNT(*) FROM model_endpoints`).Scan(&count).Error; err != nil {
			return err
		}
		if count >= model.MaxEndpoints {
			return model.ErrTooMany
		}
		if err := nameFree(tx, ep.Name, 0); err != nil {
			return err
		}
		now := sqldb.Now(tx)
		var id int64
		if err := tx.Raw(`INSERT INTO model_endpoints (name, base_url, model, key_env, key_cipher, params, concurrency, per_minute, capabilities, created_by, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?) RETURNING id`, ep.Name, ep.BaseURL, ep.Model, ep.KeyEnv, keyCipher, encode(ep.Params),
			ep.Concurrency, ep.PerMinute, actor, now, now).Scan(&id).Error; err != nil {
			return err
		}
		got, err := get(tx, id)
		if err != nil {
			return err
		}
		out = got.Endpoint
		return event.Append(tx, EventCreated, event.CoordinatorScope, &actor, out)
	})
	return out, err
}

func nameFree(tx *gorm.DB, name string, except int64) error {
	var n int64
	if err := tx.Raw(`SELECT COUNT(*) FROM model_endpoints WHERE name = ? AND id <> ?`, name, except).Scan(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return model.ErrNameTaken
	}
	return nil
}

func get(tx *gorm.DB, id int64) (Sealed, error) {
	var rows []row
	if err := tx.Raw(`SELECT `+cols+` FROM model_endpoints WHERE id = ?`+forUpdate(tx), id).Scan(&rows).Error; err != nil {
		return Sealed{}, err
	}
	if len(rows) == 0 {
		return Sealed{}, model.ErrNotFound
	}
	return rows[0].sealed(), nil
}

// Get returns an endpoint with its sealed key.
func (s *Store) Get(ctx context.Context, id int64) (Sealed, error) {
	return getPlain(s.db.WithContext(ctx), id)
}

func getPlain(tx *gorm.DB, id int64) (Sealed, error) {
	var rows []row
	if err := tx.Raw(`SELECT `+cols+` FROM model_endpoints WHERE id = ?`, id).Scan(&rows).Error; err != nil {
		return Sealed{}, err
	}
	if len(rows) == 0 {
		return Sealed{}, model.ErrNotFound
	}
	return rows[0].sealed(), nil
}

// List returns a page of endpoints, oldest first, without keys.
func (s *Store) List(ctx context.Context, p page.Page) ([]model.Endpoint, error) {
	q, args := `SELECT `+cols+` FROM model_endpoints`, []any{}
	if p.After != nil {
		q, args = q+` WHERE id > ?`, append(args, p.After.ID)
	}
	q += ` ORDER BY id`
	if p.Limit > 0 {
		q, args = q+` LIMIT ?`, append(args, p.Limit)
	}
	var rows []row
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]model.Endpoint, len(rows))
	for i, r := range rows {
		out[i] = r.sealed().Endpoint
	}
	return out, nil
}

// Update loads the endpoint under a row lock, lets change edit it (and its
// sealed key), and writes it back with an event.
func (s *Store) Update(ctx context.Context, actor int64, id int64, change func(*Sealed) error) (model.Endpoint, error) {
	var out model.Endpoint
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		cur, err := get(tx, id)
		if err != nil {
			return err
		}
		if err := change(&cur); err != nil {
			return err
		}
		if err := nameFree(tx, cur.Name, id); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE model_endpoints SET name = ?, base_url = ?, model = ?, key_env = ?, key_cipher = ?, params = ?,
    concurrency = ?, per_minute = ?, updated_at = ? WHERE id = ?`, cur.Name, cur.BaseURL, cur.Model, cur.KeyEnv, cur.KeyCipher,
			encode(cur.Params), cur.Concurrency, cur.PerMinute, sqldb.Now(tx), id).Error; err != nil {
			return err
		}
		got, err := get(tx, id)
		if err != nil {
			return err
		}
		out = got.Endpoint
		return event.Append(tx, EventUpdated, event.CoordinatorScope, &actor, out)
	})
	return out, err
}

// SetCapabilities records what a probe found (actor nil: the server did).
func (s *Store) SetCapabilities(ctx context.Context, actor *int64, id int64, caps model.Capabilities) (model.Endpoint, error) {
	var out model.Endpoint
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE model_endpoints SET capabilities = ?, probed_at = ? WHERE id = ?`, encode(caps), caps.ProbedAt, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return model.ErrNotFound
		}
		got, err := get(tx, id)
		if err != nil {
			return err
		}
		out = got.Endpoint
		return event.Append(tx, EventProbed, event.CoordinatorScope, actor, map[string]any{"id": id, "name": out.Name, "capabilities": caps})
	})
	return out, err
}

// Delete removes an endpoint; releases that named it name none.
func (s *Store) Delete(ctx context.Context, actor int64, id int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		cur, err := get(tx, id)
		if err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM model_endpoints WHERE id = ?`, id).Error; err != nil {
			return err
		}
		return event.Append(tx, EventDeleted, event.CoordinatorScope, &actor, map[string]any{"id": id, "name": cur.Name})
	})
}
