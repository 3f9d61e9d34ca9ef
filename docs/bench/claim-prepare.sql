-- Run once on the pgbench fixture (docs/bench/claim-fixture.sql) before
-- docs/bench/claim-submit.sql: what the Go path does on a project's first
-- submit only, so that the script sees the steady state the Go benchmark
-- measures: the project's first rate card (the co-op's default rates) and
-- the model's unit (scale 6), with the values the Go path writes.
INSERT INTO equity_rate_cards (project_id, version, annotation_accepted, correction, review_decision,
        correction_labeller_bp, difficulty, reason, actor_id, created_at, proposal_id)
SELECT id, 1, 1000000, 500000, 100000, 5000, '{}', 'the co-op''s default rates (the project had none when work began)', NULL, now(), NULL
FROM projects WHERE name = :'name';
INSERT INTO equity_units (code, model_id, scale, created_at)
SELECT 'unit:' || model_id, model_id, 6, now() FROM projects WHERE name = :'name'
ON CONFLICT DO NOTHING;
