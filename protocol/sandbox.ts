/**
 * Types that cross the boundary between the registry and its sandbox worker threads: the limits an
 * invocation runs under, its result, and the messages exchanged with a worker. The plugin-facing
 * contract (what plugin code sees) is in `plugin-runtime.ts`.
 */

/**
 * Resource limits of one invocation. An installation may request its own values; they are clamped
 * to admin-set ceilings of the same shape (see `clampLimits` in server/registry/sandbox/limits.ts).
 */
export interface SandboxLimits {
  /** QuickJS runtime heap limit, in bytes. */
  memoryBytes: number;
  /** QuickJS stack limit, in bytes; deep recursion ends with STACK_LIMIT. */
  stackBytes: number;
  /** Time spent executing plugin code in the interpreter, in milliseconds. */
  cpuMs: number;
  /** Total time of an invocation once it runs, including awaited bridge calls, in milliseconds. */
  wallClockMs: number;
  /** Size of the JSON-serialised output, in bytes (UTF-8). */
  outputBytes: number;
  /** Total size of captured log lines, in bytes; later lines are dropped and a marker is added. */
  logBytes: number;
  /** Invocations of one plugin installation running at the same time. */
  concurrency: number;
  /** Invocations of one plugin installation waiting for a slot; beyond that QUEUE_FULL. */
  queueLength: number;
  /** Bridge calls (fetch, storage, secrets, callTool) per invocation. */
  bridgeCalls: number;
  /** Size of one fetched response body, in bytes. */
  fetchResponseBytes: number;
  /** Time of one fetch, redirects included, in milliseconds. */
  fetchTimeoutMs: number;
}

/** Why an invocation failed. Each message names the limit, host, secret or plugin involved. */
export type SandboxErrorCode =
  | 'TIMEOUT'
  | 'CPU_LIMIT'
  | 'MEMORY_LIMIT'
  | 'STACK_LIMIT'
  | 'OUTPUT_LIMIT'
  | 'PERMISSION_DENIED'
  | 'TOOL_NOT_FOUND'
  | 'INVALID_PLUGIN'
  | 'INVALID_REQUEST'
  | 'PLUGIN_ERROR'
  | 'QUEUE_FULL'
  | 'WORKER_CRASHED'
  | 'SANDBOX_CLOSED';

/** A failure as reported to the caller; secret values are redacted from message and stack. */
export interface SandboxError {
  code: SandboxErrorCode;
  message: string;
  /** The plugin's own stack trace, for PLUGIN_ERROR and similar. */
  stack?: string;
}

/** What one invocation did, whatever its outcome. */
interface InvocationReport {
  /** Captured `ctx.log` lines, size-limited, secrets redacted. */
  logs: string[];
  /** From dispatch to a worker to the result, in milliseconds (queue time excluded). */
  durationMs: number;
  /** Time spent waiting for a per-installation concurrency slot, in milliseconds. */
  queuedMs: number;
  /** Number of bridge calls the plugin made (allowed or denied). */
  bridgeCalls: number;
}

/** The outcome of one invocation. */
export type InvocationResult =
  | ({ ok: true; output: unknown } & InvocationReport)
  | ({ ok: false; error: SandboxError } & InvocationReport);

/**
 * How invocations of one plugin key share interpreter state.
 *
 * - `fresh`: every invocation gets a new QuickJS runtime and evaluates the module again (about
 *   0.2 ms for a small plugin, tens of ms for a 200 KB bundle). Nothing the plugin does — globals,
 *   prototype pollution, module state — survives its invocation.
 * - `warm`: the worker keeps the evaluated module per plugin key and code and reuses it for later
 *   invocations of that key (one at a time per VM), like a long-lived process: module state and
 *   any tampering with globals persist between invocations of the same installation, never beyond
 *   it. A VM is discarded after any failed invocation.
 */
export type SandboxIsolation = 'fresh' | 'warm';

/** What an invocation runs: a named tool, or the plugin's health check. */
export type InvocationTarget = { kind: 'tool'; name: string } | { kind: 'healthCheck' };

/** Operations a plugin may ask of the host through the capability bridge. */
export type BridgeOperation =
  | 'fetch'
  | 'storage.get'
  | 'storage.put'
  | 'storage.list'
  | 'storage.delete'
  | 'secrets.get'
  | 'callTool';

/** Sent from the registry to a sandbox worker to start an invocation. */
export interface WorkerInvokeMessage {
  type: 'invoke';
  id: number;
  pluginKey: string;
  code: string;
  isolation: SandboxIsolation;
  target: InvocationTarget;
  /** The input, as JSON; parsed inside the sandbox. */
  inputJson: string;
  /** The installation's configuration, as JSON; parsed and frozen inside the sandbox. */
  configJson: string;
  limits: SandboxLimits;
}

/** Sent from the registry to a sandbox worker with the outcome of a bridge call it asked for. */
export type WorkerBridgeReplyMessage =
  | { type: 'bridgeReply'; invocationId: number; callId: number; ok: true; valueJson: string | undefined }
  | { type: 'bridgeReply'; invocationId: number; callId: number; ok: false; error: { name: string; message: string } };

/** Every message the registry sends to a sandbox worker. */
export type RegistryToWorkerMessage = WorkerInvokeMessage | WorkerBridgeReplyMessage;

/** Outcome of an invocation as the worker reports it (the registry adds timings and redaction). */
export type WorkerInvocationOutcome =
  | { ok: true; outputJson: string; logs: string[] }
  | { ok: false; error: SandboxError; logs: string[] };

/** Every message a sandbox worker sends to the registry. */
export type WorkerToRegistryMessage =
  /** The worker loaded QuickJS and accepts invocations. */
  | { type: 'ready' }
  /** Plugin code called a capability; the registry checks permissions and replies with bridgeReply. */
  | { type: 'bridgeCall'; invocationId: number; callId: number; op: BridgeOperation; argsJson: string }
  /**
   * An invocation ended. `retire` asks the registry to send this worker no more invocations and
   * to replace it: the plugin was stopped in the middle of running, and QuickJS cannot always free
   * a runtime in that state, so the worker keeps it allocated until it exits.
   */
  | { type: 'result'; id: number; outcome: WorkerInvocationOutcome; retire: boolean };
