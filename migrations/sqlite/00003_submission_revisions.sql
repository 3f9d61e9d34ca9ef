-- +goose Up
-- A labeller may amend a submission until it is reviewed. Each amendment
-- keeps the answer it replaced, so history is never lost.
CREATE TABLE submission_revisions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id   INTEGER NOT NULL REFERENCES submissions(id),
    member_id       INTEGER NOT NULL REFERENCES members(id),
    previous_answer TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    created_at      DATETIME NOT NULL,
    UNIQUE (submission_id, idempotency_key)
);
ALTER TABLE submissions ADD COLUMN updated_at DATETIME;
CREATE INDEX submissions_member ON submissions (member_id, id);

-- +goose Down
DROP INDEX submissions_member;
ALTER TABLE submissions DROP COLUMN updated_at;
DROP TABLE submission_revisions;
