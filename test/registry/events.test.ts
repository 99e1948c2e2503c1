import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../protocol/roles';
import { buildApp, type RegistryApp } from '../../server/registry/app';
import { testConfig } from '../support/test-app';
import { openTestDatabase, testDatabaseKinds } from '../support/test-databases';
import { openSse, waitFor } from './events-helpers';

describe.each(testDatabaseKinds())('event stream on $name', (kind) => {
  let app: RegistryApp;
  let baseUrl: string;
  const as = async (role: Role, userId = `${role}-1`) => ({ authorization: `Bearer ${await app.registryServices.auth.mintToken({ sub: userId, role })}` });
  const createToken = async (userId: string, name: string) => {
    const response = await app.inject({ method: 'POST', url: '/api/tokens', headers: await as('user', userId), payload: { name } });
    expect(response.statusCode).toBe(201);
    return response.json().info.id as string;
  };

  beforeAll(async () => {
    const database = await openTestDatabase(kind);
    app = await buildApp({ config: testConfig(), database, background: { events: { pollIntervalMs: 200 }, webhooks: { pollIntervalMs: 50 } } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  let closed = false;
  afterAll(async () => {
    if (!closed) await app.close();
  });

  it('refuses anonymous callers and lists journal rows as recorded, with seq and ts', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/events' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/events/stream' })).statusCode).toBe(401);
    const tokenId = await createToken('alice', 'laptop');
    const page = (await app.inject({ method: 'GET', url: '/api/events?limit=1000', headers: await as('user', 'bob') })).json();
    const created = page.items.find((event: { type: string; subject: string }) => event.type === 'token.created' && event.subject === tokenId);
    expect(created).toMatchObject({ actor: 'alice', type: 'token.created', subject: tokenId, payload: { name: 'laptop', role: 'user' } });
    expect(created.seq).toBeGreaterThan(0);
    expect(new Date(created.ts).toISOString()).toBe(created.ts);
    expect(page).toMatchObject({ hasMore: false, nextAfter: page.head });
  });

  it('pages with after/limit and filters by exact types and patterns without skipping any', async () => {
    const headers = await as('user', 'pager');
    const start = (await app.inject({ method: 'GET', url: '/api/events?limit=1', headers })).json().head as number;
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1) ids.push(await createToken('pager', `t${index}`));
    await app.inject({ method: 'DELETE', url: `/api/tokens/${ids[0]}`, headers: await as('user', 'pager') });

    const seen: { seq: number; type: string }[] = [];
    let after = start;
    for (let round = 0; round < 10; round += 1) {
      const page = (await app.inject({ method: 'GET', url: `/api/events?after=${after}&limit=3`, headers })).json();
      seen.push(...page.items);
      after = page.nextAfter;
      if (!page.hasMore) break;
    }
    expect(seen.map((event) => event.seq)).toEqual(Array.from({ length: 8 }, (_, index) => start + 1 + index));

    const revoked = (await app.inject({ method: 'GET', url: `/api/events?after=${start}&types=token.revoked`, headers })).json();
    expect(revoked.items.map((event: { subject: string }) => event.subject)).toEqual([ids[0]]);
    const pattern = (await app.inject({ method: 'GET', url: `/api/events?after=${start}&types=token.*&limit=5`, headers })).json();
    expect(pattern.items).toHaveLength(5);
    expect(pattern.hasMore).toBe(true);
    const rest = (await app.inject({ method: 'GET', url: `/api/events?after=${pattern.nextAfter}&types=token.*`, headers })).json();
    expect([...pattern.items, ...rest.items].map((event: { seq: number }) => event.seq)).toEqual(seen.map((event) => event.seq));
    const none = (await app.inject({ method: 'GET', url: `/api/events?after=${start}&types=plugin.*`, headers })).json();
    expect(none).toMatchObject({ items: [], hasMore: false });

    const bad = await app.inject({ method: 'GET', url: '/api/events?types=Token%20created', headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('Token created');
  });

  it('streams new events over SSE within a second, filtered by type', async () => {
    const all = openSse(baseUrl, '/api/events/stream', await as('user', 'watcher'));
    const revokedOnly = openSse(baseUrl, '/api/events/stream?types=token.revoked', await as('user', 'watcher'));
    expect(await all.opened).toEqual({ status: 200, contentType: 'text/event-stream; charset=utf-8' });
    await revokedOnly.opened;
    const sentAt = Date.now();
    const id = await createToken('carol', 'ci');
    const message = await all.next((event) => event.subject === id, 1_000);
    expect(message.receivedAt - sentAt).toBeLessThan(1_000);
    expect(message.id).toBe(String(message.event.seq));
    expect(message.event).toMatchObject({ type: 'token.created', actor: 'carol', payload: { name: 'ci' } });
    await app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: await as('user', 'carol') });
    await revokedOnly.next((event) => event.type === 'token.revoked' && event.subject === id, 1_000);
    expect(revokedOnly.messages.every((entry) => entry.event.type === 'token.revoked')).toBe(true);
    all.close();
    revokedOnly.close();
    await waitFor('the subscriptions to be released', () => app.registryServices.eventStream.subscriberCount() === 0);
  });

  it('resumes with Last-Event-ID: events recorded while disconnected arrive once, in order', async () => {
    const headers = await as('user', 'resumer');
    const first = openSse(baseUrl, '/api/events/stream', headers);
    await first.opened;
    const before = await createToken('dave', 'before');
    const seen = await first.next((event) => event.subject === before);
    first.close();

    const missed: string[] = [];
    for (let index = 0; index < 5; index += 1) missed.push(await createToken('dave', `missed-${index}`));

    const resumed = openSse(baseUrl, '/api/events/stream', { ...headers, 'last-event-id': seen.id! });
    await resumed.next((event) => event.subject === missed.at(-1));
    const after = await createToken('dave', 'after');
    await resumed.next((event) => event.subject === after);
    const seqs = resumed.messages.map((message) => message.event.seq);
    expect(seqs[0]).toBe(seen.event.seq + 1);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(resumed.messages.map((message) => message.event.subject)).toEqual(expect.arrayContaining([...missed, after]));
    resumed.close();

    // `after` in the query does the same for clients that cannot set headers.
    const fromQuery = openSse(baseUrl, `/api/events/stream?after=${seen.event.seq}&types=token.created`, headers);
    await fromQuery.next((event) => event.subject === after);
    expect(fromQuery.messages.map((message) => message.event.subject)).toEqual([...missed, after]);
    fromQuery.close();

    const bad = await app.inject({ method: 'GET', url: '/api/events/stream', headers: { ...headers, 'last-event-id': 'abc' } });
    expect(bad.statusCode).toBe(400);
  });

  it('ends open streams when the registry closes, so shutdown is not held up (runs last: it closes the app)', async () => {
    const client = openSse(baseUrl, '/api/events/stream', await as('user', 'late'));
    await client.opened;
    const started = Date.now();
    closed = true;
    await app.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    await waitFor('the stream to end', () => client.ended());
  });
});
