-- pgbench script: one labeller action, ClaimNextTask then work.Submit, as the
-- exact statements the Go path sends for it on PostgreSQL, in the same order
-- and under the same branches: the claim (its first read, then one statement
-- that picks in the bounded bands — started items, then unstarted items,
-- then all — leases and records, both outside a transaction: the second
-- commits by itself), the submit with the ledger's pending credit
-- (equity/store, through govern.NewLedger as `copyhold serve` wires it;
-- what the credit reads comes with the submit's first statement), and, on
-- the submit that gives an item its k-th answer, the review step (scoring,
-- routing to the review queue, consensus). BEGIN and COMMIT are statements
-- too: pgx sends them as such. The credit is one write: a statement of CTEs
-- that inserts the transaction, its postings, its register queue row and its
-- events, then locks the balance rows in sorted order and updates (or
-- inserts) them, as docs/bench/vest.sql does for a vest. Statements per
-- action, steady state: 9 (claim of an unstarted item), 9 (a started item),
-- 11 (the submit that completes the item). The Go path pipelines the
-- submit's BEGIN with its first read, and sends the submission's and the
-- credit's writes (whose ids that read drew: next_id here) with the COMMIT,
-- or with the review step's first read (sqldb.ExecLater), and each of the
-- claim's two statements with the set_config that keeps its generic plan
-- (sqldb.GenericPlan), so its round trips are 4, 4, 6; pgbench's simple
-- protocol sends each statement on its own (and plans every statement each
-- time, so the set_config changes nothing for it).
-- Not here: the event notifier's NOTIFY (labeling/event/notify.go),
-- which Go sends after a commit from its own goroutine and connection,
-- coalesced; the test leaves it out too.
--
-- labeling/store/action_statements_test.go runs one action of each branch
-- through the store with every statement logged and compares the sequence,
-- normalised (literals, $n and :variables become ?), with this file's: when
-- the Go path's SQL changes, that test fails until this file follows.
--
-- Where the Go path sends a value that pgbench cannot compute, the value is
-- equivalent: lease tokens and idempotency keys are random numbers, the
-- clock is fixed when the run starts (leases last 600 s, runs are shorter),
-- and the default gold window (20) is a literal where Go sends it as a
-- parameter. Strings that embed a variable after a colon are two
-- adjacent literals ('member:' then ':member:pending'), which PostgreSQL
-- joins; pgbench would otherwise read "::" as a cast.
--
-- docs/bench/run-claim-bench.sh sets the variables:
--   pgbench "$URL" -n -f docs/bench/claim-submit.sql -c 8 -j 2 -t 300 -D project=ID -D member0=FIRST_MEMBER_ID \
--     -D scope=project:ID -D rscope=review:ID -D unit=unit:MODEL_ID -D rc=RATE_CARD_ID -D now=T -D expires=T+600s \
--     -D day=MIDNIGHT -D dayname=YYYY-MM-DD
--
-- Client n acts as member member0 + n, so no two clients share a member.
\set member :member0 + :client_id
\set tok random(1, 9223372036854775806)
\set pick_id 0
-- Each of the claim's two statements goes in one write with this, in the
-- same implicit transaction: PostgreSQL runs the statement's generic plan
-- instead of planning it again for each project (sqldb.GenericPlan).
SELECT set_config('plan_cache_mode', 'force_generic_plan', true);
SELECT p.*, EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.member_id = :member) AS is_member,
    COALESCE(ms.sensitive_daily_cap, 20) AS sensitive_cap,
    (SELECT COUNT(*) FROM assignments WHERE member_id = :member AND sensitive AND claimed_at >= ':day') AS sensitive_used,
    COALESCE(ms.categories, 0) AS opted, ms.sensitive_minutes AS own_minutes, ms.break_until AS break_until,
    ms.paused_at AS paused_at, COALESCE(w.daily_minutes, 120) AS coop_minutes,
    COALESCE((SELECT d.exposure_ms FROM wellbeing_days d WHERE d.member_id = :member AND d.day = ':dayname'), 0) AS exposure_ms,
    COALESCE(a.id, 0) AS lease_id, a.item_id AS lease_item_id, a.lease_token AS lease_lease_token,
    a.lease_expires_at AS lease_lease_expires_at, a.claimed_at AS lease_claimed_at, a.sensitive AS lease_sensitive,
    a.draft AS lease_draft, a.draft_at AS lease_draft_at, a.active_ms AS lease_active_ms,
    (SELECT r.body FROM equity_rule_versions r WHERE r.rule = 'work_limits' AND r.scope_id = 0 ORDER BY r.version DESC LIMIT 1) AS limits,
    EXISTS (SELECT 1 FROM assignments x WHERE x.project_id = p.id AND x.state = 'leased'
        AND x.lease_expires_at <= ':now' AND x.member_id <> :member) AS expired_leases
