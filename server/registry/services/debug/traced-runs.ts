import { exampleMatches, type ResolvedPluginManifest } from '../../../../protocol/plugin-manifest';
import type { LogLine, RunTrace, SourceLocation } from '../../../../protocol/debug-api';
import type { SandboxLimits } from '../../../../protocol/sandbox';
import { HEALTH_CHECK, type Sandbox, type SandboxHost } from '../../sandbox/sandbox';

/**
 * The limits a debug run gets, whatever the plugin asks for: small enough that a plugin that loops,
 * recurses or allocates without end is stopped within seconds and the session ends with the coded
 * sandbox error, never a stuck request.
 */
export const DEBUG_LIMITS: Partial<SandboxLimits> = {
  cpuMs: 2_000,
  wallClockMs: 6_000,
  memoryBytes: 32 * 1024 * 1024,
  fetchTimeoutMs: 2_000,
  bridgeCalls: 200,
};

/** What the runs need besides the sandbox. */
export interface TracedRunInput {
  sandbox: Sandbox;
  /** Distinguishes this session's invocations (queues and warm caches are per key). */
  pluginKey: string;
  manifest: ResolvedPluginManifest;
  /** The entry module's source (the sandbox runs it; stacks are mapped back to it). */
  code: string;
  config: Record<string, unknown>;
  limits?: Partial<SandboxLimits>;
  /** Called after each run, for progress. */
  onRun?: (trace: RunTrace) => void;
  signal?: AbortSignal;
}

/**
 * Maps the first `plugin.js:LINE[:COL]` frame of a QuickJS stack to the entry file and its line text
 * (the sandbox evaluates the entry as `plugin.js`, one module, so the mapping is line for line).
 */
export function mapStack(stack: string | undefined, entry: string, code: string): SourceLocation | undefined {
  if (!stack) return undefined;
  const match = /plugin\.js:(\d+)(?::(\d+))?/.exec(stack);
  if (!match) return undefined;
  const line = Number(match[1]);
  const text = code.split('\n')[line - 1];
  if (text === undefined) return undefined;
  return { file: entry, line, ...(match[2] ? { column: Number(match[2]) } : {}), text: text.trim() };
}

const LEVEL = /^\[?(debug|info|warn|warning|error)\]?[:\s]/i;

function logLines(lines: readonly string[], at: string): LogLine[] {
  return lines.map((message) => {
    const level = LEVEL.exec(message)?.[1]?.toLowerCase().replace('warning', 'warn') ?? 'info';
    return { level, message, at };
  });
}

/** An in-memory installation for one session: storage shared by its runs, no secrets, no dependencies. */
function sessionHost(calls: RunTrace['bridgeCalls']): SandboxHost {
  const storage = new Map<string, unknown>();
  const note = (op: string, detail: string) => calls.push({ op, detail: detail.slice(0, 200), ok: true });
  return {
    storage: {
      get: async (key: string) => {
        note('storage.get', key);
        return storage.get(key);
      },
      put: async (key: string, value: unknown) => {
        note('storage.put', key);
        storage.set(key, value);
      },
      list: async (prefix?: string | null) => {
        note('storage.list', prefix ?? '');
        return [...storage.keys()].filter((key) => !prefix || key.startsWith(prefix)).sort();
      },
      delete: async (key: string) => {
        note('storage.delete', key);
        return storage.delete(key);
      },
    },
    secrets: {
      get: async (name: string) => {
        calls.push({ op: 'secrets.get', detail: name, ok: false });
        throw new Error(`secret ${name} is not available in a debug session`);
      },
    },
    callTool: async (pluginId: string, tool: string) => {
      calls.push({ op: 'callTool', detail: `${pluginId} ${tool}`, ok: false });
      throw new Error(`calling ${pluginId} (${tool}) is not available in a debug session; debug that plugin on its own`);
    },
  } as unknown as SandboxHost;
}

/**
 * Runs the plugin's health check and then its examples, in order, against one in-memory
 * installation, tracing each: output, coded error with the stack mapped to the entry's source, the
 * plugin's log lines, time, and bridge calls. A failed run never stops the next one, so one session
 * shows every broken example.
 */
