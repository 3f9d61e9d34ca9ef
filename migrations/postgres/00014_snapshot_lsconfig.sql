-- +goose Up
-- A snapshot freezes each project's Label Studio labelling config with its
-- schema, so a Label Studio export of it always uses the same control and
-- object names (docs/EXPORTS.md, "Label Studio"). Not part of the hash: the
-- names are how results are addressed, not what they say.
ALTER TABLE snapshot_projects ADD COLUMN ls_config TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE snapshot_projects DROP COLUMN ls_config;
