-- +goose Up
-- Suggestions (pre-annotations) as data, the per-project suggestion policy,
-- the record of what each labeller was shown, and ordering by usefulness
-- (docs/MODELS.md, "Suggestions").

-- Where an item's suggestion (items.prediction) came from: 'import' (a file's
-- prediction) or 'endpoint' (a model endpoint, suggestion_endpoint_id; the
-- model's name is prediction_model); '' when there is none. Its confidence
-- in basis points (NULL: unknown).
ALTER TABLE items ADD COLUMN suggestion_source TEXT NOT NULL DEFAULT '' CHECK (suggestion_source IN ('', 'import', 'endpoint'));
ALTER TABLE items ADD COLUMN suggestion_endpoint_id BIGINT;
ALTER TABLE items ADD COLUMN suggestion_confidence INTEGER CHECK (suggestion_confidence BETWEEN 0 AND 10000);
ALTER TABLE items ADD COLUMN suggested_at TIMESTAMPTZ;
UPDATE items SET suggestion_source = 'import' WHERE prediction IS NOT NULL;
-- The uncertainty stream of ordering by usefulness reads open items by confidence.
CREATE INDEX items_uncertain ON items (project_id, suggestion_confidence, order_key) WHERE status = 'open';

-- The policy: 'off', 'after_answer' (shown after the labeller's own first
-- answer) or 'up_front'; a control share of items (basis points, by a hash of
-- the item id) never shows one; ordering by usefulness mixes uncertain items
-- into the queue.
ALTER TABLE projects ADD COLUMN suggestion_policy TEXT NOT NULL DEFAULT 'up_front' CHECK (suggestion_policy IN ('off', 'after_answer', 'up_front'));
ALTER TABLE projects ADD COLUMN suggestion_control_bp INTEGER NOT NULL DEFAULT 1000 CHECK (suggestion_control_bp BETWEEN 0 AND 10000);
ALTER TABLE projects ADD COLUMN order_by_usefulness BOOLEAN NOT NULL DEFAULT FALSE;

-- What the assignment showed: '' nothing, 'up_front' or 'after_answer'; the
-- labeller's first answer under after_answer, recorded before the reveal.
ALTER TABLE assignments ADD COLUMN suggestion_shown TEXT NOT NULL DEFAULT '' CHECK (suggestion_shown IN ('', 'up_front', 'after_answer'));
ALTER TABLE assignments ADD COLUMN first_answer JSONB;

-- Per submission: whether a suggestion was shown and how, the suggestion as
-- shown, whether the final answer equals it, and under after_answer the
-- first answer and whether it already equalled it.
ALTER TABLE submissions ADD COLUMN suggestion_shown TEXT NOT NULL DEFAULT '' CHECK (suggestion_shown IN ('', 'up_front', 'after_answer'));
ALTER TABLE submissions ADD COLUMN suggestion JSONB;
ALTER TABLE submissions ADD COLUMN suggestion_accepted BOOLEAN;
ALTER TABLE submissions ADD COLUMN first_answer JSONB;
ALTER TABLE submissions ADD COLUMN first_matched BOOLEAN;

-- +goose Down
ALTER TABLE submissions DROP COLUMN first_matched;
ALTER TABLE submissions DROP COLUMN first_answer;
ALTER TABLE submissions DROP COLUMN suggestion_accepted;
ALTER TABLE submissions DROP COLUMN suggestion;
ALTER TABLE submissions DROP COLUMN suggestion_shown;
ALTER TABLE assignments DROP COLUMN first_answer;
ALTER TABLE assignments DROP COLUMN suggestion_shown;
ALTER TABLE projects DROP COLUMN order_by_usefulness;
ALTER TABLE projects DROP COLUMN suggestion_control_bp;
ALTER TABLE projects DROP COLUMN suggestion_policy;
DROP INDEX items_uncertain;
ALTER TABLE items DROP COLUMN suggested_at;
ALTER TABLE items DROP COLUMN suggestion_confidence;
ALTER TABLE items DROP COLUMN suggestion_endpoint_id;
ALTER TABLE items DROP COLUMN suggestion_source;