FROM projects p
LEFT JOIN member_settings ms ON ms.member_id = :member
LEFT JOIN wellbeing_settings w ON w.id = 1
LEFT JOIN assignments a ON a.member_id = :member AND a.project_id = p.id AND a.state = 'leased'
WHERE p.id = :project;
SELECT set_config('plan_cache_mode', 'force_generic_plan', true);
-- The claim's one statement, outside a transaction (it commits by itself):
-- the three bands' picks in turn, each run only when those before it found
-- nothing (started items among the first 100, then unstarted items, then
-- every open item), the lease on the first item found, its slot and its event.
WITH b0 AS (SELECT i.id
    FROM (SELECT h.id, h.done, h.priority, h.order_key FROM items h
          WHERE h.project_id = :project AND h.status = 'open' AND h.done > 0
          ORDER BY h.done DESC, h.priority DESC, h.order_key
          LIMIT 100) head
    CROSS JOIN LATERAL (SELECT i.id FROM items i
      WHERE i.id = head.id AND i.status = 'open' AND i.done + i.held < 3
        AND (true OR NOT i.sensitive) AND (i.categories & 15) = 0
        AND NOT EXISTS (
        SELECT 1 FROM assignments m
        WHERE m.item_id = i.id AND m.member_id = :member AND m.state <> 'released')) i
    ORDER BY head.done DESC, head.priority DESC, head.order_key
    LIMIT 1 FOR NO KEY UPDATE OF i SKIP LOCKED),
  b1 AS (SELECT i.id
    FROM items i
    WHERE i.project_id = :project AND i.status = 'open' AND i.done + i.held < 3
      AND i.done = 0
      AND (true OR NOT i.sensitive) AND (i.categories & 15) = 0
      AND NOT EXISTS (
        SELECT 1 FROM assignments m
        WHERE m.item_id = i.id AND m.member_id = :member AND m.state <> 'released')
    ORDER BY i.done DESC, i.priority DESC, i.order_key
    LIMIT 1 FOR NO KEY UPDATE OF i SKIP LOCKED),
  b2 AS (SELECT i.id
    FROM items i
    WHERE i.project_id = :project AND i.status = 'open' AND i.done + i.held < 3
      AND (true OR NOT i.sensitive) AND (i.categories & 15) = 0
      AND NOT EXISTS (
        SELECT 1 FROM assignments m
        WHERE m.item_id = i.id AND m.member_id = :member AND m.state <> 'released')
    ORDER BY i.done DESC, i.priority DESC, i.order_key
    LIMIT 1 FOR NO KEY UPDATE OF i SKIP LOCKED),
  pick AS (SELECT id FROM b0 UNION ALL SELECT id FROM b1 UNION ALL SELECT id FROM b2 LIMIT 1),
  l AS (INSERT INTO assignments
    (project_id, item_id, member_id, state, lease_token, lease_expires_at, claimed_at, sensitive, active_ms, updated_at)
    SELECT :project, pick.id, :member, 'leased', ':tok', ':expires', ':now', i.sensitive, 0, ':now'
    FROM pick JOIN items i ON i.id = pick.id
    ON CONFLICT (item_id, member_id) DO UPDATE SET
        state = 'leased', lease_token = excluded.lease_token, lease_expires_at = excluded.lease_expires_at,
        claimed_at = excluded.claimed_at, submitted_at = NULL, updated_at = excluded.updated_at
    WHERE assignments.state = 'released'
    RETURNING id, item_id, draft, active_ms),
  u AS (UPDATE items SET held = items.held + 1 FROM l WHERE items.id = l.item_id
    RETURNING items.id, items.sensitive, items.data, items.prediction IS NOT NULL AS predicted),
  e AS (INSERT INTO events (type, scope, actor_id, payload, created_at)
        SELECT v.type, v.scope, v.actor_id, CAST(v.payload AS JSONB) || jsonb_build_object(CAST('item_id' AS TEXT), l.item_id, CAST('assignment_id' AS TEXT), l.id), v.created_at
        FROM l, (VALUES ('task.claimed', ':scope', CAST(:member AS BIGINT), '{}', CAST(':now' AS TIMESTAMPTZ))) AS v (type, scope, actor_id, payload, created_at))
