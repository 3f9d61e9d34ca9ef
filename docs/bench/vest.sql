-- pgbench script: the SQL one "vest" runs (equity/store post path), for a
-- baseline against BenchmarkVest. Run on a migrated database with
-- docs/bench/vest_setup.sql loaded, e.g.:
--   psql "$URL" -f docs/bench/vest_setup.sql
--   pgbench -n -c 8  -j 2 -T 30 -f docs/bench/vest.sql "$URL"
--   pgbench -n -c 64 -j 2 -T 30 -f docs/bench/vest.sql "$URL"
-- Each client vests its own member's credit; hashing is done in SQL here
-- (the Go path hashes in Go), the statements and locks are the same.
\set m random(1, 64)
BEGIN;
SELECT id FROM equity_transactions WHERE idempotency_key = 'bench:none';
SELECT unit, account, balance FROM equity_balances
  WHERE (unit = 'unit:1' AND account = 'member:' || :m || ':pending') OR (unit = 'unit:1' AND account = 'member:' || :m || ':vested')
  ORDER BY unit, account FOR UPDATE;
INSERT INTO equity_transactions (idempotency_key, body_hash, kind, model_id, member_id, reason, meta, created_at)
  VALUES ('pgbench:' || gen_random_uuid(), '', 'vest', 1, :m, '', '{}', now()) ON CONFLICT DO NOTHING RETURNING id \gset tx_
UPDATE equity_balances SET balance = balance - 1 WHERE unit = 'unit:1' AND account = 'member:' || :m || ':pending';
UPDATE equity_balances SET balance = balance + 1 WHERE unit = 'unit:1' AND account = 'member:' || :m || ':vested';
INSERT INTO equity_postings (tx_id, seq, unit, account, amount, category, created_at) VALUES
  (:tx_id, 1, 'unit:1', 'member:' || :m || ':pending', -1, 'annotation', now()),
  (:tx_id, 2, 'unit:1', 'member:' || :m || ':vested', 1, 'annotation', now());
INSERT INTO events (type, scope, actor_id, payload, created_at) VALUES ('equity.vested', 'member:' || :m, NULL, '{}', now());
-- The chain append (three statements in Go) as one CTE: pgbench cannot quote text variables.
WITH h AS (SELECT seq, hash FROM equity_log_head WHERE id = 1 FOR UPDATE),
     ins AS (INSERT INTO equity_log (seq, kind, ref_id, prev_hash, hash, created_at)
             SELECT h.seq + 1, 'tx', :tx_id, h.hash, encode(sha256(convert_to(h.hash || :tx_id, 'UTF8')), 'hex'), now() FROM h
             RETURNING seq, hash)
UPDATE equity_log_head SET seq = ins.seq, hash = ins.hash FROM ins WHERE id = 1;
COMMIT;
