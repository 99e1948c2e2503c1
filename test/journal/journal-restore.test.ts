import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/registry/app';
import { createEventsRepository } from '../../server/registry/db/events-repository';
import { createManagedDatabase } from '../../server/registry/db/managed-database';
import { importExport, writeExport } from '../../server/registry/journal/export-file';
import { JournalBackup } from '../../server/registry/journal/journal-backup';
import { replayedStateDigest } from '../../server/registry/journal/replayed-state';
import { startTestRegistry, testConfig, type TestRegistry } from '../support/test-app';
import { isolatedDatabaseOptions, quietLog, testDatabaseKinds } from '../support/test-databases';

describe.each(testDatabaseKinds())('event journal and local backup on $name', (kind) => {
  let registry: TestRegistry;
  let admin: Record<string, string>;

  beforeAll(async () => {
    registry = await startTestRegistry(kind, { healthIntervalSeconds: 3600 });
    admin = await registry.as('super-admin', 'root');
    // Some state beyond the seeded samples: an install, an upgrade and a review.
    const install = await registry.app.inject({ method: 'POST', url: '/api/plugins/install', headers: admin, payload: { pluginId: '@codex/text-summary', target: 'default' } });
    expect(install.statusCode, install.body).toBeLessThan(300);
    const review = await registry.app.inject({ method: 'POST', url: '/api/plugins/@codex/text-stats/reviews', headers: admin, payload: { rating: 5, text: 'Counts well.' } });
    expect(review.statusCode, review.body).toBeLessThan(300);
    // The install's health analysis records its own events in the background; let it finish.
    await registry.app.registryServices.rollouts.settled();
    await registry.app.registryServices.journal.cycle();
  });
  afterAll(async () => {
    await registry.close();
  });

  it('mirrors every committed event, in order, to fsync\'d segments that verify', async () => {
    const backup = registry.app.registryServices.journal.backup;
    const lastSeq = await createEventsRepository(registry.database.db).lastSeq();
    expect(lastSeq).toBeGreaterThan(5);
    expect(backup.lastEvent()?.seq).toBe(lastSeq);
    expect(backup.verify()).toEqual({ ok: true, events: lastSeq });
    // Artifacts of the published versions are in the content-addressed store.
    const integrities = await registry.database.db.query<{ integrity: string }>('SELECT integrity FROM plugin_versions');
    for (const { integrity } of integrities.rows) expect(backup.hasArtifact(integrity)).toBe(true);
  });

  it('restores the full state when the database is replaced by an empty one while running', async () => {
    const before = await replayedStateDigest(registry.database.db);
    const lastSeq = await createEventsRepository(registry.database.db).lastSeq();
    // Replace the database: the registry's schema and every installation's data schema are gone.
    const dataSchemas = await registry.database.db.query<{ data_schema: string }>('SELECT data_schema FROM installations');
    await registry.database.db.exec([registry.database.db.schema, ...dataSchemas.rows.map((row) => row.data_schema)].map((schema) => `DROP SCHEMA "${schema}" CASCADE;`).join(' '));
    // The first request after the swap heals the schema and restores from the journal before it is answered.
    const installed = await registry.app.inject({ method: 'GET', url: '/api/plugins/installed?target=default', headers: admin });
    expect(installed.statusCode).toBe(200);
    expect(JSON.stringify(installed.json())).toContain('@codex/text-summary');
    expect(await createEventsRepository(registry.database.db).lastSeq()).toBe(lastSeq);
    expect((await replayedStateDigest(registry.database.db)).tables).toEqual(before.tables);
    expect(await createEventsRepository(registry.database.db).verifyChain()).toMatchObject({ ok: true, events: lastSeq });
    const alerts = await registry.database.db.query<{ kind: string; message: string }>("SELECT kind, message FROM alerts WHERE kind = 'journal.restored'");
    expect(alerts.rows[0]?.message).toContain(`restored ${lastSeq} events`);
  });

  it('replays the missing tail when the database is behind the journal', async () => {
    const before = await replayedStateDigest(registry.database.db);
    const lastSeq = await createEventsRepository(registry.database.db).lastSeq();
    // An older copy of the database: the last two events (and their effects) are gone.
    const isolated = await isolatedDatabaseOptions(kind);
    const older = await createManagedDatabase({ ...isolated.options, log: quietLog });
    await older.start();
    const events = await createEventsRepository(registry.database.db).list({ limit: 1000 });
    const backup = registry.app.registryServices.journal.backup;
    const { replayEvents } = await import('../../server/registry/journal/journal-sync');
    await replayEvents(older.db, events.slice(0, -2), (integrity) => backup.artifact(integrity));
    const { reconcileWithBackup } = await import('../../server/registry/journal/journal-sync');
    const outcome = await reconcileWithBackup(older.db, backup);
    expect(outcome).toMatchObject({ action: 'replayed-tail', events: 2 });
    expect(outcome.message).toContain(`${lastSeq - 1}..${lastSeq}`);
    expect((await replayedStateDigest(older.db)).digest).toBe(before.digest);
    await older.close();
    await isolated.dispose();
  });

  it('detects an edited segment line and names the event and file', () => {
    const root = registry.app.registryServices.journal.backup.root;
    const copy = mkdtempSync(join(tmpdir(), 'journal-copy-'));
    execFileSync('cp', ['-r', `${root}/.`, copy]);
    const segment = join(copy, 'journal', readdirSync(join(copy, 'journal')).sort()[0]!);
    const lines = readFileSync(segment, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"actor":"system"', '"actor":"mallory"');
    writeFileSync(segment, lines.join('\n'));
    // Opening a damaged backup refuses to mirror onto it; verify() of an open one reports the same.
    const verdict = (() => {
      try {
        return JournalBackup.open(copy).verify();
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    })();
    expect(verdict?.ok).toBe(false);
    expect(verdict?.error).toContain('event 3 was edited');
    expect(verdict?.error).toContain('segment-000001.jsonl line 3');
  });

  it.each(testDatabaseKinds().map((target) => [target.name, target] as const))('exports to one file that imports into %s with an equal digest', async (_name, target) => {
    const file = join(mkdtempSync(join(tmpdir(), 'export-')), 'registry.export.gz');
    const header = await writeExport(registry.database.db, file);
    expect(header.events).toBe(await createEventsRepository(registry.database.db).lastSeq());
    const isolated = await isolatedDatabaseOptions(target);
    const fresh = await createManagedDatabase({ ...isolated.options, log: quietLog });
    await fresh.start();
    try {
      const report = await importExport(fresh.db, file);
      expect(report.digestMatches).toBe(true);
      expect(report.digest).toBe((await replayedStateDigest(registry.database.db)).digest);
      // The imported registry serves the same catalogue.
      const app = await buildApp({ config: testConfig({ healthIntervalSeconds: 3600 }), database: fresh });
      const list = (await app.inject({ method: 'GET', url: '/api/plugins/list?limit=50' })).json();
      expect(list.items.map((item: { id: string }) => item.id)).toContain('@codex/text-summary');
      await app.close();
    } finally {
      await fresh.close().catch(() => undefined);
      await isolated.dispose();
    }
  });
});
