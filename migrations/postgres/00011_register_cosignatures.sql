-- +goose Up
-- Witness cosignatures on the court roll's checkpoints (docs/LEDGER.md,
-- "Witnesses"): one C2SP tlog-cosignature line per trusted witness and
-- checkpoint, verified before it is stored. Append-only.
CREATE TABLE equity_roll_cosignatures (
    size       BIGINT NOT NULL REFERENCES equity_roll_checkpoints (size),
    witness    TEXT NOT NULL,
    line       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (size, witness)
);
CREATE TRIGGER equity_roll_cosignatures_append_only BEFORE UPDATE OR DELETE ON equity_roll_cosignatures FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_roll_cosignatures_no_truncate BEFORE TRUNCATE ON equity_roll_cosignatures FOR EACH STATEMENT EXECUTE FUNCTION equity_append_only();

-- +goose Down
DROP TABLE equity_roll_cosignatures;
