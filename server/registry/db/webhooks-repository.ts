import { createHash, randomUUID } from 'node:crypto';
import type { Webhook, WebhookDelivery } from '../../../protocol/events-api';
import type { Queryable } from './database';
import type { JournalEvent } from './events-repository';

/**
 * The NOTIFY channel the `events_fan_out` trigger (migration 004) signals on for every appended
 * event: one per schema, so registries sharing a server wake only their own listeners. It must stay
 * in step with the trigger's `'codex_events_' || left(md5(current_schema()), 16)`.
 */
export function eventNotificationChannel(schema: string): string {
  return `codex_events_${createHash('md5').update(schema).digest('hex').slice(0, 16)}`;
}

interface WebhookRow {
  id: string;
  url: string;
  event_types: string[];
  description: string;
  active: boolean;
  created_by: string;
  created_at: Date | string;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_seq: string | number;
  event_type: string;
  status: WebhookDelivery['status'];
  attempts: number;
  next_attempt_at: Date | string | null;
  last_error: string | null;
  last_status_code: number | null;
  redelivery_of: string | null;
  created_at: Date | string;
  delivered_at: Date | string | null;
}

interface ClaimRow {
  id: string;
  webhook_id: string;
  attempts: number;
  url: string;
  secret: string;
  seq: string | number;
  ts: Date | string;
  actor: string;
  type: string;
  subject: string;
  payload: Record<string, unknown>;
  hash: string;
}

/** A delivery a worker holds the lease on, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  /** Attempts including this one. */
  attempts: number;
  url: string;
  secret: string;
  leaseToken: string;
  event: Pick<JournalEvent, 'seq' | 'ts' | 'actor' | 'type' | 'subject' | 'payload' | 'hash'>;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: row.event_types,
    description: row.description,
    active: row.active,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventSeq: Number(row.event_seq),
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    lastError: row.last_error,
    lastStatusCode: row.last_status_code,
    redeliveryOf: row.redelivery_of,
    createdAt: new Date(row.created_at).toISOString(),
    deliveredAt: iso(row.delivered_at),
  };
}

const DELIVERY_COLUMNS = `d.id, d.webhook_id, d.event_seq, e.type AS event_type, d.status, d.attempts, d.next_attempt_at,
  d.last_error, d.last_status_code, d.redelivery_of, d.created_at, d.delivered_at`;

/**
 * Webhooks and their delivery outbox. Deliveries are queued by the `events_fan_out` trigger in the
 * transaction that appends the event; workers on any number of instances claim them with
 * `FOR UPDATE SKIP LOCKED` and a lease, so each goes out once at a time and a crashed worker's claim
 * lapses for another to take over.
 */
