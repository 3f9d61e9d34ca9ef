-- Setup for docs/bench/vest.sql on a migrated, otherwise empty database:
-- one model and project with a rate card, and 64 members, each with a
-- pending credit (the transaction and its postings that a vest reads) and
-- the balance rows a vest moves.
INSERT INTO models (id, name, created_at) VALUES (1, 'bench', now()) ON CONFLICT DO NOTHING;
INSERT INTO projects (id, model_id, name, task_type, schema, overlap, created_at, updated_at)
  VALUES (1, 1, 'bench', 'classification', '{}', 1, now(), now()) ON CONFLICT DO NOTHING;
INSERT INTO equity_rate_cards (project_id, version, annotation_accepted, correction, review_decision, correction_labeller_bp, reason, created_at)
  VALUES (1, 1, 1000000, 500000, 100000, 5000, 'bench', now()) ON CONFLICT DO NOTHING;
INSERT INTO members (id, login, display_name, created_at, updated_at)
  SELECT g, 'bench' || g, 'bench' || g, now(), now() FROM generate_series(1, 64) g ON CONFLICT DO NOTHING;
INSERT INTO equity_transactions (idempotency_key, body_hash, kind, model_id, member_id, project_id, reason, meta, created_at)
  SELECT 'submission:' || g || ':pending', '', 'pending', 1, g, 1, '', '{}', now() FROM generate_series(1, 64) g ON CONFLICT DO NOTHING;
INSERT INTO equity_postings (tx_id, seq, unit, account, amount, category, created_at)
  SELECT t.id, 1, 'unit:1', 'issuance', -1000000, 'annotation', now() FROM equity_transactions t WHERE t.kind = 'pending'
  UNION ALL
  SELECT t.id, 2, 'unit:1', 'member:' || t.member_id || ':pending', 1000000, 'annotation', now() FROM equity_transactions t WHERE t.kind = 'pending';
INSERT INTO equity_balances (unit, account, balance)
  SELECT 'unit:1', 'member:' || g || ':pending', 1000000000000000 FROM generate_series(1, 64) g
  UNION ALL SELECT 'unit:1', 'member:' || g || ':vested', 0 FROM generate_series(1, 64) g ON CONFLICT DO NOTHING;