SELECT l.id, l.item_id, u.sensitive, l.draft, l.active_ms, u.data, u.predicted FROM l JOIN u ON u.id = l.item_id \gset q_
\set pick_id :q_item_id
\set a_id :q_id
-- Submit.
BEGIN;
WITH s AS (SELECT * FROM submissions WHERE member_id = :member AND idempotency_key = ':tok'),
  a AS (SELECT * FROM assignments WHERE lease_token = ':tok' AND NOT EXISTS (SELECT 1 FROM s) FOR NO KEY UPDATE),
  i AS (SELECT items.* FROM items JOIN a ON items.id = a.item_id AND a.member_id = :member FOR NO KEY UPDATE OF items)
SELECT s.id AS s_id, s.assignment_id AS s_assignment_id, s.item_id AS s_item_id, s.project_id AS s_project_id, 
    s.member_id AS s_member_id, s.answer AS s_answer, s.idempotency_key AS s_idempotency_key, s.body_hash AS 
    s_body_hash, s.lead_time_ms AS s_lead_time_ms, s.is_gold AS s_is_gold, s.status AS s_status, s.created_at AS 
    s_created_at, a.id AS a_id, a.project_id AS a_project_id, a.item_id AS a_item_id, a.member_id AS a_member_id, 
    a.state AS a_state, a.lease_token AS a_lease_token, a.lease_expires_at AS a_lease_expires_at, a.claimed_at AS 
    a_claimed_at, a.submitted_at AS a_submitted_at, a.sensitive AS a_sensitive, a.draft AS a_draft, a.draft_at AS 
    a_draft_at, a.active_ms AS a_active_ms, a.updated_at AS a_updated_at, a.suggestion_shown AS a_suggestion_shown, 
    a.first_answer AS a_first_answer, i.id AS i_id, i.project_id AS i_project_id, i.import_id AS i_import_id, i.seq AS 
    i_seq, i.external_id AS i_external_id, i.data AS i_data, i.content_hash AS i_content_hash, i.priority AS 
    i_priority, i.order_key AS i_order_key, i.prediction AS i_prediction, i.prediction_model AS i_prediction_model, 
    i.prediction_score AS i_prediction_score, i.suggestion_source AS i_suggestion_source, i.suggestion_endpoint_id AS 
    i_suggestion_endpoint_id, i.suggestion_confidence AS i_suggestion_confidence, i.suggested_at AS i_suggested_at, 
    i.gold AS i_gold, i.sensitive AS i_sensitive, i.categories AS i_categories, i.status AS i_status, i.done AS i_done, 
    i.held AS i_held, i.created_at AS i_created_at, p.id AS p_id, p.model_id AS p_model_id, p.name AS p_name, 
    p.task_type AS p_task_type, p.schema AS p_schema, p.instructions AS p_instructions, p.overlap AS p_overlap, 
    p.lease_seconds AS p_lease_seconds, p.ordering AS p_ordering, p.random_seed AS p_random_seed, p.gold_rate_bp AS 
    p_gold_rate_bp, p.stint AS p_stint, p.sensitive_break_after AS p_sensitive_break_after, p.suggestion_policy AS 
    p_suggestion_policy, p.suggestion_control_bp AS p_suggestion_control_bp, p.order_by_usefulness AS 
    p_order_by_usefulness, p.status AS p_status, p.next_seq AS p_next_seq, p.created_by AS p_created_by, p.created_at 
    AS p_created_at, p.updated_at AS p_updated_at, p.ls_config AS p_ls_config,
    EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = a.project_id AND m.member_id = :member) AS is_member,
    (SELECT json_build_object('model_id', prj.model_id, 'active', (SELECT m.active FROM members m WHERE m.id = a.member_id),
        'rc_id', rc.id, 'rc_project_id', rc.project_id, 'rc_version', rc.version,
        'annotation_accepted', rc.annotation_accepted, 'correction', rc.correction, 'review_decision', rc.review_decision,
        'correction_labeller_bp', rc.correction_labeller_bp, 'difficulty', rc.difficulty, 'rc_reason', rc.reason,
        'rc_actor_id', rc.actor_id, 'rc_created_at', rc.created_at, 'rc_proposal_id', rc.proposal_id,
        'g_id', g.id, 'g_version', g.version, 'transfer_fee_bp', g.transfer_fee_bp, 'holding_cap_bp', g.holding_cap_bp,
        'cap_floor', g.cap_floor, 'reserve_share_bp', g.reserve_share_bp, 'exit_rule', g.exit_rule, 'g_reason', g.reason,
        'g_actor_id', g.actor_id, 'g_created_at', g.created_at, 'g_proposal_id', g.proposal_id,
        'unit_scale', (SELECT u.scale FROM equity_units u WHERE u.code = 'unit:' || prj.model_id),
        'next_id', nextval('equity_transactions_id_seq'))
    FROM (SELECT (SELECT p.model_id FROM projects p WHERE p.id = a.project_id) AS model_id) prj
    LEFT JOIN equity_rate_cards rc ON rc.project_id = a.project_id
        AND rc.version = (SELECT MAX(version) FROM equity_rate_cards WHERE project_id = a.project_id)
    LEFT JOIN equity_governance g ON g.version = (SELECT MAX(version) FROM equity_governance)) AS credit_read,
    nextval('submissions_id_seq') AS next_id
