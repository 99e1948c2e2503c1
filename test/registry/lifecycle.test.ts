import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifecycleRequest, LifecycleResult } from '../../protocol/lifecycle-api';
import { pluginSchemaExists, pluginSchemaTables } from '../../server/registry/db/plugin-schemas';
import { stateDigest } from '../../server/registry/db/state-digest';
import { createLifecycleService } from '../../server/registry/services/lifecycle/lifecycle-service';
import { fixtureNamespace, insertPluginVersions, type FixtureVersion } from '../support/marketplace-fixtures';
import { startTestRegistry, type TestRegistry } from '../support/test-app';
import { testDatabaseKinds } from '../support/test-databases';

const notesMigrations = [
  { version: 1, name: 'create-notes', up: 'CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)', down: 'DROP TABLE notes' },
];
const notesMigrationsV2 = [
  ...notesMigrations,
  { version: 2, name: 'add-title', up: "ALTER TABLE notes ADD COLUMN title text NOT NULL DEFAULT ''", down: 'ALTER TABLE notes DROP COLUMN title' },
];

describe.each(testDatabaseKinds())('plugin lifecycle on $name', (kind) => {
  let registry: TestRegistry;
  let developer: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    registry = await startTestRegistry(kind);
    developer = await registry.as('developer', 'dev-1');
    admin = await registry.as('super-admin', 'root');
  });
  afterAll(async () => {
    await registry?.close();
  });

  const call = async (action: string, payload: Record<string, unknown>, headers: Record<string, string> = developer) => {
    const response = await registry.app.inject({ method: 'POST', url: `/api/plugins/${action}`, headers, payload });
    return { status: response.statusCode, body: response.json() as LifecycleResult & { error?: { code: string; message: string } } };
  };
  const ok = async (action: string, payload: Record<string, unknown>, headers: Record<string, string> = developer) => {
    const result = await call(action, payload, headers);
    expect(result.body.error, JSON.stringify(result.body.error)).toBeUndefined();
    expect(result.status).toBe(200);
    return result.body;
  };
  const installedIn = async (target = 'default') => {
    const response = await registry.app.inject({ method: 'GET', url: `/api/plugins/installed?target=${target}`, headers: developer });
    return (response.json() as { items: { pluginId: string; version: string; asDependency: boolean }[] }).items;
  };
  const versions = (fixtures: FixtureVersion[]) => insertPluginVersions(registry.database.db, fixtures);

  it('installs with dependencies, runs the plugin migrations in its own schema and counts the install', async () => {
    const ns = fixtureNamespace();
    await versions([
      { id: `${ns}/notes`, version: '1.0.0', migrations: notesMigrations, dependencies: { [`${ns}/store`]: '^1.0.0' }, configSchema: { type: 'object', properties: { limit: { type: 'integer', default: 10 } } } },
      { id: `${ns}/store`, version: '1.0.0', migrations: [{ version: 1, name: 'kv', up: 'CREATE TABLE kv (k text PRIMARY KEY, v text)', down: 'DROP TABLE kv' }] },
      { id: `${ns}/store`, version: '1.1.0' },
      { id: `${ns}/store`, version: '2.0.0' },
    ]);
    const dry = await ok('install', { pluginId: `${ns}/notes`, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, operation: null });
    expect(dry.plan.install.map((row) => [row.pluginId, row.version, row.asDependency])).toEqual([[`${ns}/store`, '1.1.0', true], [`${ns}/notes`, '1.0.0', false]]);
    expect(await installedIn()).not.toContainEqual(expect.objectContaining({ pluginId: `${ns}/notes` }));

    const result = await ok('install', { pluginId: `${ns}/notes` });
    expect(result.operation).toMatchObject({ kind: 'install', status: 'succeeded', toVersion: '1.0.0', pluginId: `${ns}/notes` });
    expect(result.installation).toMatchObject({ version: '1.0.0', config: { limit: 10 }, asDependency: false });
    expect(result.installation!.dataSchema).toMatch(/^plg_[0-9a-f]{16}$/);
    expect(await pluginSchemaTables(registry.database.db, result.installation!.dataSchema)).toEqual({ notes: ['body text', 'id integer'] });
    const installed = await installedIn();
    expect(installed).toContainEqual(expect.objectContaining({ pluginId: `${ns}/store`, version: '1.1.0', asDependency: true }));
    const counts = await registry.database.db.query<{ installs_count: string; installs: number }>(
      'SELECT p.installs_count, s.installs FROM plugins p JOIN install_stats s ON s.plugin_id = p.id WHERE p.id = $1', [`${ns}/notes`]);
    expect(counts.rows.map((row) => [Number(row.installs_count), row.installs])).toEqual([[1, 1]]);
    const events = await registry.app.registryServices.repos.events.list({ types: ['plugin.installed'] });
    expect(events.at(-1)).toMatchObject({ type: 'plugin.installed', subject: `default/${ns}/notes`, payload: { operation: { id: result.operation!.id } } });
    const operation = await registry.app.inject({ method: 'GET', url: `/api/operations/${result.operation!.id}`, headers: developer });
    expect(operation.json()).toMatchObject({ id: result.operation!.id, plan: { kind: 'install' } });
  });

  it('upgrades (forward migrations, diff log, last known good), rolls back (down migrations) and removes (schema dropped)', async () => {
    const ns = fixtureNamespace();
    const id = `${ns}/notes`;
    await versions([
      { id, version: '1.0.0', migrations: notesMigrations, tools: [{ name: 'add', description: 'Adds.', inputSchema: {}, outputSchema: {} }] },
      { id, version: '1.1.0', migrations: notesMigrationsV2, permissions: { storage: true }, tools: [{ name: 'add', description: 'Adds.', inputSchema: {}, outputSchema: {} }, { name: 'list', description: 'Lists.', inputSchema: {}, outputSchema: {} }] },
    ]);
    const installed = await ok('install', { pluginId: id, version: '1.0.0' });
    const schema = installed.installation!.dataSchema;
    // plugin-codex-disable-next-line security-sql-injection -- the installation's data schema, a name the registry chose and checked
    await registry.database.db.query(`INSERT INTO ${schema}.notes (body) VALUES ('kept')`);

    const upgraded = await ok('upgrade', { pluginId: id });
    expect(upgraded.installation).toMatchObject({ version: '1.1.0', lastKnownGoodVersion: '1.0.0', grantedPermissions: { storage: true } });
    expect(upgraded.plan.migrations).toEqual([{ pluginId: id, dataSchema: schema, direction: 'up', sourceVersion: '1.1.0', steps: [{ version: 2, name: 'add-title' }] }]);
    expect(upgraded.plan.permissions).toEqual([{ pluginId: id, added: ['storage'], removed: [] }]);
    expect(upgraded.operation!.diffLog).toEqual(expect.arrayContaining([
      { pluginId: id, field: 'version', from: '1.0.0', to: '1.1.0' },
      { pluginId: id, field: 'tools', from: ['add'], to: ['add', 'list'] },
      expect.objectContaining({ pluginId: id, field: 'permissions' }),
    ]));
    expect((await pluginSchemaTables(registry.database.db, schema)).notes).toContain('title text');
    // plugin-codex-disable-next-line security-sql-injection -- the installation's data schema, a name the registry chose and checked
    expect((await registry.database.db.query(`SELECT body, title FROM ${schema}.notes`)).rows).toEqual([{ body: 'kept', title: '' }]);

    const rolledBack = await ok('rollback', { pluginId: id });
    expect(rolledBack.installation).toMatchObject({ version: '1.0.0' });
    expect(rolledBack.plan.migrations).toEqual([{ pluginId: id, dataSchema: schema, direction: 'down', sourceVersion: '1.1.0', steps: [{ version: 2, name: 'add-title' }] }]);
    expect((await pluginSchemaTables(registry.database.db, schema)).notes).toEqual(['body text', 'id integer']);
    // plugin-codex-disable-next-line security-sql-injection -- the installation's data schema, a name the registry chose and checked
    expect((await registry.database.db.query(`SELECT body FROM ${schema}.notes`)).rows).toEqual([{ body: 'kept' }]);

    const removed = await ok('remove', { pluginId: id });
    expect(removed.installation).toBeNull();
    expect(removed.operation).toMatchObject({ kind: 'remove', fromVersion: '1.0.0', toVersion: null });
    expect(await pluginSchemaExists(registry.database.db, schema)).toBe(false);
    expect(await installedIn()).not.toContainEqual(expect.objectContaining({ pluginId: id }));
    // History stays in the journal.
    const types = (await registry.app.registryServices.repos.events.list({ types: ['plugin.installed', 'plugin.upgraded', 'plugin.rolled-back', 'plugin.removed'], limit: 1000 }))
      .filter((event) => event.subject === `default/${id}`).map((event) => event.type);
    expect(types).toEqual(['plugin.installed', 'plugin.upgraded', 'plugin.rolled-back', 'plugin.removed']);
  });

  it('re-resolves dependencies: an upgrade upgrades a dependency, a rollback brings it back with its down migrations', async () => {
    const ns = fixtureNamespace();
    const kv = { version: 1, name: 'kv', up: 'CREATE TABLE kv (k text PRIMARY KEY)', down: 'DROP TABLE kv' };
    await versions([
      { id: `${ns}/dep`, version: '1.0.0', migrations: [kv] },
      { id: `${ns}/dep`, version: '1.1.0', migrations: [kv, { version: 2, name: 'v', up: 'ALTER TABLE kv ADD COLUMN v text', down: 'ALTER TABLE kv DROP COLUMN v' }] },
      { id: `${ns}/app`, version: '1.0.0', dependencies: { [`${ns}/dep`]: '~1.0.0' } },
      { id: `${ns}/app`, version: '2.0.0', dependencies: { [`${ns}/dep`]: '^1.1.0' } },
    ]);
    await ok('install', { pluginId: `${ns}/app`, version: '1.0.0' });
    const upgraded = await ok('upgrade', { pluginId: `${ns}/app` });
    expect(upgraded.plan.change.map((row) => [row.pluginId, row.fromVersion, row.toVersion])).toEqual([[`${ns}/dep`, '1.0.0', '1.1.0'], [`${ns}/app`, '1.0.0', '2.0.0']]);
    const dep = (await installedIn()).find((row) => row.pluginId === `${ns}/dep`) as unknown as { version: string; asDependency: boolean; lastKnownGoodVersion: string; dataSchema: string };
    expect(dep).toMatchObject({ version: '1.1.0', asDependency: true, lastKnownGoodVersion: '1.0.0' });
    expect((await pluginSchemaTables(registry.database.db, dep.dataSchema)).kv).toEqual(['k text', 'v text']);
    const rolledBack = await ok('rollback', { pluginId: `${ns}/app` });
    expect(rolledBack.installation!.version).toBe('1.0.0');
    expect(rolledBack.plan.migrations).toContainEqual(expect.objectContaining({ pluginId: `${ns}/dep`, direction: 'down', steps: [{ version: 2, name: 'v' }] }));
    expect((await pluginSchemaTables(registry.database.db, dep.dataSchema)).kv).toEqual(['k text']);
    const tooNew = await call('upgrade', { pluginId: `${ns}/app`, version: '0.9.0' });
    expect(tooNew.status).toBe(409);
  });

  it('refuses to remove a plugin others depend on, naming them; cascade removes them and orphaned dependencies', async () => {
    const ns = fixtureNamespace();
    await versions([
      { id: `${ns}/base`, version: '1.0.0', migrations: notesMigrations },
      { id: `${ns}/lib`, version: '1.0.0', dependencies: { [`${ns}/base`]: '^1' } },
      { id: `${ns}/app`, version: '1.0.0', dependencies: { [`${ns}/lib`]: '^1' } },
      { id: `${ns}/other`, version: '1.0.0', dependencies: { [`${ns}/base`]: '^1' } },
    ]);
    await ok('install', { pluginId: `${ns}/base` });
    await ok('install', { pluginId: `${ns}/app` });
    await ok('install', { pluginId: `${ns}/other` });
    const refused = await call('remove', { pluginId: `${ns}/base` });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'CODEX_ERR_HAS_DEPENDENTS' });
    expect(refused.body.error!.message).toContain(`${ns}/lib@1.0.0`);
    expect(refused.body.error!.message).toContain(`${ns}/other@1.0.0`);

    const removed = await ok('remove', { pluginId: `${ns}/base`, cascade: true });
    expect(removed.plan.remove.map((row) => [row.pluginId, row.reason])).toEqual([
      [`${ns}/app`, 'dependent'], [`${ns}/lib`, 'dependent'], [`${ns}/other`, 'dependent'], [`${ns}/base`, 'requested'],
    ]);
    expect((await installedIn()).filter((row) => row.pluginId.startsWith(ns))).toEqual([]);
  });

  it('removes dependencies installed for a plugin when nothing needs them any more', async () => {
    const ns = fixtureNamespace();
    await versions([
      { id: `${ns}/dep`, version: '1.0.0', migrations: notesMigrations },
      { id: `${ns}/app`, version: '1.0.0', dependencies: { [`${ns}/dep`]: '^1' } },
    ]);
    const installed = await ok('install', { pluginId: `${ns}/app` });
    const depSchema = installed.plan.install.find((row) => row.pluginId === `${ns}/dep`)!.dataSchema;
    const removed = await ok('remove', { pluginId: `${ns}/app` });
    expect(removed.plan.remove.map((row) => [row.pluginId, row.reason])).toEqual([[`${ns}/app`, 'requested'], [`${ns}/dep`, 'orphaned-dependency']]);
    expect(await pluginSchemaExists(registry.database.db, depSchema)).toBe(false);
  });

  it('refuses versions that are not active, engines that exclude the registry, bad config and privileged permissions', async () => {
    const ns = fixtureNamespace();
    await versions([
      { id: `${ns}/q`, version: '1.0.0', status: 'quarantined' },
      { id: `${ns}/future`, version: '1.0.0', engines: { 'plugin-codex': '>=2.0.0' } },
      { id: `${ns}/cfg`, version: '1.0.0', configSchema: { type: 'object', required: ['apiUrl'], properties: { apiUrl: { type: 'string' }, retries: { type: 'integer' } } } },
      { id: `${ns}/net`, version: '1.0.0', permissions: { network: ['api.example.com'], core: ['core:events'] } },
    ]);
    const quarantined = await call('install', { pluginId: `${ns}/q`, version: '1.0.0' });
    expect([quarantined.status, quarantined.body.error?.code]).toEqual([409, 'CODEX_ERR_VERSION_NOT_ACTIVE']);
    expect(quarantined.body.error!.message).toContain('quarantined');
    const noActive = await call('install', { pluginId: `${ns}/q` });
    expect([noActive.status, noActive.body.error?.code]).toEqual([422, 'CODEX_ERR_DEPENDENCY_UNSATISFIABLE']);
    const engine = await call('install', { pluginId: `${ns}/future` });
    expect([engine.status, engine.body.error?.code]).toEqual([422, 'CODEX_ERR_ENGINE_MISMATCH']);
    expect(engine.body.error!.message).toContain('>=2.0.0');
    const config = await call('install', { pluginId: `${ns}/cfg`, config: { retries: 'x' } });
    expect([config.status, config.body.error?.code]).toEqual([422, 'CODEX_ERR_INVALID_CONFIG']);
    expect(config.body.error!.message).toContain('config.apiUrl is required');
    expect(config.body.error!.message).toContain('config.retries must be integer');
    const network = await call('install', { pluginId: `${ns}/net` });
    expect(network.status).toBe(403);
    expect(network.body.error!.message).toContain('network:api.example.com');
    expect(network.body.error!.message).toContain('core:events');
    const granted = await ok('install', { pluginId: `${ns}/net` }, admin);
    expect(granted.installation!.grantedPermissions).toEqual({ network: ['api.example.com'], core: ['core:events'] });
    const missingTarget = await call('install', { pluginId: `${ns}/cfg`, target: 'nowhere' });
    expect([missingTarget.status, missingTarget.body.error?.code]).toEqual([404, 'CODEX_ERR_TARGET_NOT_FOUND']);
  });

  it('treats a repeated request and a reused Idempotency-Key as no-ops, and a key reused for another body as a conflict', async () => {
    const ns = fixtureNamespace();
    await versions([{ id: `${ns}/a`, version: '1.0.0' }, { id: `${ns}/b`, version: '1.0.0' }]);
    const headers = { ...developer, 'idempotency-key': `key-${ns}` };
    const first = await ok('install', { pluginId: `${ns}/a` }, headers);
    const again = await ok('install', { pluginId: `${ns}/a` }, headers);
    expect(again).toMatchObject({ noop: true, operation: { id: first.operation!.id } });
    const other = await call('install', { pluginId: `${ns}/b` }, headers);
    expect([other.status, other.body.error?.code]).toEqual([409, 'CODEX_ERR_IDEMPOTENCY_KEY_REUSED']);
    const repeat = await ok('install', { pluginId: `${ns}/a` });
    expect(repeat).toMatchObject({ noop: true, operation: { id: first.operation!.id } });
    const count = await registry.database.db.query('SELECT count(*)::int AS n FROM operations WHERE plugin_id = $1', [`${ns}/a`]);
    expect(count.rows).toEqual([{ n: 1 }]);
  });

  it('creates and lists targets; installs are per target', async () => {
    const created = await registry.app.inject({ method: 'POST', url: '/api/targets', headers: developer, payload: { id: 'support-bot', name: 'Support bot' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'support-bot', name: 'Support bot', createdBy: 'dev-1' });
    const duplicate = await registry.app.inject({ method: 'POST', url: '/api/targets', headers: developer, payload: { id: 'support-bot', name: 'Again' } });
    expect(duplicate.statusCode).toBe(409);
    const list = (await registry.app.inject({ method: 'GET', url: '/api/targets', headers: developer })).json();
    expect(list.items.map((target: { id: string }) => target.id)).toEqual(expect.arrayContaining(['default', 'support-bot']));
    const ns = fixtureNamespace();
    await versions([{ id: `${ns}/a`, version: '1.0.0', migrations: notesMigrations }]);
    const inDefault = await ok('install', { pluginId: `${ns}/a` });
    const inBot = await ok('install', { pluginId: `${ns}/a`, target: 'support-bot' });
    expect(inBot.installation!.dataSchema).not.toBe(inDefault.installation!.dataSchema);
    expect((await installedIn('support-bot')).map((row) => row.pluginId)).toEqual([`${ns}/a`]);
  });

  it('serialises concurrent installs of one plugin into one target: one installation, one operation', async () => {
    const ns = fixtureNamespace();
    await versions([{ id: `${ns}/race`, version: '1.0.0', migrations: notesMigrations }]);
    const results = await Promise.all([1, 2, 3].map(() => call('install', { pluginId: `${ns}/race` })));
    expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
    expect(new Set(results.map((result) => result.body.operation!.id)).size).toBe(1);
    expect(results.filter((result) => !result.body.noop)).toHaveLength(1);
    const rows = await registry.database.db.query('SELECT count(*)::int AS n FROM installations WHERE plugin_id = $1', [`${ns}/race`]);
    expect(rows.rows).toEqual([{ n: 1 }]);
    const operations = await registry.database.db.query('SELECT count(*)::int AS n FROM operations WHERE plugin_id = $1', [`${ns}/race`]);
    expect(operations.rows).toEqual([{ n: 1 }]);
    // Different actors (different requests) racing: one installs, the others see it installed.
    const ns2 = fixtureNamespace();
    await versions([{ id: `${ns2}/race`, version: '1.0.0' }]);
    const actors = await Promise.all(['dev-a', 'dev-b'].map((user) => registry.as('developer', user)));
    const raced = await Promise.all(actors.map((headers) => call('install', { pluginId: `${ns2}/race` }, headers)));
    expect(raced.map((result) => result.status)).toEqual([200, 200]);
    expect(raced.filter((result) => result.body.noop)).toHaveLength(1);
    const rows2 = await registry.database.db.query('SELECT count(*)::int AS n FROM operations WHERE plugin_id = $1', [`${ns2}/race`]);
    expect(rows2.rows).toEqual([{ n: 1 }]);
  });

  describe('a failure at any step leaves the database exactly as it was', () => {
    type Scenario = { name: string; kind: 'install' | 'upgrade' | 'rollback' | 'remove'; setup: (ns: string) => Promise<void>; request: (ns: string) => LifecycleRequest };
    const scenarios: Scenario[] = [
      { name: 'install with a dependency', kind: 'install', setup: async () => undefined, request: (ns) => ({ pluginId: `${ns}/app` }) },
      { name: 'upgrade with a new dependency version', kind: 'upgrade', setup: async (ns) => { await ok('install', { pluginId: `${ns}/app`, version: '1.0.0' }); }, request: (ns) => ({ pluginId: `${ns}/app` }) },
      { name: 'rollback', kind: 'rollback', setup: async (ns) => { await ok('install', { pluginId: `${ns}/app`, version: '1.0.0' }); await ok('upgrade', { pluginId: `${ns}/app` }); }, request: (ns) => ({ pluginId: `${ns}/app` }) },
      { name: 'remove with an orphaned dependency', kind: 'remove', setup: async (ns) => { await ok('install', { pluginId: `${ns}/app` }); }, request: (ns) => ({ pluginId: `${ns}/app` }) },
    ];
    it.each(scenarios)('$name', async (scenario) => {
      const ns = fixtureNamespace('fail');
      await versions([
        { id: `${ns}/dep`, version: '1.0.0', migrations: [{ version: 1, name: 'kv', up: 'CREATE TABLE kv (k text PRIMARY KEY)', down: 'DROP TABLE kv' }] },
        { id: `${ns}/dep`, version: '1.1.0', migrations: [{ version: 1, name: 'kv', up: 'CREATE TABLE kv (k text PRIMARY KEY)', down: 'DROP TABLE kv' }, { version: 2, name: 'v', up: 'ALTER TABLE kv ADD COLUMN v text', down: 'ALTER TABLE kv DROP COLUMN v' }] },
        { id: `${ns}/app`, version: '1.0.0', dependencies: { [`${ns}/dep`]: '~1.0.0' }, migrations: notesMigrations },
        { id: `${ns}/app`, version: '2.0.0', dependencies: { [`${ns}/dep`]: '^1.1.0' }, migrations: notesMigrationsV2 },
      ]);
      await scenario.setup(ns);
      const caller = { actor: 'dev-1', role: 'developer' as const };
      // A first run lists every step the operation takes and fails at the last one, so nothing is kept.
      const before = await stateDigest(registry.database.db);
      const observed: string[] = [];
      const listing = createLifecycleService({ db: registry.database.db, onStep: (step) => { observed.push(step); if (step === 'commit') throw new Error('listing done'); } });
      await expect(listing.run(scenario.kind, scenario.request(ns), caller)).rejects.toThrow('listing done');
      expect(observed.length).toBeGreaterThan(5);
      expect(observed).toEqual(expect.arrayContaining(['begin', 'lock', 'plan', 'record', 'write-operation', 'commit']));
      if (scenario.kind !== 'remove') expect(observed.some((step) => step.startsWith('migrate-'))).toBe(true);
      else expect(observed.some((step) => step.startsWith('drop-schema:'))).toBe(true);
      expect((await stateDigest(registry.database.db)).digest).toBe(before.digest);
      for (const failAt of observed) {
        const failing = createLifecycleService({ db: registry.database.db, onStep: (step) => { if (step === failAt) throw new Error(`injected at ${failAt}`); } });
        await expect(failing.run(scenario.kind, scenario.request(ns), caller)).rejects.toThrow(`injected at ${failAt}`);
        const after = await stateDigest(registry.database.db);
        expect(after.tables, `failure at ${failAt}`).toEqual(before.tables);
        expect(after.digest).toBe(before.digest);
      }
      // No stray data schema survived a failed install either.
      const schemas = (await registry.database.db.query<{ data_schema: string }>('SELECT data_schema FROM installations')).rows.map((row) => row.data_schema);
      const planned = await createLifecycleService({ db: registry.database.db }).run(scenario.kind, { ...scenario.request(ns), dryRun: true }, caller);
      for (const row of planned.plan.install) {
        if (!schemas.includes(row.dataSchema)) expect(await pluginSchemaExists(registry.database.db, row.dataSchema)).toBe(false);
      }
      // And the operation still succeeds afterwards.
      const done = await createLifecycleService({ db: registry.database.db }).run(scenario.kind, scenario.request(ns), caller);
      expect(done.operation?.status).toBe('succeeded');
      expect((await stateDigest(registry.database.db)).digest).not.toBe(before.digest);
    });

    it('a plugin migration that fails half-way rolls everything back', async () => {
      const ns = fixtureNamespace('fail');
      await versions([{ id: `${ns}/bad`, version: '1.0.0', migrations: [
        { version: 1, name: 'ok', up: 'CREATE TABLE t (id int)', down: 'DROP TABLE t' },
        { version: 2, name: 'broken', up: 'ALTER TABLE missing ADD COLUMN x int', down: 'SELECT 1' },
      ] }]);
      const before = await stateDigest(registry.database.db);
      const result = await call('install', { pluginId: `${ns}/bad` });
      expect([result.status, result.body.error?.code]).toEqual([422, 'CODEX_ERR_PLUGIN_MIGRATION_FAILED']);
      expect(result.body.error!.message).toContain('migration 2 (broken)');
      expect((await stateDigest(registry.database.db)).digest).toBe(before.digest);
    });
  });
});
