import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PluginPermissions } from '../../../protocol/plugin-runtime';
import type { InvocationResult, InvocationTarget, RegistryToWorkerMessage, SandboxError, SandboxIsolation, SandboxLimits, WorkerInvocationOutcome, WorkerToRegistryMessage } from '../../../protocol/sandbox';
import { BridgeError } from './bridge-error';
import { createInvocationBridge, type InvocationBridge, type SandboxHost } from './bridge';
import { clampLimits, completeCeilings } from './limits';
import { resolveWorkerPath } from './worker-location';

export type { SandboxHost } from './bridge';

/** The tool name that runs the module's `healthCheck(ctx)` instead of a tool (reserved as a tool name). */
export const HEALTH_CHECK = 'healthCheck';

/** How the registry sets up its sandbox. */
export interface SandboxOptions {
  /** Admin ceilings; requested limits are clamped to them. Missing entries use DEFAULT_CEILINGS. */
  ceilings?: Partial<SandboxLimits>;
  /** Worker threads in the pool (default: available cores minus one, at least 1, at most 4). */
  workers?: number;
  /** The worker script; by default found by `resolveWorkerPath` (dist/ or a dev bundle). */
  workerPath?: string | URL;
  /**
   * How long after its wall-clock limit an invocation may stay unanswered before its worker is
   * terminated and replaced (the interrupt handler normally stops it long before). Default 2000 ms.
   */
  hardKillGraceMs?: number;
}

/** One call of a plugin's tool (or health check). */
export interface InvocationRequest {
  /**
   * Identifies the plugin version and installation (e.g. `installationId@version`): concurrency
   * and queue limits apply per key.
   */
  pluginKey: string;
  /** The plugin's entry: one bundled ES module with `export default { tools, healthCheck }`. */
  code: string;
  /** The tool to run, or HEALTH_CHECK. */
  tool: string;
  /** The tool's input; must be JSON-serialisable. */
  input?: unknown;
  /** The installation's validated configuration (ctx.config), JSON-serialisable. */
  config?: Record<string, unknown>;
  /** Permissions granted at install. */
  permissions?: PluginPermissions;
  /** Plugin ids the plugin declares as dependencies (ctx.callTool may reach only these). */
  dependencies?: readonly string[];
  /** Limits the installation asks for; clamped to the ceilings. */
  limits?: Partial<SandboxLimits>;
  /**
   * `fresh` (default): a new interpreter per invocation, nothing survives it. `warm`: the evaluated
   * module is reused for later invocations of the same pluginKey and code (see SandboxIsolation);
   * worth it for large bundles, whose evaluation takes tens of milliseconds.
   */
  isolation?: SandboxIsolation;
  /** The host callbacks behind ctx.storage, ctx.secrets and ctx.callTool. */
  host?: SandboxHost;
}

/** The sandbox: a pool of worker threads running plugin code in QuickJS. */
export interface Sandbox {
  /** Runs one invocation. Never rejects: every failure is a result with a coded error. */
  invoke(request: InvocationRequest): Promise<InvocationResult>;
  /** The ceilings in force (complete). */
  readonly ceilings: SandboxLimits;
  /** Live figures for health endpoints and tests. */
  stats(): { workers: number; readyWorkers: number; inFlight: number; queued: number; workersReplaced: number };
  /** Ends every queued and running invocation with SANDBOX_CLOSED and stops the workers. */
  close(): Promise<void>;
}

interface Running {
  id: number;
  bridge: InvocationBridge;
  abort: AbortController;
  done: (outcome: WorkerInvocationOutcome) => void;
  killTimer: NodeJS.Timeout;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  running: Map<number, Running>;
  /** Set once the worker is being replaced: no new invocations go to it. */
  retired: boolean;
  /** Plugin keys this worker was last sent with isolation 'warm' (it probably has their VMs cached). */
  warmKeys: Set<string>;
}

interface KeyQueue {
  running: number;
  waiting: (() => void)[];
}

