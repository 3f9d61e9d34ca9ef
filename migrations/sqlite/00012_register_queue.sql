-- +goose Up
-- The register's append path without a global lock: see the PostgreSQL
-- migration of the same number for the design. AUTOINCREMENT keeps entry
-- numbers from ever being reused after the integrator deletes its rows.
CREATE TABLE equity_log_queue (
    entry      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('tx', 'rate_card', 'governance',
                   'constitution', 'proposal', 'ballot', 'tally', 'rule', 'snapshot', 'release')),
    ref_id     BIGINT NOT NULL,
    created_at DATETIME NOT NULL,
    UNIQUE (kind, ref_id)
);
INSERT INTO sqlite_sequence (name, seq) VALUES ('equity_log_queue', (SELECT COALESCE(MAX(seq), 0) FROM equity_log));

-- Snapshots and releases become entries of the roll too. SQLite cannot alter
-- a CHECK constraint: equity_log is rebuilt, rows and triggers kept.
CREATE TABLE equity_log_new (
    seq        BIGINT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('tx', 'rate_card', 'governance',
                   'constitution', 'proposal', 'ballot', 'tally', 'rule', 'snapshot', 'release')),
    ref_id     BIGINT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    UNIQUE (kind, ref_id)
);
INSERT INTO equity_log_new (seq, kind, ref_id, prev_hash, hash, created_at)
    SELECT seq, kind, ref_id, prev_hash, hash, created_at FROM equity_log;
DROP TABLE equity_log;
ALTER TABLE equity_log_new RENAME TO equity_log;
-- +goose StatementBegin
CREATE TRIGGER equity_log_no_update BEFORE UPDATE ON equity_log
BEGIN SELECT RAISE(ABORT, 'equity: equity_log is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_log_no_delete BEFORE DELETE ON equity_log
BEGIN SELECT RAISE(ABORT, 'equity: equity_log is append-only; DELETE refused'); END;
-- +goose StatementEnd

-- A proposal's place on the roll is read from equity_log.
ALTER TABLE equity_proposals DROP COLUMN register_seq;

-- +goose Down
ALTER TABLE equity_proposals ADD COLUMN register_seq BIGINT NOT NULL DEFAULT 0;
DROP TABLE equity_log_queue;
