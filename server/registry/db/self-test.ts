import type { Database } from './database';
import { readCatalog } from './catalog';
import { DEBUG_SELF_TEST_SAMPLES } from './debug-repository';

/**
 * A sample write for one table: statements that insert a marked row (parents first), and a query
 * that counts the marked row. Every table needs one; a table without a sample fails the self-test,
 * so a migration that adds a table also adds its sample here.
 */
interface TableSample {
  writes: string[];
  count: string;
}

const MARK = 'codex-self-test';

const SAMPLES: Record<string, TableSample> = {
  settings: {
    writes: [`INSERT INTO settings (key, value) VALUES ('${MARK}', '{"ok": true}')`],
    count: `SELECT count(*) AS n FROM settings WHERE key = '${MARK}' AND value = '{"ok": true}'::jsonb`,
  },
  roles: {
    // The role names are fixed by a CHECK constraint, so the round trip updates a description.
    writes: [`UPDATE roles SET description = '${MARK}' WHERE name = 'user'`],
    count: `SELECT count(*) AS n FROM roles WHERE description = '${MARK}'`,
  },
  users: {
    writes: [`INSERT INTO users (id, role) VALUES ('${MARK}', 'user')`],
    count: `SELECT count(*) AS n FROM users WHERE id = '${MARK}'`,
  },
  api_tokens: {
    writes: [
      `INSERT INTO users (id, role) VALUES ('${MARK}-t', 'user')`,
      `INSERT INTO api_tokens (id, user_id, name, token_hash, role) VALUES ('00000000-0000-4000-8000-000000000001', '${MARK}-t', '${MARK}', '${'0'.repeat(64)}', 'user')`,
    ],
    count: `SELECT count(*) AS n FROM api_tokens WHERE name = '${MARK}'`,
  },
  alerts: {
    writes: [`INSERT INTO alerts (id, kind, severity, message) VALUES ('00000000-0000-4000-8000-000000000003', 'self-test', 'info', '${MARK}')`],
    count: `SELECT count(*) AS n FROM alerts WHERE message = '${MARK}'`,
  },
  events: {
    writes: [`INSERT INTO events (seq, actor, type, prev_hash, hash) VALUES (9223372036854775806, '${MARK}', 'self-test', '${'0'.repeat(64)}', '${'f'.repeat(64)}')`],
    count: `SELECT count(*) AS n FROM events WHERE actor = '${MARK}'`,
  },
  ...marketplaceSamples(),
};

/** Parent rows the marketplace samples build on, inserted inside the same rolled-back transaction. */
function marketplaceSamples(): Record<string, TableSample> {
  const ns = `INSERT INTO namespaces (name, created_by) VALUES ('@self-test', '${MARK}')`;
  const plugin = `INSERT INTO plugins (id, namespace, name, normalized_name, kind, title, created_by) VALUES ('@self-test/p', '@self-test', 'p', 'selftestp', 'tool', '${MARK}', '${MARK}')`;
  const integrity = `sha512-${'A'.repeat(86)}==`;
  const artifact = `INSERT INTO artifacts (integrity, bytes, size) VALUES ('${integrity}', '\\x00'::bytea, 1)`;
  const version = `INSERT INTO plugin_versions (plugin_id, version, major, minor, patch, manifest, integrity, content_hash, signature, signing_key_id, status, published_by)
    VALUES ('@self-test/p', '1.0.0', 1, 0, 0, '{}', '${integrity}', '${'a'.repeat(64)}', 'sig', 'key', 'active', '${MARK}')`;
  const target = `INSERT INTO install_targets (id, name, created_by) VALUES ('self-test', '${MARK}', '${MARK}')`;
  const installation = `INSERT INTO installations (target_id, plugin_id, version, data_schema, installed_by) VALUES ('self-test', '@self-test/p', '1.0.0', 'self_test_schema', '${MARK}')`;
  return {
    namespaces: { writes: [ns], count: "SELECT count(*) AS n FROM namespaces WHERE name = '@self-test'" },
    plugins: { writes: [ns, plugin], count: `SELECT count(*) AS n FROM plugins WHERE title = '${MARK}' AND search_vector @@ to_tsquery('simple', 'codex')` },
    artifacts: { writes: [artifact], count: `SELECT count(*) AS n FROM artifacts WHERE integrity = '${integrity}'` },
    plugin_versions: { writes: [ns, plugin, artifact, version], count: `SELECT count(*) AS n FROM plugin_versions WHERE published_by = '${MARK}'` },
    install_targets: { writes: [target], count: "SELECT count(*) AS n FROM install_targets WHERE id = 'self-test'" },
    installations: { writes: [ns, plugin, artifact, version, target, installation], count: `SELECT count(*) AS n FROM installations WHERE installed_by = '${MARK}'` },
    operations: {
      writes: [`INSERT INTO operations (id, kind, target_id, plugin_id, status, request_hash, actor) VALUES ('00000000-0000-4000-8000-000000000002', 'install', 'default', '@self-test/p', 'succeeded', '${'b'.repeat(64)}', '${MARK}')`],
      count: `SELECT count(*) AS n FROM operations WHERE actor = '${MARK}'`,
    },
    install_stats: { writes: [ns, plugin, "INSERT INTO install_stats (plugin_id, day, installs) VALUES ('@self-test/p', current_date, 1)"], count: "SELECT count(*) AS n FROM install_stats WHERE plugin_id = '@self-test/p'" },
    approvals: { writes: [ns, plugin, `INSERT INTO approvals (id, kind, plugin_id, requested_by) VALUES ('00000000-0000-4000-8000-000000000004', 'official-version', '@self-test/p', '${MARK}')`], count: `SELECT count(*) AS n FROM approvals WHERE requested_by = '${MARK}'` },
    plugin_requests: { writes: [`INSERT INTO plugin_requests (id, kind, title, requested_by) VALUES ('00000000-0000-4000-8000-000000000005', 'new-plugin', '${MARK}', '${MARK}')`], count: `SELECT count(*) AS n FROM plugin_requests WHERE requested_by = '${MARK}'` },
    reviews: { writes: [ns, plugin, `INSERT INTO reviews (plugin_id, user_id, rating) VALUES ('@self-test/p', '${MARK}', 5)`], count: `SELECT count(*) AS n FROM reviews WHERE user_id = '${MARK}'` },
    plugin_storage: { writes: [ns, plugin, artifact, version, target, installation, `INSERT INTO plugin_storage (target_id, plugin_id, key, value) VALUES ('self-test', '@self-test/p', 'k', '1')`], count: "SELECT count(*) AS n FROM plugin_storage WHERE target_id = 'self-test'" },
  };
}

