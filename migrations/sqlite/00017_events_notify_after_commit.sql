-- +goose Up
-- PostgreSQL's NOTIFY moves out of the writing transaction; SQLite has no
-- NOTIFY (an insert hook wakes the live layer), so nothing changes here.
SELECT 1;

-- +goose Down
SELECT 1;
