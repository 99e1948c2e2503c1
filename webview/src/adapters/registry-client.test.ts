import { describe, expect, it } from 'vitest';
import type { ApiRequest, ApiResponse } from '../../../protocol/webview-messages';
import { AdapterError, isNotAvailable, type MarketplaceAdapter } from './marketplace-adapter';
import { createRegistryAdapter, pluginPath, queryString } from './registry-client';

function recording(answer: (request: ApiRequest) => ApiResponse = () => ({ status: 200, body: { items: [] } })) {
  const requests: ApiRequest[] = [];
  const adapter = createRegistryAdapter(async (request) => {
    requests.push(request);
    return answer(request);
  });
  return { adapter, requests };
}

describe('registry client', () => {
  it('encodes plugin ids and query strings', () => {
    expect(pluginPath('@codex/text-stats')).toBe('/api/plugins/%40codex/text-stats');
    expect(queryString({ q: 'a b', kind: undefined, recommended: true, limit: 30, cursor: '' })).toBe('?q=a+b&recommended=true&limit=30');
    expect(queryString({})).toBe('');
  });

  it.each<[string, (adapter: MarketplaceAdapter) => Promise<unknown>, ApiRequest]>([
    ['listPlugins', (a) => a.listPlugins({ q: ' wea ', kind: 'tool', sort: 'relevance', limit: 30, cursor: 'c' }), { method: 'GET', path: '/api/plugins/list?q=wea&kind=tool&sort=relevance&limit=30&cursor=c' }],
    ['getPlugin', (a) => a.getPlugin('@codex/x', '1.0.0'), { method: 'GET', path: '/api/plugins/%40codex/x?version=1.0.0' }],
    ['readFile', (a) => a.readFile('@codex/x', '1.0.0', 'ui/a b.js'), { method: 'GET', path: '/api/plugins/%40codex/x/versions/1.0.0/files/ui/a%20b.js' }],
    ['diffVersions', (a) => a.diffVersions('@codex/x', '1.0.0', '1.1.0'), { method: 'GET', path: '/api/plugins/%40codex/x/diff?from=1.0.0&to=1.1.0' }],
    ['writeReview', (a) => a.writeReview('@codex/x', { rating: 5, text: 'ok' }), { method: 'POST', path: '/api/plugins/%40codex/x/reviews', body: { rating: 5, text: 'ok' } }],
    ['listTargets', (a) => a.listTargets(), { method: 'GET', path: '/api/targets' }],
    ['listInstalled', (a) => a.listInstalled('default'), { method: 'GET', path: '/api/plugins/installed?target=default' }],
    ['runOperation', (a) => a.runOperation('upgrade', { pluginId: '@codex/x', target: 'default', dryRun: true }), { method: 'POST', path: '/api/plugins/upgrade', body: { pluginId: '@codex/x', target: 'default', dryRun: true } }],
    ['getOperation', (a) => a.getOperation('op-1'), { method: 'GET', path: '/api/operations/op-1' }],
    ['tryPlugin', (a) => a.tryPlugin('@codex/x', '1.0.0'), { method: 'POST', path: '/api/plugins/%40codex/x/try', body: { version: '1.0.0' } }],
    ['listApprovals', (a) => a.listApprovals(), { method: 'GET', path: '/api/admin/approvals' }],
    ['decideApproval', (a) => a.decideApproval('a1', 'approve', 'fine'), { method: 'POST', path: '/api/admin/approvals/a1', body: { decision: 'approve', reason: 'fine' } }],
    ['listPluginRequests', (a) => a.listPluginRequests(), { method: 'GET', path: '/api/plugin-requests' }],
    ['createPluginRequest', (a) => a.createPluginRequest({ kind: 'new-plugin', title: 'T' }), { method: 'POST', path: '/api/plugin-requests', body: { kind: 'new-plugin', title: 'T' } }],
    ['listAlerts', (a) => a.listAlerts(), { method: 'GET', path: '/api/admin/alerts?status=unresolved' }],
    ['updateAlert', (a) => a.updateAlert('x1', 'resolve'), { method: 'POST', path: '/api/admin/alerts/x1', body: { action: 'resolve' } }],
    ['listEvents', (a) => a.listEvents(5, 20), { method: 'GET', path: '/api/events?after=5&limit=20' }],
    ['listSnapshots', (a) => a.listSnapshots('@codex/x'), { method: 'GET', path: '/api/debug/snapshots?pluginId=%40codex%2Fx' }],
    ['debugStats', (a) => a.debugStats(), { method: 'GET', path: '/api/debug/stats' }],
    ['startDebug', (a) => a.startDebug('@codex/x'), { method: 'POST', path: '/api/debug/start?pluginId=%40codex%2Fx', body: {} }],
    ['getDebugSession', (a) => a.getDebugSession('s1'), { method: 'GET', path: '/api/debug/sessions/s1' }],
    ['diffSnapshots', (a) => a.diffSnapshots('a', 'b'), { method: 'GET', path: '/api/debug/snapshots/diff?from=a&to=b' }],
    ['suggestFix', (a) => a.suggestFix('s1', { findingIndex: 2 }), { method: 'POST', path: '/api/debug/sessions/s1/suggest', body: { findingIndex: 2 } }],
    ['decideFix', (a) => a.decideFix('s1', 'f1', 'apply'), { method: 'POST', path: '/api/debug/sessions/s1/fixes/f1', body: { action: 'apply' } }],
  ])('%s calls the documented endpoint', async (_name, call, expected) => {
    const { adapter, requests } = recording(() => ({ status: 200, body: { items: [], session: {} } }));
    await call(adapter);
    expect(requests).toEqual([expected]);
  });

  it('turns error bodies into AdapterErrors and tells a missing endpoint from a missing plugin', async () => {
    const { adapter } = recording((request) => request.path.startsWith('/api/debug')
      ? { status: 404, body: { message: 'Route GET:/api/debug/stats not found', error: 'Not Found', statusCode: 404 } }
      : { status: 404, body: { error: { code: 'CODEX_ERR_PLUGIN_NOT_FOUND', message: 'there is no plugin @x/y', requestId: 'r' } } });
    const missingRoute = await adapter.debugStats().catch((error: unknown) => error);
    const missingPlugin = await adapter.getPlugin('@x/y').catch((error: unknown) => error);
    expect(isNotAvailable(missingRoute)).toBe(true);
    expect(isNotAvailable(missingPlugin)).toBe(false);
    expect(missingPlugin).toBeInstanceOf(AdapterError);
    expect((missingPlugin as AdapterError).message).toBe('there is no plugin @x/y');
  });

  it('reports an unreachable registry and a refused sign-in', async () => {
    const down = recording(() => ({ status: 0, body: 'the registry at http://x cannot be reached' }));
    await expect(down.adapter.listTargets()).rejects.toThrow('cannot be reached');
    const anonymous = recording(() => ({ status: 401, body: { error: { code: 'CODEX_ERR_UNAUTHENTICATED', message: 'sign in' } } }));
    await expect(anonymous.adapter.me()).rejects.toMatchObject({ status: 401, message: 'sign in' });
  });

});
