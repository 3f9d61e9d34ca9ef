-- +goose Up
-- The co-op's equity ledger (docs/LEDGER.md). Amounts are BIGINT minor units:
-- model units have scale 6 (micro-units), currencies the scale fixed when
-- first used. Transactions, postings, the log and the governance tables are
-- append-only: triggers below refuse UPDATE, DELETE and TRUNCATE.

CREATE TABLE equity_units (
    code       TEXT PRIMARY KEY,
    model_id   BIGINT REFERENCES models(id),
    scale      INTEGER NOT NULL CHECK (scale BETWEEN 0 AND 12),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE equity_rate_cards (
    id                     BIGSERIAL PRIMARY KEY,
    project_id             BIGINT NOT NULL REFERENCES projects(id),
    version                INTEGER NOT NULL CHECK (version >= 1),
    annotation_accepted    BIGINT NOT NULL CHECK (annotation_accepted >= 0),
    correction             BIGINT NOT NULL CHECK (correction >= 0),
    review_decision        BIGINT NOT NULL CHECK (review_decision >= 0),
    correction_labeller_bp INTEGER NOT NULL CHECK (correction_labeller_bp BETWEEN 0 AND 10000),
    difficulty             TEXT NOT NULL DEFAULT '{}',
    reason                 TEXT NOT NULL,
    actor_id               BIGINT REFERENCES members(id),
    created_at             TIMESTAMPTZ NOT NULL,
    UNIQUE (project_id, version)
);

CREATE TABLE equity_governance (
    id               BIGSERIAL PRIMARY KEY,
    version          INTEGER NOT NULL UNIQUE CHECK (version >= 1),
    transfer_fee_bp  INTEGER NOT NULL CHECK (transfer_fee_bp BETWEEN 0 AND 10000),
    holding_cap_bp   INTEGER NOT NULL CHECK (holding_cap_bp BETWEEN 1 AND 10000),
    cap_floor        BIGINT NOT NULL CHECK (cap_floor >= 0),
    reserve_share_bp INTEGER NOT NULL CHECK (reserve_share_bp BETWEEN 0 AND 10000),
    exit_rule        TEXT NOT NULL CHECK (exit_rule IN ('successor_else_reserve', 'reserve')),
    reason           TEXT NOT NULL,
    actor_id         BIGINT REFERENCES members(id),
    created_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE equity_transactions (
    id              BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    body_hash       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    model_id        BIGINT REFERENCES models(id),
    -- a transaction is reversed (or clawed back) at most once
    reverses_id     BIGINT UNIQUE REFERENCES equity_transactions(id),
    -- a pending credit is vested, corrected or voided at most once
    resolves_id     BIGINT UNIQUE REFERENCES equity_transactions(id),
    rate_card_id    BIGINT REFERENCES equity_rate_cards(id),
    governance_id   BIGINT REFERENCES equity_governance(id),
    actor_id        BIGINT,
    member_id       BIGINT,
    project_id      BIGINT,
    item_id         BIGINT,
    submission_id   BIGINT,
    review_id       BIGINT,
    reason          TEXT NOT NULL DEFAULT '',
    meta            TEXT NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX equity_transactions_submission ON equity_transactions (submission_id, kind);
CREATE INDEX equity_transactions_model ON equity_transactions (model_id, kind, id);

CREATE TABLE equity_postings (
    tx_id      BIGINT NOT NULL REFERENCES equity_transactions(id),
    seq        INTEGER NOT NULL,
    unit       TEXT NOT NULL,
    account    TEXT NOT NULL,
    amount     BIGINT NOT NULL CHECK (amount <> 0),
    category   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tx_id, seq)
);
CREATE INDEX equity_postings_account ON equity_postings (account, unit, created_at, tx_id);
CREATE INDEX equity_postings_unit_account ON equity_postings (unit, account);

-- Stored balance counters, changed in the transaction that posts. The
-- issuance and revenue accounts have no row: their balance is derived (minus
-- everything else), so their rows are never a hot spot.
CREATE TABLE equity_balances (
    unit    TEXT NOT NULL,
    account TEXT NOT NULL,
    balance BIGINT NOT NULL,
    PRIMARY KEY (unit, account),
    CHECK (balance >= 0 OR account LIKE 'member:%:receivable'),
    CHECK (balance <= 0 OR account NOT LIKE 'member:%:receivable')
);

-- The hash chain: one entry per transaction, rate card and governance change.
CREATE TABLE equity_log (
    seq        BIGINT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('tx', 'rate_card', 'governance')),
    ref_id     BIGINT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (kind, ref_id)
);

-- The single head row serialises appends to the chain.
CREATE TABLE equity_log_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO equity_log_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE equity_successors (
    id           BIGSERIAL PRIMARY KEY,
    member_id    BIGINT NOT NULL REFERENCES members(id),
    successor_id BIGINT REFERENCES members(id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX equity_successors_member ON equity_successors (member_id, id);

CREATE TABLE equity_distributions (
    tx_id            BIGINT PRIMARY KEY REFERENCES equity_transactions(id),
    model_id         BIGINT NOT NULL REFERENCES models(id),
    currency         TEXT NOT NULL,
    amount           BIGINT NOT NULL CHECK (amount > 0),
    reserve_share_bp INTEGER NOT NULL,
    reserve_amount   BIGINT NOT NULL,
    source           TEXT NOT NULL,
    record_date      TIMESTAMPTZ NOT NULL,
    inputs           TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX equity_distributions_model ON equity_distributions (model_id, tx_id);

-- Public register privacy: a hidden member appears under a pseudonym.
CREATE TABLE equity_member_privacy (
    member_id  BIGINT PRIMARY KEY REFERENCES members(id),
    hidden     BOOLEAN NOT NULL,
    pseudonym  TEXT NOT NULL UNIQUE,
    updated_at TIMESTAMPTZ NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION equity_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'equity: % is append-only; % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'P0001';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER equity_units_append_only BEFORE UPDATE OR DELETE ON equity_units FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_rate_cards_append_only BEFORE UPDATE OR DELETE ON equity_rate_cards FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_governance_append_only BEFORE UPDATE OR DELETE ON equity_governance FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_transactions_append_only BEFORE UPDATE OR DELETE ON equity_transactions FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_postings_append_only BEFORE UPDATE OR DELETE ON equity_postings FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_log_append_only BEFORE UPDATE OR DELETE ON equity_log FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_successors_append_only BEFORE UPDATE OR DELETE ON equity_successors FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_distributions_append_only BEFORE UPDATE OR DELETE ON equity_distributions FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_transactions_no_truncate BEFORE TRUNCATE ON equity_transactions FOR EACH STATEMENT EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_postings_no_truncate BEFORE TRUNCATE ON equity_postings FOR EACH STATEMENT EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_log_no_truncate BEFORE TRUNCATE ON equity_log FOR EACH STATEMENT EXECUTE FUNCTION equity_append_only();

-- +goose Down
DROP TABLE equity_member_privacy;
DROP TABLE equity_distributions;
DROP TABLE equity_successors;
DROP TABLE equity_log_head;
DROP TABLE equity_log;
DROP TABLE equity_balances;
DROP TABLE equity_postings;
DROP TABLE equity_transactions;
DROP TABLE equity_governance;
DROP TABLE equity_rate_cards;
DROP TABLE equity_units;
DROP FUNCTION equity_append_only();
