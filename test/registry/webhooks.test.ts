import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../protocol/roles';
import { buildApp, type RegistryApp } from '../../server/registry/app';
import { retryDelayMs, signWebhookBody } from '../../server/registry/services/webhook-delivery';
import { testConfig } from '../support/test-app';
import { openTestDatabase, testDatabaseKinds } from '../support/test-databases';
import { startWebhookReceiver, verifySignature, waitFor, type WebhookReceiver } from './events-helpers';

describe('webhook signing and backoff', () => {
  it('signs `${t}.${body}` with HMAC-SHA256 in the t=…,v1=… format receivers verify', () => {
    const now = Math.floor(Date.now() / 1000);
    const header = signWebhookBody('a-secret-of-16-chars', now, '{"a":1}');
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature('a-secret-of-16-chars', header, '{"a":1}')).toBe(true);
    expect(verifySignature('a-secret-of-16-chars', header, '{"a":2}')).toBe(false);
    expect(verifySignature('another-secret-16ch', header, '{"a":1}')).toBe(false);
    expect(verifySignature('a-secret-of-16-chars', signWebhookBody('a-secret-of-16-chars', now - 3600, '{}'), '{}')).toBe(false);
  });

  it.each([
    [1, 0, 500], [1, 1, 1000], [2, 0, 1000], [3, 1, 4000], [20, 1, 60_000], [20, 0, 30_000],
  ])('attempt %i with jitter %d waits %i ms (base 1 s, cap 60 s, equal jitter)', (attempt, random, expected) => {
    expect(retryDelayMs(attempt, { backoffBaseMs: 1000, backoffMaxMs: 60_000 }, () => random)).toBe(expected);
  });
});

