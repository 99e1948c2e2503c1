import { Worker } from 'node:worker_threads';
import type { FileAnalysis, Finding, ProjectAnalysis } from '../../../../codex-core/index';
import { CodexError } from '../../errors';
import { resolveScanWorkerPath } from './scan-worker-location';

/** The workspace a scan request is about: its folder and the manifest's entry points. */
export interface ScanTarget {
  root: string;
  entryPoints: readonly string[];
}

/** Messages from the registry's main thread to the scan worker. */
export type ScanRequest =
  /** The whole-project analysis (every layer and category), with progress messages. */
  | ({ id: number; method: 'scan' } & ScanTarget)
  /** The security findings of every source file (the publish gate). */
  | ({ id: number; method: 'security' } & ScanTarget)
  /** One file re-analysed with `text` in place of its content (fix verification). */
  | ({ id: number; method: 'analyze'; file: string; text: string } & ScanTarget)
  /** Drops the codex of a workspace that was disposed. */
  | { id: number; method: 'release'; root: string }
  /** Stops a running `scan` or `analyze` at the next file. */
  | { id: number; method: 'cancel'; target: number };

/** Messages from the scan worker back: a result, an error, or progress of a `scan`. */
export type ScanResponse =
  | { id: number; result: unknown }
  | { id: number; error: string }
  | { id: number; progress: { done: number; total: number; file: string } };

/** A request before it is numbered (Omit over each member of the union). */
type Job = Exclude<ScanRequest, { method: 'release' | 'cancel' }> extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

/** Options of the scan worker. */
export interface ScanWorkerOptions {
  /** How long one job may run in the worker before the worker is stopped and the job fails (default 60 s). */
  timeoutMs?: number;
  /** How many jobs may wait behind the running one (default 16); more are refused at once. */
  maxQueued?: number;
  /** The heap limit of the worker thread (default 1536 MB); a scan beyond it fails, the registry does not. */
  maxOldGenerationSizeMb?: number;
  /** The worker script; by default found by `resolveScanWorkerPath` (dist/ or a dev bundle). */
  workerPath?: string;
}

