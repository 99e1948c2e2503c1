// The marketplace with 10,000 plugins in the registry, in headless Chromium: the first page shows
// quickly, pages load by cursor as the user scrolls or presses "Load more", only loaded plugins are
// in the DOM, and search finds one plugin among all of them.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPluginVersions } from '../support/marketplace-fixtures';
import { ARTIFACTS, startConsoleHarness, type ConsoleHarness } from './console-harness';

const PLUGINS = 10_000;
const PAGE = 30;
let harness: ConsoleHarness;

beforeAll(async () => {
  harness = await startConsoleHarness();
  const db = harness.registry.app.registryServices.database.db;
  // One real fixture gives the namespace and the artifact; the other 9,999 copy its version row.
  await insertPluginVersions(db, [{ id: '@scale/plugin-00000', version: '1.0.0' }]);
  await db.query(`
    INSERT INTO plugins (id, namespace, name, normalized_name, kind, title, description, tags, created_by, latest_version, installs_count)
    SELECT '@scale/plugin-' || lpad(n::text, 5, '0'), '@scale', 'plugin-' || lpad(n::text, 5, '0'), 'scaleplugin' || lpad(n::text, 5, '0'),
           (ARRAY['tool', 'micro-app', 'data-source', 'visual-block'])[1 + n % 4], 'Scale plugin ' || n, 'Generated plugin number ' || n || ' for the scale test.',
           ARRAY['scale', 'group-' || (n % 10)], 'fixture', '1.0.0', n % 500
    FROM generate_series(1, ${PLUGINS - 1}) AS n`);
  await db.query(`
    INSERT INTO plugin_versions (plugin_id, version, major, minor, patch, prerelease, manifest, tools, permissions, dependencies, migrations, integrity, content_hash, signature, signing_key_id, status, published_by)
    SELECT p.id, v.version, v.major, v.minor, v.patch, v.prerelease, v.manifest, v.tools, v.permissions, v.dependencies, v.migrations, v.integrity, v.content_hash, v.signature, v.signing_key_id, v.status, v.published_by
    FROM plugins p CROSS JOIN plugin_versions v
    WHERE p.namespace = '@scale' AND p.id <> '@scale/plugin-00000' AND v.plugin_id = '@scale/plugin-00000'`);
}, 240_000);

afterAll(async () => {
  await harness?.close();
});

describe('marketplace with 10,000 plugins', () => {
  it('pages by cursor, renders only what is loaded, and searches all of them', async () => {
    const { page } = await harness.signIn('super-admin', 'admin');
    const cards = page.locator('codex-plugin-card');
    const started = Date.now();
    await page.reload();
    await expect.poll(() => cards.count()).toBe(PAGE);
    const firstPageMs = Date.now() - started;
    await page.getByLabel('Publisher').selectOption('third-party');
    await expect.poll(() => page.getByRole('listitem').evaluateAll((items) => items.every((item) => item.getAttribute('aria-label')?.includes('@scale/')))).toBe(true);
    expect(await cards.count()).toBe(PAGE);
    expect(await page.locator('.summary').textContent()).toBe(`${PAGE}+ plugins`);

    // Scrolling to the end loads the next page (infinite scroll), and so does "Load more".
    await page.locator('button.load-more').scrollIntoViewIfNeeded();
    await expect.poll(() => cards.count()).toBe(2 * PAGE);
    const before = Date.now();
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => cards.count()).toBeGreaterThanOrEqual(3 * PAGE);
    const nextPageMs = Date.now() - before;
    const ids = await page.getByRole('listitem').evaluateAll((items) => items.map((item) => item.getAttribute('aria-label')));
    expect(new Set(ids).size).toBe(ids.length);

    // Search as you type finds one plugin among ten thousand.
    const searched = Date.now();
    await page.getByRole('searchbox', { name: 'Search plugins' }).fill('plugin-09876');
    await expect.poll(() => page.getByRole('listitem').evaluateAll((items) => items.map((item) => item.getAttribute('aria-label')))).toEqual(['Scale plugin 9876 (@scale/plugin-09876)']);
    const searchMs = Date.now() - searched;
    await page.screenshot({ path: join(ARTIFACTS, 'marketplace-10000.png') });

    console.log(`10,000 plugins: page load to first ${PAGE} cards ${firstPageMs} ms, next page ${nextPageMs} ms, search ${searchMs} ms`);
    expect(firstPageMs).toBeLessThan(5_000);
    expect(nextPageMs).toBeLessThan(3_000);
    expect(searchMs).toBeLessThan(5_000);
    expect(harness.problems.splice(0)).toEqual([]);
  });
});
