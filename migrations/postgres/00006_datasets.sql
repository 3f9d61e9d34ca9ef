-- +goose Up
-- Datasets out (docs/API-datasets.md): frozen, content-addressed snapshots of
-- accepted annotations; model releases trained on them; evaluation projects
-- whose items compare releases blind. Everything here is append-only: the
-- triggers below refuse UPDATE and DELETE, except that a snapshot is written
-- unsealed (hash '') and sealed once, in the transaction that creates it.

CREATE TABLE snapshots (
    id           BIGSERIAL PRIMARY KEY,
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
    created_at   TIMESTAMPTZ NOT NULL
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
    id             BIGSERIAL PRIMARY KEY,
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
    created_at     TIMESTAMPTZ NOT NULL,
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
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX evaluations_model ON evaluations (model_id);

-- +goose StatementBegin
CREATE FUNCTION datasets_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'datasets: % is append-only; % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'P0001';
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION datasets_snapshot_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'snapshots' THEN
        IF OLD.hash <> '' THEN
            RAISE EXCEPTION 'datasets: snapshots are immutable once sealed; UPDATE refused' USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW;
    END IF;
    IF (SELECT hash FROM snapshots WHERE id = NEW.snapshot_id) <> '' THEN
        RAISE EXCEPTION 'datasets: the snapshot is sealed; INSERT refused' USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER snapshots_sealed BEFORE UPDATE ON snapshots FOR EACH ROW EXECUTE FUNCTION datasets_snapshot_sealed();
CREATE TRIGGER snapshot_rows_sealed BEFORE INSERT ON snapshot_rows FOR EACH ROW EXECUTE FUNCTION datasets_snapshot_sealed();
CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots FOR EACH ROW EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER snapshot_rows_append_only BEFORE UPDATE OR DELETE ON snapshot_rows FOR EACH ROW EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER snapshot_projects_append_only BEFORE UPDATE OR DELETE ON snapshot_projects FOR EACH ROW EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER snapshot_members_append_only BEFORE UPDATE OR DELETE ON snapshot_members FOR EACH ROW EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER releases_append_only BEFORE UPDATE OR DELETE ON releases FOR EACH ROW EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER release_snapshots_append_only BEFORE UPDATE OR DELETE ON release_snapshots FOR EACH ROW EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER evaluation_items_append_only BEFORE UPDATE OR DELETE ON evaluation_items FOR EACH ROW EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER snapshots_no_truncate BEFORE TRUNCATE ON snapshots FOR EACH STATEMENT EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER snapshot_rows_no_truncate BEFORE TRUNCATE ON snapshot_rows FOR EACH STATEMENT EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER snapshot_members_no_truncate BEFORE TRUNCATE ON snapshot_members FOR EACH STATEMENT EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER releases_no_truncate BEFORE TRUNCATE ON releases FOR EACH STATEMENT EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER release_snapshots_no_truncate BEFORE TRUNCATE ON release_snapshots FOR EACH STATEMENT EXECUTE FUNCTION datasets_append_only();
CREATE TRIGGER evaluation_items_no_truncate BEFORE TRUNCATE ON evaluation_items FOR EACH STATEMENT EXECUTE FUNCTION datasets_append_only();

-- +goose Down
DROP TABLE evaluations;
DROP TABLE evaluation_items;
DROP TABLE release_snapshots;
DROP TABLE releases;
DROP TABLE snapshot_members;
DROP TABLE snapshot_rows;
DROP TABLE snapshot_projects;
DROP TABLE snapshots;
DROP FUNCTION datasets_snapshot_sealed();
DROP FUNCTION datasets_append_only();
