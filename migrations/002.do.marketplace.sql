-- Ids are uuids chosen by the code and timestamps come from the event that made the change, so
-- replaying the journal onto an empty database reproduces every row exactly.

-- The marketplace: namespaces, plugins and their immutable versions, content-addressed artifacts,
-- install targets, installations, operations, approvals, plugin requests and reviews.

CREATE TABLE namespaces (
  name text PRIMARY KEY CHECK (name ~ '^@[a-z0-9][a-z0-9-]{0,63}$'),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE plugins (
  id text PRIMARY KEY CHECK (id ~ '^@[a-z0-9][a-z0-9-]{0,63}/[a-z0-9][a-z0-9._-]{0,127}$'),
  namespace text NOT NULL REFERENCES namespaces (name),
  name text NOT NULL,
  -- Lower-cased, separator-free, confusable-mapped name used to refuse look-alike plugins.
  normalized_name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('tool', 'micro-app', 'data-source', 'visual-block')),
  tier text NOT NULL DEFAULT 'third-party' CHECK (tier IN ('official', 'third-party')),
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  tags text[] NOT NULL DEFAULT '{}',
  latest_version text,
  recommended boolean NOT NULL DEFAULT false,
  deprecated boolean NOT NULL DEFAULT false,
  replacement text REFERENCES plugins (id),
  -- Where the plugin came from when it was not published here (federation), and what it was cloned from.
  origin text,
  forked_from text,
  installs_count bigint NOT NULL DEFAULT 0 CHECK (installs_count >= 0),
  rating_sum bigint NOT NULL DEFAULT 0 CHECK (rating_sum >= 0),
  rating_count bigint NOT NULL DEFAULT 0 CHECK (rating_count >= 0),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search_vector tsvector NOT NULL DEFAULT ''::tsvector,
  UNIQUE (namespace, name)
);
CREATE INDEX plugins_search_idx ON plugins USING gin (search_vector);

-- Kept by a trigger rather than a generated column: array_to_string is not immutable.
CREATE FUNCTION plugins_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('simple'::regconfig, coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, replace(replace(coalesce(NEW.name, ''), '-', ' '), '.', ' ')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, array_to_string(NEW.tags, ' ')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce(NEW.description, '')), 'C');
  RETURN NEW;
END
$$;
CREATE TRIGGER plugins_search_vector_update BEFORE INSERT OR UPDATE OF title, name, tags, description ON plugins
  FOR EACH ROW EXECUTE FUNCTION plugins_search_vector();
CREATE INDEX plugins_tags_idx ON plugins USING gin (tags);
CREATE INDEX plugins_kind_idx ON plugins (kind, id);
CREATE INDEX plugins_tier_idx ON plugins (tier, id);
CREATE INDEX plugins_installs_idx ON plugins (installs_count DESC, id);
CREATE INDEX plugins_updated_idx ON plugins (updated_at DESC, id);
CREATE UNIQUE INDEX plugins_normalized_name_idx ON plugins (normalized_name);

