-- +goose Up
-- PostgreSQL wakes websocket hubs with a NOTIFY trigger on events under this
-- id. SQLite runs one process, which wakes its hub in process, so there is
-- nothing to create; the migration keeps the ids of both dialects equal.
SELECT 1;

-- +goose Down
SELECT 1;
