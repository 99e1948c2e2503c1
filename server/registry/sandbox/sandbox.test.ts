import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InvocationResult } from '../../../protocol/sandbox';
import { createSandbox, HEALTH_CHECK, type InvocationRequest, type Sandbox } from './sandbox';
import { startTestHttpServer, withResponsivenessProbe, type TestHttpServer } from './test-http-server';

let sandbox: Sandbox;
let server: TestHttpServer;
let keyCounter = 0;

beforeAll(async () => {
  sandbox = createSandbox({ workers: 2 });
  server = await startTestHttpServer();
});

afterAll(async () => {
  await sandbox.close();
  await server.close();
});

/** Runs `tools.main` of a plugin whose tool body is `body` (an async function body with input and ctx). */
function run(body: string, request: Partial<InvocationRequest> = {}): Promise<InvocationResult> {
  return sandbox.invoke({
    pluginKey: `test-plugin-${++keyCounter}@1.0.0`,
    code: `export default { tools: { async main(input, ctx) { ${body} } } };`,
    tool: 'main',
    ...request,
  });
}

function expectError(result: InvocationResult, code: string, message: RegExp): void {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  expect(result.error.message).toMatch(message);
}

/** Runs a hostile plugin while probing the main thread, which must answer within 100 ms. */
async function contained(body: string, request: Partial<InvocationRequest> = {}): Promise<InvocationResult> {
  const { result, maxLagMs, pingMs } = await withResponsivenessProbe(server, () => run(body, request));
  expect(maxLagMs, 'main event-loop lag (ms) during the run').toBeLessThan(100);
  expect(pingMs, 'HTTP round trip to the local server (ms) during the run').toBeLessThan(100);
  return result;
}