export async function runTraced(input: TracedRunInput): Promise<RunTrace[]> {
  const { manifest } = input;
  const traces: RunTrace[] = [];
  const calls: RunTrace['bridgeCalls'] = [];
  const host = sessionHost(calls);
  const invoke = async (tool: string, toolInput: unknown) => {
    const before = calls.length;
    const result = await input.sandbox.invoke({
      pluginKey: input.pluginKey, code: input.code, tool, input: toolInput, config: input.config,
      permissions: manifest.permissions, dependencies: Object.keys(manifest.dependencies), limits: { ...DEBUG_LIMITS, ...input.limits },
      isolation: 'fresh', host,
    });
    return { result, bridgeCalls: calls.slice(before) };
  };
  const at = () => new Date().toISOString();
  const push = (trace: RunTrace) => {
    traces.push(trace);
    input.onRun?.(trace);
  };
  const limits = { ...DEBUG_LIMITS, ...input.limits };
  const errorOf = (error: { code: string; message: string; stack?: string }) => {
    const source = mapStack(error.stack, manifest.entry, input.code);
    return { code: error.code, message: withLimit(error.code, error.message, limits), ...(error.stack ? { stack: error.stack } : {}), ...(source ? { source } : {}) };
  };

  if (manifest.healthCheck !== false) {
    input.signal?.throwIfAborted();
    const byTool = typeof manifest.healthCheck === 'object';
    const tool = byTool ? (manifest.healthCheck as { tool: string }).tool : HEALTH_CHECK;
    const toolInput = byTool ? ((manifest.healthCheck as { input?: unknown }).input ?? {}) : {};
    const { result, bridgeCalls } = await invoke(tool, toolInput);
    const base = { kind: 'health-check' as const, tool, input: toolInput, logs: logLines(result.logs, at()), durationMs: result.durationMs, bridgeCalls, bridgeCallCount: result.bridgeCalls };
    if (result.ok) {
      const unhealthy = !byTool && result.output !== null && typeof result.output === 'object' && (result.output as { ok?: unknown }).ok === false;
      push(unhealthy
        ? { ...base, ok: false, output: result.output, error: { code: 'UNHEALTHY', message: `the health check answered ${JSON.stringify(result.output).slice(0, 300)}` } }
        : { ...base, ok: true, output: result.output });
    } else if (!byTool && result.error.code === 'TOOL_NOT_FOUND') {
      // No healthCheck export: healthy when the module evaluates, which it did to get this far.
      push({ ...base, ok: true, output: { ok: true, note: 'the entry has no healthCheck export; the module evaluates' } });
    } else {
      push({ ...base, ok: false, error: errorOf(result.error) });
    }
  }

  for (const [index, example] of manifest.examples.entries()) {
    input.signal?.throwIfAborted();
    const { result, bridgeCalls } = await invoke(example.tool, example.input);
    const base = { kind: 'example' as const, index, tool: example.tool, input: example.input, expected: example.expected, logs: logLines(result.logs, at()), durationMs: result.durationMs, bridgeCalls, bridgeCallCount: result.bridgeCalls };
    if (!result.ok) push({ ...base, ok: false, error: errorOf(result.error) });
    else if (!exampleMatches(example.expected, result.output)) {
      push({ ...base, ok: false, output: result.output, error: { code: 'EXAMPLE_MISMATCH', message: `example ${index} (${example.tool}) returned ${JSON.stringify(result.output).slice(0, 300)}, expected ${JSON.stringify(example.expected).slice(0, 300)}` } });
    } else push({ ...base, ok: true, output: result.output });
  }
  return traces;
}

/**
 * Names the debug limit behind a sandbox stop, so the session's verdict says which limit the plugin
 * ran into. A worker thread that dies under a plugin is, in practice, one that allocated past its
 * memory limit faster than QuickJS noticed.
 */
function withLimit(code: string, message: string, limits: Partial<SandboxLimits>): string {
  const mb = (bytes?: number) => `${Math.round((bytes ?? 0) / (1024 * 1024))} MB`;
  const note: Record<string, string> = {
    MEMORY_LIMIT: `memory limit of ${mb(limits.memoryBytes)}`,
    CPU_LIMIT: `CPU limit of ${limits.cpuMs} ms`,
    TIMEOUT: `wall-clock limit of ${limits.wallClockMs} ms`,
    WORKER_CRASHED: `the sandbox worker died under the plugin, most likely past the memory limit of ${mb(limits.memoryBytes)}`,
  };
  return note[code] ? `${message} (${note[code]})` : message;
}

/** A short name of a run, stable across sessions (snapshot diffs key runs by it). */
export function runKey(trace: Pick<RunTrace, 'kind' | 'index' | 'tool'>): string {
  return trace.kind === 'health-check' ? 'health-check' : `example ${trace.index ?? 0} (${trace.tool})`;
}
