import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DebugSession, FixSuggestion, SnapshotDiff, SnapshotListItem } from '../../protocol/debug-api';
import { buildApp } from '../../server/registry/app';
import { createDebugRepository, WHOLE_SNAPSHOTS_PER_PLUGIN } from '../../server/registry/db/debug-repository';
import { createDebugService } from '../../server/registry/services/debug/debug-service';
import { packPluginDirectory } from '../../server/registry/packages/plugin-package';
import { packageRoot } from '../../server/registry/package-root';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server';
import { startTestRegistry, testConfig, type TestRegistry } from '../support/test-app';
import { testDatabaseKinds } from '../support/test-databases';

/** How long GET /api/health may take at most while a debug session runs. */
const HEALTH_LATENCY_MS = 500;
/** Words that name a sandbox limit in a run's error. */
const limitWords = /limit|timed out|timeout|memory|cpu/i;

const SAMPLE_IDS = ['@codex/text-stats', '@codex/text-summary', '@codex/weather-lookup', '@codex/notes-store', '@codex/sparkline-block', '@codex/todo-app', '@codex/flaky-greeter'];

/** A minimal tool plugin package whose entry is `code`. */
async function pluginPackage(id: string, code: string, extra: Record<string, unknown> = {}): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'debug-test-plugin-'));
  try {
    writeFileSync(join(dir, 'plugin.json'), JSON.stringify({
      id, version: '1.0.0', kind: 'tool', title: 'Test plugin', description: 'A plugin for the debug tests.', entry: 'index.js',
      tools: [{ name: 'run', description: 'Runs.', inputSchema: { type: 'object' }, outputSchema: { type: 'object' } }],
      examples: [{ tool: 'run', input: { code: '1' }, expected: {} }],
      ...extra,
    }));
    writeFileSync(join(dir, 'index.js'), code);
    return await packPluginDirectory(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FLAKY_SOURCE = readFileSync(join(packageRoot(), 'samples', 'flaky-greeter', '1.1.0', 'index.js'), 'utf8');
/** 1-based line of the health check's throw, found by its text. */
const THROW_LINE = FLAKY_SOURCE.split('\n').findIndex((line) => line.includes("throw new Error('flaky-greeter 1.1.0")) + 1;
const edits = (reason: string, replacement: string) => JSON.stringify({ candidates: [{ reason, edits: [{ startLine: THROW_LINE, endLine: THROW_LINE, replacement }] }] });
const RIGHT = edits('The health check must probe greet instead of always throwing.', "    if (greet({ name: 'health' }).greeting !== 'Hello, health!') throw new Error('greet returned an unexpected greeting');\n    return { ok: true };");
const WRONG = edits('Throw a clearer error.', "    throw new Error('the template store is still unreachable');");

describe.each(testDatabaseKinds())('debug engine on $name', (kind) => {
  let registry: TestRegistry;
  let llm: FakeLlmServer;
  let dev: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    llm = await startFakeLlmServer();
    process.env.LLM_BASE_URL = llm.baseUrl;
    process.env.LLM_MODEL = 'fake-model';
    registry = await startTestRegistry(kind);
    delete process.env.LLM_BASE_URL;
    dev = await registry.as('developer', 'dev-debug');
    admin = await registry.as('super-admin', 'root');
  });
  afterAll(async () => {
    await registry?.close();
    await llm?.close();
  });

  const debug = () => registry.app.registryServices.debug;
  const startSession = async (pluginId: string, query = ''): Promise<DebugSession> => {
    const response = await registry.app.inject({ method: 'POST', url: `/api/debug/start?pluginId=${encodeURIComponent(pluginId)}${query}`, headers: dev, payload: {} });
    expect(response.statusCode, response.body).toBe(202);
    const session = (response.json() as { session: DebugSession }).session;
    await debug().settled(session.id);
    const finished = await registry.app.inject({ method: 'GET', url: `/api/debug/sessions/${session.id}`, headers: dev });
    return finished.json() as DebugSession;
  };
  const publish = (bytes: Buffer, headers = dev) => registry.app.inject({ method: 'POST', url: '/api/plugins/publish', headers: { ...headers, 'content-type': 'application/gzip' }, payload: bytes });

  it('runs a session on every sample plugin', async () => {
    for (const id of SAMPLE_IDS) {
      const session = await startSession(id);
      expect(session.status, `${id}: ${session.result?.verdict}`).not.toBe('running');
      expect(session.status, `${id}: ${session.result?.verdict}`).not.toBe('error');
      expect(session.result!.scan.files).toBeGreaterThan(0);
      if (id === '@codex/notes-store') expect(session.result!.migrations).toMatchObject({ checked: 2, drift: [], tables: { notes: expect.arrayContaining(['tags text[]']) } });
      if (id === '@codex/text-stats') expect(session.status).toBe('passed');
    }
  }, 240_000);

  it('finds the failing health check of flaky-greeter 1.1.0 with its source line, streams progress and keeps a snapshot', async () => {
    const session = await startSession('@codex/flaky-greeter', '&version=1.1.0');
    expect(session.status).toBe('failed');
    const health = session.result!.runs.find((run) => run.kind === 'health-check')!;
    expect(health.ok).toBe(false);
    expect(health.error).toMatchObject({ code: 'PLUGIN_ERROR', source: { file: 'index.js', line: THROW_LINE } });
    expect(session.result!.runs.filter((run) => run.kind === 'example').every((run) => run.ok)).toBe(true);

    const events = await registry.app.inject({ method: 'GET', url: `/api/debug/sessions/${session.id}/events`, headers: dev });
    expect(events.headers['content-type']).toContain('text/event-stream');
    expect(events.body).toContain('event: finished');

    const snapshots = (await registry.app.inject({ method: 'GET', url: '/api/debug/snapshots?pluginId=%40codex%2Fflaky-greeter', headers: dev })).json() as { items: SnapshotListItem[] };
    expect(snapshots.items[0]).toMatchObject({ sessionId: session.id, version: '1.1.0', status: 'error', whole: true });
    expect(snapshots.items[0]!.error).toContain('unhealthy on purpose');
  }, 60_000);

  it('suggests a verified fix for the broken health check, rejects a wrong candidate, and publishes the fix as a patch version', async () => {
    const session = await startSession('@codex/flaky-greeter', '&version=1.1.0');
    llm.script(WRONG, WRONG, WRONG);
    const refused = await registry.app.inject({ method: 'POST', url: `/api/debug/sessions/${session.id}/suggest`, headers: dev, payload: { error: true } });
    expect(refused.statusCode, refused.body).toBe(201);
    const wrong = refused.json() as FixSuggestion;
    expect(wrong.status).toBe('failed-verification');
    expect(wrong.rejected.length).toBe(3);
    expect(wrong.rejected[0]).toMatch(/new error|does not remove/);

    llm.script(WRONG, RIGHT);
    const answered = await registry.app.inject({ method: 'POST', url: `/api/debug/sessions/${session.id}/suggest`, headers: dev, payload: { error: true } });
    const fix = answered.json() as FixSuggestion;
    expect(fix.status, JSON.stringify(fix.rejected)).toBe('verified');
    expect(fix.rejected).toHaveLength(1);
    expect(fix.diff).toContain("+    return { ok: true };");
    expect(fix.diff).not.toContain(tmpdir());
    expect(fix.retry.path).toBe(`/api/debug/sessions/${session.id}/suggest`);

    const published = await registry.app.inject({ method: 'POST', url: `/api/debug/suggestions/${fix.id}/publish`, headers: admin });
    expect(published.statusCode, published.body).toBe(201);
    expect(published.json()).toMatchObject({ version: '1.1.1', suggestion: { status: 'published', publishedVersion: '1.1.1' } });

    const fixed = await startSession('@codex/flaky-greeter', '&version=1.1.1');
    expect(fixed.result!.runs.every((run) => run.ok), fixed.result!.verdict).toBe(true);

    const stats = (await registry.app.inject({ method: 'GET', url: '/api/debug/stats', headers: dev })).json() as { rules: { rule: string; offered: number; accepted: number; failedVerification: number }[]; days: unknown[] };
    expect(stats.rules.find((rule) => rule.rule === 'runtime-failure')).toMatchObject({ offered: 1, accepted: 1, failedVerification: 4 });
    expect(stats.days.length).toBeGreaterThan(0);

    const snapshots = (await registry.app.inject({ method: 'GET', url: '/api/debug/snapshots?pluginId=%40codex%2Fflaky-greeter', headers: dev })).json() as { items: SnapshotListItem[] };
    const from = snapshots.items.find((item) => item.sessionId === session.id)!;
    const to = snapshots.items.find((item) => item.sessionId === fixed.id)!;
    const diff = (await registry.app.inject({ method: 'GET', url: `/api/debug/snapshots/diff?from=${from.id}&to=${to.id}`, headers: dev })).json() as SnapshotDiff;
    expect(diff.runs).toContainEqual({ run: 'health-check', from: 'PLUGIN_ERROR', to: 'ok' });
  }, 120_000);

  it('keeps a publish with a critical security finding quarantined until a super-admin decides', async () => {
    const response = await publish(await pluginPackage('@dbg-evil/runner', 'export default { tools: { async run(input) { return { value: eval(input.code) }; } } };\n'));
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ status: 'quarantined', approvals: [{ kind: 'quarantine', status: 'pending' }] });
    const install = await registry.app.inject({ method: 'POST', url: '/api/plugins/install', headers: dev, payload: { pluginId: '@dbg-evil/runner', version: '1.0.0' } });
    expect(install.statusCode).toBe(409);

    const approvals = (await registry.app.inject({ method: 'GET', url: '/api/admin/approvals', headers: admin })).json() as { items: { id: string; kind: string; pluginId: string }[] };
    const approval = approvals.items.find((item) => item.pluginId === '@dbg-evil/runner' && item.kind === 'quarantine')!;
    const decided = await registry.app.inject({ method: 'POST', url: `/api/admin/approvals/${approval.id}`, headers: admin, payload: { decision: 'approve', reason: 'reviewed: eval is the point of this test plugin' } });
    expect(decided.json()).toMatchObject({ versionStatus: 'active' });
  }, 60_000);

  it('starts exactly one session per runtime-error fingerprint', async () => {
    const report = { pluginId: '@codex/flaky-greeter', version: '1.1.0', target: 'default', tool: 'greet', error: { code: 'PLUGIN_ERROR', message: 'boom after 1203 ms', stack: 'Error: boom\n    at greet (plugin.js:7:11)' } };
    const first = await debug().onRuntimeError(report);
    const second = await debug().onRuntimeError({ ...report, error: { ...report.error, message: 'boom after 998 ms', stack: 'Error: boom\n    at greet (plugin.js:7:12)' } });
    expect(first.duplicate).toBe(false);
    expect(second).toMatchObject({ sessionId: first.sessionId, fingerprint: first.fingerprint, duplicate: true, occurrences: 2 });
    await debug().settled(first.sessionId);
    const rows = await registry.database.db.query<{ n: string }>("SELECT count(*) AS n FROM debug_sessions WHERE trigger = 'runtime-error' AND fingerprint = $1", [first.fingerprint]);
    expect(Number(rows.rows[0]!.n)).toBe(1);
  }, 60_000);

  it.each([
    { name: 'crashing', code: 'export default { tools: { async run() { null.boom(); return {}; } }, async healthCheck() { throw new RangeError("crashed on purpose"); } };\n', codes: ['PLUGIN_ERROR'] },
    { name: 'looping', code: 'export default { tools: { async run() { for (;;) {} } }, async healthCheck() { while (true) {} } };\n', codes: ['CPU_LIMIT', 'TIMEOUT'] },
    { name: 'memory-hungry', code: 'export default { tools: { async run() { const a = []; for (;;) a.push(new Array(100000).fill(1)); } }, async healthCheck() { const a = []; for (;;) a.push("x".repeat(1 << 20) + a.length); } };\n', codes: ['MEMORY_LIMIT', 'CPU_LIMIT', 'TIMEOUT', 'WORKER_CRASHED'] },
  ])('ends the session of a $name plugin cleanly while the registry keeps serving', async ({ name, code, codes }) => {
    const id = `@dbg-${name}/plugin`;
    expect((await publish(await pluginPackage(id, code))).statusCode).toBe(201);
    // One session, measuring /api/health all along; the registry keeps serving because codex-core's
    // scan runs in the scan worker and the plugin in the sandbox's workers.
    const measured = async () => {
      const started = await registry.app.inject({ method: 'POST', url: `/api/debug/start?pluginId=${encodeURIComponent(id)}`, headers: dev, payload: {} });
      const session = (started.json() as { session: DebugSession }).session;
      let finished = false;
      void debug().settled(session.id).then(() => (finished = true));
      const latencies: number[] = [];
      while (!finished) {
        const before = performance.now();
        const health = await registry.app.inject({ method: 'GET', url: '/api/health' });
        latencies.push(performance.now() - before);
        expect(health.statusCode).toBeLessThan(600);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const result = (await registry.app.inject({ method: 'GET', url: `/api/debug/sessions/${session.id}`, headers: dev })).json() as DebugSession;
      return { result, latencies, worst: Math.max(...latencies) };
    };
    let run = await measured();
    // One retry: the machine is shared, and a single slow tick of another process is not the registry's doing.
    if (run.worst >= HEALTH_LATENCY_MS) run = await measured();
    const { result, latencies, worst } = run;
    console.info(`debug session of a ${name} plugin: ${latencies.length} health checks, worst ${Math.round(worst)} ms`);
    expect(result.status).toBe('failed');
    expect(result.result!.runs.length).toBeGreaterThan(0);
    for (const trace of result.result!.runs) {
      expect(codes).toContain(trace.error!.code);
      // The run's error and the verdict name the limit that stopped the plugin.
      if (name !== 'crashing') expect(trace.error!.message).toMatch(limitWords);
    }
    if (name !== 'crashing') expect(result.result!.verdict).toMatch(limitWords);
    expect(latencies.length).toBeGreaterThan(0);
    expect(worst).toBeLessThan(HEALTH_LATENCY_MS);
  }, 120_000);

  it('marks sessions a stopped registry left running as failed at startup, with the reason', async () => {
    const repo = createDebugRepository(registry.database.db);
    const stale = crypto.randomUUID();
    const recent = crypto.randomUUID();
    await registry.database.db.transaction(async (tx) => {
      await repo.insertSession(tx, { id: stale, pluginId: '@codex/text-stats', version: '1.0.0', target: null, trigger: 'manual', fingerprint: null, startedBy: 'test' });
      await repo.insertSession(tx, { id: recent, pluginId: '@codex/text-stats', version: '1.0.0', target: null, trigger: 'manual', fingerprint: null, startedBy: 'test' });
      await tx.query("UPDATE debug_sessions SET created_at = now() - interval '1 hour' WHERE id = $1", [stale]);
    });
    // A second registry on the same database starts as the restarted one would.
    // Its close must leave the shared database open for the remaining tests.
    const restarted = await buildApp({ config: testConfig(), database: { ...registry.database, close: async () => undefined } });
    try {
      const session = (await restarted.inject({ method: 'GET', url: `/api/debug/sessions/${stale}`, headers: dev })).json() as DebugSession;
      expect(session.status).toBe('error');
      expect(session.finishedAt).not.toBeNull();
      expect(session.result!.verdict).toMatch(/registry stopped while this session was running/);
      // A younger session may belong to another instance that is still running it.
      expect((await restarted.registryServices.debug.getSession(recent))!.status).toBe('running');
    } finally {
      await restarted.close();
      await registry.database.db.query('DELETE FROM debug_sessions WHERE id = $1', [recent]);
    }
  }, 60_000);

  it('ends a session whose scan outlives the scan time limit with a clear result, and scans again afterwards', async () => {
    const service = createDebugService({
      db: registry.database.db, services: () => registry.app.registryServices, log: { warn: () => undefined, error: () => undefined },
      sessionsOnPublish: false, scanWorker: { timeoutMs: 1 },
    });
    try {
      const session = await service.start({ pluginId: '@codex/text-stats', trigger: 'manual', actor: 'test' });
      await service.settled(session.id);
      const ended = (await service.getSession(session.id))!;
      expect(ended.status).toBe('error');
      expect(ended.result!.verdict).toMatch(/did not finish within the scan time limit of 1 ms; the scan worker was restarted/);
      expect(service.scanStats()).toMatchObject({ queued: 0, running: 0, restarts: 1 });
    } finally {
      await service.close();
    }
    // The registry's own worker was not affected.
    const normal = await startSession('@codex/text-stats');
    expect(normal.status, normal.result?.verdict).toBe('passed');
  }, 60_000);

  it('keeps exactly the last 10 snapshots of a plugin whole', async () => {
    const repo = createDebugRepository(registry.database.db);
    const ids: string[] = [];
    for (let index = 0; index < WHOLE_SNAPSHOTS_PER_PLUGIN + 3; index++) {
      const sessionId = crypto.randomUUID();
      ids.push(sessionId);
      await registry.database.db.transaction(async (tx) => {
        await repo.insertSession(tx, { id: sessionId, pluginId: '@dbg/retention', version: '1.0.0', target: null, trigger: 'manual', fingerprint: null, startedBy: 'test' });
        const result = { verdict: `run ${index}`, findings: [], scan: { files: 1, errors: [], durationMs: 1 }, runs: [], migrations: null, durations: { totalMs: index, scanMs: 0, runsMs: 0, migrationsMs: 0 }, versions: { plugin: '1.0.0', codexRules: 1, node: 'x' }, errors: [] };
        await repo.insertSnapshot(tx, { id: crypto.randomUUID(), sessionId, pluginId: '@dbg/retention', version: '1.0.0', status: 'passed', summary: { verdict: result.verdict, findings: { total: 0, bySeverity: {}, keys: [] }, runs: { total: 0, failed: 0, keys: {} }, drift: 0, durations: result.durations, firstError: null }, data: result });
      });
    }
    const items = (await registry.app.inject({ method: 'GET', url: '/api/debug/snapshots?pluginId=%40dbg%2Fretention', headers: dev })).json() as { items: SnapshotListItem[] };
    expect(items.items).toHaveLength(WHOLE_SNAPSHOTS_PER_PLUGIN + 3);
    expect(items.items.map((item) => item.whole)).toEqual([...Array(WHOLE_SNAPSHOTS_PER_PLUGIN).fill(true), false, false, false]);
    expect(items.items.map((item) => item.sessionId).slice(0, WHOLE_SNAPSHOTS_PER_PLUGIN)).toEqual(ids.slice(3).reverse());
    expect(items.items[12]!.summary).toMatchObject({ verdict: 'run 0' });
  });
});
