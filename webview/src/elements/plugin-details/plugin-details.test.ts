// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../adapters/marketplace-adapter';
import { createFakeAdapter, details } from '../../test-support/fake-adapter';
import { $, $$, cells, mount, settle, textOf } from '../../test-support/render';
import { DETAIL_TABS, permissionLines } from './plugin-details';
import './plugin-details';
import type { CodexCodeView } from '../code-view/code-view';

afterEach(() => { document.body.innerHTML = ''; });

async function openTab(adapter = createFakeAdapter(), tab?: string) {
  const view = await mount('codex-plugin-details', { adapter, pluginId: '@codex/text-stats' });
  if (tab) {
    $(view, `#tab-${tab}`).click();
    await settle(view);
  }
  return view;
}

describe('permissionLines', () => {
  it('says what each permission allows', () => {
    expect(permissionLines({ network: ['api.example.com'], storage: true, secrets: ['API_KEY'], core: ['core:events'] })).toEqual([
      'Network access to api.example.com', 'Stores data (key/value storage)', 'Reads the secret API_KEY', 'Core hook core:events',
    ]);
    expect(permissionLines({})).toEqual([]);
  });
});

describe('codex-plugin-details', () => {
  it('shows the header and renders the README as Markdown without interpreting HTML', async () => {
    const view = await openTab();
    expect(textOf($(view, 'h1'))).toContain('Text statistics');
    expect(textOf($(view, 'header'))).toContain('version 1.1.0 (active)');
    const readme = $(view, '.readme');
    expect($(readme, 'h1').textContent).toBe('Text stats');
    expect($(readme, 'strong').textContent).toBe('words');
    expect($$(readme, 'script')).toHaveLength(0);
    expect(readme.textContent).toContain('<script>alert(1)</script>');
  });

  it('has a tab list that the arrow keys move through', async () => {
    const view = await openTab();
    const tabs = $$(view, '[role=tab]');
    expect(tabs.map((tab) => tab.id)).toEqual(DETAIL_TABS.map((tab) => `tab-${tab}`));
    expect(tabs[0]!.getAttribute('aria-selected')).toBe('true');
    $(view, '[role=tablist]').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    await settle(view);
    expect(view.tab).toBe('permissions');
    expect($(view, '[role=tabpanel]').dataset.tab).toBe('permissions');
    $(view, '[role=tablist]').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    $(view, '[role=tablist]').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    await settle(view);
    expect(view.tab).toBe('try');
  });

  it('lists permissions, tools with their input schema, and dependencies', async () => {
    const view = await openTab(undefined, 'permissions');
    expect($$(view, '.permissions li').map((li) => li.textContent)).toEqual(['Network access to api.example.com', 'Stores data (key/value storage)']);
    $(view, '#tab-features').click();
    await settle(view);
    expect(textOf($(view, '.tool h3'))).toBe('analyze');
    expect($<CodexCodeView>(view, '.tool codex-code-view').code).toContain('"text"');
    $(view, '#tab-dependencies').click();
    await settle(view);
    expect(cells(view, 'tbody')).toEqual(['@codex/text-summary', '^1.0.0']);
  });

  it('compares two versions', async () => {
    const adapter = createFakeAdapter();
    const view = await openTab(adapter, 'versions');
    expect($$(view, 'table.versions tbody tr')).toHaveLength(2);
    $(view, 'button.compare').click();
    await settle(view);
    expect(adapter.calls.find((call) => call.method === 'diffVersions')?.args).toEqual(['@codex/text-stats', '1.0.0', '1.1.0']);
    expect(cells(view, 'table.diff tbody')).toEqual(['tools', '/tools/analyze/description', 'changed', 'old', 'new']);
  });

  it('shows reviews and posts one', async () => {
    const adapter = createFakeAdapter();
    const view = await openTab(adapter, 'reviews');
    expect(textOf($(view, '.review'))).toContain('alice');
    $<HTMLSelectElement>(view, 'select[name=rating]').value = '4';
    $<HTMLTextAreaElement>(view, 'textarea[name=text]').value = 'Useful';
    $<HTMLFormElement>(view, 'form').dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(view);
    expect(adapter.calls.find((call) => call.method === 'writeReview')?.args).toEqual(['@codex/text-stats', { rating: 4, text: 'Useful' }]);
    expect(textOf(view)).toContain('Thanks, your review is saved.');
  });

  it('previews files with highlighting, starting with plugin.json', async () => {
    const adapter = createFakeAdapter();
    const view = await openTab(adapter, 'code');
    expect(adapter.calls.find((call) => call.method === 'readFile')?.args).toEqual(['@codex/text-stats', '1.1.0', 'plugin.json']);
    const code = $(view, 'codex-code-view');
    await settle(code as never);
    expect($$(code, '.tok-keyword').map((token) => token.textContent)).toEqual(['export', 'const']);
  });

  it('says "install and test" is not available when the registry has no try endpoint', async () => {
    const view = await openTab(undefined, 'try');
    $(view, 'button.try').click();
    await settle(view);
    expect(textOf($(view, '.unavailable'))).toContain('not available on this registry');
  });

  it('shows the transcript of install and test', async () => {
    const adapter = createFakeAdapter({ tryPlugin: async (pluginId, version) => ({
      pluginId, version, target: 'try-1', ok: false, plan: {}, durationMs: 41.6,
      healthCheck: { ok: true, probe: 'healthCheck', checkedAt: '', durationMs: 2, logs: [] },
      steps: [
        { tool: 'analyze', description: 'Two sentences', input: {}, expected: {}, output: { words: 7 }, pass: true, logs: [], durationMs: 1 },
        { tool: 'analyze', input: {}, expected: {}, output: null, pass: false, error: { code: 'EXAMPLE_MISMATCH', message: 'words: expected 7, got 6' }, logs: [], durationMs: 1 },
      ],
    }) });
    const view = await openTab(adapter, 'try');
    await view.tryIt();
    await settle(view);
    expect(adapter.calls.find((call) => call.method === 'tryPlugin')?.args).toEqual(['@codex/text-stats', '1.1.0']);
    expect(textOf($(view, '.try-status'))).toBe('Failed: @codex/text-stats 1.1.0 in an ephemeral target, 42 ms');
    expect($$(view, '.transcript li').map((li) => textOf(li))).toEqual(['✓ health check (healthCheck)', '✓ analyze — Two sentences: {"words":7}', '✗ analyze: EXAMPLE_MISMATCH: words: expected 7, got 6']);
  });

  it('offers install, and upgrade / roll back / remove once installed', async () => {
    const installed = { targetId: 'default', pluginId: '@codex/text-stats', version: '1.0.0', lastKnownGoodVersion: '0.9.0', config: {}, grantedPermissions: {}, dataSchema: 'p', asDependency: false, status: 'active', installedBy: 'a', installedAt: '', updatedAt: '' };
    const view = await openTab(createFakeAdapter({ listInstalled: async () => [installed] }));
    expect($$(view, '.actions button').map((b) => textOf(b))).toEqual(['Upgrade to 1.1.0', 'Roll back to 0.9.0', 'Remove']);
    $(view, 'button.rollback').click();
    await settle(view);
    expect(view.dialog).toEqual({ kind: 'rollback', pluginId: '@codex/text-stats', target: 'default', version: '0.9.0' });
  });

  it('previews a visual block in a sandboxed frame', async () => {
    const adapter = createFakeAdapter({ getPlugin: async () => details({ kind: 'visual-block', manifest: { ui: { entry: 'ui/spark.js', element: 'codex-spark', height: 80 } } }) });
    const view = await mount('codex-plugin-details', { adapter, pluginId: '@codex/spark', previewUrl: '/console/preview.html' });
    await settle(view);
    const preview = $(view, 'codex-ui-preview');
    expect(preview.code).toContain('ui/spark.js');
    expect(preview.element).toBe('codex-spark');
  });

  it('shows an error with retry when the plugin cannot be loaded', async () => {
    const view = await mount('codex-plugin-details', { adapter: createFakeAdapter({ getPlugin: async () => { throw new AdapterError(404, 'CODEX_ERR_PLUGIN_NOT_FOUND', 'there is no plugin @x/y'); } }), pluginId: '@x/y' });
    expect(textOf($(view, '[role=alert]'))).toContain('there is no plugin @x/y');
  });
});
