// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { RunSnapshot } from '../../adapters/marketplace-adapter';
import { createFakeAdapter } from '../../test-support/fake-adapter';
import { $, $$, cells, mount, settle, textOf } from '../../test-support/render';
import { acceptanceRate, diffSnapshots, filterLogs, SNAPSHOT_LIMIT } from './debug-dashboard';
import './debug-dashboard';

afterEach(() => { document.body.innerHTML = ''; });

const snapshot = (id: string, overrides: Partial<RunSnapshot> = {}): RunSnapshot => ({
  id, pluginId: '@codex/flaky-greeter', version: '1.1.0', startedAt: `2026-01-01T00:00:0${id}Z`, status: 'ok', input: { name: 'Ada' }, output: { greeting: 'Hello Ada' },
  logs: [{ level: 'info', message: `run ${id} started`, at: `2026-01-01T00:00:0${id}Z` }], ...overrides,
});

const working = () => createFakeAdapter({
  listSnapshots: async () => Array.from({ length: 12 }, (_, i) => snapshot(String(i % 10), i === 0 ? { status: 'error', error: 'TypeError: name is undefined', output: null } : {})),
  debugStats: async () => ({ rules: [{ rule: 'null-check', accepted: 3, rejected: 1 }] }),
  startDebug: async (pluginId) => ({ id: 's1', pluginId, status: 'done', suggestions: [{ id: 'f1', rule: 'null-check', reason: 'name may be undefined', diff: '--- a/index.js\n+++ b/index.js\n@@ -1 +1 @@\n-greet(name)\n+greet(name ?? "friend")', status: 'proposed' }] }),
  decideFix: async (_s, fixId, action) => ({ id: fixId, rule: 'null-check', reason: 'name may be undefined', diff: '', status: action === 'apply' ? 'applied' : 'rolled-back' }),
});

describe('debug dashboard logic', () => {
  it('filters logs by level and text, newest first, including run errors', () => {
    const snapshots = [snapshot('1'), snapshot('2', { error: 'boom' })];
    expect(filterLogs(snapshots, '', '').map((line) => line.message)).toEqual(['run 2 started', 'boom', 'run 1 started']);
    expect(filterLogs(snapshots, 'error', '').map((line) => line.message)).toEqual(['boom']);
    expect(filterLogs(snapshots, '', 'RUN 1').map((line) => line.message)).toEqual(['run 1 started']);
  });

  it('diffs two snapshots as a unified diff', () => {
    const patch = diffSnapshots(snapshot('1'), snapshot('2', { output: { greeting: 'Hi Ada' } }));
    expect(patch).toContain('-    "greeting": "Hello Ada"');
    expect(patch).toContain('+    "greeting": "Hi Ada"');
  });

  it.each([[{ accepted: 3, rejected: 1 }, 0.75], [{ accepted: 0, rejected: 0 }, 0], [{ accepted: 0, rejected: 2 }, 0]])('acceptance rate of %o is %s', (rule, rate) => {
    expect(acceptanceRate(rule)).toBe(rate);
  });
});

describe('codex-debug-dashboard', () => {
  it('says the debug engine is not available when the endpoints 404', async () => {
    const view = await mount('codex-debug-dashboard', { adapter: createFakeAdapter(), pluginId: '@codex/flaky-greeter' });
    expect(view.state).toBe('unavailable');
    expect(textOf($(view, '.unavailable'))).toContain('Debug engine not available on this registry');
  });

  it('loads the rule statistics without a plugin', async () => {
    const view = await mount('codex-debug-dashboard', { adapter: working() });
    expect(view.state).toBe('ready');
    expect(textOf(view)).toContain('Choose a plugin to see its logs.');
    expect(cells(view, 'table.rules tbody')).toEqual(['null-check', '3', '1', '75%']);
  });

  it('shows the last ten runs, logs with filters, a run diff and rule acceptance', async () => {
    const view = await mount('codex-debug-dashboard', { adapter: working(), pluginId: '@codex/flaky-greeter' });
    expect(view.state).toBe('ready');
    expect($$(view, 'table.snapshots tbody tr')).toHaveLength(SNAPSHOT_LIMIT);
    expect(textOf($(view, '.log-count'))).toBe('11 lines');
    const level = $<HTMLSelectElement>(view, 'select[aria-label="Log level"]');
    level.value = 'error';
    level.dispatchEvent(new Event('change'));
    await settle(view);
    expect(textOf($(view, 'table.logs tbody'))).toContain('TypeError: name is undefined');
    expect(textOf($(view, '.log-count'))).toBe('1 lines');
    expect($$(view, '.patch .diff-add').length).toBeGreaterThan(0);
    expect(cells(view, 'table.rules tbody')).toEqual(['null-check', '3', '1', '75%']);
  });

  it('suggests a fix with its diff and reason, then applies and rolls it back', async () => {
    const adapter = working();
    const view = await mount('codex-debug-dashboard', { adapter, pluginId: '@codex/flaky-greeter' });
    $(view, 'button.suggest').click();
    await settle(view);
    expect(textOf($(view, '.fix'))).toContain('null-check — name may be undefined');
    expect(textOf($(view, '.fix .diff-add'))).toBe('+greet(name ?? "friend")');
    $$(view, '.fix button')[0]!.click();
    await settle(view);
    expect($(view, '.fix').dataset.status).toBe('applied');
    $$(view, '.fix button')[1]!.click();
    await settle(view);
    expect($(view, '.fix').dataset.status).toBe('rolled-back');
    expect(adapter.calls.filter((call) => call.method === 'decideFix').map((call) => call.args[2])).toEqual(['apply', 'rollback']);
  });
});
