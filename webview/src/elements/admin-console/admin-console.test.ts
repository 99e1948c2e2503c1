// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterError, type Approval } from '../../adapters/marketplace-adapter';
import { createFakeAdapter, routeNotFound } from '../../test-support/fake-adapter';
import { $, $$, mount, settle, textOf } from '../../test-support/render';
import './admin-console';

afterEach(() => { document.body.innerHTML = ''; });

const approval = (id: string, status: Approval['status'] = 'pending'): Approval => ({
  id, kind: 'official-version', pluginId: '@codex/new-thing', version: '1.0.0', targetId: null, payload: {}, status, requestedBy: 'dev', decidedBy: null, reason: null, createdAt: '', decidedAt: null,
});

describe('codex-admin-console', () => {
  it('shows pending approvals, plugin requests, alerts and the journal', async () => {
    const view = await mount('codex-admin-console', {
      adapter: createFakeAdapter({
        listApprovals: async () => [approval('a1'), approval('a2', 'approved')],
        listPluginRequests: async () => [{ id: 'r1', kind: 'new-plugin', title: 'CSV charts', description: 'Charts from CSV', pluginId: null, targetId: null, status: 'open', requestedBy: 'bob', decidedBy: null, reason: null, createdAt: '2026-01-01T00:00:00Z', updatedAt: '' }],
        listAlerts: async () => [{ id: 'x1', kind: 'plugin-unhealthy', severity: 'error', message: 'flaky-greeter failed its health check', status: 'open', createdAt: '2026-01-01T00:00:00Z' }],
        listEvents: async () => ({ items: [{ seq: 1, ts: '2026-01-01T00:00:00Z', actor: 'system', type: 'plugin.published', subject: '@codex/text-stats', payload: {}, hash: 'abcdef0123456789' }], nextAfter: 1, hasMore: false, head: 1 }),
      }),
    });
    expect($$(view, '.approvals tbody tr')).toHaveLength(1);
    expect(textOf($(view, '#approvals-title'))).toBe('Approval queue 1');
    expect(textOf($(view, '.requests tbody'))).toContain('CSV charts');
    expect(textOf($(view, '.alerts tbody'))).toContain('flaky-greeter failed its health check');
    expect(textOf($(view, '.journal tbody'))).toContain('plugin.published');
    expect(textOf($(view, '.journal tbody'))).toContain('abcdef012345');
  });

  it('approves with the typed reason and reloads the queue', async () => {
    let pending = [approval('a1')];
    const adapter = createFakeAdapter({
      listApprovals: async () => pending,
      decideApproval: async (id, decision, reason) => {
        pending = [];
        return { approval: { ...approval(id, decision === 'approve' ? 'approved' : 'rejected'), reason }, versionStatus: 'active' };
      },
    });
    const view = await mount('codex-admin-console', { adapter });
    $<HTMLInputElement>(view, 'input.reason').value = 'reviewed the code';
    $(view, 'button.approve').click();
    await settle(view);
    expect(adapter.calls.find((call) => call.method === 'decideApproval')?.args).toEqual(['a1', 'approve', 'reviewed the code']);
    expect(textOf($(view, '.approvals'))).toContain('Nothing waits for approval.');
  });

  it('acknowledges and resolves alerts', async () => {
    let status = 'open';
    const adapter = createFakeAdapter({
      listAlerts: async () => (status === 'resolved' ? [] : [{ id: 'x1', kind: 'k', severity: 'warning', message: 'disk', status, createdAt: '' }]),
      updateAlert: async (_id, action) => { status = action === 'acknowledge' ? 'acknowledged' : 'resolved'; },
    });
    const view = await mount('codex-admin-console', { adapter });
    $(view, 'button.acknowledge').click();
    await settle(view);
    expect(textOf($(view, '.alerts td.status'))).toBe('acknowledged');
    expect($$(view, 'button.acknowledge')).toHaveLength(0);
    $(view, 'button.resolve').click();
    await settle(view);
    expect(textOf($(view, '.alerts'))).toContain('No unresolved alerts.');
  });

  it('keeps the other sections when one endpoint is missing or fails', async () => {
    const view = await mount('codex-admin-console', {
      adapter: createFakeAdapter({
        listApprovals: async () => { throw routeNotFound(); },
        listAlerts: async () => { throw new AdapterError(403, 'CODEX_ERR_FORBIDDEN', 'allowed for super-admin'); },
      }),
    });
    expect(textOf($(view, '.approvals'))).toContain('This registry does not offer approvals.');
    expect(textOf($(view, '.alerts [role=alert]'))).toContain('allowed for super-admin');
    expect(textOf($(view, '.requests'))).toContain('No plugin requests.');
  });
});
