import type { PluginPermissions, SandboxFetchInit } from '../../../protocol/plugin-runtime';
import type { BridgeOperation, SandboxLimits } from '../../../protocol/sandbox';
import { BridgeError } from './bridge-error';
import { sandboxFetch } from './sandbox-fetch';

/**
 * The registry's side of the capabilities plugin code may use, implemented by the caller (the
 * marketplace, against the database). The bridge calls them only after the permission checks; a
 * missing callback makes the capability unavailable. Errors they throw reach plugin code as a
 * HostError with the error's message only, so messages must be fit for plugin authors.
 */
export interface SandboxHost {
  /** Key/value storage private to the installation; values are JSON-serialisable. */
  storage?: {
    get(key: string): Promise<unknown>;
    put(key: string, value: unknown): Promise<void>;
    list(prefix?: string): Promise<string[]>;
    delete(key: string): Promise<boolean>;
  };
  /** Secret values by name; called only for names granted in `permissions.secrets`. */
  secrets?: { get(name: string): Promise<string | undefined> };
  /** Runs a tool of another plugin; called only for plugins in `dependencies`. */
  callTool?(pluginId: string, tool: string, input: unknown): Promise<unknown>;
}

/** Everything the bridge needs to decide and carry out the calls of one invocation. */
export interface BridgeOptions {
  permissions: PluginPermissions;
  /** Plugin ids this plugin declares as dependencies (the only ones `ctx.callTool` may reach). */
  dependencies: readonly string[];
  host: SandboxHost;
  limits: SandboxLimits;
  /** Aborted when the invocation ends. */
  signal: AbortSignal;
}

/** The bridge of one invocation: carries out calls and remembers what it must redact afterwards. */
export interface InvocationBridge {
  /** Runs one call; resolves to the JSON of the value for the sandbox, or rejects with a BridgeError. */
  call(op: BridgeOperation, argsJson: string): Promise<string | undefined>;
  /** Number of calls so far, allowed or refused. */
  readonly calls: number;
  /** Replaces every secret value handed to the plugin with a marker naming the secret. */
  redact(text: string): string;
}

/** Secrets shorter than this are not redacted: replacing one or two characters would shred logs. */
const MIN_REDACTED_LENGTH = 3;

/** Creates the bridge of one invocation. */
export function createInvocationBridge(options: BridgeOptions): InvocationBridge {
  const { permissions, dependencies, host, limits, signal } = options;
  const revealed = new Map<string, string>();
  let calls = 0;

  async function run(op: BridgeOperation, args: unknown[]): Promise<unknown> {
    switch (op) {
      case 'fetch': {
        const [url, init] = args;
        if (typeof url !== 'string') throw new BridgeError('TypeError', 'fetch: the URL must be a string');
        if (init !== null && init !== undefined && typeof init !== 'object') throw new BridgeError('TypeError', 'fetch: init must be an object');
        const request = (init ?? {}) as SandboxFetchInit;
        if (request.body !== undefined && request.body !== null && typeof request.body !== 'string') throw new BridgeError('TypeError', 'fetch: body must be a string');
        return sandboxFetch(url, { method: request.method, headers: request.headers, body: request.body ?? undefined }, {
          grants: permissions.network ?? [],
          maxResponseBytes: limits.fetchResponseBytes,
          timeoutMs: limits.fetchTimeoutMs,
          signal,
        });
      }
      case 'storage.get':
      case 'storage.put':
      case 'storage.list':
      case 'storage.delete': {
        if (permissions.storage !== true) throw new BridgeError('PermissionDeniedError', `${op}: the storage permission is not granted to this installation`);
        const storage = host.storage;
        if (!storage) throw new BridgeError('HostError', `${op}: storage is not available on this registry`);
        const [key, value] = args;
        if (op === 'storage.list') {
          if (key !== null && key !== undefined && typeof key !== 'string') throw new BridgeError('TypeError', 'storage.list: the prefix must be a string');
          return hostCall(op, () => storage.list(key ?? undefined));
        }
        if (typeof key !== 'string') throw new BridgeError('TypeError', `${op}: the key must be a string`);
        if (op === 'storage.get') return hostCall(op, () => storage.get(key));
        if (op === 'storage.delete') return hostCall(op, () => storage.delete(key));
        await hostCall(op, () => storage.put(key, value ?? null));
        return undefined;
      }
      case 'secrets.get': {
        const [name] = args;
        if (typeof name !== 'string') throw new BridgeError('TypeError', 'secrets.get: the name must be a string');
        const granted = permissions.secrets ?? [];
        if (!granted.includes(name)) throw new BridgeError('PermissionDeniedError', `secrets.get: the secret "${name.slice(0, 100)}" is not granted to this installation; granted secrets: ${granted.length ? granted.join(', ') : 'none'}`);
        const secrets = host.secrets;
        if (!secrets) throw new BridgeError('HostError', 'secrets.get: secrets are not available on this registry');
        const value = await hostCall(op, () => secrets.get(name));
        if (value !== undefined && typeof value !== 'string') throw new BridgeError('HostError', `secrets.get: the secret "${name}" is not a string`);
        if (value !== undefined && value.length >= MIN_REDACTED_LENGTH) revealed.set(value, name);
        return value;
      }
      case 'callTool': {
        const [pluginId, tool, input] = args;
        if (typeof pluginId !== 'string' || typeof tool !== 'string') throw new BridgeError('TypeError', 'callTool: the plugin id and the tool name must be strings');
        if (!dependencies.includes(pluginId)) throw new BridgeError('PermissionDeniedError', `callTool: the plugin "${pluginId.slice(0, 200)}" is not a declared dependency; declared: ${dependencies.length ? dependencies.join(', ') : 'none'}`);
        const callTool = host.callTool;
        if (!callTool) throw new BridgeError('HostError', 'callTool: calling other plugins is not available on this registry');
        return hostCall(op, () => callTool(pluginId, tool, input ?? null));
      }
      default: {
        const unknown: never = op;
        throw new BridgeError('TypeError', `unknown bridge operation ${String(unknown)}`);
      }
    }
  }

  async function hostCall<T>(op: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw new BridgeError('HostError', `${op} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  return {
    get calls() {
      return calls;
    },
    async call(op, argsJson) {
      calls += 1;
      if (calls > limits.bridgeCalls) throw new BridgeError('BridgeLimitError', `${op}: more than ${limits.bridgeCalls} bridge calls in one invocation (bridgeCalls limit)`);
      let args: unknown;
      try {
        args = JSON.parse(argsJson);
      } catch {
        throw new BridgeError('TypeError', `${op}: arguments are not JSON-serialisable`);
      }
      if (!Array.isArray(args)) throw new BridgeError('TypeError', `${op}: malformed arguments`);
      const value = await run(op, args);
      if (signal.aborted) throw new BridgeError('HostError', `${op}: the invocation ended`);
      return value === undefined ? undefined : JSON.stringify(value);
    },
    redact(text) {
      let clean = text;
      for (const [value, name] of revealed) clean = clean.split(value).join(`[secret ${name}]`);
      return clean;
    },
  };
}
