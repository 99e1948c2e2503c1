import {
  isForwardableApiRequest, isWebviewToHost, type ApiRequest, type ApiResponse, type HostToWebview, type WebviewToHost,
} from '../../protocol/webview-messages';
import type { RegistryConnection } from '../registry-connection';

/** What the bridge needs from its surroundings (VS Code in production, plain functions in tests). */
export interface PanelBridgeDeps {
  /** Posts a message to the webview. */
  post(message: HostToWebview): void;
  /** The current registry connection, if any. */
  connection(): Promise<RegistryConnection | undefined>;
  /** HTTP client (global fetch by default). */
  fetch?: typeof fetch;
  /** The user opened a plugin in the webview. */
  openPlugin(pluginId: string): void;
  /** An operation finished in the webview. */
  installationsChanged(target: string): void;
  /** A line for the output channel. */
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** The host side of one webview: queues messages until `ready`, answers API requests with the user's token. */
export interface PanelBridge {
  /** Sends a message now if the webview is ready, otherwise once it is. */
  send(message: HostToWebview): void;
  /** Handles a message from the webview (anything not a {@link WebviewToHost} is ignored). */
  receive(message: unknown): Promise<void>;
  readonly ready: boolean;
}

/**
 * Calls the registry for the webview. The token is added here and never crosses into the webview;
 * only requests to the registry's /api/ paths are forwarded.
 */
export async function forwardApiRequest(request: ApiRequest, connection: RegistryConnection | undefined, fetchImpl: typeof fetch = fetch): Promise<ApiResponse> {
  if (!isForwardableApiRequest(request)) return { status: 400, body: { error: { code: 'CODEX_ERR_BAD_REQUEST', message: `the extension forwards only registry API calls, not ${request.method} ${request.path}` } } };
  if (!connection) return { status: 0, body: 'No Plugin Codex registry is configured: set "pluginCodex.registryUrl" or start the embedded registry.' };
  const headers: Record<string, string> = { accept: 'application/json' };
  const authorization = await connection.authorization();
  if (authorization) headers.authorization = authorization;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetchImpl(`${connection.baseUrl}${request.path}`, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
    const text = await response.text();
    let body: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) {
      try { body = JSON.parse(text); } catch { body = text; }
    }
    return { status: response.status, body };
  } catch (error) {
    return { status: 0, body: `the registry at ${connection.baseUrl} cannot be reached (${error instanceof Error ? error.message : String(error)})` };
  }
}

/** Creates the bridge of one webview panel. */
export function createPanelBridge(deps: PanelBridgeDeps): PanelBridge {
  let ready = false;
  const queue: HostToWebview[] = [];
  return {
    get ready() { return ready; },
    send(message) {
      if (ready) deps.post(message);
      else queue.push(message);
    },
    async receive(raw) {
      if (!isWebviewToHost(raw)) return;
      const message: WebviewToHost = raw;
      switch (message.type) {
        case 'ready':
          ready = true;
          for (const queued of queue.splice(0)) deps.post(queued);
          return;
        case 'api-request': {
          const response = await forwardApiRequest(message.request, await deps.connection(), deps.fetch);
          if (response.status === 0 || response.status >= 500) deps.log('warn', `${message.request.method} ${message.request.path}: ${response.status === 0 ? String(response.body) : `HTTP ${response.status}`}`);
          deps.post({ type: 'api-response', id: message.id, response });
          return;
        }
        case 'open-plugin':
          deps.openPlugin(message.pluginId);
          return;
        case 'installations-changed':
          deps.installationsChanged(message.target);
          return;
        case 'log':
          deps.log(message.level, message.message);
          return;
        default: {
          const unreachable: never = message;
          deps.log('warn', `unknown webview message ${JSON.stringify(unreachable)}`);
        }
      }
    },
  };
}
