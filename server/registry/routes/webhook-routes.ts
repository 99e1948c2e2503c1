import { Type } from '@sinclair/typebox';
import { randomBytes, randomUUID } from 'node:crypto';
import { CreatedWebhookSchema, CreateWebhookSchema, DeliveriesQuerySchema, WebhookDeliverySchema, WebhookSchema } from '../../../protocol/events-api';
import type { RegistryApp, RegistryServices } from '../app';
import { CodexError } from '../errors';
import { recordEvent } from '../journal/event-appliers';
import { displayUrl } from '../services/webhook-delivery';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const DeliveryParams = Type.Object({ id: Type.String({ format: 'uuid' }), delivery: Type.String({ format: 'uuid' }) });

/** Checks a webhook URL: absolute http(s) with a host; the message says what to change. */
function validateWebhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CodexError('CODEX_ERR_VALIDATION', `url "${displayUrl(text)}" is not an absolute URL; use e.g. https://example.com/hooks/codex`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CodexError('CODEX_ERR_VALIDATION', `url must use http or https (got ${url.protocol}//)`);
  }
  if (url.hash) throw new CodexError('CODEX_ERR_VALIDATION', 'url must not have a #fragment (it is never sent to the receiver)');
  return url.toString();
}

/**
 * Webhooks (super-admin): subscriptions to event types, delivered from the outbox by the worker.
 * The secret is returned once, at creation; it is never listed, logged or journaled.
 */
export function registerWebhookRoutes(app: RegistryApp, services: RegistryServices): void {
  const { webhooks } = services.repos;

  async function requireWebhook(id: string) {
    const webhook = await webhooks.get(id);
    if (!webhook) throw new CodexError('CODEX_ERR_NOT_FOUND', `no webhook ${id}; GET /api/webhooks lists them`);
    return webhook;
  }

  app.post('/api/webhooks', {
    schema: {
      tags: ['webhooks'],
      summary: 'Create a webhook; the response carries its signing secret, shown this once',
      body: CreateWebhookSchema,
      response: { 201: CreatedWebhookSchema },
    },
  }, async (request, reply) => {
    const url = validateWebhookUrl(request.body.url);
    const secret = request.body.secret ?? `whsec_${randomBytes(32).toString('base64url')}`;
    const events = [...new Set(request.body.events)];
    const principal = request.principal!;
    const webhook = await services.database.db.transaction(async (tx) => {
      const created = await webhooks.create(tx, { id: randomUUID(), url, events, secret, description: request.body.description ?? '', createdBy: principal.userId });
      await recordEvent(tx, { actor: principal.userId, type: 'webhook.created', subject: created.id, payload: { url: displayUrl(url), events } });
      return created;
    });
    return reply.status(201).send({ webhook, secret });
  });

  app.get('/api/webhooks', {
    schema: { tags: ['webhooks'], summary: 'Webhooks (without their secrets)', response: { 200: Type.Object({ items: Type.Array(WebhookSchema) }) } },
  }, async () => ({ items: await webhooks.list() }));

  app.get('/api/webhooks/:id', {
    schema: { tags: ['webhooks'], summary: 'One webhook (without its secret)', params: IdParams, response: { 200: WebhookSchema } },
  }, async (request) => requireWebhook(request.params.id));

  app.delete('/api/webhooks/:id', {
    schema: { tags: ['webhooks'], summary: 'Delete a webhook and its delivery history', params: IdParams, response: { 200: Type.Object({ deleted: Type.Boolean() }) } },
  }, async (request) => {
    const principal = request.principal!;
    const deleted = await services.database.db.transaction(async (tx) => {
      const existing = await webhooks.get(request.params.id, tx);
      if (!existing) return false;
      await webhooks.delete(tx, request.params.id);
      await recordEvent(tx, { actor: principal.userId, type: 'webhook.deleted', subject: request.params.id, payload: { url: displayUrl(existing.url) } });
      return true;
    });
    if (!deleted) throw new CodexError('CODEX_ERR_NOT_FOUND', `no webhook ${request.params.id}; GET /api/webhooks lists them`);
    return { deleted };
  });

  app.get('/api/webhooks/:id/deliveries', {
    schema: {
      tags: ['webhooks'],
      summary: 'Deliveries of a webhook, newest first: pending (with the next attempt), delivered, or dead (with the last error)',
      params: IdParams,
      querystring: DeliveriesQuerySchema,
      response: { 200: Type.Object({ items: Type.Array(WebhookDeliverySchema) }) },
    },
  }, async (request) => {
    await requireWebhook(request.params.id);
    return { items: await webhooks.listDeliveries(request.params.id, { status: request.query.status, limit: request.query.limit }) };
  });

  app.post('/api/webhooks/:id/deliveries/:delivery/redeliver', {
    schema: {
      tags: ['webhooks'],
      summary: 'Send a delivery again now, as a new delivery (new X-Codex-Delivery id) linked to the original',
      params: DeliveryParams,
      response: { 202: Type.Object({ delivery: WebhookDeliverySchema }) },
    },
  }, async (request, reply) => {
    await requireWebhook(request.params.id);
    const delivery = await webhooks.redeliver(request.params.id, request.params.delivery);
    if (!delivery) throw new CodexError('CODEX_ERR_NOT_FOUND', `webhook ${request.params.id} has no delivery ${request.params.delivery}; GET /api/webhooks/${request.params.id}/deliveries lists them`);
    services.webhookWorker.wake();
    return reply.status(202).send({ delivery });
  });
}
