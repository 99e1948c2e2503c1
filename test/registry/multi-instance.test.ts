import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type RegistryApp } from '../../server/registry/app';
import { createManagedDatabase } from '../../server/registry/db/managed-database';
import { testConfig } from '../support/test-app';
import { quietLog, uniqueSchema } from '../support/test-databases';
import { openSse, startWebhookReceiver, waitFor, type SseClient, type WebhookReceiver } from './events-helpers';
import { bundleCli, mintToken, startRegistryProcess, type RegistryProcess } from './multi-instance-support';

// Several instances need a shared PostgreSQL: PGlite is one process's embedded database (its
// single-instance behaviour is covered by events.test.ts and webhooks.test.ts).
const pgUrl = process.env.PLUGIN_CODEX_TEST_PG_URL;

async function createTokenOver(url: string, userId: string, name: string): Promise<string> {
  const response = await fetch(`${url}/api/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await mintToken(userId, 'user')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { info: { id: string } }).info.id;
}

async function createWebhookOver(url: string, receiver: WebhookReceiver, events: string[]): Promise<string> {
  const response = await fetch(`${url}/api/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await mintToken('root', 'super-admin')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url, events }),
  });
  expect(response.status).toBe(201);
  const created = (await response.json()) as { webhook: { id: string }; secret: string };
  receiver.secret = created.secret;
  return created.webhook.id;
}

/** Every token id delivered exactly once per event, with a valid signature, and no delivery id twice. */
function expectExactlyOnce(receiver: WebhookReceiver, tokenIds: readonly string[]): void {
  const created = receiver.received.filter((entry) => entry.eventType === 'token.created');
  expect(receiver.received.every((entry) => entry.signatureValid)).toBe(true);
  expect(new Set(receiver.received.map((entry) => entry.deliveryId)).size).toBe(receiver.received.length);
  expect(created.map((entry) => entry.payload.event.subject).sort()).toEqual([...tokenIds].sort());
}

describe.runIf(pgUrl)('several registry instances on one PostgreSQL schema', () => {
  describe('in one process (two apps, two connection pools)', () => {
    const apps: RegistryApp[] = [];
    let receiver: WebhookReceiver;
    const url = (index: number) => `http://127.0.0.1:${(apps[index]!.server.address() as AddressInfo).port}`;

    beforeAll(async () => {
      const schema = uniqueSchema('mi');
      for (let index = 0; index < 2; index += 1) {
        const database = await createManagedDatabase({ url: pgUrl, schema, log: quietLog });
        await database.start();
        const app = await buildApp({
          config: testConfig({ jwtSecret: 'multi-instance-test-secret-0123456789abcdef' }),
          database,
          background: { events: { pollIntervalMs: 500 }, webhooks: { pollIntervalMs: 100, concurrency: 4 } },
        });
        await app.listen({ host: '127.0.0.1', port: 0 });
        apps.push(app);
      }
      receiver = await startWebhookReceiver();
    });
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
      await receiver.close();
    });

    it('shows an event recorded through one instance on the other instance\'s stream within a second', async () => {
      const streams: SseClient[] = [];
      for (let index = 0; index < 2; index += 1) {
        const stream = openSse(url(index), '/api/events/stream', { authorization: `Bearer ${await mintToken('watcher', 'user')}` });
        await stream.opened;
        streams.push(stream);
      }
      for (let round = 0; round < 5; round += 1) {
        const source = round % 2;
        const sentAt = Date.now();
        const id = await createTokenOver(url(source), 'ivy', `round-${round}`);
        const other = await streams[1 - source]!.next((event) => event.subject === id, 1_000);
        expect(other.receivedAt - sentAt).toBeLessThan(1_000);
        await streams[source]!.next((event) => event.subject === id, 1_000);
      }
      for (const stream of streams) stream.close();
    });

    it('delivers each event once although both instances run delivery workers', async () => {
      await createWebhookOver(url(0), receiver, ['token.created']);
      receiver.respond = () => ({ status: 200, delayMs: 20 });
      const ids = await Promise.all(Array.from({ length: 40 }, (_, index) => createTokenOver(url(index % 2), 'jack', `bulk-${index}`)));
      await waitFor('40 deliveries', () => receiver.received.filter((entry) => entry.answered).length >= 40, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expectExactlyOnce(receiver, ids);
    });
  });

  describe('as two `plugin-codex serve` processes', () => {
    const schema = uniqueSchema('mp');
    let cli: string;
    let a: RegistryProcess;
    let b: RegistryProcess;
    let receiver: WebhookReceiver;

    beforeAll(async () => {
      cli = await bundleCli();
      // The first start migrates the schema; the second finds it current.
      a = await startRegistryProcess(cli, pgUrl!, schema);
      b = await startRegistryProcess(cli, pgUrl!, schema);
      receiver = await startWebhookReceiver();
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await receiver?.close();
    });

    it('fans an event out from one process to the other\'s SSE stream within a second', async () => {
      const stream = openSse(b.url, '/api/events/stream?types=token.*', { authorization: `Bearer ${await mintToken('watcher', 'user')}` });
      expect((await stream.opened).status).toBe(200);
      const sentAt = Date.now();
      const id = await createTokenOver(a.url, 'kim', 'cross-process');
      const message = await stream.next((event) => event.subject === id, 1_000);
      expect(message.receivedAt - sentAt).toBeLessThan(1_000);
      expect(message.event).toMatchObject({ type: 'token.created', actor: 'kim' });
      stream.close();
    });

    it('delivers every event exactly once, signed, while one process is restarted mid-delivery', async () => {
      await createWebhookOver(a.url, receiver, ['token.created']);
      // Slow answers keep deliveries in flight when the restart happens.
      receiver.respond = () => ({ status: 200, delayMs: 150 });
      const ids: string[] = [];
      for (let index = 0; index < 12; index += 1) ids.push(await createTokenOver(index % 2 ? b.url : a.url, 'lee', `before-${index}`));
      await waitFor('a delivery in flight', () => receiver.received.some((entry) => !entry.answered), 10_000, 2);
      const inFlightAtStop = receiver.received.filter((entry) => !entry.answered).length;
      const exitCode = await a.stop('SIGTERM');
      expect(inFlightAtStop).toBeGreaterThan(0);
      expect(exitCode).toBe(0);
      for (let index = 0; index < 6; index += 1) ids.push(await createTokenOver(b.url, 'lee', `during-${index}`));
      a = await startRegistryProcess(cli, pgUrl!, schema);
      for (let index = 0; index < 6; index += 1) ids.push(await createTokenOver(index % 2 ? b.url : a.url, 'lee', `after-${index}`));

      await waitFor('all 24 deliveries answered', () => receiver.received.filter((entry) => entry.answered).length >= 24, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // a duplicate would arrive by now
      expectExactlyOnce(receiver, ids);
    });
  });
});
