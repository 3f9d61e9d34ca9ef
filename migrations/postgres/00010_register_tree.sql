-- +goose Up
-- The court roll as a transparency log (docs/LEDGER.md): the RFC 6962 tree
-- over equity_log (leaf i = seq i+1), kept as tlog stored hashes by storage
-- index, and the signed checkpoints (C2SP tlog-checkpoint notes). Both are
-- append-only; the integrator (equity/store.Roll.Integrate) writes them.
CREATE TABLE equity_roll_hashes (
    idx  BIGINT PRIMARY KEY CHECK (idx >= 0),
    hash BYTEA NOT NULL CHECK (length(hash) = 32)
);
CREATE TABLE equity_roll_checkpoints (
    size       BIGINT PRIMARY KEY CHECK (size >= 0),
    root       BYTEA NOT NULL CHECK (length(root) = 32),
    note       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TRIGGER equity_roll_hashes_append_only BEFORE UPDATE OR DELETE ON equity_roll_hashes FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_roll_checkpoints_append_only BEFORE UPDATE OR DELETE ON equity_roll_checkpoints FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_roll_hashes_no_truncate BEFORE TRUNCATE ON equity_roll_hashes FOR EACH STATEMENT EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_roll_checkpoints_no_truncate BEFORE TRUNCATE ON equity_roll_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION equity_append_only();

-- +goose Down
DROP TABLE equity_roll_checkpoints;
DROP TABLE equity_roll_hashes;
