import type { Installation } from '../../../../protocol/lifecycle-api';
import { exampleMatches, type PluginTool, type ResolvedPluginManifest } from '../../../../protocol/plugin-manifest';
import type { PluginPermissions } from '../../../../protocol/plugin-runtime';
import type { InvocationResult, SandboxErrorCode, SandboxLimits } from '../../../../protocol/sandbox';
import type { Database } from '../../db/database';
import { createInstallationsRepository } from '../../db/installations-repository';
import { createInvocationsRepository, type InvocationSource, type NewInvocation } from '../../db/invocations-repository';
import { createPluginsRepository } from '../../db/plugins-repository';
import { createPluginStorageRepository } from '../../db/plugin-storage-repository';
import { CodexError } from '../../errors';
import { readPluginPackage } from '../../packages/plugin-package';
import { HEALTH_CHECK, type Sandbox, type SandboxHost } from '../../sandbox/sandbox';
import { createToolValidators } from './tool-schemas';

/** What the runtime needs of an installation (a row of `installations`, or one planned by `try`). */
export type RuntimeInstallation = Pick<Installation, 'targetId' | 'pluginId' | 'version' | 'config' | 'grantedPermissions' | 'status'>;

/** An installed version's package, loaded once per integrity. */
export interface LoadedVersion {
  pluginId: string;
  version: string;
  integrity: string;
  manifest: ResolvedPluginManifest;
  /** The sandboxed entry module's source. */
  code: string;
  /** Every file of the package (the UI routes serve from here). */
  files: Map<string, Buffer>;
}

/**
 * Where invocations run: which installations the target holds and what backs their storage. The
 * live registry uses the database; `try` uses the installations it planned and an in-memory map.
 */
export interface RuntimeScope {
  targetId: string;
  installation(pluginId: string): Promise<RuntimeInstallation | undefined>;
  storage(installation: RuntimeInstallation): NonNullable<SandboxHost['storage']>;
  /** Records each invocation; absent where nothing may persist (`try`). */
  record?(invocation: NewInvocation): Promise<void>;
}

/** Why an invocation failed: a sandbox error code, or one of the runtime's own checks. */
export type RuntimeErrorCode = SandboxErrorCode | RuntimeCheckCode;
type RuntimeCheckCode = 'NOT_INSTALLED' | 'NOT_ACTIVE' | 'TOOL_NOT_DECLARED' | 'INVALID_INPUT' | 'INVALID_OUTPUT' | 'PACKAGE_UNAVAILABLE' | 'DEPENDENCY_CYCLE';

/** The outcome of one tool invocation through the runtime. */
export type ToolOutcome =
  | { ok: true; output: unknown; logs: string[]; durationMs: number }
  | { ok: false; error: { code: RuntimeErrorCode; message: string; field?: string }; logs: string[]; durationMs: number };

/** The result of one health probe. */
export interface HealthProbe {
  ok: boolean;
  /** `export`: the entry's healthCheck(ctx); `tool`: the manifest's `{ tool, input }`; `module`: the module only evaluates. */
  probe: 'export' | 'tool' | 'module';
  tool?: string;
  checkedAt: string;
  durationMs: number;
  error?: { code: string; message: string };
  logs: string[];
}

/** One example call and whether it gave what the manifest expects. */
export interface ExampleStep {
  tool: string;
  description?: string;
  input: unknown;
  expected: unknown;
  output: unknown;
  pass: boolean;
  error?: { code: string; message: string; field?: string };
  logs: string[];
  durationMs: number;
}

/** What an invocation asks for. */
export interface ToolCall {
  pluginId: string;
  tool: string;
  input: unknown;
  source: InvocationSource;
  actor?: string | null;
  /** Plugins already on the call stack (ctx.callTool), for the cycle guard. */
  chain?: readonly string[];
}