export function createWebhooksRepository(db: Queryable) {
  return {
    async create(tx: Queryable, webhook: { id: string; url: string; events: string[]; secret: string; description: string; createdBy: string }): Promise<Webhook> {
      const result = await tx.query<WebhookRow>(
        `INSERT INTO webhooks (id, url, event_types, secret, description, created_by) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, url, event_types, description, active, created_by, created_at`,
        [webhook.id, webhook.url, webhook.events, webhook.secret, webhook.description, webhook.createdBy],
      );
      return toWebhook(result.rows[0]!);
    },
    async list(): Promise<Webhook[]> {
      const result = await db.query<WebhookRow>('SELECT id, url, event_types, description, active, created_by, created_at FROM webhooks ORDER BY created_at, id');
      return result.rows.map(toWebhook);
    },
    async get(id: string, tx: Queryable = db): Promise<Webhook | undefined> {
      const result = await tx.query<WebhookRow>('SELECT id, url, event_types, description, active, created_by, created_at FROM webhooks WHERE id = $1', [id]);
      return result.rows[0] ? toWebhook(result.rows[0]) : undefined;
    },
    /** Deletes a webhook and its deliveries; false when there was none. */
    async delete(tx: Queryable, id: string): Promise<boolean> {
      const result = await tx.query('DELETE FROM webhooks WHERE id = $1', [id]);
      return result.rowCount > 0;
    },
    async listDeliveries(webhookId: string, options: { status?: WebhookDelivery['status']; limit?: number } = {}): Promise<WebhookDelivery[]> {
      const result = await db.query<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq
          WHERE d.webhook_id = $1 AND ($2::text IS NULL OR d.status = $2)
          ORDER BY d.created_at DESC, d.event_seq DESC LIMIT $3`,
        [webhookId, options.status ?? null, options.limit ?? 100],
      );
      return result.rows.map(toDelivery);
    },
    async getDelivery(webhookId: string, deliveryId: string): Promise<WebhookDelivery | undefined> {
      const result = await db.query<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.webhook_id = $1 AND d.id = $2`,
        [webhookId, deliveryId],
      );
      return result.rows[0] ? toDelivery(result.rows[0]) : undefined;
    },
    /**
     * Queues a new delivery of the same event (a new id, linked to the original), due now. A new id
     * because receivers dedupe on it: a redelivery is an explicit request to process again.
     */
    async redeliver(webhookId: string, deliveryId: string): Promise<WebhookDelivery | undefined> {
      const id = randomUUID();
      const inserted = await db.query(
        `INSERT INTO webhook_deliveries (id, webhook_id, event_seq, redelivery_of)
         SELECT $1, webhook_id, event_seq, id FROM webhook_deliveries WHERE webhook_id = $2 AND id = $3`,
        [id, webhookId, deliveryId],
      );
      return inserted.rowCount > 0 ? this.getDelivery(webhookId, id) : undefined;
    },
    /**
     * Claims up to `limit` due deliveries for `leaseMs`: pending, due, and not held by a live lease.
     * SKIP LOCKED lets concurrent claimers pass over each other's rows instead of waiting, and the
     * lease (committed with the claim) keeps them away while the HTTP request is in flight.
     */
    async claimDue(options: { limit: number; leaseMs: number }): Promise<ClaimedDelivery[]> {
      const leaseToken = randomUUID();
      const result = await db.query<ClaimRow>(
        `WITH due AS (
           SELECT id FROM webhook_deliveries
            WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_expires_at IS NULL OR lease_expires_at <= now())
            ORDER BY next_attempt_at, event_seq
            LIMIT $1
            FOR UPDATE SKIP LOCKED
         ), claimed AS (
           UPDATE webhook_deliveries d
              SET lease_token = $2, lease_expires_at = now() + $3::bigint * interval '1 millisecond',
                  attempts = d.attempts + 1, updated_at = now()
             FROM due WHERE d.id = due.id
           RETURNING d.id, d.webhook_id, d.event_seq, d.attempts
         )
         SELECT c.id, c.webhook_id, c.attempts, w.url, w.secret, e.seq, e.ts, e.actor, e.type, e.subject, e.payload, e.hash
           FROM claimed c JOIN webhooks w ON w.id = c.webhook_id JOIN events e ON e.seq = c.event_seq
          ORDER BY e.seq`,
        [options.limit, leaseToken, options.leaseMs],
      );
      return result.rows.map((row) => ({
        id: row.id,
        webhookId: row.webhook_id,
        attempts: row.attempts,
        url: row.url,
        secret: row.secret,
        leaseToken,
        event: { seq: Number(row.seq), ts: new Date(row.ts).toISOString(), actor: row.actor, type: row.type, subject: row.subject, payload: row.payload, hash: row.hash },
      }));
    },
    /** Records a successful attempt; false when the lease was lost (another worker took over). */
    async markDelivered(delivery: ClaimedDelivery, statusCode: number): Promise<boolean> {
      const result = await db.query(
        `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), last_status_code = $3, last_error = NULL,
                lease_token = NULL, lease_expires_at = NULL, updated_at = now()
          WHERE id = $1 AND lease_token = $2`,
        [delivery.id, delivery.leaseToken, statusCode],
      );
      return result.rowCount > 0;
    },
    /** Records a failed attempt: due again after `retryInMs`, or dead when `retryInMs` is undefined. */
    async markFailed(delivery: ClaimedDelivery, failure: { error: string; statusCode: number | null; retryInMs: number | undefined }): Promise<boolean> {
      const result = await db.query(
        `UPDATE webhook_deliveries
            SET status = CASE WHEN $5::bigint IS NULL THEN 'dead' ELSE 'pending' END,
                next_attempt_at = CASE WHEN $5::bigint IS NULL THEN next_attempt_at ELSE now() + $5::bigint * interval '1 millisecond' END,
                last_error = $3, last_status_code = $4, lease_token = NULL, lease_expires_at = NULL, updated_at = now()
          WHERE id = $1 AND lease_token = $2`,
        [delivery.id, delivery.leaseToken, failure.error.slice(0, 1000), failure.statusCode, failure.retryInMs ?? null],
      );
      return result.rowCount > 0;
    },
    /** Milliseconds until the soonest pending delivery becomes due (measured by the database clock). */
    async msUntilNextDue(): Promise<number | undefined> {
      const result = await db.query<{ ms: string | number | null }>(
        `SELECT EXTRACT(EPOCH FROM (min(GREATEST(next_attempt_at, COALESCE(lease_expires_at, next_attempt_at))) - now())) * 1000 AS ms
           FROM webhook_deliveries WHERE status = 'pending'`,
      );
      const ms = result.rows[0]?.ms;
      return ms === null || ms === undefined ? undefined : Math.max(0, Number(ms));
    },
  };
}

export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>;
