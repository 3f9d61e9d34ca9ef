-- +goose Up
-- Each NOTIFY names the schema of the events table it is for, so that
-- installations sharing one database (or the tests' schemas) wake only their
-- own listeners (labeling/event/listen.go filters on it).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION copyhold_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('copyhold_events', TG_TABLE_SCHEMA);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION copyhold_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('copyhold_events', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