/** Options of the runtime service. */
export interface RuntimeServiceOptions {
  db: Database;
  sandbox: Sandbox;
  /** Where `PLUGIN_SECRET_<NAME>` values come from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Limits every installation runs under (clamped to the sandbox ceilings). */
  limits?: Partial<SandboxLimits>;
  /** Called after every recorded invocation (the rollout gate watches error rates here). */
  onRecorded?: (invocation: NewInvocation) => void;
}

/** A name no tool can have (tool names start with a letter): invoking it only evaluates the module. */
const EVALUATE_ONLY = '__codex_evaluate_module';
/** How deep ctx.callTool chains may go (A → B → C → …). */
const MAX_CALL_DEPTH = 8;

/**
 * Runs installed plugins: loads a version's entry from its artifact (cached per integrity),
 * validates input and output against the tool's schemas, and invokes the sandbox with host
 * callbacks scoped to the installation — storage, secrets from `PLUGIN_SECRET_<NAME>` (granted
 * names only), and `ctx.callTool` into the dependency's installation in the same target with its
 * own permissions (cycles refused). Invocations are recorded in `invocations`.
 */
export function createRuntimeService(options: RuntimeServiceOptions) {
  const { db, sandbox } = options;
  const env = options.env ?? process.env;
  const plugins = createPluginsRepository(db);
  const installations = createInstallationsRepository(db);
  const storageRepository = createPluginStorageRepository(db);
  const invocations = createInvocationsRepository(db);
  const validators = createToolValidators();
  const loaded = new Map<string, Promise<LoadedVersion>>();

  /** Loads a published version's package; the promise is cached per integrity (versions are immutable). */
  async function loadVersion(pluginId: string, version: string): Promise<LoadedVersion> {
    const record = await plugins.findVersion(pluginId, version);
    if (!record) throw new CodexError('CODEX_ERR_VERSION_NOT_FOUND', `${pluginId}@${version} does not exist in the registry`, { pluginId, version });
    let entry = loaded.get(record.integrity);
    if (!entry) {
      entry = (async () => {
        const bytes = await plugins.readArtifact(record.integrity);
        if (!bytes) throw new CodexError('CODEX_ERR_ARTIFACT_MISSING', `the artifact of ${pluginId}@${version} is not stored in this registry`, { pluginId, version }, 500);
        const pkg = await readPluginPackage(bytes);
        const code = pkg.files.get(pkg.manifest.entry);
        if (!code) throw new CodexError('CODEX_ERR_ARTIFACT_MISSING', `${pluginId}@${version} has no entry file ${pkg.manifest.entry}`, { pluginId, version }, 500);
        return { pluginId, version, integrity: record.integrity, manifest: pkg.manifest, code: code.toString('utf8'), files: pkg.files };
      })();
      loaded.set(record.integrity, entry);
      entry.catch(() => loaded.delete(record.integrity));
    }
    return entry;
  }

  /** The live scope of a target: installations and storage in the database, invocations recorded. */
  function databaseScope(targetId: string): RuntimeScope {
    return {
      targetId,
      installation: (pluginId) => installations.get(targetId, pluginId),
      storage: (installation) => ({
        get: (key) => storageRepository.get(installation.targetId, installation.pluginId, key),
        put: (key, value) => storageRepository.put(installation.targetId, installation.pluginId, key, value),
        list: (prefix) => storageRepository.list(installation.targetId, installation.pluginId, prefix),
        delete: (key) => storageRepository.delete(installation.targetId, installation.pluginId, key),
      }),
      async record(invocation) {
        await invocations.record(invocation);
        options.onRecorded?.(invocation);
      },
    };
  }

  /** A scope over given installations with storage in memory; nothing is recorded (for `try`). */
  function memoryScope(targetId: string, rows: readonly RuntimeInstallation[]): RuntimeScope {
    const stores = new Map<string, Map<string, unknown>>();
    const storeOf = (pluginId: string) => {
      let store = stores.get(pluginId);
      if (!store) stores.set(pluginId, store = new Map());
      return store;
    };
    return {
      targetId,
      installation: async (pluginId) => rows.find((row) => row.pluginId === pluginId),
      storage: (installation) => {
        const store = storeOf(installation.pluginId);
        return {
          get: async (key) => structuredClone(store.get(key)),
          put: async (key, value) => void store.set(key, structuredClone(value)),
          list: async (prefix = '') => [...store.keys()].filter((key) => key.startsWith(prefix)).sort(),
          delete: async (key) => store.delete(key),
        };
      },
    };
  }

  function hostFor(scope: RuntimeScope, installation: RuntimeInstallation, chain: readonly string[], actor: string | null | undefined): SandboxHost {
    const granted = installation.grantedPermissions as PluginPermissions;
    return {
      storage: scope.storage(installation),
      secrets: {
        // The bridge checks the grant too; reading only granted names here keeps the environment closed even if it did not.
        get: async (name) => ((granted.secrets ?? []).includes(name) ? env[`PLUGIN_SECRET_${name}`] : undefined),
      },
      callTool: async (pluginId, tool, input) => {
        const stack = [...chain, installation.pluginId];
        if (stack.includes(pluginId)) throw new Error(`dependency cycle: ${[...stack, pluginId].join(' → ')} is refused`);
        if (stack.length >= MAX_CALL_DEPTH) throw new Error(`callTool chains are limited to ${MAX_CALL_DEPTH} plugins (${stack.join(' → ')})`);
        const outcome = await invokeTool(scope, { pluginId, tool, input, source: 'dependency', actor, chain: stack });
        if (!outcome.ok) throw new Error(`${pluginId} ${tool} failed (${outcome.error.code}): ${outcome.error.message}`);
        return outcome.output;
      },
    };
  }

  async function runInSandbox(scope: RuntimeScope, installation: RuntimeInstallation, version: LoadedVersion, tool: string, input: unknown, chain: readonly string[], actor: string | null | undefined): Promise<InvocationResult> {
    return sandbox.invoke({
      pluginKey: `${scope.targetId}:${installation.pluginId}@${installation.version}`,
      code: version.code,
      tool,
      input,
      config: installation.config,
      permissions: installation.grantedPermissions as PluginPermissions,
      dependencies: Object.keys(version.manifest.dependencies),
      limits: options.limits,
      isolation: 'fresh',
      host: hostFor(scope, installation, chain, actor),
    });
  }

  async function record(scope: RuntimeScope, installation: { pluginId: string; version: string }, tool: string, source: InvocationSource, actor: string | null | undefined, ok: boolean, error: { code: string; message: string } | undefined, latencyMs: number): Promise<void> {
    if (!scope.record) return;
    await scope.record({
      targetId: scope.targetId, pluginId: installation.pluginId, version: installation.version, tool, source, ok,
      errorCode: error?.code ?? null, errorMessage: error?.message ?? null, latencyMs, actor: actor ?? null,
    });
  }

  /** Invokes one tool of an installation in `scope`; never throws for plugin failures (see ToolOutcome). */
  async function invokeTool(scope: RuntimeScope, call: ToolCall): Promise<ToolOutcome> {
    const started = performance.now();
    const fail = (code: RuntimeErrorCode, message: string, extra: { field?: string; logs?: string[]; durationMs?: number } = {}): ToolOutcome =>
      ({ ok: false, error: { code, message, ...(extra.field ? { field: extra.field } : {}) }, logs: extra.logs ?? [], durationMs: extra.durationMs ?? Math.round(performance.now() - started) });
    const installation = await scope.installation(call.pluginId);
    if (!installation) return fail('NOT_INSTALLED', `${call.pluginId} is not installed in target ${scope.targetId}`);
    if (installation.status !== 'active') return fail('NOT_ACTIVE', `${call.pluginId} in target ${scope.targetId} is ${installation.status}, not active; an admin resumes or rolls it back`);
    let version: LoadedVersion;
    try {
      version = await loadVersion(installation.pluginId, installation.version);
    } catch (error) {
      return fail('PACKAGE_UNAVAILABLE', error instanceof Error ? error.message : String(error));
    }
    const tool = version.manifest.tools.find((candidate) => candidate.name === call.tool);
    if (!tool) return fail('TOOL_NOT_DECLARED', `${call.pluginId}@${installation.version} has no tool "${call.tool}" (tools: ${version.manifest.tools.map((t) => t.name).join(', ') || 'none'})`);
    const outcome = await invokeDeclared(scope, installation, version, tool, call);
    await record(scope, installation, call.tool, call.source, call.actor, outcome.ok, outcome.ok ? undefined : outcome.error, outcome.durationMs);
    return outcome;
  }

  async function invokeDeclared(scope: RuntimeScope, installation: RuntimeInstallation, version: LoadedVersion, tool: PluginTool, call: ToolCall): Promise<ToolOutcome> {
    const key = `${version.integrity}#${tool.name}`;
    const input = validators.input(key, tool, call.input ?? {});
    if (!input.ok) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: `${input.message}; see the inputSchema of ${call.pluginId} ${tool.name}`, field: input.field }, logs: [], durationMs: 0 };
    }
    const result = await runInSandbox(scope, installation, version, tool.name, input.value, call.chain ?? [], call.actor);
    if (!result.ok) return { ok: false, error: { code: result.error.code, message: result.error.message }, logs: result.logs, durationMs: result.durationMs };
    const output = validators.output(key, tool, result.output);
    if (!output.ok) {
      return { ok: false, error: { code: 'INVALID_OUTPUT', message: `${call.pluginId}@${installation.version} ${tool.name} returned an invalid result: ${output.message}`, field: output.field }, logs: result.logs, durationMs: result.durationMs };
    }
    return { ok: true, output: result.output, logs: result.logs, durationMs: result.durationMs };
  }

  /**
   * Runs an installation's health probe as its manifest says (see plugin-manifest.ts): the
   * `healthCheck` export (absent: healthy once the module evaluates), a `{ tool, input }` call whose
   * output must match the tool's outputSchema, or (`false`) evaluating the module only.
   */
  async function healthCheck(scope: RuntimeScope, installation: RuntimeInstallation, actor: string | null = null): Promise<HealthProbe> {
    const checkedAt = new Date().toISOString();
    let version: LoadedVersion;
    try {
      version = await loadVersion(installation.pluginId, installation.version);
    } catch (error) {
      return { ok: false, probe: 'module', checkedAt, durationMs: 0, error: { code: 'PACKAGE_UNAVAILABLE', message: error instanceof Error ? error.message : String(error) }, logs: [] };
    }
    const declared = version.manifest.healthCheck;
    let probe: HealthProbe;
    if (typeof declared === 'object') {
      const tool = version.manifest.tools.find((candidate) => candidate.name === declared.tool)!;
      const outcome = await invokeDeclared(scope, installation, version, tool, { pluginId: installation.pluginId, tool: declared.tool, input: declared.input ?? {}, source: 'health', actor });
      probe = { ok: outcome.ok, probe: 'tool', tool: declared.tool, checkedAt, durationMs: outcome.durationMs, logs: outcome.logs, ...(outcome.ok ? {} : { error: outcome.error }) };
    } else {
      const result = await runInSandbox(scope, installation, version, declared ? HEALTH_CHECK : EVALUATE_ONLY, {}, [], actor);
      // TOOL_NOT_FOUND means the module evaluated and has no probe (or none was asked for): healthy.
      const evaluatedOnly = !result.ok && result.error.code === 'TOOL_NOT_FOUND';
      const reportedUnhealthy = result.ok && isObject(result.output) && result.output.ok === false;
      const ok = (result.ok && !reportedUnhealthy) || evaluatedOnly;
      probe = {
        ok, probe: declared && !evaluatedOnly ? 'export' : 'module', checkedAt, durationMs: result.durationMs, logs: result.logs,
        ...(ok ? {} : { error: result.ok ? { code: 'UNHEALTHY', message: `the health check answered ${JSON.stringify(result.output).slice(0, 500)}` } : { code: result.error.code, message: result.error.message } }),
      };
    }
    await record(scope, installation, HEALTH_CHECK, 'health', actor, probe.ok, probe.error, probe.durationMs);
    return probe;
  }

  /** Runs the manifest's examples in order against one installation of `scope`. */
  async function runExamples(scope: RuntimeScope, installation: RuntimeInstallation, source: InvocationSource = 'health'): Promise<ExampleStep[]> {
    const version = await loadVersion(installation.pluginId, installation.version);
    const steps: ExampleStep[] = [];
    for (const example of version.manifest.examples) {
      const outcome = await invokeTool(scope, { pluginId: installation.pluginId, tool: example.tool, input: example.input, source });
      steps.push({
        tool: example.tool, ...(example.description ? { description: example.description } : {}), input: example.input, expected: example.expected,
        output: outcome.ok ? outcome.output : null, pass: outcome.ok && exampleMatches(example.expected, outcome.output),
        ...(outcome.ok ? {} : { error: outcome.error }), logs: outcome.logs, durationMs: outcome.durationMs,
      });
    }
    return steps;
  }

  return { loadVersion, databaseScope, memoryScope, invokeTool, healthCheck, runExamples };
}

