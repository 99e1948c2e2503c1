// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterError, type PluginListQuery } from '../../adapters/marketplace-adapter';
import { createFakeAdapter, listItem } from '../../test-support/fake-adapter';
import { $, $$, mount, settle, textOf } from '../../test-support/render';
import { PAGE_SIZE } from './marketplace-view';
import './marketplace-view';

afterEach(() => { document.body.innerHTML = ''; });

const queries = (adapter: ReturnType<typeof createFakeAdapter>) => adapter.calls.filter((c) => c.method === 'listPlugins').map((c) => c.args[0] as PluginListQuery);
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('codex-marketplace-view', () => {
  it('loads the most installed plugins first and shows one card each with install state', async () => {
    const adapter = createFakeAdapter({
      listPlugins: async () => ({ items: [listItem(), listItem({ id: '@acme/weather', title: 'Weather', tier: 'third-party', version: '2.0.0' })], nextCursor: null }),
      listInstalled: async () => [{ targetId: 'default', pluginId: '@acme/weather', version: '1.0.0', lastKnownGoodVersion: null, config: {}, grantedPermissions: {}, dataSchema: 'p', asDependency: false, status: 'active', installedBy: 'a', installedAt: '', updatedAt: '' }],
    });
    const view = await mount('codex-marketplace-view', { adapter });
    expect(queries(adapter)[0]).toEqual({ sort: 'installs', limit: PAGE_SIZE });
    const cards = $$(view, 'codex-plugin-card');
    expect(cards).toHaveLength(2);
    expect(cards[1]!.installation?.version).toBe('1.0.0');
    expect(cards[1]!.updateAvailable).toBe(true);
    expect(textOf($(view, '.summary'))).toBe('2 plugins');
  });

  it('debounces search as you type into one query with relevance order', async () => {
    const adapter = createFakeAdapter();
    const view = await mount('codex-marketplace-view', { adapter, debounceMs: 20 });
    const input = $<HTMLInputElement>(view, 'input.search');
    for (const text of ['w', 'we', 'wea']) {
      input.value = text;
      input.dispatchEvent(new Event('input'));
    }
    await wait(60);
    await settle(view);
    expect(queries(adapter).slice(1)).toEqual([{ q: 'wea', sort: 'relevance', limit: PAGE_SIZE }]);
  });

  it('sends the filters: kind, publisher, recommended, trending and tag', async () => {
    const adapter = createFakeAdapter();
    const view = await mount('codex-marketplace-view', { adapter });
    const select = (label: string, value: string) => {
      const element = $<HTMLSelectElement>(view, `select[aria-label="${label}"]`);
      element.value = value;
      element.dispatchEvent(new Event('change'));
    };
    select('Kind', 'visual-block');
    select('Publisher', 'official');
    const [recommended, trending] = $$<HTMLInputElement>(view, 'input[type=checkbox]');
    recommended!.checked = true;
    recommended!.dispatchEvent(new Event('change'));
    trending!.checked = true;
    trending!.dispatchEvent(new Event('change'));
    const tag = $<HTMLInputElement>(view, 'input.tag');
    tag.value = '#Chart';
    tag.dispatchEvent(new Event('change'));
    await settle(view);
    expect(queries(adapter).at(-1)).toEqual({ kind: 'visual-block', tier: 'official', recommended: true, tag: 'chart', sort: 'trending', limit: PAGE_SIZE });
  });

  it('pages with the cursor: "Load more" appends the next page and disappears at the end', async () => {
    const adapter = createFakeAdapter({
      listPlugins: async (query) => query.cursor
        ? { items: [listItem({ id: '@a/p2', title: 'Second' })], nextCursor: null }
        : { items: [listItem({ id: '@a/p1', title: 'First' })], nextCursor: 'c1' },
    });
    const view = await mount('codex-marketplace-view', { adapter });
    expect(textOf($(view, '.summary'))).toBe('1+ plugins');
    $(view, 'button.load-more').click();
    await settle(view);
    expect(queries(adapter).at(-1)?.cursor).toBe('c1');
    expect($$(view, 'codex-plugin-card').map((card) => card.plugin?.title)).toEqual(['First', 'Second']);
    expect($$(view, 'button.load-more')).toHaveLength(0);
  });

  it('drops the answer of an older search that arrives late', async () => {
    let release: () => void = () => undefined;
    const adapter = createFakeAdapter({
      listPlugins: async (query) => {
        if (query.q === 'slow') await new Promise<void>((resolve) => { release = resolve; });
        return { items: [listItem({ id: `@a/${query.q ?? 'all'}`, title: query.q ?? 'all' })], nextCursor: null };
      },
    });
    const view = await mount('codex-marketplace-view', { adapter });
    view.query = 'slow';
    const slow = view.search();
    view.query = 'fast';
    await view.search();
    release();
    await slow;
    await settle(view);
    expect($$(view, 'codex-plugin-card').map((card) => card.plugin?.title)).toEqual(['fast']);
  });

  it('shows an empty state and an error state with retry', async () => {
    let fail = true;
    const adapter = createFakeAdapter({
      listPlugins: async () => {
        if (fail) throw new AdapterError(0, 'CODEX_ERR_UNREACHABLE', 'the registry cannot be reached');
        return { items: [], nextCursor: null };
      },
    });
    const view = await mount('codex-marketplace-view', { adapter });
    expect(textOf($(view, '[role=alert]'))).toContain('Could not load plugins: the registry cannot be reached');
    fail = false;
    $(view, '[role=alert] button').click();
    await settle(view);
    expect(textOf($(view, '.empty'))).toBe('No plugins match.');
  });

  it('opens the operation dialog for a card action with the target and version', async () => {
    const adapter = createFakeAdapter();
    const view = await mount('codex-marketplace-view', { adapter });
    const card = $(view, 'codex-plugin-card');
    card.shadowRoot!.querySelector('button')!.click();
    await settle(view);
    expect(view.dialog).toEqual({ kind: 'install', pluginId: '@codex/text-stats', target: 'default', version: '1.0.0' });
    const dialog = $(view, 'codex-operation-dialog');
    await settle(view);
    expect(textOf(dialog)).toContain('Install @codex/text-stats 1.0.0');
  });

  it('opens the request form', async () => {
    const view = await mount('codex-marketplace-view', { adapter: createFakeAdapter() });
    $(view, 'button.request').click();
    await settle(view);
    expect($$(view, 'codex-request-form')).toHaveLength(1);
  });
});
