/**
 * Messages between a Plugin Codex webview (the Lit bundle in dist/webview/main.js) and the VS Code
 * extension host that shows it. The webview posts `ready` first; the host queues everything until
 * then. The webview never holds the user's token: it asks the host to call the registry
 * (`api-request`) and the host answers with the status and body (`api-response`, same `id`).
 */

/** The views one bundle can show. */
export type WebviewView = 'marketplace' | 'details' | 'debug' | 'admin';

/** An HTTP call the webview asks the host to make against the registry (paths start with /api/). */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

/** The registry's answer: status 0 means the registry could not be reached (body: a message). */
export interface ApiResponse {
  status: number;
  body: unknown;
}

/** Sent by the host once the webview is ready, and again when the panel is reused for another view. */
export interface ShowViewMessage {
  type: 'show-view';
  view: WebviewView;
  /** The plugin a details or debug view is about. */
  pluginId?: string;
  /** The registry the host talks to, shown in the UI; undefined when none is configured. */
  registryUrl?: string;
  /** The registry's sandboxed preview page (…/console/preview.html) for visual blocks and micro-apps. */
  previewUrl?: string;
}

/** Sent by the host in answer to an {@link ApiRequestMessage}. */
export interface ApiResponseMessage {
  type: 'api-response';
  id: number;
  response: ApiResponse;
}

/** Sent by the host when the connection changed (signed in or out, registry replaced): reload data. */
export interface ConnectionChangedMessage {
  type: 'connection-changed';
  registryUrl?: string;
}

/** Everything the host sends a webview. */
export type HostToWebview = ShowViewMessage | ApiResponseMessage | ConnectionChangedMessage;

/** Sent by the webview once its script runs; the host sends nothing before it. */
export interface ReadyMessage {
  type: 'ready';
}

/** Sent by the webview to call the registry through the host. */
export interface ApiRequestMessage {
  type: 'api-request';
  id: number;
  request: ApiRequest;
}

/** Sent by the webview when the user opens a plugin: the host shows the details panel. */
export interface OpenPluginMessage {
  type: 'open-plugin';
  pluginId: string;
}

/** Sent by the webview after an operation finished: the host refreshes the installed-plugins view. */
export interface InstallationsChangedMessage {
  type: 'installations-changed';
  target: string;
}

/** Sent by the webview to write a line to the extension's output channel. */
export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** Everything a webview sends the host. */
export type WebviewToHost = ReadyMessage | ApiRequestMessage | OpenPluginMessage | InstallationsChangedMessage | LogMessage;

const HOST_TYPES: ReadonlySet<string> = new Set<HostToWebview['type']>(['show-view', 'api-response', 'connection-changed']);
const WEBVIEW_TYPES: ReadonlySet<string> = new Set<WebviewToHost['type']>(['ready', 'api-request', 'open-plugin', 'installations-changed', 'log']);

/** True when `value` looks like a {@link HostToWebview} message (the webview ignores anything else). */
export function isHostToWebview(value: unknown): value is HostToWebview {
  return typeof value === 'object' && value !== null && HOST_TYPES.has(String((value as { type?: unknown }).type));
}

/** True when `value` looks like a {@link WebviewToHost} message (the host ignores anything else). */
export function isWebviewToHost(value: unknown): value is WebviewToHost {
  return typeof value === 'object' && value !== null && WEBVIEW_TYPES.has(String((value as { type?: unknown }).type));
}

/**
 * True when the host may forward `request` to the registry: only the registry's API, only relative
 * paths, no way to reach another origin through the host.
 */
export function isForwardableApiRequest(request: ApiRequest): boolean {
  return ['GET', 'POST', 'PUT', 'DELETE'].includes(request.method)
    && request.path.startsWith('/api/')
    && !request.path.includes('//')
    && !request.path.includes('..')
    && !/[\s\\#]/.test(request.path);
}
