-- +goose Up
-- Moderator wellbeing and member preferences (docs/TASKTYPES.md, "Sensitive items").
-- An item's sensitive-content categories, a bit mask (labeling/sensitive):
-- 1 violence, 2 sexual content, 4 self-harm, 8 hate.
ALTER TABLE items ADD COLUMN categories INTEGER NOT NULL DEFAULT 0 CHECK (categories >= 0);
-- A project may force the break after a shorter (or longer) run of its
-- sensitive items than the co-op's (0: the co-op's).
ALTER TABLE projects ADD COLUMN sensitive_break_after INTEGER NOT NULL DEFAULT 0 CHECK (sensitive_break_after >= 0);
-- Minutes of sensitive content this assignment showed, claim to submit or
-- skip, capped per task; 0 for the rest.
ALTER TABLE assignments ADD COLUMN exposure_ms BIGINT NOT NULL DEFAULT 0;

-- The member's own choices: the categories they opted into (none by
-- default), their daily budget of sensitive minutes (NULL: the co-op's),
-- greyscale images, their keyboard shortcuts (a JSON object of action to
-- key), and the state of their run of sensitive items, break and pause.
ALTER TABLE member_settings ADD COLUMN categories INTEGER NOT NULL DEFAULT 0 CHECK (categories >= 0);
ALTER TABLE member_settings ADD COLUMN sensitive_minutes INTEGER CHECK (sensitive_minutes >= 0);
ALTER TABLE member_settings ADD COLUMN greyscale BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE member_settings ADD COLUMN shortcuts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE member_settings ADD COLUMN sensitive_run INTEGER NOT NULL DEFAULT 0;
ALTER TABLE member_settings ADD COLUMN sensitive_run_at TIMESTAMPTZ;
ALTER TABLE member_settings ADD COLUMN break_until TIMESTAMPTZ;
ALTER TABLE member_settings ADD COLUMN paused_at TIMESTAMPTZ;

-- The co-op's wellbeing settings: one row.
CREATE TABLE wellbeing_settings (
    id                SMALLINT PRIMARY KEY CHECK (id = 1),
    -- The member told when someone presses "this affected me"; never their reviewer.
    contact_member_id BIGINT REFERENCES members(id),
    daily_minutes     INTEGER NOT NULL CHECK (daily_minutes >= 0),
    task_cap_minutes  INTEGER NOT NULL CHECK (task_cap_minutes >= 1),
    break_after       INTEGER NOT NULL CHECK (break_after >= 0),
    break_minutes     INTEGER NOT NULL CHECK (break_minutes >= 0),
    updated_at        TIMESTAMPTZ NOT NULL
);
INSERT INTO wellbeing_settings (id, daily_minutes, task_cap_minutes, break_after, break_minutes, updated_at)
VALUES (1, 120, 5, 10, 10, CURRENT_TIMESTAMP);

-- Per member and UTC day ('YYYY-MM-DD'): sensitive minutes, items and forced
-- breaks. Coordinators read only sums across members.
CREATE TABLE wellbeing_days (
    member_id   BIGINT NOT NULL REFERENCES members(id),
    day         TEXT NOT NULL,
    exposure_ms BIGINT NOT NULL DEFAULT 0,
    items       INTEGER NOT NULL DEFAULT 0,
    breaks      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (member_id, day)
);

-- "This affected me": what the designated contact reads. Only they do.
CREATE TABLE wellbeing_notices (
    id         BIGSERIAL PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES members(id),
    member_id  BIGINT NOT NULL REFERENCES members(id),
    project_id BIGINT REFERENCES projects(id),
    note       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX wellbeing_notices_contact ON wellbeing_notices (contact_id, id);

-- +goose Down
DROP TABLE wellbeing_notices;
DROP TABLE wellbeing_days;
DROP TABLE wellbeing_settings;
ALTER TABLE member_settings DROP COLUMN paused_at;
ALTER TABLE member_settings DROP COLUMN break_until;
ALTER TABLE member_settings DROP COLUMN sensitive_run_at;
ALTER TABLE member_settings DROP COLUMN sensitive_run;
ALTER TABLE member_settings DROP COLUMN shortcuts;
ALTER TABLE member_settings DROP COLUMN greyscale;
ALTER TABLE member_settings DROP COLUMN sensitive_minutes;
ALTER TABLE member_settings DROP COLUMN categories;
ALTER TABLE assignments DROP COLUMN exposure_ms;
ALTER TABLE items DROP COLUMN categories;
ALTER TABLE projects DROP COLUMN sensitive_break_after;
