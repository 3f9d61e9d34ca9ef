-- +goose Up
-- Collective rule (docs/GOVERNANCE.md): the constitution, proposals, ballots
-- and tallies, and the rule versions a passing proposal executes. The
-- constitution, proposal versions, published ballots, tallies and rule
-- versions are register entries (append-only, on the hash chain); the
-- proposals row, its sponsors, who has voted and the running secret ballots
-- are working state that changes while a vote runs.

CREATE TABLE equity_proposals (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    proposer_id          BIGINT NOT NULL REFERENCES members(id),
    idempotency_key      TEXT NOT NULL,
    body_hash            TEXT NOT NULL,
    revision             INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
    title                TEXT NOT NULL,
    reason               TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    special              BOOLEAN NOT NULL,
    change               TEXT NOT NULL,
    period_hours         INTEGER NOT NULL CHECK (period_hours >= 1),
    status               TEXT NOT NULL CHECK (status IN ('seeking_sponsors', 'open', 'closing', 'passed', 'failed',
                             'passed_not_executable', 'withdrawn')),
    sponsors_needed      INTEGER NOT NULL DEFAULT 0,
    -- the rules the vote runs under are fixed when it opens
    constitution_version INTEGER NOT NULL DEFAULT 0,
    ballot               TEXT NOT NULL CHECK (ballot IN ('secret', 'open')),
    opened_at            DATETIME,
    closes_at            DATETIME,
    closed_at            DATETIME,
    closing_soon_sent    BOOLEAN NOT NULL DEFAULT FALSE,
    register_seq         BIGINT NOT NULL DEFAULT 0,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
    UNIQUE (proposer_id, idempotency_key)
);
CREATE INDEX equity_proposals_due ON equity_proposals (status, closes_at);

CREATE TABLE equity_proposal_sponsors (
    proposal_id BIGINT NOT NULL REFERENCES equity_proposals(id),
    member_id   BIGINT NOT NULL REFERENCES members(id),
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (proposal_id, member_id)
);

-- Who has voted, and nothing else: no time, no choice, no receipt.
CREATE TABLE equity_proposal_voters (
    proposal_id BIGINT NOT NULL REFERENCES equity_proposals(id),
    member_id   BIGINT NOT NULL REFERENCES members(id),
    PRIMARY KEY (proposal_id, member_id)
);

-- The running ballots, keyed by the SHA-256 of a random receipt. A secret
-- ballot has no member, no time and no serial id: nothing links it to a row
-- of equity_proposal_voters. member_id is set for open ballots only.
CREATE TABLE equity_ballots (
    proposal_id  BIGINT NOT NULL REFERENCES equity_proposals(id),
    receipt_hash TEXT NOT NULL,
    choice       TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    member_id    BIGINT REFERENCES members(id),
    PRIMARY KEY (proposal_id, receipt_hash)
) WITHOUT ROWID;

-- Register entries (kind 'proposal'): each state a proposal was opened or amended in.
CREATE TABLE equity_proposal_versions (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id          BIGINT NOT NULL REFERENCES equity_proposals(id),
    revision             INTEGER NOT NULL,
    status               TEXT NOT NULL,
    title                TEXT NOT NULL,
    reason               TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    special              BOOLEAN NOT NULL,
    change               TEXT NOT NULL,
    period_hours         INTEGER NOT NULL,
    proposer_id          BIGINT NOT NULL REFERENCES members(id),
    constitution_version INTEGER NOT NULL,
    ballot               TEXT NOT NULL,
    opened_at            DATETIME,
    closes_at            DATETIME,
    created_at           DATETIME NOT NULL
);
CREATE INDEX equity_proposal_versions_proposal ON equity_proposal_versions (proposal_id, id);

-- Register entries (kind 'ballot'): every ballot, published at close as
-- (receipt hash, choice) in receipt order; member_id only for open ballots.
CREATE TABLE equity_published_ballots (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id  BIGINT NOT NULL REFERENCES equity_proposals(id),
    receipt_hash TEXT NOT NULL,
    choice       TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    member_id    BIGINT REFERENCES members(id),
    created_at   DATETIME NOT NULL,
    UNIQUE (proposal_id, receipt_hash)
);

-- Register entries (kind 'tally'): how a proposal ended, once.
CREATE TABLE equity_tallies (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id          BIGINT NOT NULL UNIQUE REFERENCES equity_proposals(id),
    revision             INTEGER NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('passed', 'failed', 'passed_not_executable', 'withdrawn')),
    yes                  INTEGER NOT NULL,
    no                   INTEGER NOT NULL,
    abstain              INTEGER NOT NULL,
    eligible             INTEGER NOT NULL,
    quorum_bp            INTEGER NOT NULL,
    majority_bp          INTEGER NOT NULL,
    special              BOOLEAN NOT NULL,
    quorum_met           BOOLEAN NOT NULL,
    passed               BOOLEAN NOT NULL,
    reason               TEXT NOT NULL DEFAULT '',
    constitution_version INTEGER NOT NULL,
    executed_what        TEXT NOT NULL DEFAULT '',
    executed_id          BIGINT NOT NULL DEFAULT 0,
    executed_version     INTEGER NOT NULL DEFAULT 0,
    execution_error      TEXT NOT NULL DEFAULT '',
    created_at           DATETIME NOT NULL
);

