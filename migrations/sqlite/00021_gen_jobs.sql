-- +goose Up
-- Generation jobs (docs/MODELS.md, "Generation jobs"; labeling/gen). Endpoints are model_endpoints
-- (migration 00020); endpoint_id is not a foreign key so that the two features migrate apart.
CREATE TABLE gen_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    project_id  BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    params      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'cancelled', 'done', 'failed')),
    reason      TEXT NOT NULL DEFAULT '',
    tasks       INTEGER NOT NULL DEFAULT 0,
    tasks_done  INTEGER NOT NULL DEFAULT 0,
    tasks_skipped INTEGER NOT NULL DEFAULT 0,
    sources     INTEGER NOT NULL DEFAULT 0,
    items       INTEGER NOT NULL DEFAULT 0,
    sources_failed INTEGER NOT NULL DEFAULT 0,
    -- Outputs flagged for naming their own model or endpoint (blind comparisons would not be blind).
    flagged     INTEGER NOT NULL DEFAULT 0,
    created_by  BIGINT NOT NULL REFERENCES members(id),
    created_at  DATETIME NOT NULL,
    started_at  DATETIME,
    ended_at    DATETIME,
    -- When the last gen.progress event was written (they are throttled).
    progress_at DATETIME
);
CREATE INDEX gen_jobs_project ON gen_jobs (project_id, id);

-- One prompt or conversation of a job: its item is written once, when its last slot is done.
CREATE TABLE gen_sources (
    job_id     BIGINT NOT NULL REFERENCES gen_jobs(id) ON DELETE CASCADE,
    source_key TEXT NOT NULL,
    input      TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'written', 'duplicate', 'failed')),
    item_id    BIGINT,
    PRIMARY KEY (job_id, source_key)
);

-- One unit of work: a source in a candidate slot. unit_key is the idempotency key (job/source/slot).
CREATE TABLE gen_tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      BIGINT NOT NULL REFERENCES gen_jobs(id) ON DELETE CASCADE,
    unit_key    TEXT NOT NULL UNIQUE,
    source_key  TEXT NOT NULL,
    slot        INTEGER NOT NULL,
    endpoint_id BIGINT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     DATETIME NOT NULL,
    lease_token TEXT NOT NULL DEFAULT '',
    lease_until DATETIME,
    output      TEXT,
    -- The output names its own model or endpoint (shown to coordinators).
    flagged     BOOLEAN NOT NULL DEFAULT FALSE,
    reason      TEXT NOT NULL DEFAULT '',
    updated_at  DATETIME NOT NULL
);
CREATE INDEX gen_tasks_due ON gen_tasks (endpoint_id, next_at) WHERE status = 'pending';
CREATE INDEX gen_tasks_source ON gen_tasks (job_id, source_key);

-- Requests sent per endpoint, for the per-minute limit (pruned after a minute).
CREATE TABLE gen_requests (
    endpoint_id BIGINT NOT NULL,
    sent_at     DATETIME NOT NULL
);
CREATE INDEX gen_requests_endpoint ON gen_requests (endpoint_id, sent_at);

-- Where a generated item's candidates came from (JSON: labeling/gen.Origin per candidate).
ALTER TABLE items ADD COLUMN generation TEXT;

-- +goose Down
ALTER TABLE items DROP COLUMN generation;
DROP TABLE gen_requests;
DROP TABLE gen_tasks;
DROP TABLE gen_sources;
DROP TABLE gen_jobs;
