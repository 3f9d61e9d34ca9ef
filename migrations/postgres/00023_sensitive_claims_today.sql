-- +goose Up
-- A claim counts the member's sensitive items today against their cap
-- (claimStart, sensitiveToday). assignments_member_claimed serves that count
-- only through the member's every claim today, each checked for sensitive:
-- a labeller's thousandth claim of the day read a thousand rows to find the
-- few sensitive ones. This index holds only sensitive claims, so the count
-- reads no more rows than it counts, and the daily cap bounds those.
CREATE INDEX assignments_member_sensitive ON assignments (member_id, claimed_at) WHERE sensitive;

-- +goose Down
DROP INDEX assignments_member_sensitive;
