-- +goose Up
-- The labelling engine: models, projects, items, leases (assignments),
-- submissions, skips, imports and per-member settings.
-- Rates are integer basis points; there are no floats anywhere.

CREATE TABLE models (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    base_model  TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES members(id),
    created_at  DATETIME NOT NULL
);

CREATE TABLE projects (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id      INTEGER NOT NULL REFERENCES models(id),
    name          TEXT NOT NULL,
    task_type     TEXT NOT NULL,
    schema        TEXT NOT NULL,
    instructions  TEXT NOT NULL DEFAULT '',
    overlap       INTEGER NOT NULL CHECK (overlap BETWEEN 1 AND 10),
    lease_seconds INTEGER NOT NULL DEFAULT 600 CHECK (lease_seconds BETWEEN 30 AND 86400),
    ordering      TEXT NOT NULL DEFAULT 'priority' CHECK (ordering IN ('priority', 'random')),
    random_seed   BIGINT NOT NULL DEFAULT 0,
    gold_rate_bp  INTEGER NOT NULL DEFAULT 0 CHECK (gold_rate_bp BETWEEN 0 AND 5000),
    stint         INTEGER NOT NULL DEFAULT 0 CHECK (stint >= 0),
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'paused', 'closed')),
    -- next import sequence number; items.seq keeps import order.
    next_seq      BIGINT NOT NULL DEFAULT 1,
    created_by    INTEGER REFERENCES members(id),
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    UNIQUE (model_id, name)
);

CREATE TABLE project_members (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    member_id  INTEGER NOT NULL REFERENCES members(id),
    added_at   DATETIME NOT NULL,
    PRIMARY KEY (project_id, member_id)
);
CREATE INDEX project_members_member ON project_members (member_id);

CREATE TABLE imports (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    filename   TEXT NOT NULL DEFAULT '',
    format     TEXT NOT NULL DEFAULT '',
    records    INTEGER NOT NULL DEFAULT 0,
    imported   INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    rejected   INTEGER NOT NULL DEFAULT 0,
    actor_id   INTEGER REFERENCES members(id),
    created_at DATETIME NOT NULL
);
CREATE INDEX imports_project ON imports (project_id, id);

-- done counts submissions and held counts assignments in state 'leased'
-- (live or expired but not yet taken over); the claim keeps done + held <= overlap.
CREATE TABLE items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    import_id    INTEGER REFERENCES imports(id),
    seq          BIGINT NOT NULL,
    external_id  TEXT NOT NULL DEFAULT '',
    data         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    priority     INTEGER NOT NULL DEFAULT 0,
    -- seq for 'priority' ordering, a seeded hash for 'random': one index serves both.
    order_key    BIGINT NOT NULL,
    prediction   TEXT,
    gold         TEXT,
    sensitive    BOOLEAN NOT NULL DEFAULT FALSE,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'gold')),
    done         INTEGER NOT NULL DEFAULT 0 CHECK (done >= 0),
    held         INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
    created_at   DATETIME NOT NULL,
    UNIQUE (project_id, content_hash)
);
-- Serves the claim: breadth-first (started items first), then priority, then order key.
CREATE INDEX items_claim ON items (project_id, done DESC, priority DESC, order_key) WHERE status = 'open';
CREATE INDEX items_gold ON items (project_id, order_key) WHERE status = 'gold';
CREATE INDEX items_project_seq ON items (project_id, seq);

CREATE TABLE assignments (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id       INTEGER NOT NULL REFERENCES projects(id),
    item_id          INTEGER NOT NULL REFERENCES items(id),
    member_id        INTEGER NOT NULL REFERENCES members(id),
    state            TEXT NOT NULL CHECK (state IN ('leased', 'submitted', 'released', 'skipped', 'expired')),
    lease_token      TEXT NOT NULL UNIQUE,
    lease_expires_at DATETIME NOT NULL,
    claimed_at       DATETIME NOT NULL,
    submitted_at     DATETIME,
    sensitive        BOOLEAN NOT NULL DEFAULT FALSE,
    draft            TEXT,
    draft_at         DATETIME,
    active_ms        BIGINT NOT NULL DEFAULT 0,
    updated_at       DATETIME NOT NULL,
    UNIQUE (item_id, member_id)
);
-- At most one lease per member and project: a double click cannot take two.
CREATE UNIQUE INDEX assignments_one_lease ON assignments (member_id, project_id) WHERE state = 'leased';
-- Expired leases are found by expiry, oldest first.
CREATE INDEX assignments_leased_expiry ON assignments (project_id, lease_expires_at) WHERE state = 'leased';
-- Daily counts (stint, sensitive cap).
CREATE INDEX assignments_member_claimed ON assignments (member_id, claimed_at);

CREATE TABLE submissions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment_id   INTEGER NOT NULL UNIQUE REFERENCES assignments(id),
    item_id         INTEGER NOT NULL REFERENCES items(id),
    project_id      INTEGER NOT NULL REFERENCES projects(id),
    member_id       INTEGER NOT NULL REFERENCES members(id),
    answer          TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    body_hash       TEXT NOT NULL,
    lead_time_ms    BIGINT NOT NULL DEFAULT 0,
    is_gold         BOOLEAN NOT NULL DEFAULT FALSE,
    status          TEXT NOT NULL DEFAULT 'submitted',
    created_at      DATETIME NOT NULL,
    UNIQUE (member_id, idempotency_key)
);
CREATE INDEX submissions_item ON submissions (item_id);
CREATE INDEX submissions_project ON submissions (project_id, created_at);

CREATE TABLE skips (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment_id INTEGER NOT NULL UNIQUE REFERENCES assignments(id),
    item_id       INTEGER NOT NULL REFERENCES items(id),
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    member_id     INTEGER NOT NULL REFERENCES members(id),
    reason        TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL
);
CREATE INDEX skips_project ON skips (project_id, id);

-- A member may lower their own daily cap of sensitive items below the co-op
-- maximum (enforced by the application), never raise it above.
CREATE TABLE member_settings (
    member_id           INTEGER PRIMARY KEY REFERENCES members(id),
    sensitive_daily_cap INTEGER NOT NULL DEFAULT 20 CHECK (sensitive_daily_cap >= 0),
    updated_at          DATETIME NOT NULL
);

-- +goose Down
DROP TABLE member_settings;
DROP TABLE skips;
DROP TABLE submissions;
DROP TABLE assignments;
DROP TABLE items;
DROP TABLE imports;
DROP TABLE project_members;
DROP TABLE projects;
DROP TABLE models;