export type RuntimeService = ReturnType<typeof createRuntimeService>;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** HTTP status and registry error code of each runtime failure. */
const HTTP_ERRORS: Record<string, [`CODEX_ERR_${string}`, number]> = {
  NOT_INSTALLED: ['CODEX_ERR_NOT_INSTALLED', 404],
  NOT_ACTIVE: ['CODEX_ERR_INSTALLATION_NOT_ACTIVE', 409],
  TOOL_NOT_DECLARED: ['CODEX_ERR_TOOL_NOT_FOUND', 404],
  INVALID_INPUT: ['CODEX_ERR_INVALID_INPUT', 400],
  INVALID_OUTPUT: ['CODEX_ERR_INVALID_OUTPUT', 502],
  PACKAGE_UNAVAILABLE: ['CODEX_ERR_PACKAGE_UNAVAILABLE', 503],
  TIMEOUT: ['CODEX_ERR_PLUGIN_TIMEOUT', 504],
  CPU_LIMIT: ['CODEX_ERR_PLUGIN_CPU_LIMIT', 422],
  MEMORY_LIMIT: ['CODEX_ERR_PLUGIN_MEMORY_LIMIT', 422],
  STACK_LIMIT: ['CODEX_ERR_PLUGIN_STACK_LIMIT', 422],
  OUTPUT_LIMIT: ['CODEX_ERR_PLUGIN_OUTPUT_LIMIT', 422],
  QUEUE_FULL: ['CODEX_ERR_PLUGIN_BUSY', 429],
  WORKER_CRASHED: ['CODEX_ERR_SANDBOX_UNAVAILABLE', 503],
  SANDBOX_CLOSED: ['CODEX_ERR_SANDBOX_UNAVAILABLE', 503],
};

/**
 * The registry error for a failed outcome: 4xx when the caller or the plugin's limits are at
 * fault, 502 when the plugin misbehaved (its own error, a refused capability, an invalid result).
 * The message is the plugin's or the runtime's (never registry internals); logs go in details.
 */
export function outcomeError(outcome: Extract<ToolOutcome, { ok: false }>): CodexError {
  const [code, status] = HTTP_ERRORS[outcome.error.code] ?? [`CODEX_ERR_PLUGIN_${outcome.error.code}` as const, 502];
  return new CodexError(code, outcome.error.message, { runtimeCode: outcome.error.code, ...(outcome.error.field ? { field: outcome.error.field } : {}), logs: outcome.logs, durationMs: outcome.durationMs }, status);
}
