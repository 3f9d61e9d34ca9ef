-- +goose Up
-- PostgreSQL's NOTIFY names its schema from this version on; SQLite has no
-- NOTIFY (an insert hook wakes the live layer), so nothing changes here.
SELECT 1;

-- +goose Down
SELECT 1;