describe('a well-behaved plugin', () => {
  test('a tool returns its output and its logs are captured', async () => {
    const result = await run(`ctx.log('counting', { n: 1 }, 2); return { words: input.text.split(/\\s+/).length, config: ctx.config };`, {
      input: { text: 'one two three' },
      config: { language: 'en' },
    });
    expect(result).toMatchObject({ ok: true, output: { words: 3, config: { language: 'en' } }, logs: ['counting {"n":1} 2'] });
  });

  test('the health check runs with HEALTH_CHECK', async () => {
    const result = await sandbox.invoke({ pluginKey: 'health@1', code: 'export default { tools: {}, async healthCheck(ctx) { return { ok: true, from: typeof ctx.fetch } } };', tool: HEALTH_CHECK });
    expect(result).toMatchObject({ ok: true, output: { ok: true, from: 'function' } });
  });

  test('an unknown tool, or an inherited property, is TOOL_NOT_FOUND and names the tool', async () => {
    expectError(await run('return 1;', { tool: 'nope' }), 'TOOL_NOT_FOUND', /no tool "nope"; its tools: main/);
    expectError(await run('return 1;', { tool: 'constructor' }), 'TOOL_NOT_FOUND', /no tool "constructor"/);
  });

  test('a plugin that throws is PLUGIN_ERROR with its message and stack', async () => {
    const result = await run(`throw new RangeError('bad input ' + input);`, { input: 7 });
    expectError(result, 'PLUGIN_ERROR', /RangeError: bad input 7/);
    expect(result.ok === false && result.error.stack).toMatch(/plugin\.js/);
  });

  test('a syntax error or a missing default export is INVALID_PLUGIN', async () => {
    expectError(await sandbox.invoke({ pluginKey: 'syntax@1', code: 'export default {', tool: 'x' }), 'INVALID_PLUGIN', /failed to load: SyntaxError/);
    expectError(await sandbox.invoke({ pluginKey: 'noexport@1', code: 'export const x = 1;', tool: 'x' }), 'INVALID_PLUGIN', /no default export/);
    expectError(await sandbox.invoke({ pluginKey: 'import@1', code: "import fs from 'fs'; export default { tools: {} };", tool: 'x' }), 'INVALID_PLUGIN', /fs/);
  });

  test('storage round-trips through the host callbacks when the storage permission is granted', async () => {
    const store = new Map<string, unknown>();
    const host = {
      storage: {
        get: async (key: string) => store.get(key),
        put: async (key: string, value: unknown) => void store.set(key, value),
        list: async (prefix?: string) => [...store.keys()].filter((key) => key.startsWith(prefix ?? '')),
        delete: async (key: string) => store.delete(key),
      },
    };
    const result = await run(`
      await ctx.storage.put('note:1', { text: 'hi' });
      await ctx.storage.put('other', 2);
      const got = await ctx.storage.get('note:1');
      const keys = await ctx.storage.list('note:');
      const deleted = await ctx.storage.delete('other');
      return { got, keys, deleted, missing: (await ctx.storage.get('nothing')) === undefined };`, { permissions: { storage: true }, host });
    expect(result).toMatchObject({ ok: true, output: { got: { text: 'hi' }, keys: ['note:1'], deleted: true, missing: true }, bridgeCalls: 6 });
    expect([...store.keys()]).toEqual(['note:1']);
  });

  test('a granted secret is read through the host and its value is redacted from logs and errors', async () => {
    const asked: string[] = [];
    const host = { secrets: { get: async (name: string) => (asked.push(name), 'sk-very-secret-value') } };
    const result = await run(`const key = await ctx.secrets.get('API_KEY'); ctx.log('using', key); throw new Error('rejected ' + key);`, { permissions: { secrets: ['API_KEY'] }, host });
    expect(asked).toEqual(['API_KEY']);
    expectError(result, 'PLUGIN_ERROR', /rejected \[secret API_KEY\]/);
    expect(JSON.stringify(result)).not.toContain('sk-very-secret-value');
    expect(result.logs).toEqual(['using [secret API_KEY]']);
  });

  test('callTool reaches a declared dependency through the host', async () => {
    const calls: unknown[] = [];
    const host = { callTool: async (pluginId: string, tool: string, input: unknown) => (calls.push([pluginId, tool, input]), { upper: String(input).toUpperCase() }) };
    const result = await run(`return ctx.callTool('acme/text', 'upper', 'abc');`, { dependencies: ['acme/text'], host });
    expect(result).toMatchObject({ ok: true, output: { upper: 'ABC' } });
    expect(calls).toEqual([['acme/text', 'upper', 'abc']]);
  });

  test('a host callback error reaches the plugin as a HostError with its message only', async () => {
    const host = { storage: { get: async () => { throw new Error('database is down'); }, put: async () => {}, list: async () => [], delete: async () => false } };
    const result = await run(`try { await ctx.storage.get('k'); } catch (e) { return e.name + ': ' + e.message; }`, { permissions: { storage: true }, host });
    expect(result).toMatchObject({ ok: true, output: 'HostError: storage.get failed: database is down' });
  });

  test('fetch reaches a granted local server, following a redirect on the same host', async () => {
    const result = await run(`
      const direct = await ctx.fetch(input.base + '/hello');
      const redirected = await ctx.fetch(input.base + '/redirect?to=/hello');
      const posted = await ctx.fetch(input.base + '/echo', { method: 'POST', body: 'payload', headers: { authorization: 'Bearer t' } });
      return { status: direct.status, body: JSON.parse(direct.body), type: direct.headers['content-type'], redirected: redirected.body, posted: JSON.parse(posted.body) };`,
    { input: { base: server.url('') }, permissions: { network: [server.host] } });
    expect(result).toMatchObject({ ok: true, output: { status: 200, body: { hello: 'world' }, type: 'application/json', redirected: '{"hello":"world"}', posted: { method: 'POST', auth: 'Bearer t', body: 'payload' } } });
  });

  test('a fetched body over fetchResponseBytes is refused with the limit named', async () => {
    const result = await run(`return ctx.fetch(input);`, { input: server.url('/big?bytes=5000'), permissions: { network: [server.host] }, limits: { fetchResponseBytes: 1000 } });
    expectError(result, 'PLUGIN_ERROR', /FetchError: .*exceeds the fetchResponseBytes limit of 1000 bytes/);
  });
});

