-- Debug sessions, their run snapshots, fix suggestions and fix outcomes (the learning record), and
-- runtime-error fingerprints. All operational: they are not rebuilt from the journal (the journal
-- carries `debug.*` and `fix.*` events for the story only).

CREATE TABLE debug_sessions (
  id uuid PRIMARY KEY,
  plugin_id text NOT NULL,
  version text NOT NULL,
  target_id text,
  trigger text NOT NULL CHECK (trigger IN ('manual', 'publish', 'runtime-error', 'install', 'upgrade')),
  status text NOT NULL CHECK (status IN ('running', 'passed', 'failed', 'error')),
  -- The runtime error that started the session (its fingerprint), when one did.
  fingerprint text,
  started_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  -- The whole result once finished (findings, runs, drift, durations); null while running.
  result jsonb
);
CREATE INDEX debug_sessions_plugin_idx ON debug_sessions (plugin_id, created_at DESC);

-- One row per distinct runtime error: the first occurrence starts a session, later ones count.
CREATE TABLE debug_error_fingerprints (
  fingerprint text PRIMARY KEY,
  plugin_id text NOT NULL,
  version text NOT NULL,
  session_id uuid NOT NULL REFERENCES debug_sessions (id) ON DELETE CASCADE,
  error jsonb NOT NULL,
  occurrences integer NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);

-- The run snapshot of each finished session. The last 10 per plugin keep `data` (the whole run);
-- older ones keep only `summary`.
CREATE TABLE debug_snapshots (
  id uuid PRIMARY KEY,
  -- Orders snapshots of one plugin even when two finish within the same timestamp.
  seq bigserial NOT NULL,
  session_id uuid NOT NULL REFERENCES debug_sessions (id) ON DELETE CASCADE,
  plugin_id text NOT NULL,
  version text NOT NULL,
  status text NOT NULL CHECK (status IN ('passed', 'failed', 'error')),
  created_at timestamptz NOT NULL DEFAULT now(),
  summary jsonb NOT NULL,
  data jsonb
);
CREATE INDEX debug_snapshots_plugin_idx ON debug_snapshots (plugin_id, seq DESC);

CREATE TABLE fix_suggestions (
  id uuid PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES debug_sessions (id) ON DELETE CASCADE,
  plugin_id text NOT NULL,
  version text NOT NULL,
  -- The codex rule of the finding, or `runtime:<fingerprint>` for a runtime error.
  subject text NOT NULL,
  file text NOT NULL,
  status text NOT NULL CHECK (status IN ('verified', 'failed-verification', 'published', 'rejected', 'reverted')),
  reason text NOT NULL DEFAULT '',
  diff text NOT NULL DEFAULT '',
  new_text text,
  rejected jsonb NOT NULL DEFAULT '[]',
  published_version text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE fix_outcomes (
  id uuid PRIMARY KEY,
  suggestion_id uuid REFERENCES fix_suggestions (id) ON DELETE SET NULL,
  -- The rule id, or the error fingerprint for runtime errors.
  subject text NOT NULL,
  plugin_id text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('offered', 'accepted', 'rejected', 'reverted', 'failed-verification')),
  verified boolean NOT NULL,
  message text NOT NULL DEFAULT '',
  before_text text NOT NULL DEFAULT '',
  after_text text NOT NULL DEFAULT '',
  reason text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fix_outcomes_subject_idx ON fix_outcomes (subject, created_at);
