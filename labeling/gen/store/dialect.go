package store

// Everything in this package that differs between SQLite and PostgreSQL.
//
// The claim is the project's own queue pattern (labeling/webhook/store, River's shape): on
// PostgreSQL one statement picks due tasks with FOR UPDATE SKIP LOCKED and leases them under a
// fresh token; on SQLite the single writer connection makes the same statement safe without row
// locks. An endpoint's concurrency and per-minute limits hold across instances because each
// endpoint's claim first takes a transaction-scoped advisory lock on PostgreSQL (SQLite: the
// writer lock), so two instances never both see the same free capacity.

import (
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// advisoryClass is the first key of the endpoint advisory locks ("gen").
const advisoryClass = 0x67656e

// lockEndpoint serialises claims for one endpoint until the transaction ends.
func lockEndpoint(tx *gorm.DB, endpointID int64) error {
	if !sqldb.IsPostgres(tx) {
		return nil
	}
	return tx.Exec(`SELECT pg_advisory_xact_lock(?, ?)`, advisoryClass, int32(endpointID)).Error
}

// forUpdate locks the rows a SELECT reads (PostgreSQL; SQLite has one writer).
func forUpdate(tx *gorm.DB) string {
	if sqldb.IsPostgres(tx) {
		return " FOR UPDATE"
	}
	return ""
}

// claimSQL leases up to @n due tasks of one endpoint whose jobs are live, returning their ids.
func claimSQL(tx *gorm.DB) string {
	lock := ""
	if sqldb.IsPostgres(tx) {
		lock = " FOR UPDATE OF t SKIP LOCKED"
	}
	return `WITH pick AS (
    SELECT t.id FROM gen_tasks t JOIN gen_jobs j ON j.id = t.job_id
    WHERE t.endpoint_id = @endpoint AND t.status = 'pending' AND t.next_at <= @now
      AND (t.lease_until IS NULL OR t.lease_until < @now) AND j.status IN ('queued', 'running')
    ORDER BY t.next_at, t.id LIMIT @n` + lock + `)
UPDATE gen_tasks SET lease_until = @lease, lease_token = @token, updated_at = @now
WHERE id IN (SELECT id FROM pick)
RETURNING id`
}
