-- +goose Up
-- Witness cosignatures on the court roll's checkpoints (docs/LEDGER.md,
-- "Witnesses"): one C2SP tlog-cosignature line per trusted witness and
-- checkpoint, verified before it is stored. Append-only.
CREATE TABLE equity_roll_cosignatures (
    size       BIGINT NOT NULL REFERENCES equity_roll_checkpoints (size),
    witness    TEXT NOT NULL,
    line       TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (size, witness)
);
-- +goose StatementBegin
CREATE TRIGGER equity_roll_cosignatures_no_update BEFORE UPDATE ON equity_roll_cosignatures
BEGIN SELECT RAISE(ABORT, 'equity: equity_roll_cosignatures is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_roll_cosignatures_no_delete BEFORE DELETE ON equity_roll_cosignatures
BEGIN SELECT RAISE(ABORT, 'equity: equity_roll_cosignatures is append-only; DELETE refused'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE equity_roll_cosignatures;