-- Register entries (kind 'constitution'): the co-op's decision rules.
CREATE TABLE equity_constitution (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    version              INTEGER NOT NULL UNIQUE CHECK (version >= 1),
    quorum_bp            INTEGER NOT NULL CHECK (quorum_bp BETWEEN 0 AND 10000),
    ordinary_majority_bp INTEGER NOT NULL CHECK (ordinary_majority_bp BETWEEN 5000 AND 9999),
    special_majority_bp  INTEGER NOT NULL CHECK (special_majority_bp BETWEEN 5000 AND 10000),
    min_period_hours     INTEGER NOT NULL CHECK (min_period_hours >= 1),
    default_period_hours INTEGER NOT NULL,
    max_period_hours     INTEGER NOT NULL,
    cosponsors           INTEGER NOT NULL CHECK (cosponsors >= 0),
    ballot               TEXT NOT NULL CHECK (ballot IN ('secret', 'open')),
    eligibility          TEXT NOT NULL,
    proposal_id          BIGINT REFERENCES equity_proposals(id),
    reason               TEXT NOT NULL,
    actor_id             BIGINT REFERENCES members(id),
    created_at           DATETIME NOT NULL
);

-- Register entries (kind 'rule'): versions of the rules a vote sets that
-- have no table of their own: the default rate card and its band, the entry
-- rule, the co-op's work limits, a release's licence terms.
CREATE TABLE equity_rule_versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    rule        TEXT NOT NULL CHECK (rule IN ('default_rate_card', 'entry_rule', 'work_limits', 'release_license')),
    scope_id    BIGINT NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL CHECK (version >= 1),
    body        TEXT NOT NULL,
    proposal_id BIGINT REFERENCES equity_proposals(id),
    actor_id    BIGINT REFERENCES members(id),
    created_at  DATETIME NOT NULL,
    UNIQUE (rule, scope_id, version)
);

-- A rule version changed by a vote links back to its proposal.
ALTER TABLE equity_governance ADD COLUMN proposal_id BIGINT REFERENCES equity_proposals(id);
ALTER TABLE equity_rate_cards ADD COLUMN proposal_id BIGINT REFERENCES equity_proposals(id);

-- SQLite cannot alter a CHECK constraint: equity_log is rebuilt with the new
-- entry kinds, rows and triggers kept.
CREATE TABLE equity_log_new (
    seq        BIGINT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('tx', 'rate_card', 'governance',
                   'constitution', 'proposal', 'ballot', 'tally', 'rule')),
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

-- +goose StatementBegin
CREATE TRIGGER equity_proposal_versions_no_update BEFORE UPDATE ON equity_proposal_versions
BEGIN SELECT RAISE(ABORT, 'equity: equity_proposal_versions is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_proposal_versions_no_delete BEFORE DELETE ON equity_proposal_versions
BEGIN SELECT RAISE(ABORT, 'equity: equity_proposal_versions is append-only; DELETE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_published_ballots_no_update BEFORE UPDATE ON equity_published_ballots
BEGIN SELECT RAISE(ABORT, 'equity: equity_published_ballots is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_published_ballots_no_delete BEFORE DELETE ON equity_published_ballots
BEGIN SELECT RAISE(ABORT, 'equity: equity_published_ballots is append-only; DELETE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_tallies_no_update BEFORE UPDATE ON equity_tallies
BEGIN SELECT RAISE(ABORT, 'equity: equity_tallies is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_tallies_no_delete BEFORE DELETE ON equity_tallies
BEGIN SELECT RAISE(ABORT, 'equity: equity_tallies is append-only; DELETE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_constitution_no_update BEFORE UPDATE ON equity_constitution
BEGIN SELECT RAISE(ABORT, 'equity: equity_constitution is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_constitution_no_delete BEFORE DELETE ON equity_constitution
BEGIN SELECT RAISE(ABORT, 'equity: equity_constitution is append-only; DELETE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_rule_versions_no_update BEFORE UPDATE ON equity_rule_versions
BEGIN SELECT RAISE(ABORT, 'equity: equity_rule_versions is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_rule_versions_no_delete BEFORE DELETE ON equity_rule_versions
BEGIN SELECT RAISE(ABORT, 'equity: equity_rule_versions is append-only; DELETE refused'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE equity_rule_versions;
DROP TABLE equity_constitution;
DROP TABLE equity_tallies;
DROP TABLE equity_published_ballots;
DROP TABLE equity_proposal_versions;
DROP TABLE equity_ballots;
DROP TABLE equity_proposal_voters;
DROP TABLE equity_proposal_sponsors;
-- SQLite keeps the proposal_id columns of governance and rate cards and the
-- wider log CHECK: dropping them means rebuilding tables that hold the register.
DROP TABLE equity_proposals;
