/**
 * The contract between plugin code and the sandbox that runs it. A plugin's `entry` is one bundled
 * ES module evaluated inside the sandbox (QuickJS in WASM); it has no `require`, `process`, file
 * system or timers, only the capabilities below, each checked against the permissions granted at
 * install.
 *
 * ```js
 * export default {
 *   tools: {
 *     async countWords(input, ctx) { ctx.log('counting'); return { words: input.text.split(/\s+/).length }; },
 *   },
 *   async healthCheck(ctx) { return { ok: true }; },
 * };
 * ```
 */

/** What a tool function receives as its second argument inside the sandbox. */
export interface PluginContext {
  /** The installation's validated configuration. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Fetch limited to the hosts granted at install (no redirects elsewhere, size and time limits). */
  fetch(url: string, init?: SandboxFetchInit): Promise<SandboxFetchResponse>;
  /** Key/value storage private to this installation (requires the `storage` permission). */
  readonly storage: {
    get(key: string): Promise<unknown>;
    put(key: string, value: unknown): Promise<void>;
    list(prefix?: string): Promise<string[]>;
    delete(key: string): Promise<boolean>;
  };
  /** Secrets granted by name; values never appear in logs. */
  readonly secrets: { get(name: string): Promise<string | undefined> };
  /** Captured, size-limited log lines. */
  log(...values: unknown[]): void;
  /** Calls a tool of a plugin this one declares in `dependencies`. */
  callTool(pluginId: string, tool: string, input: unknown): Promise<unknown>;
}

/** The subset of fetch's init the bridge forwards. */
export interface SandboxFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A fetched response, fully read (bounded) before it crosses back into the sandbox. */
export interface SandboxFetchResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The module shape a plugin entry default-exports. */
export interface PluginModule {
  tools?: Record<string, (input: unknown, ctx: PluginContext) => unknown>;
  healthCheck?: (ctx: PluginContext) => unknown;
}

/** Permissions a plugin asks for in its manifest and an admin grants at install. */
export interface PluginPermissions {
  /** Host names (optionally with :port) the plugin may fetch from. `*.example.com` matches subdomains. */
  network?: string[];
  /** Access to the installation's own key/value storage. */
  storage?: boolean;
  /** Secret names the plugin may read. */
  secrets?: string[];
  /** Hooks into the registry core (`core:events`, ...); each needs a super-admin's approval. */
  core?: string[];
}
