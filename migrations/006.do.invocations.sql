-- Every tool invocation and health probe the runtime ran for an installation: the input of health
-- analysis (error rates) and of the debug engine. Operational: not rebuilt from the journal.

CREATE TABLE invocations (
  id uuid PRIMARY KEY,
  target_id text NOT NULL,
  plugin_id text NOT NULL,
  version text NOT NULL,
  -- The tool name, or `healthCheck` for a health probe.
  tool text NOT NULL,
  -- `invoke` (REST), `mcp`, `dependency` (ctx.callTool of another plugin) or `health`.
  source text NOT NULL CHECK (source IN ('invoke', 'mcp', 'dependency', 'health')),
  ok boolean NOT NULL,
  -- A sandbox error code (TIMEOUT, PLUGIN_ERROR, ...) or INVALID_INPUT / INVALID_OUTPUT; null when ok.
  error_code text,
  error_message text CHECK (length(error_message) <= 2000),
  latency_ms integer NOT NULL CHECK (latency_ms >= 0),
  actor text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invocations_installation_idx ON invocations (target_id, plugin_id, created_at DESC);
CREATE INDEX invocations_plugin_idx ON invocations (plugin_id, version, created_at DESC);
