-- +goose Up
-- Collective rule (docs/GOVERNANCE.md): the constitution, proposals, ballots
-- and tallies, and the rule versions a passing proposal executes. The
-- constitution, proposal versions, published ballots, tallies and rule
-- versions are register entries (append-only, on the hash chain); the
-- proposals row, its sponsors, who has voted and the running secret ballots
-- are working state that changes while a vote runs.

CREATE TABLE equity_proposals (
    id                   BIGSERIAL PRIMARY KEY,
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
    opened_at            TIMESTAMPTZ,
    closes_at            TIMESTAMPTZ,
    closed_at            TIMESTAMPTZ,
    closing_soon_sent    BOOLEAN NOT NULL DEFAULT FALSE,
    register_seq         BIGINT NOT NULL DEFAULT 0,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    UNIQUE (proposer_id, idempotency_key)
);
CREATE INDEX equity_proposals_due ON equity_proposals (status, closes_at);

CREATE TABLE equity_proposal_sponsors (
    proposal_id BIGINT NOT NULL REFERENCES equity_proposals(id),
    member_id   BIGINT NOT NULL REFERENCES members(id),
    created_at  TIMESTAMPTZ NOT NULL,
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
);

-- Register entries (kind 'proposal'): each state a proposal was opened or amended in.
CREATE TABLE equity_proposal_versions (
    id                   BIGSERIAL PRIMARY KEY,
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
    opened_at            TIMESTAMPTZ,
    closes_at            TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX equity_proposal_versions_proposal ON equity_proposal_versions (proposal_id, id);

-- Register entries (kind 'ballot'): every ballot, published at close as
-- (receipt hash, choice) in receipt order; member_id only for open ballots.
CREATE TABLE equity_published_ballots (
    id           BIGSERIAL PRIMARY KEY,
    proposal_id  BIGINT NOT NULL REFERENCES equity_proposals(id),
    receipt_hash TEXT NOT NULL,
    choice       TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    member_id    BIGINT REFERENCES members(id),
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (proposal_id, receipt_hash)
);

-- Register entries (kind 'tally'): how a proposal ended, once.
CREATE TABLE equity_tallies (
    id                   BIGSERIAL PRIMARY KEY,
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
    created_at           TIMESTAMPTZ NOT NULL
);

-- Register entries (kind 'constitution'): the co-op's decision rules.
CREATE TABLE equity_constitution (
    id                   BIGSERIAL PRIMARY KEY,
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
    created_at           TIMESTAMPTZ NOT NULL
);

-- Register entries (kind 'rule'): versions of the rules a vote sets that
-- have no table of their own: the default rate card and its band, the entry
-- rule, the co-op's work limits, a release's licence terms.
CREATE TABLE equity_rule_versions (
    id          BIGSERIAL PRIMARY KEY,
    rule        TEXT NOT NULL CHECK (rule IN ('default_rate_card', 'entry_rule', 'work_limits', 'release_license')),
    scope_id    BIGINT NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL CHECK (version >= 1),
    body        TEXT NOT NULL,
    proposal_id BIGINT REFERENCES equity_proposals(id),
    actor_id    BIGINT REFERENCES members(id),
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (rule, scope_id, version)
);

-- A rule version changed by a vote links back to its proposal.
ALTER TABLE equity_governance ADD COLUMN proposal_id BIGINT REFERENCES equity_proposals(id);
ALTER TABLE equity_rate_cards ADD COLUMN proposal_id BIGINT REFERENCES equity_proposals(id);

ALTER TABLE equity_log DROP CONSTRAINT equity_log_kind_check;
ALTER TABLE equity_log ADD CONSTRAINT equity_log_kind_check CHECK (kind IN ('tx', 'rate_card', 'governance',
    'constitution', 'proposal', 'ballot', 'tally', 'rule'));

CREATE TRIGGER equity_proposal_versions_append_only BEFORE UPDATE OR DELETE ON equity_proposal_versions FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_published_ballots_append_only BEFORE UPDATE OR DELETE ON equity_published_ballots FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_tallies_append_only BEFORE UPDATE OR DELETE ON equity_tallies FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_constitution_append_only BEFORE UPDATE OR DELETE ON equity_constitution FOR EACH ROW EXECUTE FUNCTION equity_append_only();
CREATE TRIGGER equity_rule_versions_append_only BEFORE UPDATE OR DELETE ON equity_rule_versions FOR EACH ROW EXECUTE FUNCTION equity_append_only();

-- +goose Down
ALTER TABLE equity_log DROP CONSTRAINT equity_log_kind_check;
ALTER TABLE equity_log ADD CONSTRAINT equity_log_kind_check CHECK (kind IN ('tx', 'rate_card', 'governance'));
ALTER TABLE equity_rate_cards DROP COLUMN proposal_id;
ALTER TABLE equity_governance DROP COLUMN proposal_id;
DROP TABLE equity_rule_versions;
DROP TABLE equity_constitution;
DROP TABLE equity_tallies;
DROP TABLE equity_published_ballots;
DROP TABLE equity_proposal_versions;
DROP TABLE equity_ballots;
DROP TABLE equity_proposal_voters;
DROP TABLE equity_proposal_sponsors;
DROP TABLE equity_proposals;
