-- +goose Up
-- Review and quality: per-project review settings, the scoring of items
-- (one item_reviews row per scoring round or dispute, which is also the
-- reviewer queue with its leases), review decisions, gold checks and the
-- consensus per item. Rates and scores are integer basis points.

CREATE TABLE review_settings (
    project_id        INTEGER PRIMARY KEY REFERENCES projects(id),
    auto_accept       BOOLEAN NOT NULL DEFAULT FALSE,
    auto_accept_bp    INTEGER NOT NULL DEFAULT 10000 CHECK (auto_accept_bp BETWEEN 0 AND 10000),
    sample_rate_bp    INTEGER NOT NULL DEFAULT 0 CHECK (sample_rate_bp BETWEEN 0 AND 10000),
    gold_threshold_bp INTEGER NOT NULL DEFAULT 0 CHECK (gold_threshold_bp BETWEEN 0 AND 10000),
    gold_window       INTEGER NOT NULL DEFAULT 20 CHECK (gold_window BETWEEN 1 AND 1000),
    reject_reasons    TEXT NOT NULL,
    tie_policy        TEXT NOT NULL DEFAULT 'undecided' CHECK (tie_policy IN ('undecided', 'schema_order', 'seeded')),
    updated_at        DATETIME NOT NULL
);

-- counted: the submission fills one of the item's k slots (items.done counts
-- these). A rejection gives the slot back; the row and its assignment stay,
-- so the rejected labeller is never offered the item again.
ALTER TABLE submissions ADD COLUMN counted BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE submissions ADD COLUMN disputed_at DATETIME;
ALTER TABLE submissions ADD COLUMN dispute_comment TEXT;

-- kind 'item': a scoring round of an item (route auto, review or sample);
-- kind 'dispute': a disputed rejection of one submission, for a different
-- reviewer (exclude_member_id is the reviewer who rejected it).
CREATE TABLE item_reviews (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id        INTEGER NOT NULL REFERENCES projects(id),
    item_id           INTEGER NOT NULL REFERENCES items(id),
    kind              TEXT NOT NULL CHECK (kind IN ('item', 'dispute')),
    submission_id     INTEGER REFERENCES submissions(id),
    metric            TEXT NOT NULL DEFAULT '',
    agreement_bp      INTEGER,
    gold_failed       BOOLEAN NOT NULL DEFAULT FALSE,
    reasons           TEXT NOT NULL,
    route             TEXT NOT NULL CHECK (route IN ('auto', 'review', 'sample')),
    state             TEXT NOT NULL CHECK (state IN ('auto_accepted', 'queued', 'leased', 'decided')),
    exclude_member_id INTEGER REFERENCES members(id),
    reviewer_id       INTEGER REFERENCES members(id),
    lease_token       TEXT UNIQUE,
    lease_expires_at  DATETIME,
    claimed_at        DATETIME,
    decision_key      TEXT,
    decision_hash     TEXT,
    decided_at        DATETIME,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL,
    UNIQUE (reviewer_id, decision_key)
);
CREATE INDEX item_reviews_queue ON item_reviews (project_id, id) WHERE state IN ('queued', 'leased');
CREATE UNIQUE INDEX item_reviews_one_lease ON item_reviews (reviewer_id, project_id) WHERE state = 'leased';
CREATE INDEX item_reviews_item ON item_reviews (item_id, id);
CREATE INDEX item_reviews_project_created ON item_reviews (project_id, created_at);

-- One first decision and at most one final (dispute) decision per submission.
CREATE TABLE review_decisions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id        INTEGER NOT NULL REFERENCES item_reviews(id),
    project_id       INTEGER NOT NULL REFERENCES projects(id),
    item_id          INTEGER NOT NULL REFERENCES items(id),
    submission_id    INTEGER NOT NULL REFERENCES submissions(id),
    labeller_id      INTEGER NOT NULL REFERENCES members(id),
    reviewer_id      INTEGER REFERENCES members(id),
    decision         TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'correct')),
    reason           TEXT NOT NULL DEFAULT '',
    comment          TEXT NOT NULL DEFAULT '',
    corrected_answer TEXT,
    final            BOOLEAN NOT NULL DEFAULT FALSE,
    automatic        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       DATETIME NOT NULL,
    UNIQUE (submission_id, final)
);
CREATE INDEX review_decisions_review ON review_decisions (review_id);
CREATE INDEX review_decisions_project ON review_decisions (project_id, created_at);
CREATE INDEX review_decisions_labeller ON review_decisions (labeller_id, id);

-- A gold submission checked against the item's gold answer at submit time.
CREATE TABLE gold_checks (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    item_id       INTEGER NOT NULL REFERENCES items(id),
    member_id     INTEGER NOT NULL REFERENCES members(id),
    correct       BOOLEAN NOT NULL,
    score_bp      INTEGER NOT NULL,
    expected      TEXT NOT NULL,
    given         TEXT NOT NULL,
    created_at    DATETIME NOT NULL
);
CREATE INDEX gold_checks_member ON gold_checks (project_id, member_id, submission_id);

-- The consensus answer of an item, for exports.
CREATE TABLE item_consensus (
    item_id       INTEGER PRIMARY KEY REFERENCES items(id),
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    method        TEXT NOT NULL CHECK (method IN ('majority', 'dawid_skene', 'corrected')),
    label         TEXT NOT NULL DEFAULT '',
    decided       BOOLEAN NOT NULL,
    confidence_bp INTEGER NOT NULL DEFAULT 0,
    votes         INTEGER NOT NULL DEFAULT 0,
    answer        TEXT,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX item_consensus_project ON item_consensus (project_id, item_id);

-- +goose Down
DROP TABLE item_consensus;
DROP TABLE gold_checks;
DROP TABLE review_decisions;
DROP TABLE item_reviews;
ALTER TABLE submissions DROP COLUMN dispute_comment;
ALTER TABLE submissions DROP COLUMN disputed_at;
ALTER TABLE submissions DROP COLUMN counted;
DROP TABLE review_settings;
