import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapSchema } from '../../server/registry/db/bootstrap';
import { createEventsRepository } from '../../server/registry/db/events-repository';
import type { ManagedDatabase } from '../../server/registry/db/managed-database';
import { databaseVersion, latestVersion, migrate } from '../../server/registry/db/migrations';
import { runSelfTest } from '../../server/registry/db/self-test';
import { openTestDatabase, testDatabaseKinds } from '../support/test-databases';

describe.each(testDatabaseKinds())('database layer on $name', (kind) => {
  const opened: ManagedDatabase[] = [];
  const open = async () => {
    const managed = await openTestDatabase(kind);
    opened.push(managed);
    return managed;
  };
  afterAll(async () => {
    for (const managed of opened) await managed.close();
  });

  it('bootstraps an empty database to the latest schema with default settings', async () => {
    const managed = await open();
    const state = managed.state();
    expect(state.phase).toBe('ready');
    expect(state.lastBootstrap?.action).toBe('created');
    expect(await databaseVersion(managed.db)).toBe(latestVersion());
    const settings = await managed.db.query<{ key: string }>('SELECT key FROM settings ORDER BY key');
    expect(settings.rows.map((row) => row.key)).toContain('registry.name');
    expect(await managed.checkDrift()).toEqual([]);
  });

  it('migrates down and up again', async () => {
    const managed = await open();
    const down = await migrate(managed.db, 0);
    expect(down.to).toBe(0);
    const tables = await managed.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schemaversion'",
    );
    expect(Number(tables.rows[0]!.n)).toBe(0);
    const up = await migrate(managed.db);
    expect(up.to).toBe(latestVersion());
    expect(await managed.checkDrift()).toEqual([]);
  });

  it('reports a column dropped by hand by name', async () => {
    const managed = await open();
    await managed.db.exec('ALTER TABLE alerts DROP COLUMN resolved_by');
    const drift = await managed.checkDrift();
    expect(drift).toContainEqual(expect.objectContaining({ kind: 'missing-column', table: 'alerts', name: 'resolved_by' }));
    expect(drift.map((item) => item.message).join('\n')).toContain('alerts.resolved_by');
  });

  it('reports an index dropped and a table added by hand', async () => {
    const managed = await open();
    await managed.db.exec('DROP INDEX events_type_seq_idx; CREATE TABLE stray (id int)');
    const drift = await managed.checkDrift();
    expect(drift).toContainEqual(expect.objectContaining({ kind: 'missing-index', table: 'events', name: 'events_type_seq_idx' }));
    expect(drift).toContainEqual(expect.objectContaining({ kind: 'unexpected-table', table: 'stray' }));
  });

  it('heals a dropped table during a request and the request succeeds', async () => {
    const managed = await open();
    await managed.db.exec('DROP TABLE alerts');
    const result = await managed.db.query<{ n: string }>("SELECT count(*) AS n FROM alerts WHERE kind = 'database.healed'");
    expect(Number(result.rows[0]!.n)).toBe(1);
    expect(await managed.checkDrift()).toEqual([]);
  });

  it('heals a database that was replaced by an empty one', async () => {
    const managed = await open();
    await managed.db.exec(`DROP SCHEMA "${managed.db.schema}" CASCADE`);
    const settings = await managed.db.query<{ key: string }>('SELECT key FROM settings');
    expect(settings.rows.length).toBeGreaterThan(0);
  });

  it('refuses writes when the database is newer than the code', async () => {
    const managed = await open();
    await managed.db.query("INSERT INTO schemaversion (version, name, md5, run_at) VALUES ($1, 'from-the-future', '', now())", [latestVersion() + 1]);
    const outcome = await bootstrapSchema(managed.db);
    expect(outcome.action).toBe('ahead');
    const reopened = await openTestDatabase({ ...kind, options: async () => ({ ...(await kind.options(managed.db.schema)) }) });
    opened.push(reopened);
    expect(reopened.state()).toMatchObject({ phase: 'ahead', writable: false });
    const alerts = await reopened.db.query<{ kind: string }>("SELECT kind FROM alerts WHERE kind = 'database.ahead'");
    expect(alerts.rows).toHaveLength(1);
  });

  it('chains events and detects an edited row by sequence number', async () => {
    const managed = await open();
    const events = createEventsRepository(managed.db);
    for (const type of ['plugin.published', 'plugin.installed', 'plugin.removed']) {
      await managed.db.transaction((tx) => events.append(tx, { actor: 'alice', type, subject: '@acme/x', payload: { n: 1 } }));
    }
    expect(await events.verifyChain()).toEqual({ ok: true, events: 3 });
    await expect(managed.db.query("UPDATE events SET actor = 'mallory' WHERE seq = 2")).rejects.toThrow(/append-only/);
    await managed.db.exec("ALTER TABLE events DISABLE TRIGGER events_append_only; UPDATE events SET actor = 'mallory' WHERE seq = 2");
    const verdict = await events.verifyChain();
    expect(verdict.ok).toBe(false);
    expect(verdict.break).toMatchObject({ seq: 2 });
    expect(verdict.break?.reason).toMatch(/edited/);
  });

  it('passes the write/read/rollback self-test on every table', async () => {
    const managed = await open();
    const report = await runSelfTest(managed.db);
    expect(report.failures).toEqual([]);
    expect(report.tables.length).toBeGreaterThanOrEqual(6);
  });
});