/**
 * Creates the sandbox. Workers start right away (each loads QuickJS, ~10 ms) so that the first
 * invocation does not pay for it; a worker that crashes or has to be terminated is replaced.
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const ceilings = completeCeilings(options.ceilings);
  const size = Math.max(1, Math.floor(options.workers ?? Math.min(4, Math.max(1, availableParallelism() - 1))));
  const graceMs = options.hardKillGraceMs ?? 2_000;
  const workerPath = resolveWorkerPath(options.workerPath);
  // A rejected path must not become an unhandled rejection before the first invocation awaits it.
  workerPath.catch(() => undefined);
  const pool: PoolWorker[] = [];
  const keyQueues = new Map<string, KeyQueue>();
  const waitingForWorker: { resolve: (worker: PoolWorker) => void; reject: (error: Error) => void }[] = [];
  let nextId = 0;
  let closed = false;
  let workersReplaced = 0;
  let startFailure: Error | undefined;
  let consecutiveStartFailures = 0;

  function spawn(): void {
    void workerPath.then(
      (path) => {
        if (closed) return;
        let worker: Worker;
        try {
          // The JavaScript heap of a worker holds little (QuickJS lives in WASM memory); a bound
          // keeps a bug from eating the registry's memory: the worker dies and is replaced.
          worker = new Worker(path, { resourceLimits: { maxOldGenerationSizeMb: 256 } });
        } catch (error) {
          failStart(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const entry: PoolWorker = { worker, ready: false, running: new Map(), retired: false, warmKeys: new Set() };
        pool.push(entry);
        entry.worker.unref();
        entry.worker.on('message', (message: WorkerToRegistryMessage) => onMessage(entry, message));
        entry.worker.on('error', (error) => onExit(entry, `the sandbox worker crashed: ${error.message}`));
        entry.worker.on('exit', (code) => onExit(entry, `the sandbox worker exited with code ${code}`));
      },
      (error: Error) => failStart(error),
    );
  }

  function failStart(error: Error): void {
    startFailure = error;
    for (const waiter of waitingForWorker.splice(0)) waiter.reject(error);
  }

  function onMessage(entry: PoolWorker, message: WorkerToRegistryMessage): void {
    switch (message.type) {
      case 'ready':
        entry.ready = true;
        consecutiveStartFailures = 0;
        startFailure = undefined;
        dispatchWaiting();
        return;
      case 'bridgeCall': {
        const running = entry.running.get(message.invocationId);
        if (!running) return;
        running.bridge.call(message.op, message.argsJson).then(
          (valueJson) => post(entry, { type: 'bridgeReply', invocationId: message.invocationId, callId: message.callId, ok: true, valueJson }),
          (error: unknown) => {
            const { name, message: text } = error instanceof BridgeError ? { name: error.bridgeName, message: error.message } : { name: 'HostError', message: `${message.op} failed` };
            post(entry, { type: 'bridgeReply', invocationId: message.invocationId, callId: message.callId, ok: false, error: { name, message: text } });
          },
        );
        return;
      }
      case 'result': {
        const running = entry.running.get(message.id);
        if (message.retire) retire(entry);
        if (running) finishRunning(entry, running, message.outcome);
        return;
      }
      default: {
        const unknown: never = message;
        throw new Error(`unknown sandbox worker message ${JSON.stringify(unknown)}`);
      }
    }
  }

  function post(entry: PoolWorker, message: RegistryToWorkerMessage): void {
    entry.worker.postMessage(message);
  }

  function finishRunning(entry: PoolWorker, running: Running, outcome: WorkerInvocationOutcome): void {
    entry.running.delete(running.id);
    if (entry.running.size === 0) entry.worker.unref();
    clearTimeout(running.killTimer);
    running.abort.abort();
    running.done(outcome);
    if (entry.retired && entry.running.size === 0) void entry.worker.terminate();
  }

  function onExit(entry: PoolWorker, reason: string): void {
    const index = pool.indexOf(entry);
    if (index < 0) return;
    pool.splice(index, 1);
    if (!entry.ready) consecutiveStartFailures += 1;
    for (const running of [...entry.running.values()]) {
      finishRunning(entry, running, { ok: false, error: { code: 'WORKER_CRASHED', message: `${reason} while the invocation ran; it was not completed` }, logs: [] });
    }
    if (closed || entry.retired) return;
    if (consecutiveStartFailures >= 3) {
      failStart(new Error(`${reason} three times in a row before it was ready`));
      return;
    }
    workersReplaced += 1;
    spawn();
  }

  /**
   * Takes a worker out of rotation and starts its replacement; the worker is terminated once its
   * running invocations have finished.
   */
  function retire(entry: PoolWorker): void {
    if (!entry.retired && !closed) {
      entry.retired = true;
      workersReplaced += 1;
      spawn();
    }
    if (entry.running.size === 0) void entry.worker.terminate();
  }

  /** Replaces a worker that does not answer: it is terminated at once, its invocations end. */
  function replace(entry: PoolWorker, running: Running, limits: SandboxLimits): void {
    finishRunning(entry, running, { ok: false, error: { code: 'TIMEOUT', message: `the invocation did not stop within its wallClockMs limit of ${limits.wallClockMs} ms plus ${graceMs} ms; its worker was terminated` }, logs: [] });
    retire(entry);
    void entry.worker.terminate();
  }

  /**
   * The least busy ready worker; for a warm plugin key, the worker that has it cached unless that
   * one is clearly busier than the least busy.
   */
  function pickWorker(warmKey?: string): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    let warm: PoolWorker | undefined;
    for (const entry of pool) {
      if (!entry.ready || entry.retired) continue;
      if (!best || entry.running.size < best.running.size) best = entry;
      if (warmKey !== undefined && entry.warmKeys.has(warmKey) && (!warm || entry.running.size < warm.running.size)) warm = entry;
    }
    if (warm && best && warm.running.size <= best.running.size + 1) return warm;
    return best;
  }

  function acquireWorker(warmKey: string | undefined): Promise<PoolWorker> {
    const ready = pickWorker(warmKey);
    if (ready) return Promise.resolve(ready);
    if (startFailure && pool.length === 0) {
      // Try again: the cause (a missing build, a full disk) may be gone by now.
      consecutiveStartFailures = 0;
      startFailure = undefined;
      for (let i = 0; i < size; i++) spawn();
    }
    return new Promise((resolve, reject) => waitingForWorker.push({ resolve, reject }));
  }

  function dispatchWaiting(): void {
    while (waitingForWorker.length > 0) {
      const entry = pickWorker();
      if (!entry) return;
      waitingForWorker.shift()?.resolve(entry);
    }
  }

  async function acquireSlot(key: string, limits: SandboxLimits): Promise<SandboxError | undefined> {
    let queue = keyQueues.get(key);
    if (!queue) keyQueues.set(key, (queue = { running: 0, waiting: [] }));
    if (queue.running < limits.concurrency) {
      queue.running += 1;
      return undefined;
    }
    if (queue.waiting.length >= limits.queueLength) {
      return { code: 'QUEUE_FULL', message: `plugin ${key} already has ${queue.running} invocations running and ${queue.waiting.length} queued (concurrency limit ${limits.concurrency}, queueLength limit ${limits.queueLength})` };
    }
    const current = queue;
    await new Promise<void>((resolve) => current.waiting.push(resolve));
    if (closed) return { code: 'SANDBOX_CLOSED', message: 'the sandbox was closed while the invocation was queued' };
    return undefined;
  }

  function releaseSlot(key: string): void {
    const queue = keyQueues.get(key);
    if (!queue) return;
    const next = queue.waiting.shift();
    if (next) return next(); // the slot passes straight to the next waiting invocation
    queue.running -= 1;
    if (queue.running === 0) keyQueues.delete(key);
  }

  function validate(request: InvocationRequest): string | undefined {
    if (typeof request.pluginKey !== 'string' || request.pluginKey === '') return 'pluginKey must be a non-empty string';
    if (typeof request.code !== 'string') return 'code must be the source of the plugin entry';
    if (typeof request.tool !== 'string' || request.tool === '') return 'tool must be a tool name or HEALTH_CHECK';
    return undefined;
  }

  function toJson(value: unknown, what: string): string | SandboxError {
    try {
      return JSON.stringify(value ?? null) ?? 'null';
    } catch (error) {
      return { code: 'INVALID_REQUEST', message: `${what} is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async function invoke(request: InvocationRequest): Promise<InvocationResult> {
    const queuedAt = performance.now();
    const report = { logs: [] as string[], durationMs: 0, queuedMs: 0, bridgeCalls: 0 };
    if (closed) return { ok: false, error: { code: 'SANDBOX_CLOSED', message: 'the sandbox is closed' }, ...report };
    const invalid = validate(request);
    if (invalid) return { ok: false, error: { code: 'INVALID_REQUEST', message: invalid }, ...report };
    const inputJson = toJson(request.input, 'the input');
    if (typeof inputJson !== 'string') return { ok: false, error: inputJson, ...report };
    const configJson = toJson(request.config ?? {}, 'the configuration');
    if (typeof configJson !== 'string') return { ok: false, error: configJson, ...report };
    const limits = clampLimits(request.limits, ceilings);
    const isolation: SandboxIsolation = request.isolation === 'warm' ? 'warm' : 'fresh';

    const refused = await acquireSlot(request.pluginKey, limits);
    if (refused) return { ok: false, error: refused, ...report, queuedMs: performance.now() - queuedAt };
    const startedAt = performance.now();
    report.queuedMs = startedAt - queuedAt;
    try {
      let entry: PoolWorker;
      try {
        entry = await acquireWorker(isolation === 'warm' ? request.pluginKey : undefined);
      } catch (error) {
        if (closed) return { ok: false, error: { code: 'SANDBOX_CLOSED', message: 'the sandbox was closed' }, ...report };
        return { ok: false, error: { code: 'WORKER_CRASHED', message: `no sandbox worker is available: ${error instanceof Error ? error.message : String(error)}` }, ...report };
      }
      if (closed) return { ok: false, error: { code: 'SANDBOX_CLOSED', message: 'the sandbox was closed' }, ...report };
      const abort = new AbortController();
      const bridge = createInvocationBridge({ permissions: request.permissions ?? {}, dependencies: request.dependencies ?? [], host: request.host ?? {}, limits, signal: abort.signal });
      const target: InvocationTarget = request.tool === HEALTH_CHECK ? { kind: 'healthCheck' } : { kind: 'tool', name: request.tool };
      const id = ++nextId;
      const outcome = await new Promise<WorkerInvocationOutcome>((done) => {
        const running: Running = { id, bridge, abort, done, killTimer: setTimeout(() => replace(entry, running, limits), limits.wallClockMs + graceMs) };
        running.killTimer.unref();
        entry.running.set(id, running);
        entry.worker.ref();
        if (isolation === 'warm') {
          // Bounded: a worker caches at most a few dozen VMs, so an old key here is only a hint.
          if (entry.warmKeys.size >= 1_000) entry.warmKeys.clear();
          entry.warmKeys.add(request.pluginKey);
        }
        const message: RegistryToWorkerMessage = { type: 'invoke', id, pluginKey: request.pluginKey, code: request.code, isolation, target, inputJson, configJson, limits };
        entry.worker.postMessage(message);
      });
      return toResult(outcome, bridge, startedAt, report.queuedMs);
    } finally {
      releaseSlot(request.pluginKey);
    }
  }

  function toResult(outcome: WorkerInvocationOutcome, bridge: InvocationBridge, startedAt: number, queuedMs: number): InvocationResult {
    const report = { logs: outcome.logs.map((line) => bridge.redact(line)), durationMs: performance.now() - startedAt, queuedMs, bridgeCalls: bridge.calls };
    if (!outcome.ok) {
      const error: SandboxError = { code: outcome.error.code, message: bridge.redact(outcome.error.message) };
      if (outcome.error.stack !== undefined) error.stack = bridge.redact(outcome.error.stack);
      return { ok: false, error, ...report };
    }
    return { ok: true, output: JSON.parse(outcome.outputJson) as unknown, ...report };
  }

  for (let i = 0; i < size; i++) spawn();

  return {
    invoke,
    ceilings,
    stats: () => ({
      workers: pool.length,
      readyWorkers: pool.filter((entry) => entry.ready && !entry.retired).length,
      inFlight: pool.reduce((sum, entry) => sum + entry.running.size, 0),
      queued: [...keyQueues.values()].reduce((sum, queue) => sum + queue.waiting.length, 0) + waitingForWorker.length,
      workersReplaced,
    }),
    async close() {
      if (closed) return;
      closed = true;
      for (const queue of keyQueues.values()) for (const next of queue.waiting.splice(0)) next();
      for (const waiter of waitingForWorker.splice(0)) waiter.reject(new Error('the sandbox was closed'));
      const entries = pool.splice(0);
      for (const entry of entries) {
        for (const running of [...entry.running.values()]) finishRunning(entry, running, { ok: false, error: { code: 'SANDBOX_CLOSED', message: 'the sandbox was closed while the invocation ran' }, logs: [] });
      }
      await Promise.all(entries.map((entry) => entry.worker.terminate()));
    },
  };
}