-- Plugin bytes, addressed by their sha512 integrity (SRI); immutable once written.
CREATE TABLE artifacts (
  integrity text PRIMARY KEY CHECK (integrity ~ '^sha512-[A-Za-z0-9+/]+={0,2}$'),
  bytes bytea NOT NULL,
  size integer NOT NULL CHECK (size > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE plugin_versions (
  plugin_id text NOT NULL REFERENCES plugins (id) ON DELETE CASCADE,
  version text NOT NULL CHECK (version ~ '^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'),
  major integer NOT NULL CHECK (major >= 0),
  minor integer NOT NULL CHECK (minor >= 0),
  patch integer NOT NULL CHECK (patch >= 0),
  prerelease text NOT NULL DEFAULT '',
  manifest jsonb NOT NULL,
  tools jsonb NOT NULL DEFAULT '[]'::jsonb,
  permissions jsonb NOT NULL DEFAULT '{}'::jsonb,
  dependencies jsonb NOT NULL DEFAULT '{}'::jsonb,
  config_schema jsonb,
  migrations jsonb NOT NULL DEFAULT '[]'::jsonb,
  integrity text NOT NULL REFERENCES artifacts (integrity),
  -- sha256 over the package's files: equal content is refused as a duplicate even when gzip bytes differ.
  content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  signature text NOT NULL,
  signing_key_id text NOT NULL,
  publisher_signature text,
  status text NOT NULL CHECK (status IN ('quarantined', 'pending-approval', 'active', 'deprecated', 'yanked')),
  status_reason text,
  published_by text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plugin_id, version)
);
CREATE INDEX plugin_versions_order_idx ON plugin_versions (plugin_id, major DESC, minor DESC, patch DESC);
CREATE INDEX plugin_versions_content_hash_idx ON plugin_versions (content_hash);
CREATE INDEX plugin_versions_status_idx ON plugin_versions (status) WHERE status <> 'active';

-- Where plugins get installed: sub-apps, workspaces or "neurons".
CREATE TABLE install_targets (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  cloned_from text REFERENCES install_targets (id) ON DELETE SET NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE installations (
  target_id text NOT NULL REFERENCES install_targets (id) ON DELETE CASCADE,
  plugin_id text NOT NULL REFERENCES plugins (id),
  version text NOT NULL,
  last_known_good_version text,
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  granted_permissions jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- The schema that holds the plugin's own tables for this installation.
  data_schema text NOT NULL CHECK (data_schema ~ '^[a-z_][a-z0-9_]{0,62}$'),
  -- Installed because another plugin depends on it (removed with it when nothing else needs it).
  as_dependency boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'failed', 'pending-approval')),
  health jsonb NOT NULL DEFAULT '{}'::jsonb,
  installed_by text NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_id, plugin_id),
  FOREIGN KEY (plugin_id, version) REFERENCES plugin_versions (plugin_id, version)
);
CREATE INDEX installations_plugin_idx ON installations (plugin_id);
CREATE UNIQUE INDEX installations_data_schema_idx ON installations (data_schema);

CREATE TABLE operations (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('install', 'upgrade', 'rollback', 'remove')),
  target_id text NOT NULL,
  plugin_id text NOT NULL,
  from_version text,
  to_version text,
  status text NOT NULL CHECK (status IN ('succeeded', 'failed', 'pending-approval')),
  plan jsonb NOT NULL DEFAULT '{}'::jsonb,
  diff_log jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- The affected rows before the operation, so it can be audited and undone.
  snapshot jsonb NOT NULL DEFAULT '{}'::jsonb,
  error jsonb,
  idempotency_key text,
  -- sha256 of the canonical request, so a repeated identical request returns the first result.
  request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
  actor text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE UNIQUE INDEX operations_idempotency_idx ON operations (actor, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX operations_target_plugin_idx ON operations (target_id, plugin_id, created_at DESC);
CREATE INDEX operations_request_hash_idx ON operations (request_hash);

-- Installs per plugin per day: trending is computed from these with a decay.
CREATE TABLE install_stats (
  plugin_id text NOT NULL REFERENCES plugins (id) ON DELETE CASCADE,
  day date NOT NULL,
  installs integer NOT NULL DEFAULT 0 CHECK (installs >= 0),
  PRIMARY KEY (plugin_id, day)
);
CREATE INDEX install_stats_day_idx ON install_stats (day);

CREATE TABLE approvals (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('official-version', 'core-permission', 'permission-grant', 'permission-upgrade', 'quarantine', 'duplicate-override')),
  plugin_id text NOT NULL REFERENCES plugins (id) ON DELETE CASCADE,
  version text,
  target_id text,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  requested_by text NOT NULL,
  decided_by text,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  CHECK ((status = 'pending') = (decided_by IS NULL))
);
CREATE INDEX approvals_pending_idx ON approvals (status, created_at);

CREATE TABLE plugin_requests (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('new-plugin', 'install')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  plugin_id text REFERENCES plugins (id) ON DELETE SET NULL,
  target_id text,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined', 'done')),
  requested_by text NOT NULL,
  decided_by text,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plugin_requests_status_idx ON plugin_requests (status, created_at DESC);

CREATE TABLE reviews (
  plugin_id text NOT NULL REFERENCES plugins (id) ON DELETE CASCADE,
  user_id text NOT NULL,
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  text text NOT NULL DEFAULT '' CHECK (length(text) <= 5000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plugin_id, user_id)
);

-- Key/value storage of each installation (the sandbox's ctx.storage).
CREATE TABLE plugin_storage (
  target_id text NOT NULL,
  plugin_id text NOT NULL,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 512),
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_id, plugin_id, key),
  FOREIGN KEY (target_id, plugin_id) REFERENCES installations (target_id, plugin_id) ON DELETE CASCADE
);

INSERT INTO install_targets (id, name, description, created_by, created_at)
VALUES ('default', 'Default', 'The default install target', 'system', '2026-01-01T00:00:00Z');
