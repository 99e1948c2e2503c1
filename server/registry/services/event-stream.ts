import { matchesTypePatterns, type RegistryEvent } from '../../../protocol/events-api';
import type { Database } from '../db/database';
import type { EventsRepository, JournalEvent } from '../db/events-repository';
import { eventNotificationChannel } from '../db/webhooks-repository';

/** The subset of a pino logger the stream writes to. */
interface StreamLogger {
  warn(details: object, message: string): void;
}

/** Options of the event stream. */
export interface EventStreamOptions {
  /** How often the journal is read even without a notification (lost NOTIFYs cost at most this). */
  pollIntervalMs?: number;
  /** Rows read per query. */
  pageSize?: number;
}

/** A live subscription; `close` stops it (idempotent). */
export interface EventSubscription {
  close(reason?: string): void;
  readonly closed: boolean;
}

/** What a subscriber is told. */
export interface SubscriberCallbacks {
  onEvent(event: RegistryEvent): void;
  /** The subscription ended without the subscriber closing it (shutdown or a failed catch-up). */
  onClose(reason: string): void;
}

/** The shape clients see: the journal row as recorded, without the previous-hash link. */
export function toRegistryEvent(event: JournalEvent): RegistryEvent {
  return { seq: event.seq, ts: event.ts, actor: event.actor, type: event.type, subject: event.subject, payload: event.payload, hash: event.hash };
}

interface Subscriber {
  cursor: number;
  live: boolean;
  buffer: JournalEvent[];
  patterns: readonly string[];
  callbacks: SubscriberCallbacks;
  subscription: EventSubscription;
}

/**
 * The registry's view of the journal as a stream. The journal is the source of truth; a NOTIFY
 * (sent by the `events_fan_out` trigger of whichever instance appended) is only a wake-up, and a
 * periodic poll covers notifications that were lost (a dropped LISTEN connection, a restart). One
 * reader per instance follows the table (`after lastSeq`) and fans each page out to the subscribers
 * in memory, so N open streams cost one query per wake-up, not N.
 *
 * Sequence numbers are committed in order (append holds a transaction lock), so the visible journal
 * is always a gap-free prefix and "everything after my cursor" is exact. A new subscriber that wants
 * history first reads it from the table while buffering what the reader broadcasts meanwhile, then
 * switches to live, dropping duplicates by seq.
 */
export function createEventStream(deps: { db: Database; events: EventsRepository; log: StreamLogger; options?: EventStreamOptions }) {
  const pollIntervalMs = deps.options?.pollIntervalMs ?? 2_000;
  const pageSize = deps.options?.pageSize ?? 500;
  const channel = eventNotificationChannel(deps.db.schema);
  const subscribers = new Set<Subscriber>();
  const wakeListeners = new Set<() => void>();
  let head: number | undefined;
  let pumping = false;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  function deliver(subscriber: Subscriber, events: readonly JournalEvent[]): void {
    for (const event of events) {
      if (subscriber.subscription.closed) return;
      if (event.seq <= subscriber.cursor) continue;
      subscriber.cursor = event.seq;
      if (!matchesTypePatterns(event.type, subscriber.patterns)) continue;
      try {
        subscriber.callbacks.onEvent(toRegistryEvent(event));
      } catch (error) {
        subscriber.subscription.close(`the subscriber failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  function broadcast(events: readonly JournalEvent[]): void {
    for (const subscriber of subscribers) {
      if (subscriber.live) deliver(subscriber, events);
      else subscriber.buffer.push(...events);
    }
  }

  /** Reads everything after the head and broadcasts it; concurrent calls coalesce into one more round. */
  async function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        head ??= await deps.events.lastSeq();
        for (;;) {
          const page = await deps.events.list({ after: head, limit: pageSize });
          if (page.length === 0) break;
          head = page.at(-1)!.seq;
          broadcast(page);
          if (page.length < pageSize) break;
        }
      } while (again && !stopped);
    } catch (error) {
      deps.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'event stream could not read the journal; retrying at the next poll');
    } finally {
      pumping = false;
    }
    for (const listener of wakeListeners) listener();
  }

  async function ensureListening(): Promise<void> {
    if (unlisten || stopped) return;
    try {
      unlisten = await deps.db.listen(channel, () => void pump());
    } catch (error) {
      deps.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'event stream could not LISTEN; polling until it can');
    }
  }

  async function catchUp(subscriber: Subscriber): Promise<void> {
    try {
      for (;;) {
        const page = await deps.events.list({ after: subscriber.cursor, limit: pageSize });
        deliver(subscriber, page);
        if (page.length < pageSize || subscriber.subscription.closed) break;
      }
      subscriber.live = true;
      const buffered = subscriber.buffer;
      subscriber.buffer = [];
      deliver(subscriber, buffered);
    } catch (error) {
      subscriber.subscription.close(`could not read the journal: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  return {
    /** Starts following the journal; a database that is down now is retried at every poll. */
    async start(): Promise<void> {
      stopped = false;
      await ensureListening();
      await pump();
      timer = setInterval(() => {
        void ensureListening().then(pump);
      }, pollIntervalMs);
      timer.unref();
    },
    /** Stops following and ends every subscription (their streams close; clients resume by seq). */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      for (const subscriber of [...subscribers]) subscriber.subscription.close('the registry is shutting down');
      await unlisten?.().catch(() => undefined);
      unlisten = undefined;
    },
    /** The newest seq this instance has seen; reads it when not known yet (throws while the database is down). */
    async head(): Promise<number> {
      head ??= await deps.events.lastSeq();
      return head;
    },
    /** Reads the journal now (a route that just appended calls it so its own stream is immediate). */
    wake(): Promise<void> {
      return pump();
    },
    /** Called after every read of the journal (the webhook worker piggybacks on the stream's wake-ups). */
    onWake(listener: () => void): () => void {
      wakeListeners.add(listener);
      return () => wakeListeners.delete(listener);
    },
    /**
     * Subscribes to events after `after` (undefined: only events from now on) whose type matches
     * `patterns` (empty: all). Call `head()` first so a database that is down fails the request.
     */
    subscribe(after: number | undefined, patterns: readonly string[], callbacks: SubscriberCallbacks): EventSubscription {
      if (stopped) throw new Error('the event stream is stopped');
      let closed = false;
      const subscriber: Subscriber = {
        cursor: after ?? head ?? 0,
        live: after === undefined || after >= (head ?? Number.POSITIVE_INFINITY),
        buffer: [],
        patterns,
        callbacks,
        subscription: {
          get closed() {
            return closed;
          },
          close(reason?: string) {
            if (closed) return;
            closed = true;
            subscribers.delete(subscriber);
            if (reason !== undefined) callbacks.onClose(reason);
          },
        },
      };
      subscribers.add(subscriber);
      if (!subscriber.live) void catchUp(subscriber);
      return subscriber.subscription;
    },
    /** How many subscriptions are open (health and tests). */
    subscriberCount(): number {
      return subscribers.size;
    },
  };
}

export type EventStream = ReturnType<typeof createEventStream>;
