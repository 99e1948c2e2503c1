// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../adapters/marketplace-adapter';
import { createFakeAdapter, debugSession, debugStats, fixSuggestion, snapshot } from '../../test-support/fake-adapter';
import { $, $$, cells, mount, settle, textOf } from '../../test-support/render';
import { filterLogs, percent, SNAPSHOT_LIMIT } from './debug-dashboard';
import './debug-dashboard';

afterEach(() => { document.body.innerHTML = ''; });

function working(overrides: Parameters<typeof createFakeAdapter>[0] = {}) {
  let polls = 0;
  return createFakeAdapter({
    listSnapshots: async () => Array.from({ length: 12 }, (_, i) => snapshot(String(i % 10), i === 0 ? { status: 'error', error: 'TypeError: name is undefined', output: null } : {})),
    diffSnapshots: async (from, to) => ({
      from: { id: from, version: '1.0.0', status: 'ok', whole: true }, to: { id: to, version: '1.1.0', status: 'error', whole: true },
      findings: { added: ['codex/no-floating-promise index.js:7'], removed: [] }, runs: [{ run: 'health-check', from: 'ok', to: 'PLUGIN_ERROR' }],
      outputs: [{ run: 'example 1', from: { greeting: 'Hello' }, to: { greeting: 'Hello!!!' } }], durations: { fromMs: 10, toMs: 12, deltaMs: 2 }, drift: { from: 0, to: 0 }, partial: false,
    }),
    debugStats: async () => debugStats(),
    startDebug: async () => debugSession({ status: 'running', result: null }),
    getDebugSession: async () => (++polls < 2 ? debugSession({ status: 'running', result: null }) : debugSession()),
    suggestFix: async () => fixSuggestion(),
    decideFix: async (_s, fixId, action) => (action === 'retry' ? fixSuggestion({ id: 'f2' }) : fixSuggestion({ id: fixId, status: action === 'apply' ? 'published' : 'reverted', publishedVersion: action === 'apply' ? '1.1.1' : null })),
    ...overrides,
  });
}

describe('debug dashboard logic', () => {
  it('filters logs by level and text, newest first, including run errors', () => {
    const snapshots = [snapshot('1'), snapshot('2', { error: 'boom' })];
    expect(filterLogs(snapshots, '', '').map((line) => line.message)).toEqual(['run 2 started', 'boom', 'run 1 started']);
    expect(filterLogs(snapshots, 'error', '').map((line) => line.message)).toEqual(['boom']);
    expect(filterLogs(snapshots, '', 'RUN 1').map((line) => line.message)).toEqual(['run 1 started']);
  });

  it.each([[0.75, '75%'], [0, '0%'], [1 / 3, '33%']])('rate %s is %s', (rate, text) => {
    expect(percent(rate)).toBe(text);
  });
});

