-- +goose Up
-- The court roll as a transparency log (docs/LEDGER.md): the RFC 6962 tree
-- over equity_log (leaf i = seq i+1), kept as tlog stored hashes by storage
-- index, and the signed checkpoints (C2SP tlog-checkpoint notes). Both are
-- append-only; the integrator (equity/store.Roll.Integrate) writes them.
CREATE TABLE equity_roll_hashes (
    idx  BIGINT PRIMARY KEY CHECK (idx >= 0),
    hash BLOB NOT NULL CHECK (length(hash) = 32)
);
CREATE TABLE equity_roll_checkpoints (
    size       BIGINT PRIMARY KEY CHECK (size >= 0),
    root       BLOB NOT NULL CHECK (length(root) = 32),
    note       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
-- +goose StatementBegin
CREATE TRIGGER equity_roll_hashes_no_update BEFORE UPDATE ON equity_roll_hashes
BEGIN SELECT RAISE(ABORT, 'equity: equity_roll_hashes is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_roll_hashes_no_delete BEFORE DELETE ON equity_roll_hashes
BEGIN SELECT RAISE(ABORT, 'equity: equity_roll_hashes is append-only; DELETE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_roll_checkpoints_no_update BEFORE UPDATE ON equity_roll_checkpoints
BEGIN SELECT RAISE(ABORT, 'equity: equity_roll_checkpoints is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_roll_checkpoints_no_delete BEFORE DELETE ON equity_roll_checkpoints
BEGIN SELECT RAISE(ABORT, 'equity: equity_roll_checkpoints is append-only; DELETE refused'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE equity_roll_checkpoints;
DROP TABLE equity_roll_hashes;
