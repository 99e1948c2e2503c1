import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleMatches, type ResolvedPluginManifest } from '../../protocol/plugin-manifest';
import type { Role } from '../../protocol/roles';
import { buildApp, type RegistryApp } from '../../server/registry/app';
import type { ManagedDatabase } from '../../server/registry/db/managed-database';
import { replayedStateDigest } from '../../server/registry/journal/replayed-state';
import { packPluginDirectory, readPluginPackage } from '../../server/registry/packages/plugin-package';
import { createPublishService } from '../../server/registry/services/publish-service';
import { createRolloutService, DEFAULT_ANALYSIS } from '../../server/registry/services/runtime/rollout-service';
import type { RuntimeService } from '../../server/registry/services/runtime/runtime-service';
import { sampleDirectories, WEATHER_SAMPLE_MOCK_PORT } from '../../samples/index';
import { testConfig } from '../support/test-app';
import { openTestDatabase, testDatabaseKinds } from '../support/test-databases';

/** The local stand-in for api.open-meteo.com on the one local port the weather sample is granted. */
async function startWeatherMock(): Promise<Server> {
  const server = createServer((request, response) => {
    if (!request.url?.startsWith('/v1/forecast?')) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ current: { time: '2025-06-01T12:00', temperature_2m: 18.5, wind_speed_10m: 7.2, weather_code: 1 } }));
  });
  // Another test file may hold the port for a moment: wait for it.
  for (let attempt = 0; ; attempt += 1) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(WEATHER_SAMPLE_MOCK_PORT, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      return server;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

const WEATHER_CONFIG = { baseUrl: `http://127.0.0.1:${WEATHER_SAMPLE_MOCK_PORT}` };
const configFor = (id: string) => (id === '@codex/weather-lookup' ? WEATHER_CONFIG : undefined);

/** Publishes a plugin written inline (plugin.json + index.js) as the system actor. */
async function publishInline(app: RegistryApp, manifest: Record<string, unknown>, code: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'runtime-plugin-'));
  writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'index.js'), code);
  writeFileSync(join(dir, 'README.md'), `# ${String(manifest.title)}\n`);
  const bytes = await packPluginDirectory(dir);
  const pkg = await readPluginPackage(bytes);
  const services = app.registryServices;
  const publishing = createPublishService({ db: services.database.db, signingKey: services.signingKey });
  await services.database.db.transaction((tx) => publishing.recordPublication(tx, {
    manifest: pkg.manifest, bytes, integrity: pkg.integrity, contentHash: pkg.contentHash, publisher: { userId: 'system', role: 'system' },
  }));
}

