-- pgbench script: the statements one vest sends (equity/store: resolve,
-- resolve_reads.go, post.go write, dialect.go insertTx, applyBalances), in
-- the same order and shape (the balance rows locked last, held only to the
-- commit), for a baseline against BenchmarkVest: the
-- labeller's pending → vested and the reviewer's credit, in steady state
-- (every balance row exists). Run on a migrated database with
-- docs/bench/vest_setup.sql loaded (docs/bench/run-vest-bench.sh does both).
-- pgbench cannot quote text variables, so keys are built in SQL; the bench
-- transactions leave resolves_id empty so that a member's credit can be
-- "vested" again. No global lock: the register entry is one queue row.
\set m random(1, 64)
\set r random(1, 64)
BEGIN;
SELECT t.id, t.idempotency_key, t.body_hash, t.kind, COALESCE(t.model_id, 0) AS model_id,
    COALESCE(t.reverses_id, 0) AS reverses_id, COALESCE(t.resolves_id, 0) AS resolves_id,
    COALESCE(t.rate_card_id, 0) AS rate_card_id, COALESCE(t.governance_id, 0) AS governance_id,
    COALESCE(t.actor_id, 0) AS actor_id, COALESCE(t.member_id, 0) AS member_id,
    COALESCE(t.project_id, 0) AS project_id, COALESCE(t.item_id, 0) AS item_id,
    COALESCE(t.submission_id, 0) AS submission_id, COALESCE(t.review_id, 0) AS review_id,
    t.reason, t.meta, t.created_at, p.seq, p.unit, p.account, p.amount, p.category
  FROM equity_transactions t LEFT JOIN equity_postings p ON p.tx_id = t.id
  WHERE t.idempotency_key IN ('review:bench:vest', 'submission:' || :m || ':pending')
     OR t.resolves_id = (SELECT r.id FROM equity_transactions r WHERE r.idempotency_key = 'submission:' || :m || ':pending')
  ORDER BY t.id, p.seq;
SELECT rc.id, rc.project_id, rc.version, rc.annotation_accepted, rc.correction, rc.review_decision,
    rc.correction_labeller_bp, rc.difficulty, rc.reason, COALESCE(rc.actor_id, 0), rc.created_at, COALESCE(rc.proposal_id, 0),
    g.id, COALESCE(g.version, 0), COALESCE(g.transfer_fee_bp, 0), COALESCE(g.holding_cap_bp, 0), COALESCE(g.cap_floor, 0),
    COALESCE(g.reserve_share_bp, 0), COALESCE(g.exit_rule, ''), COALESCE(g.reason, ''), COALESCE(g.actor_id, 0), g.created_at,
    COALESCE(g.proposal_id, 0),
    COALESCE((SELECT b.balance FROM equity_balances b WHERE b.unit = 'unit:1' AND b.account = 'member:' || :m || ':receivable'), 0),
    f.fee,
    CASE WHEN f.fee IS NULL THEN 0 ELSE COALESCE((SELECT SUM(p.amount) FROM equity_postings p
        WHERE p.account = 'member:' || :m || ':vested' AND p.category = 'entry_fee'), 0) END
FROM equity_rate_cards AS rc
LEFT JOIN equity_governance AS g ON g.version = (SELECT MAX(version) FROM equity_governance)
LEFT JOIN equity_entry_fees AS f ON f.member_id = :m
WHERE rc.project_id = 1 AND rc.version = (SELECT MAX(version) FROM equity_rate_cards WHERE project_id = 1);
SELECT id, active FROM members WHERE id IN (:m, :r);
WITH t AS (INSERT INTO equity_transactions (idempotency_key, body_hash, kind, model_id, reverses_id, resolves_id,
        rate_card_id, governance_id, actor_id, member_id, project_id, item_id, submission_id, review_id, reason, meta, created_at)
        VALUES ('pgbench:' || gen_random_uuid(), '', 'vest', 1, NULL, NULL, 1, NULL, :r, :m, 1, NULL, NULL, NULL, '', '{}', now())
        ON CONFLICT DO NOTHING RETURNING id),
     p AS (INSERT INTO equity_postings (tx_id, seq, unit, account, amount, category, created_at)
        SELECT t.id, v.seq, v.unit, v.account, v.amount, v.category, now() FROM t,
        (VALUES (1, 'unit:1', 'member:' || :m || ':pending', -1, 'annotation'), (2, 'unit:1', 'member:' || :m || ':vested', 1, 'annotation'),
                (3, 'unit:1', 'issuance', -1, 'review'), (4, 'unit:1', 'member:' || :r || ':vested', 1, 'review'))
          AS v (seq, unit, account, amount, category)),
     q AS (INSERT INTO equity_log_queue (kind, ref_id, created_at) SELECT 'tx', t.id, now() FROM t)
SELECT id FROM t;
INSERT INTO events (type, scope, actor_id, payload, created_at) VALUES ('equity.vested', 'member:' || :m, NULL, '{}', now());
SELECT unit, account, balance FROM equity_balances
  WHERE (unit = 'unit:1' AND account = 'member:' || :m || ':pending') OR (unit = 'unit:1' AND account = 'member:' || :m || ':vested')
     OR (unit = 'unit:1' AND account = 'member:' || :r || ':vested')
  ORDER BY unit, account FOR UPDATE;
UPDATE equity_balances SET balance = equity_balances.balance + v.delta
  FROM (SELECT 'unit:1' AS unit, 'member:' || :m || ':pending' AS account, CAST(-1 AS BIGINT) AS delta
        UNION ALL SELECT 'unit:1', 'member:' || :m || ':vested', 1
        UNION ALL SELECT 'unit:1', 'member:' || :r || ':vested', 1) AS v
  WHERE equity_balances.unit = v.unit AND equity_balances.account = v.account;
COMMIT;
