-- +goose Up
-- Label Studio in and out without loss (docs/EXPORTS.md, "Label Studio").
-- A project made from a Label Studio config keeps it, so exports use its
-- control and object names; a prediction keeps its model version and score
-- (as the decimal text it came with); annotations by people outside the
-- co-op ("prior annotations") are kept apart from submissions: they count
-- for agreement and consensus and are exported, but they earn nothing.
-- A Dawid–Skene consensus keeps its posterior per class, in basis points.
ALTER TABLE projects ADD COLUMN ls_config TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN prediction_model TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN prediction_score TEXT NOT NULL DEFAULT '';
ALTER TABLE item_consensus ADD COLUMN posterior TEXT;

CREATE TABLE prior_annotations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   BIGINT NOT NULL REFERENCES projects(id),
    item_id      BIGINT NOT NULL REFERENCES items(id),
    import_id    BIGINT NOT NULL REFERENCES imports(id),
    annotator    TEXT NOT NULL,
    completed_by TEXT,
    answer       TEXT NOT NULL,
    lead_time_ms BIGINT NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL DEFAULT '',
    source_id    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX prior_annotations_item ON prior_annotations (item_id);
CREATE INDEX prior_annotations_project ON prior_annotations (project_id, item_id);

-- +goose Down
DROP TABLE prior_annotations;
ALTER TABLE item_consensus DROP COLUMN posterior;
ALTER TABLE items DROP COLUMN prediction_score;
ALTER TABLE items DROP COLUMN prediction_model;
ALTER TABLE projects DROP COLUMN ls_config;
