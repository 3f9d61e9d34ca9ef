package event

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// Store reads the events table for the live layer: what committed after a
// sequence, what a resuming client missed, whether a gap in ids can still
// fill (dialect.go), and retention. Writers do not use it: they append with
// Append inside their own transaction.
type Store struct{ db *gorm.DB }

// NewStore reads events through db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// After returns committed events with a sequence above after, oldest first.
func (s *Store) After(ctx context.Context, after int64, limit int) ([]Event, error) {
	var rows []eventRow
	if err := s.db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	return toEvents(rows), nil
}

// InScope returns committed events of one scope with after < id <= upTo,
// oldest first: what a resuming websocket client missed.
func (s *Store) InScope(ctx context.Context, scope string, after, upTo int64, limit int) ([]Event, error) {
	var rows []eventRow
	err := s.db.WithContext(ctx).Where("scope = ? AND id > ? AND id <= ?", scope, after, upTo).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	return toEvents(rows), nil
}

// ByID returns those of ids that exist now, oldest first. The hub uses
// it to notice an id it gave up on that committed late.
func (s *Store) ByID(ctx context.Context, ids []int64) ([]Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []eventRow
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return toEvents(rows), nil
}

// LastID is the highest event id committed so far (0 for none).
func (s *Store) LastID(ctx context.Context) (int64, error) {
	var id *int64
	if err := s.db.WithContext(ctx).Raw("SELECT MAX(id) FROM events").Scan(&id).Error; err != nil {
		return 0, err
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// OldestDeliverableID is the lowest retained event id outside the audit
// scope, and false when there is none. A client resuming from a sequence
// below it minus one may have missed pruned events.
func (s *Store) OldestDeliverableID(ctx context.Context) (int64, bool, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Raw("SELECT id FROM events WHERE scope <> ? ORDER BY id LIMIT 1", AuditScope).Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		return 0, false, err
	}
	return ids[0], true, nil
}

// Prune deletes delivered-event history older than olderThan, in
// batches so neither database holds a long lock. Audit events stay. The
// events table is the live-delivery outbox and resume window, not the
// ledger: ledger history lives in its own hash-chained log, so pruning loses
// no ledger data. It returns how many rows went.
func (s *Store) Prune(ctx context.Context, olderThan time.Duration) (int64, error) {
	if olderThan <= 0 {
		return 0, errors.New("prune events: the retention window must be positive")
	}
	cutoff := time.Now().UTC().Add(-olderThan)
	var total int64
	for {
		res := s.db.WithContext(ctx).Exec(`DELETE FROM events WHERE id IN (
    SELECT id FROM events WHERE created_at < ? AND scope <> ? ORDER BY id LIMIT 5000)`, cutoff, AuditScope)
		if res.Error != nil {
			return total, fmt.Errorf("prune events: %w", res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < 5000 {
			return total, nil
		}
	}
}

// Happened is when an event of a type was committed.
type Happened struct {
	Type string
	At   time.Time
}

// Recent returns when events of scope with one of types were committed
// since since, the limit newest of them, oldest first (a project's recent
// activity for its progress chart). It reads inside the caller's tx.
func Recent(tx *gorm.DB, scope string, types []string, since time.Time, limit int) ([]Happened, error) {
	out := []Happened{}
	if err := tx.Raw(`SELECT type, created_at AS at FROM events
WHERE scope = ? AND type IN ? AND created_at >= ? ORDER BY id DESC LIMIT ?`, scope, types, since, limit).Scan(&out).Error; err != nil {
		return nil, err
	}
	slices.Reverse(out)
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}
