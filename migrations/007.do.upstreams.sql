-- Federation: other registries this one links to or mirrors, and where every version that came
-- from one of them was copied from. Both tables are written by journal appliers only (ids and
-- timestamps from the events), so replay rebuilds them. The circuit breaker's state (consecutive
-- failures, open until) is per process and deliberately not stored.

CREATE TABLE upstreams (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  url text NOT NULL CHECK (url ~ '^https?://'),
  mode text NOT NULL CHECK (mode IN ('link', 'mirror')),
  -- Glob patterns on plugin ids (`@codex/*`); an empty include list takes every plugin.
  include text[] NOT NULL DEFAULT '{}',
  exclude text[] NOT NULL DEFAULT '{}',
  -- The NAME of the environment variable that holds the bearer token; never the token itself.
  token_env text CHECK (token_env ~ '^CODEX_(UPSTREAM|PEER)_TOKEN_[A-Z0-9_]{1,64}$'),
  timeout_ms integer NOT NULL CHECK (timeout_ms BETWEEN 100 AND 120000),
  failure_threshold integer NOT NULL CHECK (failure_threshold BETWEEN 1 AND 100),
  cooldown_ms integer NOT NULL CHECK (cooldown_ms BETWEEN 0 AND 86400000),
  -- The upstream's release key, pinned when the upstream was added (from its GET /api/keys).
  signing_key_id text NOT NULL,
  signing_key_pem text NOT NULL,
  -- Mirror mode: the last journal seq of the upstream that the sync has processed.
  mirror_cursor bigint NOT NULL DEFAULT 0 CHECK (mirror_cursor >= 0),
  last_synced_at timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);

-- One row per local version that was copied from an upstream (link read-through, mirror or clone).
-- No foreign key to upstreams: the provenance stays when the upstream is removed.
CREATE TABLE federated_versions (
  plugin_id text NOT NULL,
  version text NOT NULL,
  upstream_id text NOT NULL,
  upstream_url text NOT NULL,
  how text NOT NULL CHECK (how IN ('link', 'mirror', 'clone')),
  source_plugin_id text NOT NULL,
  source_version text NOT NULL,
  source_integrity text NOT NULL,
  source_signature text NOT NULL,
  source_key_id text NOT NULL,
  imported_by text NOT NULL,
  imported_at timestamptz NOT NULL,
  PRIMARY KEY (plugin_id, version),
  FOREIGN KEY (plugin_id, version) REFERENCES plugin_versions (plugin_id, version) ON DELETE CASCADE
);
CREATE INDEX federated_versions_upstream_idx ON federated_versions (upstream_id);
