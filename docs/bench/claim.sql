-- pgbench script: one labeller action, a claim then a submit, as the same SQL
-- statements the Go store sends for it (labeling/store/claim.go, dialect.go;
-- events as AppendEvent writes them). Not included: the review hook that
-- Submit calls after the submission (gold check, scoring), which is not part
-- of the claim path, and the store's bounded "started items" and "unstarted
-- items" passes (claimBand in dialect.go): this script sends the full claim
-- statement, which the store runs when those find nothing.
--
--   pgbench "$URL" -n -f docs/bench/claim.sql -c 8 -j 2 -t 500 -D project=ID -D member0=FIRST_MEMBER_ID
--
-- Client n acts as member member0 + n, so no two clients share a member.
\set member :member0 + :client_id
BEGIN;
SELECT p.*, EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.member_id = :member) AS is_member
FROM projects p WHERE p.id = :project;
SELECT * FROM assignments WHERE member_id = :member AND project_id = :project AND state = 'leased';
SELECT COALESCE((SELECT sensitive_daily_cap FROM member_settings WHERE member_id = :member), 20) AS cap_n,
    (SELECT COUNT(*) FROM assignments WHERE member_id = :member AND sensitive = TRUE
     AND claimed_at >= date_trunc('day', now() AT TIME ZONE 'UTC')) AS used;
WITH victim AS (SELECT a.id
    FROM assignments a
    JOIN items i ON i.id = a.item_id
    WHERE a.project_id = :project AND a.state = 'leased' AND a.lease_expires_at <= now()
      AND a.member_id <> :member AND i.status = 'open'
      AND (TRUE OR NOT i.sensitive)
      AND NOT EXISTS (SELECT 1 FROM assignments m
        WHERE m.item_id = i.id AND m.member_id = :member AND m.state <> 'released')
    ORDER BY a.lease_expires_at, a.id
    LIMIT 1 FOR NO KEY UPDATE OF a SKIP LOCKED)
UPDATE assignments SET state = 'expired', updated_at = now()
FROM victim WHERE assignments.id = victim.id
RETURNING assignments.id, assignments.item_id, assignments.member_id, assignments.sensitive;
WITH pick AS (SELECT i.id
    FROM items i
    WHERE i.project_id = :project AND i.status = 'open' AND i.done + i.held < 3
      AND (TRUE OR NOT i.sensitive)
      AND NOT EXISTS (SELECT 1 FROM assignments m
        WHERE m.item_id = i.id AND m.member_id = :member AND m.state <> 'released')
    ORDER BY i.done DESC, i.priority DESC, i.order_key
    LIMIT 1 FOR NO KEY UPDATE OF i SKIP LOCKED)
UPDATE items SET held = items.held + 1
FROM pick WHERE items.id = pick.id
RETURNING items.id AS item_id, items.sensitive AS item_sensitive, items.data AS item_data \gset
INSERT INTO assignments
    (project_id, item_id, member_id, state, lease_token, lease_expires_at, claimed_at, sensitive, active_ms, updated_at)
VALUES (:project, :item_id, :member, 'leased', md5(random()::text), now() + interval '600 seconds', now(), FALSE, 0, now())
ON CONFLICT (item_id, member_id) DO UPDATE SET
    state = 'leased', lease_token = excluded.lease_token, lease_expires_at = excluded.lease_expires_at,
    claimed_at = excluded.claimed_at, submitted_at = NULL, updated_at = excluded.updated_at
WHERE assignments.state = 'released'
RETURNING id AS assignment_id, lease_token AS token \gset
INSERT INTO events (type, scope, actor_id, payload, created_at)
VALUES ('task.claimed', 'project:' || :project, :member,
        jsonb_build_object('assignment_id', :assignment_id, 'item_id', :item_id), now());
COMMIT;
BEGIN;
SELECT * FROM submissions WHERE member_id = :member AND idempotency_key = ':token';
SELECT * FROM assignments WHERE lease_token = ':token' FOR NO KEY UPDATE;
SELECT * FROM projects WHERE id = :project;
SELECT * FROM items WHERE id = :item_id FOR NO KEY UPDATE;
INSERT INTO submissions (assignment_id, item_id, project_id, member_id, answer, idempotency_key, body_hash,
                         lead_time_ms, is_gold, status, created_at)
VALUES (:assignment_id, :item_id, :project, :member, '{"choice":"positive"}', ':token', md5(':token'),
        1000, FALSE, 'submitted', now());
UPDATE items SET done = done + 1, held = held - 1,
    status = CASE WHEN done + 1 >= 3 THEN 'complete' ELSE status END
WHERE id = :item_id;
UPDATE assignments SET state = 'submitted', submitted_at = now(), draft = NULL, draft_at = NULL,
    active_ms = 1000, updated_at = now()
WHERE id = :assignment_id;
INSERT INTO events (type, scope, actor_id, payload, created_at)
VALUES ('task.submitted', 'project:' || :project, :member,
        jsonb_build_object('assignment_id', :assignment_id, 'item_id', :item_id), now());
COMMIT;