describe('codex-debug-dashboard', () => {
  it('says the debug engine is not available when the endpoints 404', async () => {
    const view = await mount('codex-debug-dashboard', { adapter: createFakeAdapter(), pluginId: '@codex/flaky-greeter' });
    expect(view.state).toBe('unavailable');
    expect(textOf($(view, '.unavailable'))).toContain('Debug engine not available on this registry');
  });

  it('shows a coded error with retry for other failures', async () => {
    const view = await mount('codex-debug-dashboard', { adapter: createFakeAdapter({ debugStats: async () => { throw new AdapterError(403, 'CODEX_ERR_FORBIDDEN', 'allowed for super-admin'); } }) });
    expect(textOf($(view, '[role=alert]'))).toContain('allowed for super-admin');
  });

  it('loads the rule statistics without a plugin', async () => {
    const view = await mount('codex-debug-dashboard', { adapter: working() });
    expect(view.state).toBe('ready');
    expect(textOf(view)).toContain('Choose a plugin to see its logs.');
    expect(cells(view, 'table.rules tbody')).toEqual(['codex/no-floating-promise', '4', '3', '1', '0', '75%']);
    expect(textOf($(view, '.sessions'))).toBe('5 sessions: 3 passed, 2 failed, 0 could not run.');
  });

  it('shows the last ten runs, logs with filters, and the diff between two runs', async () => {
    const adapter = working();
    const view = await mount('codex-debug-dashboard', { adapter, pluginId: '@codex/flaky-greeter' });
    expect($$(view, 'table.snapshots tbody tr')).toHaveLength(SNAPSHOT_LIMIT);
    expect(textOf($(view, '.log-count'))).toBe('11 lines');
    const level = $<HTMLSelectElement>(view, 'select[aria-label="Log level"]');
    level.value = 'error';
    level.dispatchEvent(new Event('change'));
    await settle(view);
    expect(textOf($(view, 'table.logs tbody'))).toContain('TypeError: name is undefined');
    $(view, 'button.compare').click();
    await settle(view);
    expect(adapter.calls.find((call) => call.method === 'diffSnapshots')?.args).toEqual(['1', '0']);
    expect(textOf($(view, '.finding-changes'))).toBe('+ codex/no-floating-promise index.js:7');
    expect(cells(view, 'table.run-changes tbody')).toEqual(['health-check', 'ok', 'PLUGIN_ERROR']);
  });

  it('debugs now: follows the session to its verdict, findings and failing runs', async () => {
    const view = await mount('codex-debug-dashboard', { adapter: working(), pluginId: '@codex/flaky-greeter', pollIntervalMs: 1 });
    await view.debugNow();
    await settle(view);
    expect($(view, '.session [data-status]').textContent).toBe('failed');
    expect(textOf($(view, '.verdict'))).toBe('failed: the health check threw PLUGIN_ERROR');
    expect(cells(view, 'table.findings tbody').slice(0, 4)).toEqual(['codex/no-floating-promise', 'warning', 'index.js:7', 'a promise is neither awaited nor returned']);
    expect(textOf($(view, '.failing-runs'))).toContain('health check (healthCheck): PLUGIN_ERROR — template store unreachable');
  });

  it('suggests a fix with its diff and reason, applies it as a patch version, rolls it back and retries', async () => {
    const adapter = working();
    const view = await mount('codex-debug-dashboard', { adapter, pluginId: '@codex/flaky-greeter', pollIntervalMs: 1 });
    await view.debugNow();
    await settle(view);
    $(view, 'button.suggest').click();
    await settle(view);
    expect(adapter.calls.find((call) => call.method === 'suggestFix')?.args).toEqual(['s1', { findingIndex: 0 }]);
    expect(textOf($(view, '.fix'))).toContain('the health check throws; return a healthy probe');
    expect(textOf($(view, '.fix .diff-add'))).toBe('+return { ok: true }');
    $(view, '.fix button.apply').click();
    await settle(view);
    expect($(view, '.fix').dataset.status).toBe('published');
    expect(textOf($(view, '.fix'))).toContain('published 1.1.1');
    $(view, '.fix button.rollback').click();
    await settle(view);
    expect($(view, '.fix').dataset.status).toBe('reverted');
    $(view, '.fix button.retry').click();
    await settle(view);
    expect($$(view, '.fix')).toHaveLength(2);
    expect(adapter.calls.filter((call) => call.method === 'decideFix').map((call) => call.args[2])).toEqual(['apply', 'rollback', 'retry']);
  });

  it('shows why a suggestion could not be made', async () => {
    const view = await mount('codex-debug-dashboard', {
      adapter: working({ suggestFix: async () => { throw new AdapterError(503, 'CODEX_ERR_LLM_UNAVAILABLE', 'no model is configured: set CODEX_LLM_BASE_URL'); } }),
      pluginId: '@codex/flaky-greeter', pollIntervalMs: 1,
    });
    await view.debugNow();
    await view.suggestFix('error');
    await settle(view);
    expect(textOf($(view, '.session [role=alert]'))).toBe('no model is configured: set CODEX_LLM_BASE_URL');
  });
});
