-- Setup for docs/bench/vest.sql on a migrated, otherwise empty database:
-- one model and 64 members with a large pending balance each.
INSERT INTO models (id, name, created_at) VALUES (1, 'bench', now()) ON CONFLICT DO NOTHING;
INSERT INTO members (id, login, display_name, created_at, updated_at)
  SELECT g, 'bench' || g, 'bench' || g, now(), now() FROM generate_series(1, 64) g ON CONFLICT DO NOTHING;
INSERT INTO equity_balances (unit, account, balance)
  SELECT 'unit:1', 'member:' || g || ':pending', 1000000000 FROM generate_series(1, 64) g ON CONFLICT DO NOTHING;
