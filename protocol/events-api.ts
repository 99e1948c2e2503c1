/**
 * HTTP bodies of the event stream and the webhooks API, shared by the registry, the CLI, the UI and
 * webhook receivers. One TypeBox source gives validation, types and OpenAPI.
 */
import { Type, type Static } from '@sinclair/typebox';

/** An event type or a pattern where `*` matches any run of characters (`plugin.*`, `*`). */
export const EventTypePattern = Type.String({ pattern: '^[a-z*][a-z0-9_.*-]{0,99}$', description: 'an event type such as token.created, or a pattern such as plugin.*' });

/** One journal event as clients see it: the row as recorded, with its sequence number and time. */
export const RegistryEventSchema = Type.Object({
  seq: Type.Integer({ minimum: 1, description: 'position in the journal; resume after it' }),
  ts: Type.String({ description: 'ISO 8601 time the event was recorded' }),
  actor: Type.String({ description: 'user id that caused the change (or "system")' }),
  type: Type.String({ description: 'what happened, e.g. plugin.published, installation.upgraded, token.created' }),
  subject: Type.String({ description: 'what it happened to (a plugin, installation, token id...)' }),
  payload: Type.Record(Type.String(), Type.Unknown(), { description: 'type-specific details: plugin, version, target, operation...' }),
  hash: Type.String({ description: 'the hash-chain link of this event' }),
});
export type RegistryEvent = Static<typeof RegistryEventSchema>;

/** `GET /api/events` query. */
export const EventsQuerySchema = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'return events with seq greater than this' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  types: Type.Optional(Type.String({ maxLength: 2000, description: 'comma-separated event types or patterns (plugin.*)' })),
}, { additionalProperties: false });

/** `GET /api/events` response: one page, and where the next page starts. */
export const EventsPageSchema = Type.Object({
  items: Type.Array(RegistryEventSchema),
  /** Pass as `after` for the next page (the last seq examined, which may be past the last item when filtering). */
  nextAfter: Type.Integer({ minimum: 0 }),
  /** True when the journal holds events past `nextAfter`. */
  hasMore: Type.Boolean(),
  /** The newest seq in the journal when the page was read. */
  head: Type.Integer({ minimum: 0 }),
});
export type EventsPage = Static<typeof EventsPageSchema>;

/** `GET /api/events/stream` query (the `Last-Event-ID` header wins over `after`). */
export const EventStreamQuerySchema = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'replay events after this seq first; default: only new events' })),
  types: Type.Optional(Type.String({ maxLength: 2000, description: 'comma-separated event types or patterns' })),
}, { additionalProperties: false });

/** A webhook as the API returns it: never with its secret. */
export const WebhookSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.String(),
  active: Type.Boolean(),
  createdBy: Type.String(),
  createdAt: Type.String(),
});
export type Webhook = Static<typeof WebhookSchema>;

/** `POST /api/webhooks` body. */
export const CreateWebhookSchema = Type.Object({
  url: Type.String({ minLength: 8, maxLength: 2000, description: 'http(s) URL that receives POSTed deliveries' }),
  events: Type.Array(EventTypePattern, { minItems: 1, maxItems: 50 }),
  secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200, description: 'HMAC key; generated and returned once when omitted' })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });
export type CreateWebhook = Static<typeof CreateWebhookSchema>;

/** `POST /api/webhooks` response: the only time the secret is returned. */
export const CreatedWebhookSchema = Type.Object({ webhook: WebhookSchema, secret: Type.String() });

/** One delivery attempt record of the outbox. */
export const WebhookDeliverySchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'sent as X-Codex-Delivery; stable across retries' }),
  webhookId: Type.String({ format: 'uuid' }),
  eventSeq: Type.Integer(),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  redeliveryOf: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
});
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;

/** `GET /api/webhooks/:id/deliveries` query. */
export const DeliveriesQuerySchema = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
}, { additionalProperties: false });

/**
 * The JSON body POSTed to a webhook URL. Headers: `X-Codex-Delivery` (the delivery id, stable
 * across retries: receivers dedupe on it), `X-Codex-Event` (the event type) and `X-Codex-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the webhook secret>`.
 */
export interface WebhookPayload {
  deliveryId: string;
  webhookId: string;
  event: RegistryEvent;
}

/** The signature header name and scheme version, for receivers. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-codex-signature';
export const WEBHOOK_DELIVERY_HEADER = 'x-codex-delivery';
export const WEBHOOK_EVENT_HEADER = 'x-codex-event';

/** Splits a `types` query value into patterns (empty: all events). */
export function parseTypePatterns(types: string | undefined): string[] {
  return (types ?? '').split(',').map((part) => part.trim()).filter((part) => part.length > 0);
}

/** True when `type` matches one of `patterns` (`*` matches any run of characters); no patterns match all. */
export function matchesTypePatterns(type: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => globMatches(pattern, type));
}

/** Wildcard match where `*` stands for any run of characters and everything else is literal. */
function globMatches(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === text;
  const first = parts[0]!;
  const last = parts.at(-1)!;
  if (!text.startsWith(first) || text.length < first.length + last.length || !text.endsWith(last)) return false;
  let position = first.length;
  const end = text.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = text.indexOf(middle, position);
    if (found < 0 || found + middle.length > end) return false;
    position = found + middle.length;
  }
  return true;
}
