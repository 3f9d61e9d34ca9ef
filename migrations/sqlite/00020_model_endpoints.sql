-- +goose Up
-- The co-op's model endpoints (docs/MODELS.md, "Endpoints and probes";
-- labeling/model/store). The API key is either stored encrypted (AES-GCM,
-- key_cipher: base64 of nonce and sealed key; the data key never enters the
-- database) or named by an environment variable (key_env), never both.
CREATE TABLE model_endpoints (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    base_url     TEXT NOT NULL,
    model        TEXT NOT NULL,
    key_env      TEXT NOT NULL DEFAULT '',
    key_cipher   TEXT NOT NULL DEFAULT '',
    -- Default sampling parameters (model.Params, JSON) and what the last
    -- probe found (model.Capabilities, JSON; '{}' before the first).
    params       TEXT NOT NULL DEFAULT '{}',
    concurrency  INTEGER NOT NULL DEFAULT 1 CHECK (concurrency BETWEEN 1 AND 64),
    per_minute   INTEGER NOT NULL DEFAULT 0 CHECK (per_minute >= 0),
    capabilities TEXT NOT NULL DEFAULT '{}',
    probed_at    DATETIME,
    created_by   BIGINT NOT NULL REFERENCES members(id),
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    CHECK (key_env = '' OR key_cipher = '')
);

-- A release may name the endpoint that serves it (labeling/store,
-- release_endpoint.go). Releases are append-only, so the name lives beside
-- them; deleting the endpoint removes it.
CREATE TABLE release_endpoints (
    release_id  BIGINT PRIMARY KEY REFERENCES releases(id),
    endpoint_id BIGINT NOT NULL REFERENCES model_endpoints(id) ON DELETE CASCADE,
    set_by      BIGINT NOT NULL REFERENCES members(id),
    set_at      DATETIME NOT NULL
);
CREATE INDEX release_endpoints_endpoint ON release_endpoints (endpoint_id);

-- +goose Down
DROP TABLE release_endpoints;
DROP TABLE model_endpoints;
