-- Setup for docs/bench/pgledger_vest.sql, after pgledger's own SQL is loaded:
-- 64 members with a pending, a vested and an issuance account each.
CREATE TABLE bench_accounts (member int, kind text, id text NOT NULL, PRIMARY KEY (member, kind));
INSERT INTO bench_accounts (member, kind, id)
  SELECT g, k, (SELECT id FROM pgledger_create_account('member:' || g || ':' || k, 'unit:1'))
  FROM generate_series(1, 64) g, unnest(ARRAY['pending', 'vested', 'issuance']) k;
ANALYZE;
