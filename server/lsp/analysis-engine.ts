import { Worker } from 'node:worker_threads';
import { CheckCache, createCodex, type AnalysisProgress, type Category, type Codex, type CodexOptions, type FileAnalysis, type FileFix, type Finding, type Layer, type ProjectAnalysis } from '../../codex-core';
import { CodexGate } from './codex-gate';

/**
 * The codex as the server uses it: every call names the file's current text, so an engine holds no
 * state a caller must restore, and calls run one at a time in the order made.
 */
/** When a deep analysis may start, and how it is called off. */
export interface AnalyzeSchedule {
  /** Wall-clock time (`Date.now()`) before which the analysis does not start: the debounce, kept by the engine so a busy caller thread cannot stretch it. */
  notBefore?: number;
  /** Aborting drops the analysis if it has not started (a newer edit supersedes it). */
  signal?: AbortSignal;
}

/** The answer to an analysis that was called off before it started. */
export const SUPERSEDED = 'superseded by a newer edit';

export interface AnalysisEngine {
  analyze(file: string, text: string, layer: Layer, categories?: readonly Category[], schedule?: AnalyzeSchedule): Promise<FileAnalysis>;
  fixAll(file: string, text: string): Promise<FileFix[]>;
  /** The type-check findings of the file's text with their code fixes (the analyses leave them pending). */
  resolveFixes(file: string, text: string): Promise<Finding[]>;
  /** With `cacheFile`, results are reused from and saved to that check cache (see {@link ScanCacheFile}). */
  analyzeProject(categories: readonly Category[] | undefined, onProgress: (progress: AnalysisProgress) => void, signal?: AbortSignal, cacheFile?: ScanCacheFile): Promise<ProjectAnalysis>;
  /** The unsaved text of another open document (or `undefined` when it closed). */
  setOverlay(file: string, text: string | undefined): void;
  dispose(): void;
}

/** Where a workspace scan keeps its check cache, and the name of the engine build that wrote it. */
export interface ScanCacheFile {
  path: string;
  salt: string;
}

/** An engine on a codex in this thread. A codex that cannot be created (a broken configuration) fails each call, never the server. */
export function inProcessEngine(options: CodexOptions): AnalysisEngine {
  const gate = new CodexGate();
  const overlays = new Map<string, string>();
  let codex: Codex | undefined;
  const get = (): Codex => {
    if (!codex) {
      codex = createCodex(options);
      for (const [file, text] of overlays) codex.setOverlay(file, text);
    }
    return codex;
  };
  const failed = (file: string, error: unknown): FileAnalysis => ({ file, findings: [], error: (error as Error).message, durationMs: 0 });
  // Read from disk by the first scan, then kept: after each scan memory and the file agree.
  let scanCache: CheckCache | undefined;
  const scanCacheFor = (file: ScanCacheFile): CheckCache => {
    if (scanCache?.path !== file.path || scanCache.salt !== file.salt) scanCache = new CheckCache(file.path, options.root, file.salt);
    return scanCache;
  };
  return {
    analyze: (file, text, layer, categories, schedule) => gate.run(async () => {
      try {
        const wait = (schedule?.notBefore ?? 0) - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (schedule?.signal?.aborted) return failed(file, new Error(SUPERSEDED));
        const instance = get();
        // The fast layer needs only the text: the compiler state (and its seconds-long rebuild) stays untouched.
        if (layer === 'fast') return await instance.analyzeText(file, text, categories ? { categories } : {});
        instance.setOverlay(file, text);
        // Code fixes of new type errors are resolved when code actions ask for them: computing them
        // costs a full check of the file, which the incremental check spares every edit.
        return await instance.analyzeFile(file, { layers: layer, lazyFixes: true, ...(categories ? { categories } : {}) });
      } catch (error) {
        return failed(file, error);
      }
    }),
    fixAll: (file, text) => gate.run(async () => {
      const instance = get();
      instance.setOverlay(file, text);
      return instance.fixAll(file);
    }),
    resolveFixes: (file, text) => gate.run(async () => {
      const instance = get();
      instance.setOverlay(file, text);
      return instance.resolveFixes(file);
    }),
    analyzeProject: (categories, onProgress, signal, cacheFile) => gate.run(async () => {
      const instance = get();
      const cache = cacheFile ? scanCacheFor(cacheFile) : undefined;
      const analysis = await instance.analyzeProject({ ...(categories ? { categories } : {}), onProgress, ...(signal ? { signal } : {}), ...(cache ? { cache } : {}) });
      try {
        cache?.save(instance.projectFiles());
      } catch (error) {
        // The scan stands without a cache; the next one is only slower. (stderr: stdout is the LSP channel.)
        process.stderr.write(`codex: could not write the scan cache ${cache?.path}: ${(error as Error).message}\n`);
      }
      return analysis;
    }),
    setOverlay(file, text) {
      if (text === undefined) overlays.delete(file);
      else overlays.set(file, text);
      void gate.run(async () => codex?.setOverlay(file, text));
    },
    dispose() {
      codex = undefined;
    },
  };
}