describe('isolation', () => {
  const counter = `let count = 0; let savedCtx;
    export default { tools: {
      count(input, ctx) { savedCtx = savedCtx ?? ctx; count += 1; if (input === 'fail') throw new Error('failing on purpose'); return count; },
      stale(input, ctx) { try { savedCtx.log('from an old ctx'); return savedCtx === ctx ? 'same' : typeof savedCtx.secrets.get('A'); } catch (e) { return e.message; } },
    } };`;
  const invokeCounter = (pluginKey: string, isolation: 'fresh' | 'warm', input?: string, tool = 'count') => sandbox.invoke({ pluginKey, code: counter, tool, input, isolation });

  test('fresh (the default) starts every invocation from a newly evaluated module', async () => {
    for (let i = 0; i < 3; i++) expect(await invokeCounter('fresh-counter@1', 'fresh')).toMatchObject({ ok: true, output: 1 });
  });

  test('warm keeps module state per plugin key, never across keys, and drops it after a failure', async () => {
    const outputs = [];
    for (let i = 0; i < 3; i++) outputs.push((await invokeCounter('warm-counter@1', 'warm')) as { output: number });
    expect(outputs.map((result) => result.output)).toEqual([1, 2, 3]);
    expect(await invokeCounter('warm-counter-other@1', 'warm')).toMatchObject({ ok: true, output: 1 });
    expect(await invokeCounter('warm-counter@1', 'warm', 'fail')).toMatchObject({ ok: false, error: { code: 'PLUGIN_ERROR' } });
    expect(await invokeCounter('warm-counter@1', 'warm')).toMatchObject({ ok: true, output: 1 });
  });

  test('a ctx kept from an earlier warm invocation is dead', async () => {
    await invokeCounter('warm-stale@1', 'warm');
    const result = await invokeCounter('warm-stale@1', 'warm', undefined, 'stale');
    expect(result).toMatchObject({ ok: true, logs: [] });
    expect(result.ok && result.output).toMatch(/invocation that has ended/);
  });
});

