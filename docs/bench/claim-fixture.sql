-- Fixture for the claim benchmarks: :labellers labellers, one model and a
-- project named :'name' with :items open classification items (k = 3).
-- Used by BenchmarkClaimSubmit (labeling/store/claim_bench_test.go, which
-- substitutes the variables itself) and by run-claim-bench.sh through psql.
-- Multi-row INSERT ... SELECT generate_series builds 667k items in seconds;
-- the importer is not what is measured here.

INSERT INTO members (login, display_name, password_hash, active, created_at, updated_at)
SELECT 'bench' || g, 'Bench ' || g, '', TRUE, now(), now()
FROM generate_series(1, :labellers) g
ON CONFLICT (login) DO NOTHING;

INSERT INTO member_roles (member_id, role, granted_at)
SELECT id, 'labeller', now() FROM members WHERE login LIKE 'bench%'
ON CONFLICT DO NOTHING;

INSERT INTO models (name, created_at) VALUES ('bench-model', now())
ON CONFLICT (name) DO NOTHING;

INSERT INTO projects (model_id, name, task_type, schema, overlap, lease_seconds, ordering,
                      gold_rate_bp, stint, status, next_seq, created_at, updated_at)
SELECT id, :'name', 'classification',
       '{"field":"text","choices":[{"value":"positive"},{"value":"negative"}]}', 3, 600, 'priority',
       0, 0, 'open', :items + 1, now(), now()
FROM models WHERE name = 'bench-model';

INSERT INTO project_members (project_id, member_id, added_at)
SELECT p.id, m.id, now()
FROM projects p, members m
WHERE p.name = :'name' AND m.login LIKE 'bench%';

INSERT INTO items (project_id, seq, data, content_hash, priority, order_key, status, created_at)
SELECT p.id, g, jsonb_build_object('text', 'benchmark sentence number ' || g),
       encode(sha256(convert_to('benchmark sentence number ' || g, 'UTF8')), 'hex'),
       (g % 3), g, 'open', now()
FROM projects p, generate_series(1, :items) g
WHERE p.name = :'name';

-- Vacuumed as well as analysed, as autovacuum leaves a long-lived project
-- (the visibility map set, hint bits written): the benchmarks measure the
-- claim's steady state, not the first reads after a bulk load.
VACUUM (ANALYZE) items;
VACUUM (ANALYZE) assignments;
