import { describe, expect, it } from 'vitest';
import type { HostToWebview } from '../../protocol/webview-messages';
import { createPanelBridge, forwardApiRequest } from './panel-bridge';
import { panelHtml } from './panel-html';
import type { RegistryConnection } from '../registry-connection';

const connection: RegistryConnection = { baseUrl: 'http://registry', authorization: async () => 'Bearer secret-token' };

function bridgeWith(fetchImpl: typeof fetch = async () => new Response('{}', { headers: { 'content-type': 'application/json' } })) {
  const posted: HostToWebview[] = [];
  const events: string[] = [];
  const bridge = createPanelBridge({
    post: (message) => posted.push(message),
    connection: async () => connection,
    fetch: fetchImpl,
    openPlugin: (id) => events.push(`open ${id}`),
    installationsChanged: (target) => events.push(`changed ${target}`),
    log: (level, message) => events.push(`${level} ${message}`),
  });
  return { bridge, posted, events };
}

describe('panel bridge', () => {
  it('queues host messages until the webview is ready, then sends them in order', async () => {
    const { bridge, posted } = bridgeWith();
    bridge.send({ type: 'show-view', view: 'marketplace' });
    bridge.send({ type: 'connection-changed' });
    expect(posted).toEqual([]);
    await bridge.receive({ type: 'ready' });
    expect(posted.map((m) => m.type)).toEqual(['show-view', 'connection-changed']);
    bridge.send({ type: 'show-view', view: 'admin' });
    expect(posted).toHaveLength(3);
  });

  it('answers API requests with the same id, adding the token only on the host side', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const { bridge, posted } = bridgeWith(async (url, init) => {
      seen.push({ url: String(url), init: init! });
      return new Response(JSON.stringify({ items: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    await bridge.receive({ type: 'ready' });
    await bridge.receive({ type: 'api-request', id: 7, request: { method: 'GET', path: '/api/targets' } });
    expect(seen[0]!.url).toBe('http://registry/api/targets');
    expect((seen[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer secret-token');
    expect(posted).toEqual([{ type: 'api-response', id: 7, response: { status: 200, body: { items: [] } } }]);
    expect(JSON.stringify(posted)).not.toContain('secret-token');
  });

  it('refuses to forward anything but registry API paths', async () => {
    expect((await forwardApiRequest({ method: 'GET', path: 'https://evil.example/x' }, connection)).status).toBe(400);
    expect((await forwardApiRequest({ method: 'GET', path: '/api/me' }, undefined)).status).toBe(0);
  });

  it('routes open-plugin, installations-changed and log messages, and ignores junk', async () => {
    const { bridge, events } = bridgeWith();
    await bridge.receive({ type: 'open-plugin', pluginId: '@codex/text-stats' });
    await bridge.receive({ type: 'installations-changed', target: 'default' });
    await bridge.receive({ type: 'log', level: 'error', message: 'boom' });
    await bridge.receive({ type: 'nonsense' });
    await bridge.receive(42);
    expect(events).toEqual(['open @codex/text-stats', 'changed default', 'error boom']);
  });
});

describe('panel HTML', () => {
  it('allows only the nonce-tagged bundle and no network access', () => {
    const html = panelHtml({ cspSource: 'vscode-resource:', scriptUri: 'vscode-resource:/dist/webview/main.js', nonce: 'abc123', title: 'Plugin <Marketplace>' });
    const csp = /content="([^"]+)"/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-abc123'");
    expect(csp).not.toContain('connect-src');
    expect(csp).not.toContain('unsafe');
    expect(html).toContain('<script nonce="abc123" src="vscode-resource:/dist/webview/main.js"></script>');
    expect(html).toContain('<codex-app mode="vscode">');
    expect(html).toContain('<title>Plugin &#60;Marketplace&#62;</title>');
    expect(csp).toContain('frame-src vscode-resource:;');
  });

  it('frames the registry only for the plugin preview', () => {
    const html = panelHtml({ cspSource: 'vscode-resource:', scriptUri: 's', nonce: 'n', title: 't', frameOrigins: ['http://127.0.0.1:4873'] });
    expect(/content="([^"]+)"/.exec(html)![1]).toContain('frame-src vscode-resource: http://127.0.0.1:4873;');
  });
});
