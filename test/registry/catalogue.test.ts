import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginListItem } from '../../protocol/marketplace-api';
import { rawTgz, validEntries } from '../packages/tar-fixtures';
import { startTestRegistry, type TestRegistry } from '../support/test-app';
import { testDatabaseKinds } from '../support/test-databases';
import { publishSynthetic, syntheticCatalogue } from './catalogue-fixtures';

const SORTS = ['relevance', 'trending', 'installs', 'rating', 'updated'] as const;

describe.each(testDatabaseKinds())('catalogue on $name', (kind) => {
  let registry: TestRegistry;
  let dev: Record<string, string>;
  let listedCount = 0;
  const get = (url: string, headers: Record<string, string> = {}) => registry.app.inject({ method: 'GET', url, headers });
  const list = async (query: string): Promise<{ items: PluginListItem[]; nextCursor: string | null }> => {
    const response = await get(`/api/plugins/list?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const ids = async (query: string) => (await list(query)).items.map((item) => item.id).sort();

  beforeAll(async () => {
    registry = await startTestRegistry(kind);
    dev = await registry.as('developer', 'dev-1');
    const catalogue = syntheticCatalogue(60);
    await publishSynthetic(registry.database.db, registry.app.registryServices.signingKey, catalogue, 25);
    const db = registry.database.db;
    // Installs, recommendations and recent installs (trending) as the lifecycle would leave them.
    await db.query("UPDATE plugins SET installs_count = (substring(id from '[0-9]+$')::int * 37) % 50, recommended = (substring(id from '[0-9]+$')::int % 7 = 0) WHERE id LIKE '@bulk/%' OR id LIKE '@codex/synthetic-%'");
    await db.query(`INSERT INTO install_stats (plugin_id, day, installs)
      SELECT id, current_date - ((substring(id from '[0-9]+$')::int) % 30), 1 + (substring(id from '[0-9]+$')::int) % 5 FROM plugins WHERE id LIKE '@bulk/%'`);
    const reviewer = async (user: string) => registry.as('user', user);
    for (const [index, rating] of [[11, 5], [12, 4], [13, 2], [14, 5]] as const) {
      await registry.app.inject({ method: 'POST', url: `/api/plugins/@bulk/plugin-${index}/reviews`, headers: await reviewer('u-1'), payload: { rating } });
    }
    listedCount = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM plugins WHERE latest_version IS NOT NULL')).rows[0]!.n);
  });
  afterAll(async () => {
    await registry.close();
  });

  it('lists active plugins with their catalogue fields', async () => {
    expect(listedCount).toBeGreaterThanOrEqual(60);
    const page = await list('limit=100');
    expect(page.items).toHaveLength(listedCount);
    expect(page.nextCursor).toBeNull();
    expect(page.items.find((item) => item.id === '@bulk/plugin-11')).toMatchObject({
      version: '1.0.0', kind: 'visual-block', tier: 'third-party', title: 'Mail sender 11', tags: ['gamma'], installs: (11 * 37) % 50, rating: 5, ratingCount: 1, recommended: false,
    });
    expect(page.items.find((item) => item.id === '@bulk/plugin-14')!.recommended).toBe(true);
  });

  it('searches the full text, with prefixes as you type, and ranks title matches first', async () => {
    const weather = await ids('q=weather');
    expect(weather).toEqual(expect.arrayContaining(['@bulk/plugin-12', '@bulk/plugin-18', '@codex/synthetic-0']));
    expect(weather.every((id) => Number(id.split('-').at(-1)) % 6 === 0 || id.startsWith('@codex/weather'))).toBe(true);
    expect(await ids('q=weat')).toEqual(weather);
    expect(await ids('q=forecast%20weat')).toEqual(weather.filter((id) => id !== '@codex/weather-lookup'));
    expect(await ids('q=zebracorn')).toEqual(['@codex/synthetic-5']);
    expect(await ids('q=zebr')).toEqual(['@codex/synthetic-5']);
    expect(await ids('q=nothing-like-this-exists')).toEqual([]);
    // Punctuation is not query syntax.
    expect(await ids(`q=${encodeURIComponent("weather & | ! ( ' :*")}`)).toEqual(weather);
  });

  it('filters by kind, tier, tag and recommended', async () => {
    const byKind = await list('kind=visual-block&limit=100');
    expect(byKind.items.length).toBeGreaterThan(0);
    expect(byKind.items.every((item) => item.kind === 'visual-block')).toBe(true);
    const official = await list('tier=official&limit=100');
    expect(official.items.every((item) => item.tier === 'official')).toBe(true);
    expect(official.items.map((item) => item.id)).toEqual(expect.arrayContaining(['@codex/synthetic-0', '@codex/text-stats']));
    const featured = await ids('tag=featured&limit=100');
    expect(featured).toEqual(['@bulk/plugin-10', '@bulk/plugin-20', '@bulk/plugin-30', '@bulk/plugin-40', '@bulk/plugin-50', '@codex/synthetic-0']);
    const recommended = await ids('recommended=true&limit=100');
    expect(recommended).toEqual(['@bulk/plugin-14', '@bulk/plugin-21', '@bulk/plugin-28', '@bulk/plugin-35', '@bulk/plugin-42', '@bulk/plugin-49', '@bulk/plugin-56', '@bulk/plugin-7', '@codex/synthetic-0']);
    expect(await ids('q=weather&tier=third-party&tag=alpha&kind=tool')).toEqual(['@bulk/plugin-12', '@bulk/plugin-24', '@bulk/plugin-36', '@bulk/plugin-48']);
  });

  it.each(SORTS)('walks every page sorted by %s with no duplicates or gaps', async (sort) => {
    const full = (await list(`sort=${sort}&limit=100`)).items.map((item) => item.id);
    expect(full).toHaveLength(listedCount);
    const walked: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: PluginListItem[]; nextCursor: string | null } = await list(`sort=${sort}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      walked.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(walked).toEqual(full);
    expect(new Set(walked).size).toBe(walked.length);
  });

  it('orders by each sort key', async () => {
    const items = (await list('sort=installs&limit=100')).items;
    expect(items.map((item) => item.installs)).toEqual([...items.map((item) => item.installs)].sort((a, b) => b - a));
    const rated = (await list('sort=rating&limit=4')).items;
    expect(rated.map((item) => item.id)).toEqual(['@bulk/plugin-11', '@bulk/plugin-14', '@bulk/plugin-12', '@bulk/plugin-13']);
    const trending = (await list('sort=trending&limit=100')).items;
    expect(trending.map((item) => item.trending)).toEqual([...trending.map((item) => item.trending)].sort((a, b) => b - a));
    // Installed one per day for the last week beats five installs a month ago.
    expect(trending[0]!.trending).toBeGreaterThan(0);
    const relevance = (await list('sort=relevance&limit=100')).items;
    expect(relevance.findIndex((item) => item.tier === 'official')).toBe(0);
    // Equal text match and no installs: the official (and recommended) plugin ranks first.
    await registry.database.db.query("UPDATE plugins SET installs_count = 0 WHERE id IN ('@bulk/plugin-6', '@codex/synthetic-0')");
    const searched = (await list('q=weather&limit=100')).items.map((item) => item.id);
    expect(searched.indexOf('@codex/synthetic-0')).toBeLessThan(searched.indexOf('@bulk/plugin-6'));
  });

  it('paginates a search and refuses a cursor from another sort or a forged one', async () => {
    const first = await list('q=weather&limit=4');
    expect(first.nextCursor).not.toBeNull();
    const second = await list(`q=weather&limit=4&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.items.map((item) => item.id)).not.toContain(first.items[0]!.id);
    const mismatched = await get(`/api/plugins/list?sort=installs&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(mismatched.statusCode).toBe(400);
    expect(mismatched.json().error.message).toContain('cursor');
    expect((await get('/api/plugins/list?cursor=bm9wZQ')).statusCode).toBe(400);
    expect((await get('/api/plugins/list?sort=newest')).statusCode).toBe(400);
  });

  describe('details, files, diff, reviews and requests', () => {
    const publish = (manifest: Record<string, unknown>, extra: Parameters<typeof validEntries>[0] = []) => registry.app.inject({
      method: 'POST', url: '/api/plugins/publish', headers: { ...dev, 'content-type': 'application/gzip' }, payload: rawTgz(validEntries(extra, manifest)),
    });

    beforeAll(async () => {
      expect((await publish({ id: '@diff/thing', tags: ['one'] }, [{ path: 'package/README.md', body: '# Thing\n\nDoes things.' }, { path: 'package/logo.bin', body: Buffer.from([0, 1, 2, 255]) }])).statusCode).toBe(201);
      expect((await publish({
        id: '@diff/thing', version: '1.1.0', tags: ['one', 'two'], permissions: { network: ['api.example.com'] }, dependencies: { '@codex/text-stats': '^1.0.0' },
        configSchema: { type: 'object', properties: { units: { type: 'string' } } },
        tools: [
          { name: 'hello', description: 'Greets warmly.', inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }, outputSchema: { type: 'object' } },
          { name: 'bye', description: 'Says goodbye.', inputSchema: { type: 'object' }, outputSchema: { type: 'object' } },
        ],
      })).statusCode).toBe(201);
    });

    it('shows a plugin with versions, tools, permissions, dependencies, files and README', async () => {
      const response = await get('/api/plugins/@diff/thing');
      expect(response.statusCode).toBe(200);
      const details = response.json();
      expect(details).toMatchObject({
        id: '@diff/thing', namespace: '@diff', name: 'thing', latestVersion: '1.1.0', tier: 'third-party', createdBy: 'dev-1',
        version: { version: '1.1.0', status: 'active' }, permissions: { network: ['api.example.com'] }, dependencies: { '@codex/text-stats': '^1.0.0' },
        configSchema: { type: 'object' }, readme: null,
      });
      expect(details.versions.map((version: { version: string }) => version.version)).toEqual(['1.1.0', '1.0.0']);
      expect(details.tools.map((tool: { name: string }) => tool.name)).toEqual(['hello', 'bye']);
      const older = (await get('/api/plugins/@diff/thing?version=1.0.0')).json();
      expect(older.readme).toContain('Does things.');
      expect(older.files).toEqual(expect.arrayContaining([{ path: 'README.md', size: 21 }, { path: 'plugin.json', size: expect.any(Number) }]));
      expect((await get('/api/plugins/%40diff%2Fthing')).json().id).toBe('@diff/thing');
      const missing = await get('/api/plugins/@diff/nothing');
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.message).toContain('@diff/nothing');
      expect((await get('/api/plugins/@diff/thing?version=9.9.9')).statusCode).toBe(404);
    });

    it('previews text files, names a missing path and refuses binaries', async () => {
      const file = await get('/api/plugins/@diff/thing/versions/1.0.0/files/index.js');
      expect(file.statusCode).toBe(200);
      expect(file.json().content).toContain('Hello, ');
      const missing = await get('/api/plugins/@diff/thing/versions/1.0.0/files/src/nope.js');
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.message).toContain('src/nope.js');
      expect((await get('/api/plugins/@diff/thing/versions/1.0.0/files/logo.bin')).statusCode).toBe(415);
      expect((await get('/api/plugins/@diff/thing/versions/3.0.0/files/index.js')).statusCode).toBe(404);
    });

    it('diffs two versions by manifest area', async () => {
      const response = await get('/api/plugins/@diff/thing/diff?from=1.0.0&to=1.1.0');
      expect(response.statusCode).toBe(200);
      const { changes } = response.json();
      expect(changes).toEqual(expect.arrayContaining([
        { section: 'manifest', path: '/manifest/tags/two', change: 'added', after: 'two' },
        { section: 'tools', path: '/tools/hello/description', change: 'changed', before: 'Greets.', after: 'Greets warmly.' },
        expect.objectContaining({ section: 'tools', path: '/tools/bye', change: 'added' }),
        { section: 'permissions', path: '/permissions/network', change: 'added', after: ['api.example.com'] },
        { section: 'dependencies', path: '/dependencies/@codex~1text-stats', change: 'added', after: '^1.0.0' },
        expect.objectContaining({ section: 'configSchema', path: '/configSchema', change: 'added' }),
      ]));
      expect(changes.some((change: { path: string }) => change.path.startsWith('/manifest/version'))).toBe(false);
      expect((await get('/api/plugins/@diff/thing/diff?from=1.0.0&to=1.1.0')).json()).toEqual(response.json());
      expect((await get('/api/plugins/@diff/thing/diff?from=1.0.0&to=7.0.0')).statusCode).toBe(404);
    });

    it('keeps one review per user per plugin and the rating in step', async () => {
      const alice = await registry.as('user', 'alice');
      const bob = await registry.as('user', 'bob');
      const post = (headers: Record<string, string>, payload: Record<string, unknown>) => registry.app.inject({ method: 'POST', url: '/api/plugins/@diff/thing/reviews', headers, payload });
      expect((await post(alice, { rating: 2, text: 'meh' })).json()).toMatchObject({ rating: 2, ratingCount: 1, review: { userId: 'alice', rating: 2, text: 'meh' } });
      expect((await post(bob, { rating: 5 })).json()).toMatchObject({ rating: 3.5, ratingCount: 2 });
      const updated = (await post(alice, { rating: 4, text: 'better now' })).json();
      expect(updated).toMatchObject({ rating: 4.5, ratingCount: 2, review: { text: 'better now' } });
      expect((await post(alice, { rating: 6 })).statusCode).toBe(400);
      expect((await registry.app.inject({ method: 'POST', url: '/api/plugins/@diff/thing/reviews', payload: { rating: 3 } })).statusCode).toBe(401);
      const details = (await get('/api/plugins/@diff/thing')).json();
      expect(details.reviews).toHaveLength(2);
      expect(details.rating).toBe(4.5);
    });

    it('records plugin requests and lists them', async () => {
      const user = await registry.as('user', 'carol');
      const created = await registry.app.inject({ method: 'POST', url: '/api/plugin-requests', headers: user, payload: { kind: 'new-plugin', title: 'A calendar plugin', description: 'Please.' } });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ kind: 'new-plugin', title: 'A calendar plugin', status: 'open', requestedBy: 'carol' });
      const install = await registry.app.inject({ method: 'POST', url: '/api/plugin-requests', headers: user, payload: { kind: 'install', title: 'Install thing', pluginId: '@diff/thing', targetId: 'default' } });
      expect(install.json()).toMatchObject({ pluginId: '@diff/thing', targetId: 'default' });
      const unknown = await registry.app.inject({ method: 'POST', url: '/api/plugin-requests', headers: user, payload: { kind: 'install', title: 'x', pluginId: '@no/such' } });
      expect(unknown.statusCode).toBe(404);
      const listed = (await get('/api/plugin-requests?status=open', user)).json();
      expect(listed.items.map((item: { title: string }) => item.title)).toEqual(['Install thing', 'A calendar plugin']);
      const events = await registry.database.db.query("SELECT count(*) AS n FROM events WHERE type = 'plugin-request.created'");
      expect(Number(events.rows[0]!.n)).toBe(2);
    });
  });
});
