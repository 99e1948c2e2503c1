import { spawnSync } from 'node:child_process';
import { createServer, connect, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/registry/app';
import { createManagedDatabase } from '../../server/registry/db/managed-database';
import { latestVersion } from '../../server/registry/db/migrations';
import { startTestRegistry, testConfig, type TestRegistry } from '../support/test-app';
import { quietLog, testDatabaseKinds, uniqueSchema } from '../support/test-databases';

describe.each(testDatabaseKinds())('registry foundation on $name', (kind) => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry(kind);
  });
  afterAll(async () => {
    await registry.close();
  });

  it('reports ok health with the schema version and no drift', async () => {
    const response = await registry.app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', database: { driver: kind.name === 'pglite' ? 'pglite' : 'pg', phase: 'ready', writable: true, schemaVersion: latestVersion() }, drift: [] });
    const ready = await registry.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(ready.json()).toEqual({ ready: true, phase: 'ready' });
  });

  it('reports drift by name in health after a column is dropped by hand', async () => {
    await registry.database.db.exec('ALTER TABLE users DROP COLUMN display_name');
    try {
      const health = (await registry.app.inject({ method: 'GET', url: '/api/health' })).json();
      expect(health.status).toBe('degraded');
      expect(health.drift).toContainEqual(expect.objectContaining({ kind: 'missing-column', table: 'users', name: 'display_name' }));
    } finally {
      await registry.database.db.exec("ALTER TABLE users ADD COLUMN display_name text NOT NULL DEFAULT ''");
    }
    expect((await registry.app.inject({ method: 'GET', url: '/api/health' })).json().status).toBe('ok');
  });

  it('heals a table dropped while the server runs; the request that hit it succeeds', async () => {
    const headers = await registry.as('super-admin', 'root');
    await registry.database.db.exec('DROP TABLE api_tokens');
    const created = await registry.app.inject({ method: 'POST', url: '/api/tokens', headers, payload: { name: 'after-the-drop' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().token).toMatch(/^pcx_/);
    const alerts = (await registry.app.inject({ method: 'GET', url: '/api/admin/alerts', headers })).json();
    expect(alerts.items.some((alert: { kind: string; message: string }) => alert.kind === 'database.healed' && alert.message.includes('api_tokens'))).toBe(true);
  });

  it('authenticates API tokens, enforces roles and revokes', async () => {
    const headers = await registry.as('developer', 'dev-1');
    const created = (await registry.app.inject({ method: 'POST', url: '/api/tokens', headers, payload: { name: 'ci' } })).json();
    const me = await registry.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${created.token}` } });
    expect(me.json()).toEqual({ userId: 'dev-1', role: 'developer', via: 'api-token' });
    const escalate = await registry.app.inject({ method: 'POST', url: '/api/tokens', headers, payload: { name: 'x', role: 'super-admin' } });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().error.message).toContain('super-admin');
    const forbidden = await registry.app.inject({ method: 'GET', url: '/api/admin/alerts', headers });
    expect(forbidden.statusCode).toBe(403);
    await registry.app.inject({ method: 'DELETE', url: `/api/tokens/${created.info.id}`, headers });
    const after = await registry.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${created.token}` } });
    expect(after.statusCode).toBe(401);
  });

  it('rejects bad input with a message naming the field and changes nothing', async () => {
    const headers = await registry.as('user', 'u-1');
    const before = await registry.database.db.query('SELECT count(*) AS n FROM api_tokens');
    const response = await registry.app.inject({ method: 'POST', url: '/api/tokens', headers, payload: { name: '', extra: 1 } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('CODEX_ERR_VALIDATION');
    expect(response.json().error.message).toMatch(/name|extra/);
    const after = await registry.database.db.query('SELECT count(*) AS n FROM api_tokens');
    expect(after.rows).toEqual(before.rows);
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const spec = (await registry.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/tokens', '/api/admin/alerts']));
  });

  it('refuses writes with a clear error when the database is newer than the code', async () => {
    const other = await startTestRegistry(kind);
    try {
      await other.database.db.query("INSERT INTO schemaversion (version, name, md5, run_at) VALUES (999, 'future', '', now())");
      await other.app.close();
      const reopened = await createManagedDatabase({ ...(await kind.options(other.database.db.schema)), log: quietLog });
      await reopened.start();
      const app = await buildApp({ config: testConfig(), database: reopened });
      try {
        const token = await app.registryServices.auth.mintToken({ sub: 'root', role: 'super-admin' });
        const write = await app.inject({ method: 'POST', url: '/api/tokens', headers: { authorization: `Bearer ${token}` }, payload: { name: 'x' } });
        expect(write.statusCode).toBe(503);
        expect(write.json().error.code).toBe('CODEX_ERR_READ_ONLY');
        const health = (await app.inject({ method: 'GET', url: '/api/health' })).json();
        expect(health).toMatchObject({ status: 'degraded', database: { phase: 'ahead', writable: false } });
        const alerts = (await app.inject({ method: 'GET', url: '/api/admin/alerts', headers: { authorization: `Bearer ${token}` } })).json();
        expect(alerts.items.map((alert: { kind: string }) => alert.kind)).toContain('database.ahead');
      } finally {
        await app.close();
      }
    } finally {
      await other.close().catch(() => undefined);
    }
  });
});

describe.runIf(process.env.PLUGIN_CODEX_TEST_PG_URL)('a PostgreSQL that is unreachable at start', () => {
  let proxy: Server | undefined;
  afterAll(() => {
    proxy?.close();
  });

  it('retries, reports degraded, and recovers when the database comes up', async () => {
    const target = new URL(process.env.PLUGIN_CODEX_TEST_PG_URL!);
    // Reserve a free port, then close it: nothing listens there until the proxy starts.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = new URL(target);
    url.port = String(port);

    const database = await createManagedDatabase({ url: url.toString(), schema: uniqueSchema(), log: quietLog, startAttempts: 2, retryBaseMs: 100, retryMaxMs: 300 });
    const app = await buildApp({ config: testConfig(), database });
    try {
      await database.start();
      const degraded = await app.inject({ method: 'GET', url: '/api/health' });
      expect(degraded.json().database).toMatchObject({ phase: 'unreachable', reachable: false });
      expect(['degraded', 'down']).toContain(degraded.json().status);
      expect((await app.inject({ method: 'GET', url: '/api/health/ready' })).statusCode).toBe(503);
      const token = await app.registryServices.auth.mintToken({ sub: 'root', role: 'super-admin' });
      const refused = await app.inject({ method: 'GET', url: '/api/admin/alerts', headers: { authorization: `Bearer ${token}` } });
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error.code).toBe('CODEX_ERR_DATABASE_UNAVAILABLE');

      proxy = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      await new Promise<void>((resolve) => proxy!.listen(port, '127.0.0.1', resolve));
      await expect.poll(async () => (await app.inject({ method: 'GET', url: '/api/health' })).json().status, { timeout: 15_000, interval: 200 }).toBe('ok');
      const served = await app.inject({ method: 'GET', url: '/api/admin/alerts', headers: { authorization: `Bearer ${token}` } });
      expect(served.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('configuration', () => {
  it('exits non-zero naming each bad variable', () => {
    const result = spawnSync(process.execPath, ['bin/plugin-codex.js', 'serve'], {
      env: { ...process.env, PORT: 'eighty', JWT_SECRET: 'short', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('PORT "eighty"');
    expect(result.stderr).toContain('JWT_SECRET is 5 characters');
    expect(result.stderr).toContain('DATABASE_URL must start with postgres://');
    expect(result.stderr).toContain('LOG_LEVEL "loud"');
  });
});