FROM (SELECT 1 AS one) AS one
LEFT JOIN s ON 1 = 1 LEFT JOIN a ON 1 = 1 LEFT JOIN i ON 1 = 1 LEFT JOIN projects p ON p.id = a.project_id \gset st_
\set complete :st_i_done + 1 >= 3
\if :complete
WITH s AS (INSERT INTO submissions (id, assignment_id, item_id, project_id, member_id, answer, idempotency_key,
        body_hash, lead_time_ms, is_gold, status, created_at)
    VALUES (:st_next_id, :a_id, :pick_id, :project, :member, '{"choice":"positive"}', ':tok', '815e7d4d3eb443548b69608e772a71ccca7af197de53edd3a550157943d5680c', 1000, false, 'submitted', ':now') RETURNING id),
  i AS (UPDATE items SET done = done + 1, held = held - 1, status = 'complete' WHERE id = :pick_id),
  a AS (UPDATE assignments SET state = 'submitted', submitted_at = ':now', draft = NULL, draft_at = NULL,
        active_ms = 1000, updated_at = ':now' WHERE id = :a_id),
  e AS (INSERT INTO events (type, scope, actor_id, payload, created_at)
        SELECT v.type, v.scope, v.actor_id, CAST(v.payload AS JSONB) || jsonb_build_object(CAST('submission_id' AS TEXT), s.id), v.created_at
        FROM s, (VALUES ('task.submitted', ':scope', CAST(:member AS BIGINT), '{"assignment_id": :a_id, "item_id": :pick_id}', CAST(':now' AS TIMESTAMPTZ)), ('item.completed', ':scope', CAST(NULL AS BIGINT), '{"done": 3, "item_id": :pick_id}', CAST(':now' AS TIMESTAMPTZ))) AS v (type, scope, actor_id, payload, created_at))
SELECT id FROM s \gset sub_
\else
WITH s AS (INSERT INTO submissions (id, assignment_id, item_id, project_id, member_id, answer, idempotency_key,
        body_hash, lead_time_ms, is_gold, status, created_at)
    VALUES (:st_next_id, :a_id, :pick_id, :project, :member, '{"choice":"positive"}', ':tok', '815e7d4d3eb443548b69608e772a71ccca7af197de53edd3a550157943d5680c', 1000, false, 'submitted', ':now') RETURNING id),
  i AS (UPDATE items SET done = done + 1, held = held - 1, status = 'open' WHERE id = :pick_id),
  a AS (UPDATE assignments SET state = 'submitted', submitted_at = ':now', draft = NULL, draft_at = NULL,
        active_ms = 1000, updated_at = ':now' WHERE id = :a_id),
  e AS (INSERT INTO events (type, scope, actor_id, payload, created_at)
        SELECT v.type, v.scope, v.actor_id, CAST(v.payload AS JSONB) || jsonb_build_object(CAST('submission_id' AS TEXT), s.id), v.created_at
        FROM s, (VALUES ('task.submitted', ':scope', CAST(:member AS BIGINT), '{"assignment_id": :a_id, "item_id": :pick_id}', CAST(':now' AS TIMESTAMPTZ))) AS v (type, scope, actor_id, payload, created_at))