interface Pending {
  job: Job;
  label: string;
  onProgress?: (done: number, total: number, file: string) => void;
  signal?: AbortSignal;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * One long-lived worker thread running codex-core for the debug engine (sessions, the publish gate
 * and fix verification), so the type checker's and ESLint's synchronous seconds never block the
 * registry's main thread. The worker is created on first use and reused; jobs run one at a time
 * from a bounded queue. A job that outlives `timeoutMs` (a pathological file) or a worker that dies
 * (its heap limit) fails that job with a message naming the limit; the worker is started again for
 * the next job.
 */
export function createScanWorker(options: ScanWorkerOptions = {}) {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxQueued = options.maxQueued ?? 16;
  const heapMb = options.maxOldGenerationSizeMb ?? 1536;
  const queue: Pending[] = [];
  let running: { pending: Pending; id: number; timer: NodeJS.Timeout } | undefined;
  let worker: Worker | undefined;
  let starting: Promise<Worker> | undefined;
  let nextId = 1;
  let closed = false;
  let restarts = 0;

  async function ensureWorker(): Promise<Worker> {
    if (worker) return worker;
    starting ??= (async () => {
      const path = await resolveScanWorkerPath(options.workerPath);
      const created = new Worker(path, { resourceLimits: { maxOldGenerationSizeMb: heapMb } });
      created.unref();
      created.on('message', (message: ScanResponse) => {
        if (!running || running.id !== message.id) return;
        if ('progress' in message) return running.pending.onProgress?.(message.progress.done, message.progress.total, message.progress.file);
        const { pending } = finish();
        if ('error' in message) pending.reject(new Error(message.error));
        else pending.resolve(message.result);
      });
      const lost = (reason: string) => {
        if (worker !== created) return;
        worker = undefined;
        restarts += 1;
        if (running) finish().pending.reject(new Error(reason));
      };
      created.on('error', (error: Error & { code?: string }) => lost(error.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `codex-core ran out of memory (the scan worker's heap limit is ${heapMb} MB); the worker was restarted`
        : `the scan worker failed: ${error.message}`));
      created.on('exit', (code) => lost(`the scan worker exited with code ${code}`));
      worker = created;
      return created;
    })().finally(() => (starting = undefined));
    return starting;
  }

  /** Ends the running job's bookkeeping and starts the next one. */
  function finish(): { pending: Pending } {
    const current = running!;
    clearTimeout(current.timer);
    running = undefined;
    queueMicrotask(pump);
    return { pending: current.pending };
  }

  function pump(): void {
    if (running || closed) return;
    const pending = queue.shift();
    if (!pending) return;
    if (pending.signal?.aborted) {
      pending.reject(abortError(pending.signal));
      return pump();
    }
    const id = nextId++;
    // The timer starts when the job is handed to the worker: time in the queue does not count.
    running = { pending, id, timer: setTimeout(() => timedOut(id), timeoutMs) };
    running.timer.unref();
    ensureWorker().then(
      (current) => {
        if (running?.id === id) current.postMessage({ ...pending.job, id });
      },
      (error: Error) => {
        if (running?.id === id) finish().pending.reject(new Error(`the scan worker could not start: ${error.message}`));
      },
    );
  }

  function timedOut(id: number): void {
    if (running?.id !== id) return;
    const { pending } = finish();
    // codex-core's passes are synchronous: a stuck job can only be ended with its thread.
    const stuck = worker;
    worker = undefined;
    restarts += 1;
    void stuck?.terminate();
    pending.reject(new Error(`codex-core's ${pending.label} did not finish within the scan time limit of ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}; the scan worker was restarted`));
  }

  function submit<T>(job: Job, label: string, onProgress?: Pending['onProgress'], signal?: AbortSignal): Promise<T> {
    if (closed) return Promise.reject(new CodexError('CODEX_ERR_CONFLICT', 'the registry is shutting down; scans start again once it is back', undefined, 503));
    if (queue.length >= maxQueued) {
      return Promise.reject(new CodexError('CODEX_ERR_RATE_LIMITED', `${queue.length} codex-core scans are waiting already (the limit is ${maxQueued}); try again once they are done`));
    }
    signal?.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { job, label, resolve: resolve as (value: unknown) => void, reject, ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) };
      signal?.addEventListener('abort', () => {
        const index = queue.indexOf(pending);
        if (index >= 0) {
          queue.splice(index, 1);
          reject(abortError(signal));
        } else if (running?.pending === pending) {
          worker?.postMessage({ id: nextId++, method: 'cancel', target: running.id } satisfies ScanRequest);
        }
      }, { once: true });
      queue.push(pending);
      pump();
    });
  }

  return {
    /** codex-core's whole-project analysis of a workspace. */
    scan: (target: ScanTarget, onProgress?: Pending['onProgress'], signal?: AbortSignal) =>
      submit<ProjectAnalysis>({ method: 'scan', root: target.root, entryPoints: target.entryPoints }, 'scan', onProgress, signal),
    /** The security findings of every source file of a workspace. */
    security: (target: ScanTarget) => submit<Finding[]>({ method: 'security', root: target.root, entryPoints: target.entryPoints }, 'security scan'),
    /** One file of a workspace analysed with `text` as its content. */
    analyze: (target: ScanTarget, file: string, text: string, signal?: AbortSignal) =>
      submit<FileAnalysis>({ method: 'analyze', root: target.root, entryPoints: target.entryPoints, file, text }, 'analysis of the patched file', undefined, signal),
    /** Lets the worker drop the codex of a disposed workspace. */
    release(root: string): void {
      worker?.postMessage({ id: nextId++, method: 'release', root } satisfies ScanRequest);
    },
    /** Queue and worker state, for tests and diagnostics. */
    stats: () => ({ queued: queue.length, running: running ? 1 : 0, started: worker !== undefined, restarts }),
    /** Refuses new jobs, fails the queued ones and terminates the worker. */
    async close(): Promise<void> {
      closed = true;
      const stopping = new Error('the registry is shutting down');
      for (const pending of queue.splice(0)) pending.reject(stopping);
      if (running) finish().pending.reject(stopping);
      const current = worker ?? (starting ? await starting.catch(() => undefined) : undefined);
      worker = undefined;
      await current?.terminate();
    },
  };
}

export type ScanWorker = ReturnType<typeof createScanWorker>;

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the scan was stopped');
}
