import { createHmac } from 'node:crypto';
import { WEBHOOK_DELIVERY_HEADER, WEBHOOK_EVENT_HEADER, WEBHOOK_SIGNATURE_HEADER, type WebhookPayload } from '../../../protocol/events-api';
import type { ClaimedDelivery, WebhooksRepository } from '../db/webhooks-repository';

/** The subset of a pino logger the worker writes to. Secrets and URLs' credentials never reach it. */
interface WorkerLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** Tuning of the delivery worker (defaults suit production; tests make everything fast). */
export interface WebhookWorkerOptions {
  /** How often due deliveries are looked for without a wake-up (retries, expired leases, other instances' redeliveries). */
  pollIntervalMs: number;
  /** How long a claim holds a delivery; must exceed `timeoutMs`. A crashed worker's claims lapse after it. */
  leaseMs: number;
  /** Attempts before a delivery is kept as dead. */
  maxAttempts: number;
  /** First retry delay; doubled per attempt (with jitter) up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long a receiver may take to answer. */
  timeoutMs: number;
  /** Deliveries in flight at once per instance. */
  concurrency: number;
}

export const DEFAULT_WEBHOOK_WORKER_OPTIONS: WebhookWorkerOptions = {
  pollIntervalMs: 1_000,
  leaseMs: 60_000,
  maxAttempts: 8,
  backoffBaseMs: 2_000,
  backoffMaxMs: 60 * 60_000,
  timeoutMs: 10_000,
  concurrency: 8,
};

/** The `X-Codex-Signature` value for `body` sent at `timestamp` (unix seconds). */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * The delay before attempt `attempt + 1`: exponential from `baseMs`, capped, with "equal jitter"
 * (half fixed, half random) so that receivers recovering from an outage are not hit in lockstep.
 */
export function retryDelayMs(attempt: number, options: Pick<WebhookWorkerOptions, 'backoffBaseMs' | 'backoffMaxMs'>, random = Math.random): number {
  const exponential = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** The URL without credentials, query or fragment: what logs and errors may show. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no response within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.code) return `could not connect: ${cause.code}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Sends the webhook outbox. Every instance runs one; they share the work through the database:
 * a claim takes due rows with `FOR UPDATE SKIP LOCKED` and stamps a lease, the HTTP request runs
 * outside any transaction, and the outcome is recorded only if the lease token still matches. A
 * worker that stops gracefully finishes its requests first; one that dies leaves leases that expire,
 * and another instance (or itself, restarted) sends those deliveries again with the same delivery id.
 * Delivery is therefore at least once, and exactly once per delivery id for a receiver that dedupes.
 */
export function createWebhookWorker(deps: { webhooks: WebhooksRepository; log: WorkerLogger; options?: Partial<WebhookWorkerOptions> }) {
  const options: WebhookWorkerOptions = { ...DEFAULT_WEBHOOK_WORKER_OPTIONS, ...deps.options };
  if (options.leaseMs <= options.timeoutMs) {
    throw new Error(`webhook lease (${options.leaseMs} ms) must be longer than the delivery timeout (${options.timeoutMs} ms)`);
  }
  const inFlight = new Set<Promise<void>>();
  let filling = false;
  let refill = false;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let soon: NodeJS.Timeout | undefined;
  let delivered = 0;
  let failed = 0;

  async function send(delivery: ClaimedDelivery): Promise<void> {
    const payload: WebhookPayload = { deliveryId: delivery.id, webhookId: delivery.webhookId, event: delivery.event };
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(Date.now() / 1000);
    let statusCode: number | null = null;
    let error: string | undefined;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'plugin-codex-webhooks/1',
          [WEBHOOK_DELIVERY_HEADER]: delivery.id,
          [WEBHOOK_EVENT_HEADER]: delivery.event.type,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(delivery.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (response.status < 200 || response.status >= 300) error = `the receiver answered HTTP ${response.status}`;
    } catch (caught) {
      error = describeFailure(caught, options.timeoutMs);
    }
    const where = { deliveryId: delivery.id, webhookId: delivery.webhookId, url: displayUrl(delivery.url), attempt: delivery.attempts };
    if (error === undefined) {
      delivered += 1;
      if (!await deps.webhooks.markDelivered(delivery, statusCode!)) deps.log.warn(where, 'webhook delivered after its lease lapsed; another worker may send it again');
      return;
    }
    failed += 1;
    const retryInMs = delivery.attempts >= options.maxAttempts ? undefined : retryDelayMs(delivery.attempts, options);
    await deps.webhooks.markFailed(delivery, { error, statusCode, retryInMs });
    deps.log.warn({ ...where, error, retryInMs: retryInMs ?? null }, retryInMs === undefined ? 'webhook delivery is dead after its last attempt' : 'webhook delivery failed; will retry');
    if (retryInMs !== undefined && retryInMs < options.pollIntervalMs) wakeIn(retryInMs);
  }

  function wakeIn(ms: number): void {
    if (stopped || soon) return;
    soon = setTimeout(() => {
      soon = undefined;
      void fill();
    }, ms);
    soon.unref();
  }

  /** Claims as many due deliveries as there are free slots, repeatedly, until none are due. */
  async function fill(): Promise<void> {
    if (stopped) return;
    if (filling) {
      refill = true;
      return;
    }
    filling = true;
    try {
      while (!stopped) {
        const free = options.concurrency - inFlight.size;
        if (free <= 0) break;
        const claimed = await deps.webhooks.claimDue({ limit: free, leaseMs: options.leaseMs });
        if (claimed.length === 0) break;
        for (const delivery of claimed) {
          const sending: Promise<void> = send(delivery)
            .catch((error: unknown) => deps.log.warn({ deliveryId: delivery.id, error: error instanceof Error ? error.message : String(error) }, 'could not record a webhook delivery outcome; its lease will lapse and it will be retried'))
            .finally(() => {
              inFlight.delete(sending);
              void fill();
            });
          inFlight.add(sending);
        }
      }
    } catch (error) {
      deps.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'could not claim webhook deliveries; retrying at the next poll');
    } finally {
      filling = false;
      if (refill) {
        refill = false;
        void fill();
      }
    }
  }

  return {
    options,
    start(): void {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(() => void fill(), options.pollIntervalMs);
      timer.unref();
      void fill();
    },
    /** Stops claiming and waits for the requests in flight to finish and be recorded. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      if (soon) clearTimeout(soon);
      timer = undefined;
      soon = undefined;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    /** Looks for due deliveries now (after an event was appended or a redelivery queued). */
    wake(): void {
      void fill();
    },
    /** Counters since start, for the bench and health. */
    stats(): { delivered: number; failed: number; inFlight: number } {
      return { delivered, failed, inFlight: inFlight.size };
    },
  };
}

export type WebhookWorker = ReturnType<typeof createWebhookWorker>;
