-- +goose Up
-- Wake every process's websocket hub when events commit. A statement
-- trigger queues one NOTIFY per inserting statement inside the writing
-- transaction; PostgreSQL delivers it only on commit and merges identical
-- notifications, so a transaction with several events wakes listeners once
-- and costs no extra round trip. Listeners re-read the events table.
-- +goose StatementBegin
CREATE FUNCTION copyhold_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('copyhold_events', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION copyhold_notify_events();

-- +goose Down
DROP TRIGGER events_notify ON events;
DROP FUNCTION copyhold_notify_events();
