import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEventsRepository } from '../../server/registry/db/events-repository';
import { createManagedDatabase } from '../../server/registry/db/managed-database';
import { JournalBackup } from '../../server/registry/journal/journal-backup';
import { replayEvents } from '../../server/registry/journal/journal-sync';
import { replayedStateDigest } from '../../server/registry/journal/replayed-state';
import { isolatedDatabaseOptions, quietLog, testDatabaseKinds } from '../support/test-databases';
import { mintTestToken, startServeProcess, type ServeProcess } from '../support/serve-process';

const SECRET = 'crash-test-secret-that-is-long-enough-0123456789abcdef';

/** Starts `plugin-codex serve` from the repository's bin and resolves with its URL once it prints it. */
function startServer(env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  return startServeProcess('bin/plugin-codex.js', { env: { ...process.env, ...env } });
}

const mintToken = (): Promise<string> => mintTestToken(SECRET, 'chaos');

const OPERATIONS = [
  { path: 'install', body: { pluginId: '@codex/flaky-greeter', version: '1.0.0' } },
  { path: 'upgrade', body: { pluginId: '@codex/flaky-greeter', version: '1.1.0' } },
  { path: 'rollback', body: { pluginId: '@codex/flaky-greeter' } },
  { path: 'install', body: { pluginId: '@codex/text-summary' } },
  { path: 'remove', body: { pluginId: '@codex/text-summary' } },
  { path: 'install', body: { pluginId: '@codex/notes-store' } },
  { path: 'remove', body: { pluginId: '@codex/notes-store' } },
  { path: 'remove', body: { pluginId: '@codex/flaky-greeter' } },
] as const;

// Killing an embedded PGlite mid-write is a different experiment (its WASM file system), so the
// crash loop runs where the database outlives the registry process: PostgreSQL.
const postgres = testDatabaseKinds().find((kind) => kind.name === 'postgres');

describe.runIf(postgres)('SIGKILL during install and upgrade (PostgreSQL)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('after each of 50 kills every operation is complete or absent, the chain verifies, and database and journal agree', async () => {
    const isolated = await isolatedDatabaseOptions(postgres!);
    cleanups.push(() => isolated.dispose());
    const dataDir = mkdtempSync(join(tmpdir(), 'plugin-codex-crash-'));
    const env = {
      DATABASE_URL: isolated.options.url!, DATABASE_SCHEMA: isolated.options.schema, PLUGIN_CODEX_DATA_DIR: dataDir,
      JWT_SECRET: SECRET, LOG_LEVEL: 'silent', HEALTH_INTERVAL_SECONDS: '3600',
    };
    const authorization = `Bearer ${await mintToken()}`;
    const database = await createManagedDatabase({ ...isolated.options, log: quietLog });
    cleanups.push(() => database.close());

    let completed = 0;
    for (let round = 0; round < 50; round += 1) {
      const { child, url } = await startServer(env);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const operation = OPERATIONS[round % OPERATIONS.length]!;
      const request = fetch(`${url}/api/plugins/${operation.path}`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', 'idempotency-key': `round-${round}` },
        body: JSON.stringify({ target: 'default', ...operation.body }),
      }).then((response) => (response.ok ? 'ok' : 'refused'), () => 'killed');
      // Kill at a random point: before, during or right after the operation's transaction.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 400)));
      child.kill('SIGKILL');
      await exited;
      if ((await request) === 'ok') completed += 1;

      if (round === 0) await database.start();
      // Complete or absent: every operation row matches an installation state, and the chain holds.
      const chain = await createEventsRepository(database.db).verifyChain();
      expect(chain.ok, JSON.stringify(chain.break)).toBe(true);
      const orphans = await database.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM operations o
          WHERE o.kind IN ('install', 'upgrade', 'rollback')
            AND NOT EXISTS (SELECT 1 FROM events e WHERE e.payload -> 'operation' ->> 'id' = o.id::text)`,
      );
      expect(Number(orphans.rows[0]!.n)).toBe(0);
      // The installation is exactly what the last committed operation on it left.
      const last = await database.db.query<{ kind: string; to_version: string | null }>(
        "SELECT kind, to_version FROM operations WHERE plugin_id = '@codex/flaky-greeter' ORDER BY created_at DESC, id LIMIT 1",
      );
      const installed = await database.db.query<{ version: string }>("SELECT version FROM installations WHERE plugin_id = '@codex/flaky-greeter'");
      const expected = !last.rows[0] || last.rows[0].kind === 'remove' ? [] : [{ version: last.rows[0].to_version }];
      expect(installed.rows).toEqual(expected);
    }
    expect(completed).toBeGreaterThan(0);

    // One last clean start lets the registry mirror whatever the kills left unmirrored.
    const { child } = await startServer(env);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;

    const backup = JournalBackup.open(join(dataDir, 'backup'));
    expect(backup.verify().ok).toBe(true);
    const lastSeq = await createEventsRepository(database.db).lastSeq();
    expect(backup.lastEvent()?.seq).toBe(lastSeq);
    // The journal alone rebuilds the same state: replay it into a fresh database and compare.
    const fresh = await isolatedDatabaseOptions(postgres!);
    cleanups.push(() => fresh.dispose());
    const rebuilt = await createManagedDatabase({ ...fresh.options, log: quietLog });
    cleanups.push(() => rebuilt.close());
    await rebuilt.start();
    await replayEvents(rebuilt.db, [...backup.read()], (integrity) => backup.artifact(integrity));
    expect((await replayedStateDigest(rebuilt.db)).tables).toEqual((await replayedStateDigest(database.db)).tables);
  }, 600_000);
});
