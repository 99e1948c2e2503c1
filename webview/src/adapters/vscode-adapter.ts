import { isHostToWebview, type ApiResponse, type HostToWebview, type WebviewToHost } from '../../../protocol/webview-messages';
import type { MarketplaceAdapter } from './marketplace-adapter';
import { createRegistryAdapter, type ApiTransport } from './registry-client';

/** The part of VS Code's webview API the bundle uses. */
export interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
}

/** A message channel to the extension host: post typed messages, receive host messages. */
export interface HostChannel {
  post(message: WebviewToHost): void;
  /** Subscribes to every host message except API responses (the transport consumes those). */
  onMessage(listener: (message: HostToWebview) => void): void;
  transport: ApiTransport;
}

/**
 * Connects to the host: API requests go out with increasing correlation ids and resolve when the
 * `api-response` with the same id arrives; a request the host never answers fails after
 * `timeoutMs` so the UI shows an error rather than spinning forever.
 */
export function createHostChannel(api: VsCodeApi, target: Pick<Window, 'addEventListener'> = window, timeoutMs = 60_000): HostChannel {
  let nextId = 1;
  const pending = new Map<number, (response: ApiResponse) => void>();
  const listeners: ((message: HostToWebview) => void)[] = [];
  target.addEventListener('message', (event: Event) => {
    const data = (event as MessageEvent).data;
    if (!isHostToWebview(data)) return;
    if (data.type === 'api-response') {
      pending.get(data.id)?.(data.response);
      pending.delete(data.id);
      return;
    }
    for (const listener of listeners) listener(data);
  });
  return {
    post: (message) => api.postMessage(message),
    onMessage: (listener) => { listeners.push(listener); },
    transport: (request) => new Promise<ApiResponse>((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve({ status: 0, body: 'VS Code did not answer the request in time' });
      }, timeoutMs);
      pending.set(id, (response) => { clearTimeout(timer); resolve(response); });
      api.postMessage({ type: 'api-request', id, request });
    }),
  };
}

/** The VS Code adapter: the extension host calls the registry with the user's token. */
export function createVsCodeAdapter(channel: HostChannel): MarketplaceAdapter {
  return createRegistryAdapter(channel.transport);
}