describe.each(testDatabaseKinds())('webhooks on $name', (kind) => {
  let app: RegistryApp;
  let receiver: WebhookReceiver;
  const as = async (role: Role, userId = `${role}-1`) => ({ authorization: `Bearer ${await app.registryServices.auth.mintToken({ sub: userId, role })}` });
  const createToken = async (userId: string, name: string) => {
    const response = await app.inject({ method: 'POST', url: '/api/tokens', headers: await as('user', userId), payload: { name } });
    expect(response.statusCode).toBe(201);
    return response.json().info.id as string;
  };
  const createWebhook = async (payload: Record<string, unknown>) => {
    const response = await app.inject({ method: 'POST', url: '/api/webhooks', headers: await as('super-admin', 'root'), payload });
    expect(response.statusCode).toBe(201);
    return response.json() as { webhook: { id: string }; secret: string };
  };
  const deliveries = async (webhookId: string, query = '') => (await app.inject({ method: 'GET', url: `/api/webhooks/${webhookId}/deliveries${query}`, headers: await as('super-admin', 'root') })).json().items as { id: string; status: string; attempts: number; lastError: string | null; lastStatusCode: number | null; eventSeq: number; redeliveryOf: string | null }[];

  beforeAll(async () => {
    const database = await openTestDatabase(kind);
    app = await buildApp({
      config: testConfig(),
      database,
      background: { events: { pollIntervalMs: 200 }, webhooks: { pollIntervalMs: 50, backoffBaseMs: 40, backoffMaxMs: 400, maxAttempts: 3, leaseMs: 2_000, timeoutMs: 1_000 } },
    });
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(async () => {
    // Each test gets its own receiver and removes the webhooks it made.
    const admin = await as('super-admin', 'root');
    for (const webhook of (await app.inject({ method: 'GET', url: '/api/webhooks', headers: admin })).json().items) {
      await app.inject({ method: 'DELETE', url: `/api/webhooks/${webhook.id}`, headers: admin });
    }
    receiver = await startWebhookReceiver();
    return () => receiver.close();
  });

  it('is for super-admins; validates the URL and patterns; shows the secret once and never again', async () => {
    const developer = await app.inject({ method: 'POST', url: '/api/webhooks', headers: await as('developer'), payload: { url: receiver.url, events: ['*'] } });
    expect(developer.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/webhooks', headers: await as('user') })).statusCode).toBe(403);

    const admin = await as('super-admin', 'root');
    const ftp = await app.inject({ method: 'POST', url: '/api/webhooks', headers: admin, payload: { url: 'ftp://example.com/hook', events: ['*'] } });
    expect(ftp.statusCode).toBe(400);
    expect(ftp.json().error.message).toContain('http or https');
    const relative = await app.inject({ method: 'POST', url: '/api/webhooks', headers: admin, payload: { url: '/just/a/path', events: ['*'] } });
    expect(relative.statusCode).toBe(400);
    const badPattern = await app.inject({ method: 'POST', url: '/api/webhooks', headers: admin, payload: { url: receiver.url, events: ['Plugin Published'] } });
    expect(badPattern.statusCode).toBe(400);
    expect(badPattern.json().error.message).toMatch(/events/);
    const shortSecret = await app.inject({ method: 'POST', url: '/api/webhooks', headers: admin, payload: { url: receiver.url, events: ['*'], secret: 'short' } });
    expect(shortSecret.statusCode).toBe(400);

    const generated = await createWebhook({ url: receiver.url, events: ['plugin.*', 'token.created'], description: 'ops channel' });
    expect(generated.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generated.webhook).toMatchObject({ url: receiver.url, events: ['plugin.*', 'token.created'], description: 'ops channel', active: true, createdBy: 'root' });
    const supplied = await createWebhook({ url: receiver.url, events: ['*'], secret: 'my-own-secret-0123456789' });
    expect(supplied.secret).toBe('my-own-secret-0123456789');

    const listed = await app.inject({ method: 'GET', url: '/api/webhooks', headers: admin });
    const one = await app.inject({ method: 'GET', url: `/api/webhooks/${generated.webhook.id}`, headers: admin });
    const journal = await app.inject({ method: 'GET', url: '/api/events?types=webhook.*&limit=1000', headers: admin });
    for (const text of [listed.body, one.body, journal.body]) {
      expect(text).not.toContain(generated.secret);
      expect(text).not.toContain('my-own-secret-0123456789');
    }
    expect(listed.json().items).toHaveLength(2);
    expect(journal.json().items.map((event: { type: string }) => event.type)).toEqual(expect.arrayContaining(['webhook.created']));

    const removed = await app.inject({ method: 'DELETE', url: `/api/webhooks/${generated.webhook.id}`, headers: admin });
    expect(removed.json()).toEqual({ deleted: true });
    const again = await app.inject({ method: 'DELETE', url: `/api/webhooks/${generated.webhook.id}`, headers: admin });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.message).toContain(generated.webhook.id);
  });

  it('delivers each matching event once, signed, with a delivery id, and records it as delivered', async () => {
    const { webhook, secret } = await createWebhook({ url: receiver.url, events: ['token.*'] });
    receiver.secret = secret;
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push(await createToken('erin', `t${index}`));
    await app.inject({ method: 'DELETE', url: `/api/tokens/${ids[0]}`, headers: await as('user', 'erin') });

    await waitFor('6 deliveries', () => receiver.received.length >= 6 && receiver.received.every((entry) => entry.answered));
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more arrives
    expect(receiver.received).toHaveLength(6);
    expect(receiver.received.every((entry) => entry.signatureValid)).toBe(true);
    expect(new Set(receiver.received.map((entry) => entry.deliveryId)).size).toBe(6);
    expect(receiver.received.map((entry) => entry.eventType).sort()).toEqual([...Array(5).fill('token.created'), 'token.revoked']);
    const first = receiver.received.find((entry) => entry.payload.event.subject === ids[1])!;
    expect(first.payload).toMatchObject({ deliveryId: first.deliveryId, webhookId: webhook.id, event: { type: 'token.created', actor: 'erin', payload: { name: 't1' } } });

    const recorded = await waitFor('all recorded as delivered', async () => {
      const items = await deliveries(webhook.id);
      return items.length === 6 && items.every((item) => item.status === 'delivered') && items;
    });
    expect(recorded.map((item) => item.id).sort()).toEqual(receiver.received.map((entry) => entry.deliveryId).sort());
    expect(recorded.every((item) => item.attempts === 1 && item.lastStatusCode === 204)).toBe(true);
  });

  it('retries a failing receiver with growing delays, keeps it dead with the last error, and redelivers on request', async () => {
    const { webhook, secret } = await createWebhook({ url: receiver.url, events: ['token.created'] });
    receiver.secret = secret;
    receiver.respond = () => ({ status: 503 });
    const tokenId = await createToken('frank', 'flaky');

    const [dead] = await waitFor('a dead delivery', async () => {
      const items = await deliveries(webhook.id, '?status=dead');
      return items.length === 1 && items;
    });
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, lastStatusCode: 503, lastError: 'the receiver answered HTTP 503' });
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((entry) => entry.deliveryId))).toEqual(new Set([dead!.id]));
    expect(receiver.received.every((entry) => entry.signatureValid && entry.payload.event.subject === tokenId)).toBe(true);
    const gaps = receiver.received.slice(1).map((entry, index) => entry.receivedAt - receiver.received[index]!.receivedAt);
    expect(gaps[0]).toBeGreaterThanOrEqual(20); // attempt 1 -> 2: 40 ms base, equal jitter
    expect(gaps[1]).toBeGreaterThanOrEqual(40); // attempt 2 -> 3: 80 ms, equal jitter

    receiver.respond = () => ({ status: 200 });
    const admin = await as('super-admin', 'root');
    const missing = await app.inject({ method: 'POST', url: `/api/webhooks/${webhook.id}/deliveries/00000000-0000-4000-8000-000000000000/redeliver`, headers: admin });
    expect(missing.statusCode).toBe(404);
    const redeliver = await app.inject({ method: 'POST', url: `/api/webhooks/${webhook.id}/deliveries/${dead!.id}/redeliver`, headers: admin });
    expect(redeliver.statusCode).toBe(202);
    const copy = redeliver.json().delivery;
    expect(copy).toMatchObject({ status: 'pending', redeliveryOf: dead!.id, eventSeq: dead!.eventSeq });
    await waitFor('the redelivery to succeed', async () => (await deliveries(webhook.id, '?status=delivered')).some((item) => item.id === copy.id));
    expect(receiver.received.at(-1)).toMatchObject({ deliveryId: copy.id, answered: 200, signatureValid: true });
    expect((await deliveries(webhook.id, '?status=dead')).map((item) => item.id)).toEqual([dead!.id]);
  });

  it('times out a receiver that does not answer and counts it as a failed attempt', async () => {
    const { webhook, secret } = await createWebhook({ url: receiver.url, events: ['token.created'] });
    receiver.secret = secret;
    receiver.respond = () => (receiver.received.length === 0 ? { status: 200, delayMs: 1_500 } : { status: 200 });
    await createToken('gina', 'slow');
    const [item] = await waitFor('delivered after the timeout', async () => {
      const items = await deliveries(webhook.id, '?status=delivered');
      return items.length === 1 && items;
    });
    expect(item!.attempts).toBe(2);
    expect(item!.lastStatusCode).toBe(200);
  });

  it('takes over a delivery whose worker died mid-flight once its lease lapses, with the same delivery id', async () => {
    const { webhook, secret } = await createWebhook({ url: receiver.url, events: ['token.created'] });
    receiver.secret = secret;
    const services = app.registryServices;
    // The live worker is paused while a "crashed" worker claims the delivery and never finishes it.
    await services.webhookWorker.stop();
    const tokenId = await createToken('hank', 'orphan');
    const [orphan] = await services.repos.webhooks.claimDue({ limit: 10, leaseMs: 400 });
    expect(orphan).toMatchObject({ webhookId: webhook.id, attempts: 1, event: { subject: tokenId } });
    const claimedAt = Date.now();
    services.webhookWorker.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toHaveLength(0); // the lease still holds it

    await waitFor('the lapsed delivery to be sent', () => receiver.received.length === 1);
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(350);
    expect(receiver.received[0]).toMatchObject({ deliveryId: orphan!.id, signatureValid: true });
    const [item] = await waitFor('recorded', async () => {
      const items = await deliveries(webhook.id, '?status=delivered');
      return items.length === 1 && items;
    });
    expect(item).toMatchObject({ id: orphan!.id, attempts: 2 });
    // The dead worker's late answer cannot overwrite the outcome: its lease token is stale.
    expect(await services.repos.webhooks.markFailed(orphan!, { error: 'late', statusCode: null, retryInMs: 10 })).toBe(false);
  });

  it('queues nothing for a rolled-back event and nothing for a deleted webhook', async () => {
    const { webhook, secret } = await createWebhook({ url: receiver.url, events: ['*'] });
    receiver.secret = secret;
    const before = (await deliveries(webhook.id)).length;
    await expect(app.registryServices.database.db.transaction(async (tx) => {
      await app.registryServices.repos.events.append(tx, { actor: 'test', type: 'test.rolled-back' });
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await deliveries(webhook.id)).length).toBe(before);
    expect(receiver.received.some((entry) => entry.eventType === 'test.rolled-back')).toBe(false);
  });
});
