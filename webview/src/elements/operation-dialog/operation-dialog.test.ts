// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../adapters/marketplace-adapter';
import { createFakeAdapter, operation, plan } from '../../test-support/fake-adapter';
import { $, $$, mount, settle, textOf } from '../../test-support/render';
import type { OperationFinishedDetail } from './operation-dialog';
import './operation-dialog';

afterEach(() => { document.body.innerHTML = ''; });

const request = { kind: 'install' as const, pluginId: '@codex/text-stats', target: 'default', version: '1.0.0' };

describe('codex-operation-dialog', () => {
  it('computes the plan with a dry run and shows dependencies, permission changes, migrations and dependents', async () => {
    const adapter = createFakeAdapter();
    const dialog = await mount('codex-operation-dialog', { adapter, request });
    expect(adapter.calls[0]).toEqual({ method: 'runOperation', args: ['install', { pluginId: '@codex/text-stats', target: 'default', version: '1.0.0', dryRun: true }] });
    expect(dialog.phase).toBe('confirm');
    expect($(dialog, '[role=dialog]').getAttribute('aria-modal')).toBe('true');
    expect(textOf($(dialog, '.dependencies'))).toBe('@codex/text-summary 1.0.0');
    expect(textOf($(dialog, '.permissions'))).toBe('@codex/text-stats: + network:api.example.com');
    expect(textOf($(dialog, '.migrations'))).toBe('@codex/text-stats: up 1 create-notes');
    expect(textOf(dialog)).toContain('No installed plugin depends on it.');
    expect(textOf(dialog)).toContain('Version: not installed → 1.0.0');
  });

  it('runs the operation on confirm and reports it finished', async () => {
    const adapter = createFakeAdapter();
    const dialog = await mount('codex-operation-dialog', { adapter, request });
    const finished: OperationFinishedDetail[] = [];
    dialog.addEventListener('codex-operation-finished', (event) => finished.push(event.detail));
    $(dialog, 'button.confirm').click();
    await settle(dialog);
    expect(adapter.calls[1]).toEqual({ method: 'runOperation', args: ['install', { pluginId: '@codex/text-stats', target: 'default', version: '1.0.0' }] });
    expect(dialog.phase).toBe('done');
    expect(textOf($(dialog, '[role=status]'))).toBe('Install succeeded');
    expect(textOf($(dialog, '.diff-log'))).toBe('@codex/text-stats version: none → 1.0.0');
    expect(finished).toHaveLength(1);
    expect(finished[0]!.result.operation?.id).toBe('op-1');
  });

  it('polls the operation until it is final', async () => {
    let polls = 0;
    const adapter = createFakeAdapter({
      runOperation: async (kind, body) => ({ dryRun: !!body.dryRun, noop: false, plan: plan({ kind }), operation: body.dryRun ? null : operation({ status: 'running' }), installation: null }),
      getOperation: async (id) => operation({ id, status: ++polls < 3 ? 'running' : 'succeeded' }),
    });
    const dialog = await mount('codex-operation-dialog', { adapter, request, pollIntervalMs: 1 });
    await dialog.confirm();
    expect(polls).toBe(3);
    expect(dialog.phase).toBe('done');
  });

  it('lists dependents and removals of a remove plan', async () => {
    const adapter = createFakeAdapter({
      runOperation: async () => ({ dryRun: true, noop: false, operation: null, installation: null,
        plan: plan({ kind: 'remove', fromVersion: '1.0.0', toVersion: null, install: [], migrations: [], permissions: [], dependentsAffected: ['@acme/uses-stats'],
          remove: [{ pluginId: '@codex/text-stats', version: '1.0.0', dataSchema: 'p', reason: 'requested' }] }) }),
    });
    const dialog = await mount('codex-operation-dialog', { adapter, request: { kind: 'remove', pluginId: '@codex/text-stats', target: 'default' } });
    expect(textOf($(dialog, '.dependents'))).toBe('@acme/uses-stats');
    expect(textOf($(dialog, '.removals'))).toBe('@codex/text-stats 1.0.0 (requested)');
    expect(textOf($(dialog, 'button.confirm'))).toBe('Confirm remove');
  });

  it('shows the registry error of a refused plan and closes on Escape', async () => {
    const adapter = createFakeAdapter({ runOperation: async () => { throw new AdapterError(409, 'CODEX_ERR_CONFLICT', 'no version of @codex/x satisfies ^9'); } });
    const dialog = await mount('codex-operation-dialog', { adapter, request });
    expect(dialog.phase).toBe('error');
    expect(textOf($(dialog, '[role=alert]'))).toBe('no version of @codex/x satisfies ^9');
    expect($$(dialog, 'button.confirm')).toHaveLength(0);
    let closed = 0;
    dialog.addEventListener('codex-dialog-closed', () => closed++);
    dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(closed).toBe(1);
  });
});
