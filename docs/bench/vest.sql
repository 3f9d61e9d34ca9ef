-- pgbench script: the statements one vest sends on PostgreSQL (equity/store:
-- resolveReads in resolve_reads.go, then writeAll in dialect.go), in the same
-- order and shape, for a baseline against BenchmarkVest: the labeller's
-- pending → vested and the reviewer's credit, in steady state (every balance
-- row exists). One read, one write: the read draws the transaction's id
-- (nextval), the write inserts the transaction under it, its postings, its
-- register queue row and its events, then locks the balance rows in sorted
-- order and updates them, in one statement that returns nothing (Go sends it
-- with the COMMIT: sqldb.ExecLater; pgbench's simple protocol cannot, and
-- pays a round trip for it; the id is random where Go's is the one drawn). Run on a migrated
-- database with docs/bench/vest_setup.sql loaded (docs/bench/run-vest-bench.sh
-- does both). pgbench cannot quote text variables, so keys are built in SQL;
-- the bench transactions leave resolves_id empty so that a member's credit
-- can be "vested" again. TestVestStatements fails if the Go path sends more
-- than these two statements.
\set m random(1, 64)
\set r random(1, 64)
\set tx_id random(1000000000000, 9000000000000000000)
BEGIN;
WITH pend AS (SELECT t.id, t.model_id, t.member_id, t.project_id
        FROM (SELECT 1 AS one) AS one LEFT JOIN equity_transactions t ON t.idempotency_key = 'submission:' || :m || ':pending'),
    rules AS (SELECT COALESCE(rc.id, 0) AS rc_id, COALESCE(rc.project_id, 0) AS rc_project_id, COALESCE(rc.version, 0) AS rc_version,
            COALESCE(rc.annotation_accepted, 0) AS annotation_accepted, COALESCE(rc.correction, 0) AS correction,
            COALESCE(rc.review_decision, 0) AS review_decision, COALESCE(rc.correction_labeller_bp, 0) AS correction_labeller_bp,
            COALESCE(rc.difficulty, '') AS difficulty, COALESCE(rc.reason, '') AS rc_reason, COALESCE(rc.actor_id, 0) AS rc_actor_id,
            rc.created_at AS rc_created_at, COALESCE(rc.proposal_id, 0) AS rc_proposal_id,
            g.id AS g_id, COALESCE(g.version, 0) AS g_version, COALESCE(g.transfer_fee_bp, 0) AS transfer_fee_bp,
            COALESCE(g.holding_cap_bp, 0) AS holding_cap_bp, COALESCE(g.cap_floor, 0) AS cap_floor,
            COALESCE(g.reserve_share_bp, 0) AS reserve_share_bp, COALESCE(g.exit_rule, '') AS exit_rule,
            COALESCE(g.reason, '') AS g_reason, COALESCE(g.actor_id, 0) AS g_actor_id, g.created_at AS g_created_at,
            COALESCE(g.proposal_id, 0) AS g_proposal_id,
            COALESCE((SELECT b.balance FROM equity_balances b WHERE b.unit = 'unit:' || pend.model_id AND b.account = 'member:' || pend.member_id || ':receivable'), 0) AS receivable,
            f.fee AS fee,
            CASE WHEN f.fee IS NULL THEN 0 ELSE COALESCE((SELECT SUM(p.amount) FROM equity_postings p
                WHERE p.account = 'member:' || pend.member_id || ':vested' AND p.category = 'entry_fee'), 0) END AS fee_paid,
            (SELECT m.active FROM members m WHERE m.id = pend.member_id) AS labeller_active,
            (SELECT m.active FROM members m WHERE m.id = :r) AS reviewer_active,
            nextval('equity_transactions_id_seq') AS next_id
        FROM pend
        LEFT JOIN equity_rate_cards AS rc ON rc.project_id = pend.project_id
            AND rc.version = (SELECT MAX(version) FROM equity_rate_cards WHERE project_id = pend.project_id)
        LEFT JOIN equity_governance AS g ON g.version = (SELECT MAX(version) FROM equity_governance)
        LEFT JOIN equity_entry_fees AS f ON f.member_id = pend.member_id)
SELECT t.id, t.idempotency_key, t.body_hash, t.kind, COALESCE(t.model_id, 0) AS model_id,
    COALESCE(t.reverses_id, 0) AS reverses_id, COALESCE(t.resolves_id, 0) AS resolves_id,
    COALESCE(t.rate_card_id, 0) AS rate_card_id, COALESCE(t.governance_id, 0) AS governance_id,
    COALESCE(t.actor_id, 0) AS actor_id, COALESCE(t.member_id, 0) AS member_id,
    COALESCE(t.project_id, 0) AS project_id, COALESCE(t.item_id, 0) AS item_id,
    COALESCE(t.submission_id, 0) AS submission_id, COALESCE(t.review_id, 0) AS review_id,
    t.reason, t.meta, t.created_at, p.seq, p.unit, p.account, p.amount, p.category, rules.*
FROM equity_transactions t LEFT JOIN equity_postings p ON p.tx_id = t.id CROSS JOIN rules
WHERE t.idempotency_key IN ('review:bench:vest', 'submission:' || :m || ':pending') OR t.resolves_id = (SELECT id FROM pend)
ORDER BY t.id, p.seq;
WITH t AS (INSERT INTO equity_transactions (id, idempotency_key, body_hash, kind, model_id, reverses_id, resolves_id,
        rate_card_id, governance_id, actor_id, member_id, project_id, item_id, submission_id, review_id, reason, meta, created_at)
        VALUES (:tx_id, 'pgbench:' || gen_random_uuid(), 'e98549e74b05397f1ea44ce7d3316a601132418737db9419b3cb4129373795fc', 'vest', 1, NULL, NULL, 1, NULL, NULL, :m, 1, NULL, NULL, NULL, '', '{"rate_card_version":1,"reviewer_id":' || :r || '}', now())
        RETURNING id),
    p AS (INSERT INTO equity_postings (tx_id, seq, unit, account, amount, category, created_at)
        SELECT t.id, v.seq, v.unit, v.account, v.amount, v.category, CAST(now() AS TIMESTAMPTZ) FROM t,
        (VALUES (CAST(1 AS INTEGER), 'unit:1', 'member:' || :m || ':pending', CAST(-1000000 AS BIGINT), 'annotation'),
                (CAST(2 AS INTEGER), 'unit:1', 'member:' || :m || ':vested', CAST(1000000 AS BIGINT), 'annotation'),
                (CAST(3 AS INTEGER), 'unit:1', 'issuance', CAST(-100000 AS BIGINT), 'review'),
                (CAST(4 AS INTEGER), 'unit:1', 'member:' || :r || ':vested', CAST(100000 AS BIGINT), 'review')) AS v (seq, unit, account, amount, category)),
    q AS (INSERT INTO equity_log_queue (kind, ref_id, created_at) SELECT 'tx', t.id, CAST(now() AS TIMESTAMPTZ) FROM t),
    e AS (INSERT INTO events (type, scope, actor_id, payload, created_at)
        SELECT v.type, v.scope, v.actor_id, CAST(v.payload AS JSONB) || jsonb_build_object(CAST('tx_id' AS TEXT), t.id), v.created_at
        FROM t, (VALUES ('equity.vested', 'member:' || :m, CAST(NULL AS BIGINT), '{"kind":"vest","member_id":' || :m || ',"model_id":1,"pending":"1.000000","review_id":1,"submission_id":1,"vested":"1.000000"}', CAST(now() AS TIMESTAMPTZ)),
                        ('equity.credited', 'member:' || :r, CAST(NULL AS BIGINT), '{"amount":"0.100000","kind":"vest","member_id":' || :r || ',"model_id":1,"review_id":1,"state":"vested","submission_id":1}', CAST(now() AS TIMESTAMPTZ)),
                        ('equity.register_changed', 'coop', CAST(NULL AS BIGINT), '{"kind":"vest","model_id":1}', CAST(now() AS TIMESTAMPTZ))) AS v (type, scope, actor_id, payload, created_at)),
    d (unit, account, delta, may_be_negative) AS (VALUES ('unit:1', 'member:' || :m || ':pending', CAST(-1000000 AS BIGINT), CAST(false AS BOOLEAN)),
        ('unit:1', 'member:' || :m || ':vested', CAST(1000000 AS BIGINT), CAST(false AS BOOLEAN)),
        ('unit:1', 'member:' || :r || ':vested', CAST(100000 AS BIGINT), CAST(false AS BOOLEAN))),
    l AS MATERIALIZED (SELECT b.unit, b.account FROM equity_balances b
        WHERE (b.unit, b.account) IN (SELECT unit, account FROM d) AND EXISTS (SELECT 1 FROM t)
        ORDER BY b.unit, b.account FOR UPDATE),
    u AS (UPDATE equity_balances b SET balance = b.balance + d.delta FROM l, d
        WHERE b.unit = l.unit AND b.account = l.account AND d.unit = l.unit AND d.account = l.account AND d.delta <> 0)
    INSERT INTO equity_balances (unit, account, balance)
        SELECT d.unit, d.account, d.delta FROM d
        WHERE d.delta <> 0 AND NOT EXISTS (SELECT 1 FROM l WHERE l.unit = d.unit AND l.account = d.account)
        ON CONFLICT (unit, account) DO UPDATE SET balance = equity_balances.balance + excluded.balance;
COMMIT;
