-- +goose Up
-- The NOTIFY that wakes the live layer is sent after the writing transaction
-- commits, by the writing process (labeling/event/notify.go), no longer by a
-- trigger inside it: a transaction that has queued a NOTIFY takes a lock at
-- COMMIT that all such transactions share, across the WAL flush, so every
-- event-writing transaction on the server committed one after another.
DROP TRIGGER events_notify ON events;
DROP FUNCTION copyhold_notify_events();

-- +goose Down
-- +goose StatementBegin
CREATE FUNCTION copyhold_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('copyhold_events', TG_TABLE_SCHEMA);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION copyhold_notify_events();
