-- +goose Up
-- Coordinators revoke pending invites (docs/API.md, "Invites").
ALTER TABLE invites ADD COLUMN revoked_at DATETIME;

-- +goose Down
ALTER TABLE invites DROP COLUMN revoked_at;