/** Registers the sample for a table added by a later migration. */
export function registerSelfTestSample(table: string, sample: TableSample): void {
  SAMPLES[table] = sample;
}

class RollbackSentinel extends Error {}

/** The outcome of `db self-test`. */
export interface SelfTestReport {
  tables: string[];
  failures: { table: string; error: string }[];
}

/**
 * For every table: writes a marked row and reads it back inside a transaction, rolls back, and checks
 * the row is gone. Nothing is left behind, whatever happens.
 */
export async function runSelfTest(db: Database): Promise<SelfTestReport> {
  const tables = Object.keys(await readCatalog(db)).sort();
  const failures: SelfTestReport['failures'] = [];
  for (const table of tables) {
    const sample = SAMPLES[table];
    if (!sample) {
      failures.push({ table, error: 'no self-test sample is defined for this table' });
      continue;
    }
    try {
      await db.transaction(async (tx) => {
        for (const write of sample.writes) await tx.query(write);
        const seen = await tx.query<{ n: string }>(sample.count);
        if (Number(seen.rows[0]?.n) !== 1) throw new Error(`wrote a row but read back ${seen.rows[0]?.n ?? 0}`);
        throw new RollbackSentinel();
      });
      failures.push({ table, error: 'the transaction committed instead of rolling back' });
    } catch (error) {
      if (!(error instanceof RollbackSentinel)) {
        failures.push({ table, error: error instanceof Error ? error.message : String(error) });
        continue;
      }
      const after = await db.query<{ n: string }>(sample.count);
      if (Number(after.rows[0]?.n) !== 0) failures.push({ table, error: 'the row survived the rollback' });
    }
  }
  return { tables, failures };
}


{
  const webhook = `INSERT INTO webhooks (id, url, event_types, secret, created_by) VALUES ('00000000-0000-4000-8000-000000000006', 'http://127.0.0.1:9/self-test', ARRAY['self-test'], '${'s'.repeat(32)}', '${MARK}')`;
  registerSelfTestSample('webhooks', { writes: [webhook], count: `SELECT count(*) AS n FROM webhooks WHERE created_by = '${MARK}'` });
  // The event's fan-out trigger queues the delivery: the round trip covers the trigger too.
  registerSelfTestSample('webhook_deliveries', {
    writes: [webhook, `INSERT INTO events (seq, actor, type, prev_hash, hash) VALUES (9223372036854775806, '${MARK}', 'self-test', '${'0'.repeat(64)}', '${'f'.repeat(64)}')`],
    count: "SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = '00000000-0000-4000-8000-000000000006'",
  });
}

registerSelfTestSample('upstreams', {
  writes: [`INSERT INTO upstreams (id, url, mode, timeout_ms, failure_threshold, cooldown_ms, signing_key_id, signing_key_pem, created_by, created_at) VALUES ('${MARK}', 'http://127.0.0.1:1', 'link', 1000, 1, 0, 'k', 'pem', '${MARK}', now())`],
  count: `SELECT count(*) AS n FROM upstreams WHERE id = '${MARK}'`,
});

registerSelfTestSample('federated_versions', {
  writes: [
    ...marketplaceSamples().plugin_versions!.writes,
    `INSERT INTO federated_versions (plugin_id, version, upstream_id, upstream_url, how, source_plugin_id, source_version, source_integrity, source_signature, source_key_id, imported_by, imported_at) SELECT plugin_id, version, '${MARK}', 'http://127.0.0.1:1', 'mirror', plugin_id, version, integrity, 's', 'k', '${MARK}', now() FROM plugin_versions WHERE plugin_id = '@self-test/p' LIMIT 1`,
  ],
  count: `SELECT count(*) AS n FROM federated_versions WHERE upstream_id = '${MARK}'`,
});

registerSelfTestSample('invocations', {
  writes: [`INSERT INTO invocations (id, target_id, plugin_id, version, tool, source, ok, latency_ms) VALUES ('00000000-0000-4000-8000-000000000006', 'self-test', '@self-test/p', '1.0.0', '${MARK}', 'invoke', true, 1)`],
  count: `SELECT count(*) AS n FROM invocations WHERE tool = '${MARK}'`,
});

for (const [table, sample] of Object.entries(DEBUG_SELF_TEST_SAMPLES)) registerSelfTestSample(table, sample);
