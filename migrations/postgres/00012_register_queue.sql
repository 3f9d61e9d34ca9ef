-- +goose Up
-- The register's append path without a global lock (docs/LEDGER.md, "How an
-- entry gets onto the roll"). A ledger write no longer takes the chain head's
-- row lock: its entry commits into this queue with the work that caused it.
-- The integrator (equity/store.Roll.Integrate, one at a time by an advisory
-- lock) takes committed entries in queue order, gives each its place in
-- equity_log (seq and chain hash) and in the tree, signs a checkpoint, and
-- deletes exactly the rows it took, all in one transaction: every committed
-- entry enters the log once, in one total order. Entry numbers continue after
-- the existing log, so nothing already on the roll moves.
CREATE TABLE equity_log_queue (
    entry      BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('tx', 'rate_card', 'governance',
                   'constitution', 'proposal', 'ballot', 'tally', 'rule', 'snapshot', 'release')),
    ref_id     BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (kind, ref_id)
);
SELECT setval(pg_get_serial_sequence('equity_log_queue', 'entry'), (SELECT COALESCE(MAX(seq), 0) + 1 FROM equity_log), false);

-- Snapshots and releases become entries of the roll too.
ALTER TABLE equity_log DROP CONSTRAINT equity_log_kind_check;
ALTER TABLE equity_log ADD CONSTRAINT equity_log_kind_check CHECK (kind IN ('tx', 'rate_card', 'governance',
    'constitution', 'proposal', 'ballot', 'tally', 'rule', 'snapshot', 'release'));

-- A proposal's place on the roll is read from equity_log (it is known only
-- once the integrator has taken the entry).
ALTER TABLE equity_proposals DROP COLUMN register_seq;

-- +goose Down
ALTER TABLE equity_proposals ADD COLUMN register_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE equity_log DROP CONSTRAINT equity_log_kind_check;
ALTER TABLE equity_log ADD CONSTRAINT equity_log_kind_check CHECK (kind IN ('tx', 'rate_card', 'governance',
    'constitution', 'proposal', 'ballot', 'tally', 'rule'));
DROP TABLE equity_log_queue;
