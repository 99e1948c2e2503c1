import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createSandbox } from './sandbox';

const folder = mkdtempSync(join(tmpdir(), 'sandbox-workers-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes a stand-in worker script: the registry side must cope with workers that misbehave. */
function fakeWorker(name: string, source: string): string {
  const file = join(folder, name);
  writeFileSync(file, `import { parentPort } from 'node:worker_threads';\n${source}`);
  return file;
}

const trivial = { pluginKey: 'p@1', code: 'export default { tools: { t() { return 1; } } };', tool: 't' };

describe('the worker pool', () => {
  test('a worker that stops answering is terminated and replaced after wallClockMs plus the grace period', async () => {
    const workerPath = fakeWorker('hang.mjs', "parentPort.postMessage({ type: 'ready' }); parentPort.on('message', () => {});");
    const sandbox = createSandbox({ workers: 1, workerPath, hardKillGraceMs: 100 });
    const started = performance.now();
    const result = await sandbox.invoke({ ...trivial, limits: { wallClockMs: 100 } });
    expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT', message: expect.stringMatching(/wallClockMs limit of 100 ms plus 100 ms; its worker was terminated/) } });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(sandbox.stats().workersReplaced).toBe(1);
    await sandbox.close();
  });

  test('a worker that cannot start makes invocations fail with WORKER_CRASHED instead of hanging', async () => {
    const workerPath = fakeWorker('crash.mjs', "throw new Error('broken build');");
    const sandbox = createSandbox({ workers: 1, workerPath });
    const result = await sandbox.invoke(trivial);
    expect(result).toMatchObject({ ok: false, error: { code: 'WORKER_CRASHED', message: expect.stringMatching(/broken build/) } });
    await sandbox.close();
  });

  test('a worker that dies mid-invocation ends it with WORKER_CRASHED and is replaced', async () => {
    const workerPath = fakeWorker('die.mjs', "parentPort.postMessage({ type: 'ready' }); parentPort.on('message', () => process.exit(3));");
    const sandbox = createSandbox({ workers: 1, workerPath });
    const result = await sandbox.invoke(trivial);
    expect(result).toMatchObject({ ok: false, error: { code: 'WORKER_CRASHED', message: expect.stringMatching(/exited with code 3/) } });
    expect(sandbox.stats().workersReplaced).toBe(1);
    await sandbox.close();
  });

  test('a worker whose plugin hit a limit is retired and replaced, and the next invocation runs normally', async () => {
    const sandbox = createSandbox({ workers: 1 });
    const loop = await sandbox.invoke({ pluginKey: 'loop@1', code: 'export default { tools: { t() { for (;;) {} } } };', tool: 't', limits: { cpuMs: 50 } });
    expect(loop).toMatchObject({ ok: false, error: { code: 'CPU_LIMIT' } });
    expect(sandbox.stats().workersReplaced).toBe(1);
    expect(await sandbox.invoke(trivial)).toMatchObject({ ok: true, output: 1 });
    await sandbox.close();
  });

  test('ordinary failures free their runtime cleanly and never cost a worker', async () => {
    const sandbox = createSandbox({ workers: 1 });
    const cases = [
      ['export default { tools: { t() { throw new Error("x"); } } };', 'PLUGIN_ERROR'],
      ['export default { tools: { async t() { await null; throw new TypeError("y"); } } };', 'PLUGIN_ERROR'],
      ['export default { tools: { t() { return 1n; } } };', 'PLUGIN_ERROR'],
      ['export default { tools: {} };', 'TOOL_NOT_FOUND'],
      ['export default {', 'INVALID_PLUGIN'],
      ['await Promise.reject(new Error("top-level")); export default {};', 'INVALID_PLUGIN'],
      ['export default { tools: { t() { return new Promise(() => {}); } } };', 'TIMEOUT'],
      ['export default { tools: { t(i, ctx) { return ctx.secrets.get("nope"); } } };', 'PERMISSION_DENIED'],
    ] as const;
    for (const isolation of ['fresh', 'warm'] as const) {
      for (const [code, expected] of cases) {
        const result = await sandbox.invoke({ pluginKey: `clean@${isolation}`, code, tool: 't', isolation, limits: { wallClockMs: 100 } });
        expect(result, code).toMatchObject({ ok: false, error: { code: expected } });
      }
    }
    expect(await sandbox.invoke(trivial)).toMatchObject({ ok: true, output: 1 });
    expect(sandbox.stats().workersReplaced).toBe(0);
    await sandbox.close();
  });

  test('close ends running and later invocations with SANDBOX_CLOSED', async () => {
    const sandbox = createSandbox({ workers: 1 });
    const running = sandbox.invoke({ pluginKey: 'wait@1', code: 'export default { tools: { t() { return new Promise(() => {}); } } };', tool: 't' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sandbox.close();
    expect(await running).toMatchObject({ ok: false, error: { code: 'SANDBOX_CLOSED' } });
    expect(await sandbox.invoke(trivial)).toMatchObject({ ok: false, error: { code: 'SANDBOX_CLOSED' } });
  });

  test('an input that is not JSON-serialisable is INVALID_REQUEST', async () => {
    const sandbox = createSandbox({ workers: 1 });
    expect(await sandbox.invoke({ ...trivial, input: { big: 1n } })).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/input is not JSON-serialisable/) } });
    await sandbox.close();
  });
});
