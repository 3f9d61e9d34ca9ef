-- +goose Up
-- Datasets out (docs/API-datasets.md): frozen, content-addressed snapshots of
-- accepted annotations; model releases trained on them; evaluation projects
-- whose items compare releases blind. Everything here is append-only: the
-- triggers below refuse UPDATE and DELETE, except that a snapshot is written
-- unsealed (hash '') and sealed once, in the transaction that creates it.

CREATE TABLE snapshots (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id     BIGINT NOT NULL REFERENCES models(id),
    mode         TEXT NOT NULL CHECK (mode IN ('consensus', 'all')),
    task_type    TEXT NOT NULL,
    -- SHA-256 of the canonical rows (labeling.SnapshotHasher); '' until sealed
    hash         TEXT NOT NULL DEFAULT '',
    items        BIGINT NOT NULL DEFAULT 0,
    annotations  BIGINT NOT NULL DEFAULT 0,
    contributors INTEGER NOT NULL DEFAULT 0,
    ledger_seq   BIGINT NOT NULL,
    ledger_head  TEXT NOT NULL,
    rate_cards   TEXT NOT NULL DEFAULT '[]',
    -- labour, agreement and units issued, frozen with the rows (JSON)
    provenance   TEXT NOT NULL DEFAULT '{}',
    -- per-snapshot secret for contributor pseudonyms; never leaves the server
    salt         TEXT NOT NULL,
    created_by   BIGINT REFERENCES members(id),
    created_at   DATETIME NOT NULL
);
CREATE INDEX snapshots_model ON snapshots (model_id, id);
CREATE INDEX snapshots_hash ON snapshots (hash);

CREATE TABLE snapshot_projects (
    snapshot_id BIGINT NOT NULL REFERENCES snapshots(id),
    project_id  BIGINT NOT NULL REFERENCES projects(id),
    name        TEXT NOT NULL,
    task_type   TEXT NOT NULL,
    schema      TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, project_id)
);

-- One row per item: labeling.ExportCanonicalRow, exactly the bytes hashed.
CREATE TABLE snapshot_rows (
    snapshot_id BIGINT NOT NULL REFERENCES snapshots(id),
    item_id     BIGINT NOT NULL,
    project_id  BIGINT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, item_id)
);

-- Who is in a snapshot, under the name frozen with it.
CREATE TABLE snapshot_members (
    snapshot_id BIGINT NOT NULL REFERENCES snapshots(id),
    member_id   BIGINT NOT NULL REFERENCES members(id),
    name        TEXT NOT NULL,
    named       BOOLEAN NOT NULL,
    annotations BIGINT NOT NULL,
    units       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (snapshot_id, member_id)
);
CREATE INDEX snapshot_members_member ON snapshot_members (member_id, snapshot_id);

CREATE TABLE releases (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id       BIGINT NOT NULL REFERENCES models(id),
    version        TEXT NOT NULL,
    base_model     TEXT NOT NULL DEFAULT '',
    training_notes TEXT NOT NULL DEFAULT '',
    checkpoint     TEXT NOT NULL DEFAULT '',
    -- SHA-256 over the canonical release (with its snapshot hashes and the
    -- register head below): what the coop event records
    hash           TEXT NOT NULL,
    ledger_seq     BIGINT NOT NULL,
    ledger_head    TEXT NOT NULL,
    created_by     BIGINT REFERENCES members(id),
    created_at     DATETIME NOT NULL,
    UNIQUE (model_id, version)
);

CREATE TABLE release_snapshots (
    release_id  BIGINT NOT NULL REFERENCES releases(id),
    snapshot_id BIGINT NOT NULL REFERENCES snapshots(id),
    PRIMARY KEY (release_id, snapshot_id)
);
CREATE INDEX release_snapshots_snapshot ON release_snapshots (snapshot_id);

-- An evaluation item: which release produced which field. Never shown to labellers.
CREATE TABLE evaluation_items (
    item_id    BIGINT PRIMARY KEY REFERENCES items(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    slots      TEXT NOT NULL
);
CREATE INDEX evaluation_items_project ON evaluation_items (project_id);

CREATE TABLE evaluations (
    project_id BIGINT PRIMARY KEY REFERENCES projects(id),
    model_id   BIGINT NOT NULL REFERENCES models(id),
    releases   TEXT NOT NULL,
    seed       BIGINT NOT NULL,
    created_by BIGINT REFERENCES members(id),
    created_at DATETIME NOT NULL
);
CREATE INDEX evaluations_model ON evaluations (model_id);

-- +goose StatementBegin
CREATE TRIGGER snapshots_sealed BEFORE UPDATE ON snapshots WHEN OLD.hash <> ''
BEGIN SELECT RAISE(ABORT, 'datasets: snapshots are immutable once sealed; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots
BEGIN SELECT RAISE(ABORT, 'datasets: snapshots is append-only; DELETE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER snapshot_rows_sealed BEFORE INSERT ON snapshot_rows
WHEN (SELECT hash FROM snapshots WHERE id = NEW.snapshot_id) <> ''
BEGIN SELECT RAISE(ABORT, 'datasets: the snapshot is sealed; INSERT refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER snapshot_rows_no_update BEFORE UPDATE ON snapshot_rows
BEGIN SELECT RAISE(ABORT, 'datasets: snapshot_rows is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER snapshot_rows_no_delete BEFORE DELETE ON snapshot_rows
BEGIN SELECT RAISE(ABORT, 'datasets: snapshot_rows is append-only; DELETE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER snapshot_projects_no_update BEFORE UPDATE ON snapshot_projects
BEGIN SELECT RAISE(ABORT, 'datasets: snapshot_projects is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER snapshot_projects_no_delete BEFORE DELETE ON snapshot_projects
BEGIN SELECT RAISE(ABORT, 'datasets: snapshot_projects is append-only; DELETE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER snapshot_members_no_update BEFORE UPDATE ON snapshot_members
BEGIN SELECT RAISE(ABORT, 'datasets: snapshot_members is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER snapshot_members_no_delete BEFORE DELETE ON snapshot_members
BEGIN SELECT RAISE(ABORT, 'datasets: snapshot_members is append-only; DELETE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER releases_no_update BEFORE UPDATE ON releases
BEGIN SELECT RAISE(ABORT, 'datasets: releases is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases
BEGIN SELECT RAISE(ABORT, 'datasets: releases is append-only; DELETE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER release_snapshots_no_update BEFORE UPDATE ON release_snapshots
BEGIN SELECT RAISE(ABORT, 'datasets: release_snapshots is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER release_snapshots_no_delete BEFORE DELETE ON release_snapshots
BEGIN SELECT RAISE(ABORT, 'datasets: release_snapshots is append-only; DELETE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER evaluation_items_no_update BEFORE UPDATE ON evaluation_items
BEGIN SELECT RAISE(ABORT, 'datasets: evaluation_items is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER evaluation_items_no_delete BEFORE DELETE ON evaluation_items
BEGIN SELECT RAISE(ABORT, 'datasets: evaluation_items is append-only; DELETE refused'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE evaluations;
DROP TABLE evaluation_items;
DROP TABLE release_snapshots;
DROP TABLE releases;
DROP TABLE snapshot_members;
DROP TABLE snapshot_rows;
DROP TABLE snapshot_projects;
DROP TABLE snapshots;