/** Messages from the server thread to the codex worker. */
export type WorkerRequest =
  | { id: number; method: 'analyze'; file: string; text: string; layer: Layer; categories?: readonly Category[]; notBefore?: number }
  | { id: number; method: 'fixAll'; file: string; text: string }
  | { id: number; method: 'resolveFixes'; file: string; text: string }
  | { id: number; method: 'analyzeProject'; categories?: readonly Category[]; cacheFile?: ScanCacheFile }
  | { id: number; method: 'cancel'; target: number }
  | { id: number; method: 'setOverlay'; file: string; text?: string };

/** A request before it is numbered (Omit over each member of the union). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Messages from the codex worker back. */
export type WorkerResponse =
  | { id: number; result: unknown }
  | { id: number; error: string }
  | { id: number; progress: AnalysisProgress };

/**
 * An engine on a codex in a worker thread: the type checker's seconds-long synchronous passes run
 * there, so the server thread keeps answering, publishes the fast layer of the next edit at once,
 * and drops the stale deep results when they arrive. `script` is the bundle that runs
 * `runCodexWorker` when started as a worker.
 */
export function workerEngine(options: CodexOptions, script: string): AnalysisEngine {
  const worker = new Worker(script, { workerData: { codexWorker: options }, stdout: true, stderr: true });
  // The server's stdout is the LSP channel: whatever the worker prints goes to stderr.
  worker.stdout.pipe(process.stderr);
  worker.stderr.pipe(process.stderr);
  worker.unref();
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; progress?: (progress: AnalysisProgress) => void }>();
  worker.on('message', (message: WorkerResponse) => {
    const entry = pending.get(message.id);
    if (!entry) return;
    if ('progress' in message) return entry.progress?.(message.progress);
    pending.delete(message.id);
    if ('error' in message) entry.reject(new Error(message.error));
    else entry.resolve(message.result);
  });
  const fail = (error: Error): void => {
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the codex worker exited with code ${code}`)));
  const call = <T>(request: WithoutId<WorkerRequest>, progress?: (progress: AnalysisProgress) => void): { id: number; promise: Promise<T> } => {
    const id = nextId++;
    const promise = new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, ...(progress ? { progress } : {}) });
      worker.postMessage({ ...request, id });
    });
    return { id, promise };
  };
  return {
    analyze(file, text, layer, categories, schedule) {
      const { id, promise } = call<FileAnalysis>({ method: 'analyze', file, text, layer, ...(categories ? { categories } : {}), ...(schedule?.notBefore ? { notBefore: schedule.notBefore } : {}) });
      schedule?.signal?.addEventListener('abort', () => worker.postMessage({ id: nextId++, method: 'cancel', target: id }), { once: true });
      return promise.catch((error: Error) => ({ file, findings: [], error: error.message, durationMs: 0 }));
    },
    fixAll: (file, text) => call<FileFix[]>({ method: 'fixAll', file, text }).promise,
    resolveFixes: (file, text) => call<Finding[]>({ method: 'resolveFixes', file, text }).promise,
    analyzeProject(categories, onProgress, signal, cacheFile) {
      const { id, promise } = call<ProjectAnalysis>({ method: 'analyzeProject', ...(categories ? { categories } : {}), ...(cacheFile ? { cacheFile } : {}) }, onProgress);
      signal?.addEventListener('abort', () => worker.postMessage({ id: nextId++, method: 'cancel', target: id }));
      return promise;
    },
    setOverlay: (file, text) => void call({ method: 'setOverlay', file, ...(text !== undefined ? { text } : {}) }).promise.catch(() => undefined),
    dispose: () => void worker.terminate(),
  };
}