// The machine is shared (other test suites run beside this one on 2 cores), so a scheduler pause
// can exceed the 100 ms responsiveness bound without any fault of the sandbox: a containment test
// is retried then. A sandbox that really blocked the main thread fails every attempt.
describe('containment', { retry: 2 }, () => {
  test('an infinite loop ends with CPU_LIMIT', async () => {
    expectError(await contained('while (true) {}', { limits: { cpuMs: 200 } }), 'CPU_LIMIT', /cpuMs limit of 200 ms/);
  });

  test('a loop catching its own errors cannot outlive the CPU limit', async () => {
    expectError(await contained('for (;;) { try { while (true) {} } catch (e) {} }', { limits: { cpuMs: 200 } }), 'CPU_LIMIT', /cpuMs/);
  });

  test('a plugin awaiting forever ends with TIMEOUT', async () => {
    expectError(await contained('await new Promise(() => {});', { limits: { wallClockMs: 300 } }), 'TIMEOUT', /wallClockMs limit of 300 ms/);
  });

  test('a memory bomb ends with MEMORY_LIMIT', async () => {
    expectError(await contained('let a = [1]; while (true) a = a.concat(a);', { limits: { memoryBytes: 8 * 1024 * 1024, cpuMs: 5_000 } }), 'MEMORY_LIMIT', /memoryBytes limit of 8388608 bytes/);
  });

  test('huge output ends with OUTPUT_LIMIT', async () => {
    expectError(await contained(`return 'x'.repeat(200000);`, { limits: { outputBytes: 65536 } }), 'OUTPUT_LIMIT', /outputBytes limit of 65536 bytes/);
  });

  test('multi-byte output is measured in UTF-8 bytes', async () => {
    expectError(await run(`return 'é'.repeat(40000);`, { limits: { outputBytes: 65536 } }), 'OUTPUT_LIMIT', /80002 bytes/);
  });

  test('deep recursion ends with STACK_LIMIT', async () => {
    expectError(await contained('function f(n) { return f(n + 1) + 1; } return f(0);'), 'STACK_LIMIT', /stackBytes limit/);
  });

  test('logs beyond logBytes are dropped with a marker', async () => {
    const result = await run(`for (let i = 0; i < 1000; i++) ctx.log('line ' + i); return 'done';`, { limits: { logBytes: 100 } });
    expect(result.ok).toBe(true);
    expect(result.logs.at(-1)).toMatch(/logBytes limit/);
    expect(result.logs.length).toBeLessThan(20);
  });

  test('the sandbox has no require, process, timers, host objects or bridge internals', async () => {
    const result = await contained(`
      const probe = (f) => { try { const v = f(); return v === undefined ? 'undefined' : typeof v; } catch (e) { return 'threw ' + e.name; } };
      const F = ctx.log.constructor.constructor;
      return {
        globals: Object.getOwnPropertyNames(globalThis).filter((n) => /^(process|require|module|exports|setTimeout|setInterval|setImmediate|queueMicrotask|fetch|console|std|os|Buffer|WebAssembly|global)$|host|bridge|done/i.test(n)),
        process: probe(() => F('return process')()),
        processViaThis: probe(() => F('return this.process')()),
        globalFromFunction: probe(() => F('return globalThis.require')()),
        protoChain: probe(() => ({}).constructor.constructor('return typeof process')() === 'undefined' ? undefined : 'leak'),
        fetchChain: probe(() => ctx.fetch.constructor.constructor('return process')()),
        caller: probe(() => ctx.log.caller),
        dynamicImport: await import('fs').then(() => 'loaded', (e) => 'refused'),
      };`);
    expect(result).toMatchObject({
      ok: true,
      output: {
        globals: [],
        process: 'threw ReferenceError',
        processViaThis: 'undefined',
        globalFromFunction: 'undefined',
        protoChain: 'undefined',
        fetchChain: 'threw ReferenceError',
        caller: 'threw TypeError',
        dynamicImport: 'refused',
      },
    });
  });

  test('tampering with the bridge objects and prototypes affects neither the host nor the next invocation', async () => {
    const code = `export default { tools: {
      tamper(input, ctx) {
        const attempts = [];
        for (const attempt of [() => { ctx.fetch = () => 'mine'; }, () => { ctx.storage.get = null; }, () => { delete ctx.secrets; }, () => { ctx.config.injected = 1; }]) {
          try { attempt(); attempts.push('allowed'); } catch (e) { attempts.push(e.name); }
        }
        Object.prototype.polluted = 'yes';
        Array.prototype.map = () => 'hijacked';
        JSON.stringify = () => '"hijacked"';
        Promise.prototype.then = function () { return 'hijacked'; };
        return { attempts, fetchIsOriginal: ctx.fetch.name };
      },
      check(input, ctx) {
        return { polluted: ({}).polluted === undefined ? 'clean' : 'polluted', map: [1].map((x) => x + 1), json: JSON.stringify({ a: 1 }) };
      },
    } };`;
    const { result: tamper, maxLagMs } = await withResponsivenessProbe(server, () => sandbox.invoke({ pluginKey: 'tamper@1', code, tool: 'tamper', config: { a: 1 } }));
    expect(maxLagMs).toBeLessThan(100);
    expect(tamper).toMatchObject({ ok: true, output: { attempts: ['TypeError', 'TypeError', 'TypeError', 'TypeError'], fetchIsOriginal: 'fetch' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const check = await sandbox.invoke({ pluginKey: 'tamper@1', code, tool: 'check' });
    expect(check).toMatchObject({ ok: true, output: { polluted: 'clean', map: [2], json: '{"a":1}' } });
  });

  test('fetch to a host that is not granted is PERMISSION_DENIED and never leaves the sandbox', async () => {
    const before = server.requests.length;
    const denied = [
      ['http://example.com/', /host example\.com is not granted/],
      [server.url('/hello'), /host 127\.0\.0\.1:\d+ is not granted/],
      ['http://169.254.169.254/latest/meta-data/', /host 169\.254\.169\.254 is not granted/],
      ['file:///etc/passwd', /only http and https/],
    ] as const;
    for (const [url, message] of denied) {
      expectError(await contained(`return ctx.fetch(input);`, { input: url, permissions: { network: ['*.example.com', 'example.com:8080'] } }), 'PERMISSION_DENIED', message);
    }
    expect(server.requests.length).toBe(before);
  });

  test('a private address is refused under a wildcard grant and allowed only by an exact grant', async () => {
    expectError(await run(`return ctx.fetch(input);`, { input: 'http://169.254.169.254/', permissions: { network: ['*.254.169.254', '169.254.169.254:81'] } }), 'PERMISSION_DENIED', /not granted/);
    const allowed = await run(`return (await ctx.fetch(input)).body;`, { input: server.url('/hello'), permissions: { network: [server.host] } });
    expect(allowed).toMatchObject({ ok: true, output: '{"hello":"world"}' });
  });

  test('a redirect from a granted server to a host that is not granted is refused', async () => {
    for (const target of ['http://169.254.169.254/latest/meta-data/', 'http://example.org/']) {
      const result = await contained(`return ctx.fetch(input);`, { input: server.url(`/redirect?to=${encodeURIComponent(target)}`), permissions: { network: [server.host] } });
      expectError(result, 'PERMISSION_DENIED', /is not granted \(redirect from 127\.0\.0\.1:\d+\)/);
    }
  });

  test('reading a secret that was not granted is PERMISSION_DENIED and the host is never asked', async () => {
    const asked: string[] = [];
    const host = { secrets: { get: async (name: string) => (asked.push(name), 'value') } };
    const result = await contained(`return ctx.secrets.get('DB_PASSWORD');`, { permissions: { secrets: ['API_KEY'] }, host });
    expectError(result, 'PERMISSION_DENIED', /secret "DB_PASSWORD" is not granted to this installation; granted secrets: API_KEY/);
    expect(asked).toEqual([]);
  });

  test('storage without the storage permission is PERMISSION_DENIED', async () => {
    expectError(await run(`return ctx.storage.get('k');`, { permissions: {} }), 'PERMISSION_DENIED', /storage permission is not granted/);
  });

  test('calling a tool of an undeclared plugin is PERMISSION_DENIED and the host is never asked', async () => {
    let asked = false;
    const host = { callTool: async () => ((asked = true), 1) };
    const result = await contained(`return ctx.callTool('evil/exfiltrate', 'send', {});`, { dependencies: ['acme/text'], host });
    expectError(result, 'PERMISSION_DENIED', /plugin "evil\/exfiltrate" is not a declared dependency; declared: acme\/text/);
    expect(asked).toBe(false);
  });

  test('a plugin may catch a denial and go on', async () => {
    const result = await run(`try { await ctx.secrets.get('X'); } catch (e) { return e.name; }`);
    expect(result).toMatchObject({ ok: true, output: 'PermissionDeniedError' });
  });

  test('bridge calls beyond the bridgeCalls limit are refused', async () => {
    const result = await run(`for (let i = 0; i < 10; i++) { try { await ctx.secrets.get('A'); } catch (e) { if (e.name === 'BridgeLimitError') return e.message; } } return 'no limit';`, { limits: { bridgeCalls: 3 }, permissions: { secrets: ['A'] }, host: { secrets: { get: async () => 'v' } } });
    expect(result).toMatchObject({ ok: true, output: expect.stringMatching(/more than 3 bridge calls/) });
  });

  test('invocations beyond concurrency and queueLength are QUEUE_FULL', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const host = { callTool: async () => gate.then(() => 'done') };
    const request = { pluginKey: 'queued@1', code: `export default { tools: { main(input, ctx) { return ctx.callTool('dep', 't', null); } } };`, tool: 'main', dependencies: ['dep'], host, limits: { concurrency: 1, queueLength: 1 } };
    const first = sandbox.invoke(request);
    const second = sandbox.invoke(request);
    const third = await sandbox.invoke(request);
    expectError(third, 'QUEUE_FULL', /queued@1 already has 1 invocations running and 1 queued \(concurrency limit 1, queueLength limit 1\)/);
    release();
    expect(await first).toMatchObject({ ok: true, output: 'done' });
    expect(await second).toMatchObject({ ok: true, output: 'done' });
  });

  test('while one plugin spins, another plugin is answered by the other worker', async () => {
    // Earlier limit hits retire workers; wait until both replacements are up.
    while (sandbox.stats().readyWorkers < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const spinning = run('while (true) {}', { limits: { cpuMs: 1_500 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    expect(await run('return 1;')).toMatchObject({ ok: true, output: 1 });
    expect(performance.now() - started).toBeLessThan(300);
    expectError(await spinning, 'CPU_LIMIT', /cpuMs limit of 1500 ms/);
  });

  test('after all of this the sandbox still answers quickly', async () => {
    const started = performance.now();
    expect(await run('return 42;')).toMatchObject({ ok: true, output: 42 });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