SELECT id FROM s \gset sub_
\endif
-- The ledger's pending credit (equity/store): one write, from what the
-- submit's first statement read for it (its credit_read column; pgbench
-- cannot read JSON, so the rate card's id comes from -D rc, the model's
-- from the project read there, and the transaction's id, which Go takes
-- from the next_id the read drew, is the submission's moved past any id the
-- sequence gives in a run). Go sends it with the COMMIT, or with the review
-- step's first statement (sqldb.ExecLater): it waits for no answer.
\set tx_id :sub_id + 1000000000000
WITH t AS (INSERT INTO equity_transactions (id, idempotency_key, body_hash, kind, model_id, reverses_id, resolves_id,
        rate_card_id, governance_id, actor_id, member_id, project_id, item_id, submission_id, review_id, reason, meta, created_at)
        VALUES (:tx_id, 'submission:'
':sub_id:pending', '21233bde594cac5b5ac0912fbafce69814f4d0599a1655bb8bc375925ae0bcdb', 'pending', :st_p_model_id, NULL, NULL, :rc, NULL, :member, :member, :project, :pick_id, :sub_id, NULL, '', '{"difficulty": "", "rate_card_version": 1}', ':now')
        RETURNING id),
    p AS (INSERT INTO equity_postings (tx_id, seq, unit, account, amount, category, created_at)
        SELECT t.id, v.seq, v.unit, v.account, v.amount, v.category, CAST(':now' AS TIMESTAMPTZ) FROM t,
        (VALUES (CAST(1 AS INTEGER), ':unit', 'issuance', CAST('-1000000' AS BIGINT), 'annotation'), (CAST(2 AS INTEGER), ':unit', 'member:'
':member:pending', CAST(1000000 AS BIGINT), 'annotation')) AS v (seq, unit, account, amount, category)),
    q AS (INSERT INTO equity_log_queue (kind, ref_id, created_at) SELECT 'tx', t.id, CAST(':now' AS TIMESTAMPTZ) FROM t),
    e AS (INSERT INTO events (type, scope, actor_id, payload, created_at)
        SELECT v.type, v.scope, v.actor_id, CAST(v.payload AS JSONB) || jsonb_build_object(CAST('tx_id' AS TEXT), t.id), v.created_at
        FROM t, (VALUES ('equity.credited', 'member:'
':member', CAST(:member AS BIGINT), '{"amount": "1.000000", "kind": "pending", "member_id": :member, "model_id": :st_p_model_id, "state": "pending", "submission_id": :sub_id}', CAST(':now' AS TIMESTAMPTZ)),
            ('equity.register_changed', 'coop', CAST(NULL AS BIGINT), '{"kind": "pending", "model_id": :st_p_model_id}', CAST(':now' AS TIMESTAMPTZ))) AS v (type, scope, actor_id, payload, created_at)),
    d (unit, account, delta, may_be_negative) AS (VALUES (':unit', 'member:'
':member:pending', CAST(1000000 AS BIGINT), CAST(false AS BOOLEAN))),
    l AS MATERIALIZED (SELECT b.unit, b.account FROM equity_balances b
        WHERE (b.unit, b.account) IN (SELECT unit, account FROM d) AND EXISTS (SELECT 1 FROM t)
        ORDER BY b.unit, b.account FOR UPDATE),
    u AS (UPDATE equity_balances b SET balance = b.balance + d.delta FROM l, d
        WHERE b.unit = l.unit AND b.account = l.account AND d.unit = l.unit AND d.account = l.account AND d.delta <> 0)
    INSERT INTO equity_balances (unit, account, balance)
        SELECT d.unit, d.account, d.delta FROM d
        WHERE d.delta <> 0 AND NOT EXISTS (SELECT 1 FROM l WHERE l.unit = d.unit AND l.account = d.account)
        ON CONFLICT (unit, account) DO UPDATE SET balance = equity_balances.balance + excluded.balance;
