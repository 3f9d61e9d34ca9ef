package store

// Everything in this package that differs between SQLite and PostgreSQL.
//
// The claim is the job-queue pattern the labelling store uses for tasks
// (River's): on PostgreSQL one statement picks the due rows with
// FOR UPDATE SKIP LOCKED and marks them held, so workers on several
// instances step past each other's rows and never take the same one; on
// SQLite the single writer connection (BEGIN IMMEDIATE) makes the same
// statement safe without row locks.

import (
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// claimSQL holds the due deliveries it picks, returning their ids.
func claimSQL(tx *gorm.DB) string {
	lock := ""
	if sqldb.IsPostgres(tx) {
		lock = " FOR UPDATE OF q SKIP LOCKED"
	}
	return `WITH pick AS (
    SELECT q.id FROM webhook_deliveries q JOIN webhook_endpoints e ON e.id = q.endpoint_id
    WHERE q.status = 'pending' AND e.disabled_at IS NULL AND q.next_attempt_at <= @now
      AND (q.locked_until IS NULL OR q.locked_until < @now)
      AND q.id = (SELECT MIN(h.id) FROM webhook_deliveries h WHERE h.endpoint_id = q.endpoint_id AND h.status = 'pending')
    ORDER BY q.id LIMIT @n` + lock + `)
UPDATE webhook_deliveries SET locked_until = @lease, lock_token = @token
WHERE id IN (SELECT id FROM pick)
RETURNING id`
}
