-- Base schema: settings, users and roles, API tokens, alerts and the append-only event journal.

CREATE TABLE settings (
  key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_.-]{0,99}$'),
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE roles (
  name text PRIMARY KEY CHECK (name IN ('super-admin', 'developer', 'user')),
  description text NOT NULL
);

CREATE TABLE users (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
  display_name text NOT NULL DEFAULT '',
  role text NOT NULL REFERENCES roles (name),
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_role_idx ON users (role);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- Only a SHA-256 of the token is stored; the token itself is shown once.
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  role text NOT NULL REFERENCES roles (name),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  CHECK (expires_at IS NULL OR expires_at > created_at)
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE alerts (
  -- Ids are chosen by the code (not a sequence) so that replaying the journal reproduces them.
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,99}$'),
  severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  message text NOT NULL CHECK (length(message) > 0),
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  acknowledged_by text,
  resolved_by text
);
CREATE INDEX alerts_status_created_idx ON alerts (status, created_at DESC);

-- The journal: one row per state change, hash-chained so tampering is detected.
CREATE TABLE events (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  ts timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_.-]{0,99}$'),
  subject text NOT NULL DEFAULT '',
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX events_type_seq_idx ON events (type, seq);
CREATE INDEX events_subject_seq_idx ON events (subject, seq);

CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

INSERT INTO roles (name, description) VALUES
  ('super-admin', 'Approves official plugins and core permissions, manages users, tokens, webhooks and upstreams.'),
  ('developer', 'Publishes plugins and manages installations.'),
  ('user', 'Browses, installs into permitted targets, reviews and requests plugins.');

-- Seed rows carry a fixed time so that every database built from the migrations holds the same
-- state (replay and import compare digests).
INSERT INTO settings (key, value, updated_at) VALUES
  ('registry.name', '"Plugin Codex"'::jsonb, '2026-01-01T00:00:00Z'),
  ('health.interval_seconds', '10'::jsonb, '2026-01-01T00:00:00Z'),
  ('auth.token_ttl_hours', '12'::jsonb, '2026-01-01T00:00:00Z');