\if :complete
-- The review step: score the item's k answers, route the round, update the
-- consensus. One read (the item's submissions, with the pending submitters'
-- gold results and any correction, the review rules, the rounds so far, the
-- item's status and its prior annotations), then one write: the round, its
-- events and, because a round queued for a reviewer changes nothing the
-- consensus reads, the item's consensus.
SELECT s.id AS s_id, s.item_id AS s_item_id, s.project_id AS s_project_id, s.member_id AS s_member_id, s.answer AS s_answer,
    s.status AS s_status, s.counted AS s_counted, s.is_gold AS s_is_gold, s.lead_time_ms AS s_lead_time_ms,
    s.disputed_at AS s_disputed_at, s.dispute_comment AS s_dispute_comment, s.created_at AS s_created_at,
    r.project_id AS r_project_id, r.auto_accept AS r_auto_accept, r.auto_accept_bp AS r_auto_accept_bp,
    r.sample_rate_bp AS r_sample_rate_bp, r.gold_threshold_bp AS r_gold_threshold_bp, r.gold_window AS r_gold_window,
    r.reject_reasons AS r_reject_reasons, r.tie_policy AS r_tie_policy, r.updated_at AS r_updated_at,
    (SELECT COUNT(*) FROM item_reviews WHERE item_id = :pick_id AND kind = 'item') AS rounds,
    i.status AS item_status,
    CASE WHEN s.status = 'corrected' THEN (SELECT d.corrected_answer FROM review_decisions d
        WHERE d.submission_id = s.id AND d.decision = 'correct' ORDER BY d.id DESC LIMIT 1) END AS corrected,
    CASE WHEN s.counted AND s.status = 'submitted' THEN (SELECT string_agg(CASE WHEN g.correct THEN '1' ELSE '0' END, '' ORDER BY g.submission_id DESC)
        FROM (SELECT gc.correct, gc.submission_id FROM gold_checks gc WHERE gc.project_id = :project AND gc.member_id = s.member_id
            ORDER BY gc.submission_id DESC
            LIMIT COALESCE((SELECT w.gold_window FROM review_settings w WHERE w.project_id = :project), 20)) AS g) END AS gold,
    (SELECT json_agg(json_build_array(pa.annotator, CAST(pa.answer AS TEXT)) ORDER BY pa.id)
        FROM prior_annotations pa WHERE pa.item_id = :pick_id) AS prior
FROM (SELECT 1 AS one) AS one
LEFT JOIN items i ON i.id = :pick_id
LEFT JOIN submissions s ON s.item_id = :pick_id
LEFT JOIN review_settings r ON r.project_id = :project
ORDER BY s.id;
WITH r AS (INSERT INTO item_reviews (project_id, item_id, kind, submission_id, metric, agreement_bp,
        gold_failed, reasons, route, state, created_at, updated_at)
    VALUES (:project, :pick_id, 'item', NULL, 'percent', 10000, false, '["auto_accept_off"]', 'review', 'queued', ':now', ':now') RETURNING id),
  e AS (INSERT INTO events (type, scope, actor_id, payload, created_at)
        SELECT v.type, v.scope, v.actor_id, CAST(v.payload AS JSONB) || jsonb_build_object(CAST('review_id' AS TEXT), r.id), v.created_at
        FROM r, (VALUES ('item.scored', ':rscope', CAST(NULL AS BIGINT), '{"agreement_bp": 10000, "item_id": :pick_id, "metric": "percent", "reasons": ["auto_accept_off"], "route": "review"}', CAST(':now' AS TIMESTAMPTZ)),
            ('item.queued_for_review', ':rscope', CAST(NULL AS BIGINT), '{"agreement_bp": 10000, "item_id": :pick_id, "metric": "percent", "reasons": ["auto_accept_off"], "route": "review"}', CAST(':now' AS TIMESTAMPTZ))) AS v (type, scope, actor_id, payload, created_at)),
  c AS (INSERT INTO item_consensus (item_id, project_id, method, label, decided, confidence_bp, votes, answer, posterior, updated_at)
VALUES (:pick_id, :project, 'majority', 'positive', true, 10000, 3, '{"choice":"positive"}', NULL, ':now')
ON CONFLICT (item_id) DO UPDATE SET method = excluded.method, label = excluded.label, decided = excluded.decided,
    confidence_bp = excluded.confidence_bp, votes = excluded.votes, answer = excluded.answer,
    posterior = excluded.posterior, updated_at = excluded.updated_at)
SELECT id FROM r;
\endif
COMMIT;