describe.each(testDatabaseKinds())('plugin runtime on $name', (kind) => {
  let app: RegistryApp;
  let database: ManagedDatabase;
  let weather: Server;
  let admin: Record<string, string>;
  let developer: Record<string, string>;
  let user: Record<string, string>;
  const manifests = new Map<string, ResolvedPluginManifest>();

  beforeAll(async () => {
    weather = await startWeatherMock();
    database = await openTestDatabase(kind);
    app = await buildApp({ config: testConfig(), database, sandbox: { ceilings: { cpuMs: 1_000, wallClockMs: 3_000 }, workers: 2 } });
    const as = async (role: Role, sub: string) => ({ authorization: `Bearer ${await app.registryServices.auth.mintToken({ sub, role })}` });
    admin = await as('super-admin', 'root');
    developer = await as('developer', 'dev-1');
    user = await as('user', 'user-1');
    for (const dir of sampleDirectories()) {
      const manifest = (await readPluginPackage(await packPluginDirectory(dir))).manifest;
      if (!manifests.has(manifest.id) || manifest.version === '1.0.0') manifests.set(manifest.id, manifest);
    }
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    weather?.closeAllConnections();
    await new Promise((resolve) => weather?.close(resolve));
  });

  const post = (url: string, payload: unknown, headers = admin) => app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
  const createTarget = async (id: string) => expect((await post('/api/targets', { id, name: id })).statusCode).toBe(201);
  const install = async (pluginId: string, target: string, extra: Record<string, unknown> = {}) => {
    const response = await post('/api/plugins/install', { pluginId, target, ...extra });
    expect(response.statusCode, response.body).toBe(200);
    await app.registryServices.rollouts.settled();
  };

  it('tries every sample: health check and examples pass, and nothing persists', async () => {
    const before = await replayedStateDigest(database.db);
    for (const [id, manifest] of manifests) {
      const response = await post(`/api/plugins/${id}/try`, { version: manifest.version, ...(configFor(id) ? { config: configFor(id) } : {}) });
      expect(response.statusCode, response.body).toBe(200);
      const transcript = response.json() as { ok: boolean; target: string; healthCheck: { ok: boolean }; steps: { tool: string; pass: boolean; output: unknown; expected: unknown; durationMs: number; logs: string[] }[] };
      expect(transcript.healthCheck.ok, `${id}: ${JSON.stringify(transcript.healthCheck)}`).toBe(true);
      expect(transcript.steps).toHaveLength(manifest.examples.length);
      for (const step of transcript.steps) expect(step.pass, `${id} ${step.tool}: ${JSON.stringify(step)}`).toBe(true);
      expect(transcript.ok).toBe(true);
      expect(transcript.target).toMatch(/^try-/);
    }
    const after = await replayedStateDigest(database.db);
    expect(after).toEqual(before);
    const targets = (await app.inject({ method: 'GET', url: '/api/targets', headers: admin })).json() as { items: { id: string }[] };
    expect(targets.items.some((target) => target.id.startsWith('try-'))).toBe(false);
  }, 120_000);

  it('reports a try that cannot install with the lifecycle error (a developer may not grant network hosts)', async () => {
    const response = await post('/api/plugins/@codex/weather-lookup/try', { version: '1.0.0', config: WEATHER_CONFIG }, developer);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('CODEX_ERR_PERMISSION_NEEDS_ADMIN');
    expect((await post('/api/plugins/@codex/text-stats/try', { version: '1.0.0' }, user)).statusCode).toBe(403);
  });

  it('installs every sample and invokes its examples through the route; each invocation is recorded', async () => {
    await createTarget('rt');
    for (const [id, manifest] of manifests) {
      await install(id, 'rt', { version: manifest.version, ...(configFor(id) ? { config: configFor(id) } : {}) });
      const health = (await app.inject({ method: 'GET', url: `/api/plugins/${id}/health?target=rt`, headers: user })).json() as { status: string; health: { phase: string } };
      expect(health, id).toMatchObject({ status: 'active', health: { phase: 'successful' } });
    }
    for (const [id, manifest] of manifests) {
      for (const example of manifest.examples) {
        const response = await post(`/api/plugins/${id}/tools/${example.tool}/invoke`, { target: 'rt', input: example.input }, user);
        expect(response.statusCode, `${id} ${example.tool}: ${response.body}`).toBe(200);
        const body = response.json() as { output: unknown; version: string };
        // Storage persists between invocations here (unlike try), so lists may hold more: check the rest.
        if (!/^list/.test(example.tool)) expect(exampleMatches(example.expected, body.output), `${id} ${example.tool}: ${response.body}`).toBe(true);
      }
    }
    const recorded = await database.db.query<{ n: string }>("SELECT count(*) AS n FROM invocations WHERE target_id = 'rt' AND source = 'invoke' AND ok");
    expect(Number(recorded.rows[0]!.n)).toBe([...manifests.values()].reduce((sum, manifest) => sum + manifest.examples.length, 0));
    const stored = await database.db.query<{ n: string }>("SELECT count(*) AS n FROM plugin_storage WHERE target_id = 'rt' AND plugin_id = '@codex/notes-store'");
    expect(Number(stored.rows[0]!.n)).toBeGreaterThan(0);
  }, 120_000);

  it('refuses invalid input with a 400 naming the field, unknown tools and plugins with 404s', async () => {
    const bad = await post('/api/plugins/@codex/flaky-greeter/tools/greet/invoke', { target: 'rt', input: { name: 42 } }, user);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'CODEX_ERR_INVALID_INPUT', details: { field: 'input.name' } });
    expect(bad.json().error.message).toMatch(/input\.name must be string/);
    const extra = await post('/api/plugins/@codex/flaky-greeter/tools/greet/invoke', { target: 'rt', input: { nome: 'x' } }, user);
    expect(extra.json().error).toMatchObject({ code: 'CODEX_ERR_INVALID_INPUT', details: { field: 'input.nome' } });
    expect((await post('/api/plugins/@codex/flaky-greeter/tools/nope/invoke', { target: 'rt', input: {} }, user)).json().error.code).toBe('CODEX_ERR_TOOL_NOT_FOUND');
    expect((await post('/api/plugins/@codex/flaky-greeter/tools/greet/invoke', { target: 'default', input: {} }, user)).json().error.code).toBe('CODEX_ERR_NOT_INSTALLED');
    expect((await post('/api/plugins/@codex/flaky-greeter/tools/greet/invoke', { input: {} }, { })).statusCode).toBe(401);
  });

  it('serves UI assets and the HTML shell with a strict CSP, nosniff and the integrity', async () => {
    const shell = await app.inject({ method: 'GET', url: '/api/plugins/@codex/sparkline-block/versions/1.0.0/ui-shell' });
    expect(shell.statusCode).toBe(200);
    expect(shell.headers['content-security-policy']).toContain("default-src 'none'; script-src 'self'");
    expect(shell.headers['x-content-type-options']).toBe('nosniff');
    expect(shell.headers['x-codex-integrity']).toMatch(/^sha512-/);
    expect(shell.body).toContain('<script type="module" src="ui/ui/sparkline.js"></script>');
    expect(shell.body).toContain('<codex-sparkline-block');
    const asset = await app.inject({ method: 'GET', url: '/api/plugins/@codex/sparkline-block/versions/1.0.0/ui/ui/sparkline.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.headers['content-security-policy']).toContain("default-src 'none'");
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    expect(asset.headers['x-codex-file-integrity']).toMatch(/^sha384-/);
    expect(asset.body).toContain('customElements');
    // Only the UI entry's folder is served as UI: the sandboxed entry is not a UI asset.
    expect((await app.inject({ method: 'GET', url: '/api/plugins/@codex/sparkline-block/versions/1.0.0/ui/index.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/plugins/@codex/text-stats/versions/1.0.0/ui-shell' })).json().error.code).toBe('CODEX_ERR_NO_UI');
  });

  it('exposes the tools of a target over MCP (Streamable HTTP): list, call, and a bad argument as an MCP error', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const transport = new StreamableHTTPClientTransport(new URL(`${address}/mcp/rt`), { requestInit: { headers: user } });
    const client = new Client({ name: 'runtime-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      const analyze = tools.find((tool) => tool.name === 'codex_text-stats__analyze');
      expect(analyze?.inputSchema).toMatchObject({ type: 'object', properties: { text: { type: 'string' } } });
      expect(tools.map((tool) => tool.name)).toContain('codex_flaky-greeter__greet');
      const result = await client.callTool({ name: 'codex_flaky-greeter__greet', arguments: { name: 'Ada' } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ greeting: 'Hello, Ada!' });
      await expect(client.callTool({ name: 'codex_flaky-greeter__greet', arguments: { name: 42 } })).rejects.toThrow(/input\.name must be string/);
      await expect(client.callTool({ name: 'codex_nothing__here', arguments: {} })).rejects.toThrow(/no tool/);
      const recorded = await database.db.query<{ n: string }>("SELECT count(*) AS n FROM invocations WHERE target_id = 'rt' AND source = 'mcp'");
      expect(Number(recorded.rows[0]!.n)).toBeGreaterThanOrEqual(2);
    } finally {
      await client.close();
    }
    const anonymous = await fetch(`${address}/mcp/rt`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(anonymous.status).toBe(401);
  }, 30_000);

  it('contains a looping plugin: a coded error through the route while /api/health answers fast', async () => {
    await publishInline(app, {
      id: '@codex/looper', version: '1.0.0', kind: 'tool', title: 'Looper', description: 'Loops forever.', entry: 'index.js', healthCheck: false,
      tools: [{ name: 'spin', description: 'Never returns.', inputSchema: { type: 'object' }, outputSchema: { type: 'object' } }],
    }, 'export default { tools: { spin() { for (;;) {} } } };\n');
    await install('@codex/looper', 'rt');
    const invocation = post('/api/plugins/@codex/looper/tools/spin/invoke', { target: 'rt', input: {} }, user);
    await new Promise((resolve) => setTimeout(resolve, 150));
    let fastest = Infinity;
    // A shared 2-core machine may stall any single request: a few tries, the best must be fast.
    for (let attempt = 0; attempt < 5 && fastest >= 100; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      const started = performance.now();
      expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBeLessThan(600);
      fastest = Math.min(fastest, performance.now() - started);
    }
    expect(fastest).toBeLessThan(100);
    const response = await invocation;
    expect([422, 504]).toContain(response.statusCode);
    expect(response.json().error.code).toMatch(/^CODEX_ERR_PLUGIN_(CPU_LIMIT|TIMEOUT)$/);
    expect(response.json().error.message).toMatch(/limit|ms/i);
  }, 30_000);

  const toolManifest = (id: string, version: string, extra: Record<string, unknown> = {}) => ({
    id, version, kind: 'tool', title: id, description: `${id} for runtime tests.`, entry: 'index.js',
    tools: [{ name: 'run', description: 'Runs.', inputSchema: { type: 'object' }, outputSchema: { type: 'object' } }], ...extra,
  });

  it('gives a plugin only the secrets it was granted, from PLUGIN_SECRET_<NAME>', async () => {
    process.env.PLUGIN_SECRET_RT_TOKEN = 'granted-value';
    process.env.PLUGIN_SECRET_RT_OTHER = 'never-read';
    await publishInline(app, toolManifest('@codex/secret-reader', '1.0.0', { permissions: { secrets: ['RT_TOKEN'] } }),
      "export default { tools: { async run(input, ctx) { ctx.log('token is', await ctx.secrets.get('RT_TOKEN')); return { length: (await ctx.secrets.get('RT_TOKEN')).length }; } } };\n");
    await install('@codex/secret-reader', 'rt');
    const response = await post('/api/plugins/@codex/secret-reader/tools/run/invoke', { target: 'rt', input: {} }, user);
    expect(response.json()).toMatchObject({ output: { length: 'granted-value'.length }, logs: ['token is [secret RT_TOKEN]'] });
    expect(response.body).not.toContain('granted-value');
  });

  it('pauses an installation whose first analysis fails (nothing to revert to), and an admin resumes it', async () => {
    await publishInline(app, toolManifest('@codex/sick', '1.0.0'),
      "export default { tools: { run() { return {}; } }, healthCheck() { throw new Error('sick on purpose'); } };\n");
    await install('@codex/sick', 'rt');
    const events = (await app.registryServices.repos.events.list({ limit: 1000 })).filter((event) => event.subject === 'rt/@codex/sick');
    expect(events.map((event) => event.type)).toEqual(['plugin.installed', 'plugin.health-checked', 'plugin.paused']);
    const alerts = await app.registryServices.repos.alerts.list({ status: 'open' });
    expect(alerts.some((alert) => alert.kind === 'plugin.paused' && alert.details.pluginId === '@codex/sick')).toBe(true);
    const refused = await post('/api/plugins/@codex/sick/tools/run/invoke', { target: 'rt', input: {} }, user);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('CODEX_ERR_INSTALLATION_NOT_ACTIVE');
    expect((await post('/api/plugins/@codex/sick/resume', { target: 'rt' }, developer)).statusCode).toBe(403);
    const resumed = await post('/api/plugins/@codex/sick/resume', { target: 'rt' });
    expect(resumed.json()).toMatchObject({ status: 'active' });
    expect((await post('/api/plugins/@codex/sick/tools/run/invoke', { target: 'rt', input: {} }, user)).statusCode).toBe(200);
    expect((await post('/api/plugins/@codex/sick/resume', { target: 'rt' })).statusCode).toBe(409);
  });

  it('reverts an active installation whose runtime error rate crosses the threshold', async () => {
    await publishInline(app, toolManifest('@codex/failer', '1.0.0'), 'export default { tools: { run() { return { ok: true }; } } };\n');
    await publishInline(app, toolManifest('@codex/failer', '1.1.0'), "export default { tools: { run() { throw new Error('broken in 1.1.0'); } } };\n");
    await install('@codex/failer', 'rt', { version: '1.0.0' });
    expect((await post('/api/plugins/upgrade', { pluginId: '@codex/failer', target: 'rt', version: '1.1.0' })).statusCode).toBe(200);
    await app.registryServices.rollouts.settled();
    for (let index = 0; index < 10; index += 1) {
      // The gate looks at 10 samples at least, so the first 10 calls all reach 1.1.0.
      const response = await post('/api/plugins/@codex/failer/tools/run/invoke', { target: 'rt', input: {} }, user);
      expect(response.statusCode).toBe(502);
      expect(response.json().error).toMatchObject({ code: 'CODEX_ERR_PLUGIN_PLUGIN_ERROR', message: expect.stringContaining('broken in 1.1.0') });
    }
    await app.registryServices.rollouts.settled();
    const health = (await app.inject({ method: 'GET', url: '/api/plugins/@codex/failer/health?target=rt', headers: user })).json() as { version: string; status: string };
    expect(health).toMatchObject({ version: '1.0.0', status: 'active' });
    const events = (await app.registryServices.repos.events.list({ limit: 1000 })).filter((event) => event.subject === 'rt/@codex/failer');
    expect(events.map((event) => event.type).slice(-3)).toEqual(['plugin.health-checked', 'plugin.rolled-back', 'plugin.health-checked']);
    expect(events.at(-3)!.payload).toMatchObject({ version: '1.1.0', health: { trigger: 'error-rate', phase: 'failed', errorRate: { failed: 10, total: 10 } } });
    expect((await post('/api/plugins/@codex/failer/tools/run/invoke', { target: 'rt', input: {} }, user)).json()).toMatchObject({ version: '1.0.0', output: { ok: true } });
  });

  it('pauses an installation whose analysis is inconclusive (the sandbox could not measure) and asks an admin', async () => {
    await createTarget('inconclusive');
    await install('@codex/text-stats', 'inconclusive');
    const services = app.registryServices;
    // A runtime whose sandbox answers QUEUE_FULL: the measurement says nothing about the plugin.
    const busy: RuntimeService = {
      ...services.runtime,
      healthCheck: async () => ({ ok: false, probe: 'export', checkedAt: new Date().toISOString(), durationMs: 0, logs: [], error: { code: 'QUEUE_FULL', message: 'the queue of @codex/text-stats is full (64 waiting)' } }),
    };
    const rollouts = createRolloutService({ db: database.db, runtime: busy, alerts: services.repos.alerts, options: { ...DEFAULT_ANALYSIS, count: 2 }, log: { warn: () => undefined } });
    const run = await rollouts.analyse('inconclusive', '@codex/text-stats', '1.0.0', 'upgrade');
    expect(run).toMatchObject({ phase: 'inconclusive', action: 'paused' });
    const events = (await services.repos.events.list({ limit: 1000 })).filter((event) => event.subject === 'inconclusive/@codex/text-stats');
    expect(events.map((event) => event.type)).toEqual(['plugin.installed', 'plugin.health-checked', 'plugin.health-checked', 'plugin.paused']);
    const health = (await app.inject({ method: 'GET', url: '/api/plugins/@codex/text-stats/health?target=inconclusive', headers: user })).json() as { status: string; health: { phase: string } };
    expect(health).toMatchObject({ status: 'paused', health: { phase: 'inconclusive' } });
    const alerts = await services.repos.alerts.list({ status: 'open' });
    expect(alerts.find((alert) => alert.details.targetId === 'inconclusive')).toMatchObject({ kind: 'plugin.paused', message: expect.stringContaining('an admin resumes or rolls it back') });
  });

  it('reverts a failing upgrade (flaky-greeter 1.1.0) to the last known good version, raises an alert and journals the story', async () => {
    await createTarget('flaky');
    await install('@codex/flaky-greeter', 'flaky', { version: '1.0.0' });
    const upgrade = await post('/api/plugins/upgrade', { pluginId: '@codex/flaky-greeter', target: 'flaky', version: '1.1.0' });
    expect(upgrade.statusCode, upgrade.body).toBe(200);
    expect(upgrade.json().installation.version).toBe('1.1.0');
    await app.registryServices.rollouts.settled();

    const installed = (await app.inject({ method: 'GET', url: '/api/plugins/installed?target=flaky', headers: admin })).json() as { items: { pluginId: string; version: string; status: string }[] };
    expect(installed.items.find((item) => item.pluginId === '@codex/flaky-greeter')).toMatchObject({ version: '1.0.0', status: 'active' });
    const alerts = await app.registryServices.repos.alerts.list({ status: 'open' });
    expect(alerts.find((alert) => alert.kind === 'plugin.auto-reverted' && alert.details.targetId === 'flaky')).toMatchObject({ severity: 'critical', details: { version: '1.1.0', revertedTo: '1.0.0', phase: 'failed' } });
    const events = (await app.registryServices.repos.events.list({ limit: 1000 })).filter((event) => event.subject === 'flaky/@codex/flaky-greeter');
    expect(events.map((event) => event.type)).toEqual(['plugin.installed', 'plugin.health-checked', 'plugin.upgraded', 'plugin.health-checked', 'plugin.rolled-back', 'plugin.health-checked']);
    expect(events[3]!.payload).toMatchObject({ version: '1.1.0', health: { phase: 'failed', action: 'rolled-back' } });
    expect(JSON.stringify(events[3]!.payload)).toContain('unhealthy on purpose');
    expect(events[5]!.payload).toMatchObject({ version: '1.0.0', health: { phase: 'successful', trigger: 'after-revert' } });
    const health = (await app.inject({ method: 'GET', url: '/api/plugins/@codex/flaky-greeter/health?target=flaky', headers: user })).json() as { version: string; health: { phase: string } };
    expect(health).toMatchObject({ version: '1.0.0', health: { phase: 'successful' } });
  }, 60_000);
});
