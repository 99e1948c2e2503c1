import { readFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { Worker, type MessagePort } from 'node:worker_threads';
import { cachedLintMessages, lintConfigProblem, lintMessages, type CachedLintResult, type LintConfigProblem, type LintMessage } from './lint';

/** What the host starts the lint worker with: `workerData` carries this marker, so a shared bundle knows its role. */
export const LINT_WORKER_DATA = { codexLintWorker: true } as const;

/** The one request a lint worker gets: every file of a project analysis, in the order the analysis visits them. */
export interface LintWorkerRequest {
  root: string;
  /**
   * Files to lint; `text` is given for unsaved overlays, otherwise the worker reads the file.
   * `cached` is the file's entry in the check cache: reused when its key still matches.
   */
  files: { file: string; text?: string; cached?: CachedLintResult }[];
  /** Set when the analysis keeps a check cache: the salt of its keys. */
  cacheSalt?: string;
}

/** One answer per file, as soon as it is linted; the first also says when the project's own config could not be used. */
export type LintWorkerResponse = ({ file: string; messages: LintMessage[]; cache?: { result: CachedLintResult; hit: boolean } } | { file: string; error: string }) & { configProblem?: LintConfigProblem };

/** True when this thread was started as a lint worker (see {@link LINT_WORKER_DATA}). */
export function isLintWorkerData(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { codexLintWorker?: unknown }).codexLintWorker === true;
}

/**
 * The body of a lint worker thread. ESLint gets its own heap and the second core: in the analysing
 * thread its garbage is collected together with the type checker's large heap, which made linting
 * twice as slow as ESLint on its own.
 */
export function runLintWorker(port: MessagePort): void {
  // Linux keeps a nice value per thread: lowering this thread's lets ESLint use what the analysing
  // thread leaves of the CPU (its collector's helper threads included) instead of slowing it down.
  try {
    setPriority(19);
  } catch {
    // Not permitted or not supported: linting still runs, at normal priority.
  }
  port.once('message', (request: LintWorkerRequest) => {
    void (async () => {
      let first = true;
      for (const { file, text, cached } of request.files) {
        let response: LintWorkerResponse;
        try {
          // The type checker's reader drops a byte-order mark; offsets must agree with its text.
          const source = text ?? (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
          if (request.cacheSalt === undefined) {
            response = { file, messages: await lintMessages(request.root, file, source) };
          } else {
            const cache = await cachedLintMessages(request.root, file, source, request.cacheSalt, cached);
            response = { file, messages: cache.result.messages, cache };
          }
        } catch (error) {
          response = { file, error: (error as Error).message };
        }
        const configProblem = first ? lintConfigProblem(request.root) : undefined;
        first = false;
        port.postMessage({ ...response, ...(configProblem ? { configProblem } : {}) } satisfies LintWorkerResponse);
      }
    })();
  });
}

/** Lint results of a project analysis, arriving from a worker while the analysis type-checks. */
export interface ProjectLint {
  /** The messages of `file`; rejects when the worker failed on it (the caller lints in-process instead). */
  messagesOf(file: string): Promise<LintMessage[]>;
  /** Why the project's own ESLint config was not used (known once a file's messages arrived). */
  configProblem(): LintConfigProblem | undefined;
  /** Stops the worker (its heap goes with it). */
  close(): Promise<void>;
}

interface Pending {
  promise: Promise<LintMessage[]>;
  resolve: (messages: LintMessage[]) => void;
  reject: (error: Error) => void;
  settled: boolean;
}

/**
 * Starts a lint worker from `script` (a bundle that calls {@link runLintWorker} when started with
 * {@link LINT_WORKER_DATA}). With a `cacheSalt` in the request, `onCached` receives each file's
 * result to store in the check cache.
 */
export function startProjectLint(script: string, request: LintWorkerRequest, onCached?: (file: string, result: CachedLintResult, hit: boolean) => void): ProjectLint {
  const pending = new Map<string, Pending>();
  for (const { file } of request.files) {
    let resolve!: Pending['resolve'];
    let reject!: Pending['reject'];
    const promise = new Promise<LintMessage[]>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    // A result nobody asks for (an aborted analysis) must not become an unhandled rejection.
    promise.catch(() => undefined);
    pending.set(file, { promise, resolve, reject, settled: false });
  }
  const failAll = (error: Error): void => {
    for (const entry of pending.values()) {
      if (entry.settled) continue;
      entry.settled = true;
      entry.reject(error);
    }
  };
  const worker = new Worker(script, { workerData: LINT_WORKER_DATA, stdout: true, stderr: true });
  // Whatever the worker prints belongs on stderr: stdout may carry a report or an LSP channel.
  worker.stdout.pipe(process.stderr);
  worker.stderr.pipe(process.stderr);
  let configProblem: LintConfigProblem | undefined;
  worker.on('message', (response: LintWorkerResponse) => {
    configProblem ??= response.configProblem;
    const entry = pending.get(response.file);
    if (!entry || entry.settled) return;
    entry.settled = true;
    if ('error' in response) {
      entry.reject(new Error(response.error));
      return;
    }
    if (response.cache) onCached?.(response.file, response.cache.result, response.cache.hit);
    entry.resolve(response.messages);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the lint worker exited with code ${code}`)));
  worker.postMessage(request);
  return {
    messagesOf(file) {
      return pending.get(file)?.promise ?? Promise.reject(new Error(`${file} was not sent to the lint worker`));
    },
    configProblem: () => configProblem,
    async close() {
      await worker.terminate();
    },
  };
}
