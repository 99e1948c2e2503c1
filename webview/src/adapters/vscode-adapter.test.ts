import { describe, expect, it } from 'vitest';
import type { WebviewToHost } from '../../../protocol/webview-messages';
import { createHostChannel } from './vscode-adapter';

/** A window stand-in: listeners for 'message', and a way to deliver host messages. */
function fakeWindow() {
  const listeners: ((event: Event) => void)[] = [];
  return {
    addEventListener: (_type: string, listener: (event: Event) => void) => { listeners.push(listener); },
    deliver: (data: unknown) => { for (const listener of listeners) listener({ data } as MessageEvent); },
  };
}

describe('host channel', () => {
  it('correlates API responses with requests by id, in any order', async () => {
    const posted: WebviewToHost[] = [];
    const win = fakeWindow();
    const channel = createHostChannel({ postMessage: (message) => posted.push(message) }, win as never);
    const first = channel.transport({ method: 'GET', path: '/api/targets' });
    const second = channel.transport({ method: 'GET', path: '/api/me' });
    expect(posted).toEqual([
      { type: 'api-request', id: 1, request: { method: 'GET', path: '/api/targets' } },
      { type: 'api-request', id: 2, request: { method: 'GET', path: '/api/me' } },
    ]);
    win.deliver({ type: 'api-response', id: 2, response: { status: 200, body: { userId: 'u' } } });
    win.deliver({ type: 'api-response', id: 1, response: { status: 200, body: { items: [] } } });
    expect(await first).toEqual({ status: 200, body: { items: [] } });
    expect(await second).toEqual({ status: 200, body: { userId: 'u' } });
  });

  it('passes other host messages to listeners and ignores foreign messages', () => {
    const win = fakeWindow();
    const channel = createHostChannel({ postMessage: () => undefined }, win as never);
    const seen: string[] = [];
    channel.onMessage((message) => seen.push(message.type));
    win.deliver({ type: 'show-view', view: 'admin' });
    win.deliver({ type: 'something-else' });
    win.deliver('text');
    expect(seen).toEqual(['show-view']);
  });

  it('fails a request the host never answers instead of waiting forever', async () => {
    const channel = createHostChannel({ postMessage: () => undefined }, fakeWindow() as never, 5);
    expect(await channel.transport({ method: 'GET', path: '/api/me' })).toEqual({ status: 0, body: 'VS Code did not answer the request in time' });
  });
});
