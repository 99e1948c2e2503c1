import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../protocol/canonical-json';
import type { Queryable } from './database';

/** The hash that precedes the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** A state change as the code that made it describes it. */
export interface NewEvent {
  actor: string;
  type: string;
  subject?: string;
  payload?: Record<string, unknown>;
}

/** A committed journal row. */
export interface JournalEvent {
  seq: number;
  ts: string;
  actor: string;
  type: string;
  subject: string;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** The hash of an event: SHA-256 over the previous hash and the canonical encoding of its content. */
export function eventHash(event: Omit<JournalEvent, 'hash'>): string {
  const content = canonicalJson({
    seq: event.seq, ts: event.ts, actor: event.actor, type: event.type, subject: event.subject, payload: event.payload,
  });
  return createHash('sha256').update(event.prevHash).update('\n').update(content).digest('hex');
}

/** The first event whose stored hash or link does not match, or undefined when the chain is intact. */
export function findChainBreak(events: readonly JournalEvent[], expectedPrevHash = GENESIS_HASH, expectedSeq = 1): { seq: number; reason: string } | undefined {
  let prev = expectedPrevHash;
  let seq = expectedSeq;
  for (const event of events) {
    if (event.seq !== seq) return { seq: event.seq, reason: `expected event ${seq} but found ${event.seq} (a gap or reordering)` };
    if (event.prevHash !== prev) return { seq: event.seq, reason: `event ${event.seq} does not link to the hash of event ${event.seq - 1}` };
    if (eventHash(event) !== event.hash) return { seq: event.seq, reason: `event ${event.seq} was edited: its content does not match its hash` };
    prev = event.hash;
    seq += 1;
  }
  return undefined;
}

/** A row of the events table as the drivers return it. */
export interface EventRow {
  seq: string | number;
  ts: Date | string;
  actor: string;
  type: string;
  subject: string;
  payload: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** Maps an events row to a journal event (ISO time, camel-case hashes). */
export function toEvent(row: EventRow): JournalEvent {
  return {
    seq: Number(row.seq),
    ts: new Date(row.ts).toISOString(),
    actor: row.actor,
    type: row.type,
    subject: row.subject,
    payload: row.payload,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Takes the journal's transaction-scoped advisory lock: appends and replays hold it, so sequence
 * numbers have no gaps and each event links to its predecessor.
 */
export async function lockJournal(tx: Queryable): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('plugin-codex.events:' || current_schema()))");
}

/** Queries of the append-only, hash-chained event journal. */
export function createEventsRepository(db: Queryable) {
  return {
    /**
     * Appends an event inside the caller's transaction. A transaction-scoped advisory lock orders
     * concurrent writers, so sequence numbers have no gaps and each event links to its predecessor.
     */
    async append(tx: Queryable, event: NewEvent): Promise<JournalEvent> {
      await lockJournal(tx);
      const last = await tx.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1');
      const unhashed = {
        seq: Number(last.rows[0]?.seq ?? 0) + 1,
        ts: new Date().toISOString(),
        actor: event.actor,
        type: event.type,
        subject: event.subject ?? '',
        payload: event.payload ?? {},
        prevHash: last.rows[0]?.hash ?? GENESIS_HASH,
      };
      const hash = eventHash(unhashed);
      await tx.query(
        'INSERT INTO events (seq, ts, actor, type, subject, payload, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [unhashed.seq, unhashed.ts, unhashed.actor, unhashed.type, unhashed.subject, JSON.stringify(unhashed.payload), unhashed.prevHash, hash],
      );
      return { ...unhashed, hash };
    },
    async list(options: { after?: number; limit?: number; types?: readonly string[] } = {}): Promise<JournalEvent[]> {
      const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
      const result = options.types && options.types.length > 0
        ? await db.query<EventRow>('SELECT * FROM events WHERE seq > $1 AND type = ANY($2) ORDER BY seq LIMIT $3', [options.after ?? 0, options.types, limit])
        : await db.query<EventRow>('SELECT * FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [options.after ?? 0, limit]);
      return result.rows.map(toEvent);
    },
    async lastSeq(): Promise<number> {
      const result = await db.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM events');
      return Number(result.rows[0]?.seq ?? 0);
    },
    /** Walks the whole journal in pages and reports the first broken link, naming the event. */
    async verifyChain(): Promise<{ ok: boolean; events: number; break?: { seq: number; reason: string } }> {
      let prev = GENESIS_HASH;
      let seq = 1;
      let count = 0;
      for (;;) {
        const page = await db.query<EventRow>('SELECT * FROM events WHERE seq >= $1 ORDER BY seq LIMIT 1000', [seq]);
        if (page.rows.length === 0) return { ok: true, events: count };
        const events = page.rows.map(toEvent);
        const broken = findChainBreak(events, prev, seq);
        if (broken) return { ok: false, events: count, break: broken };
        count += events.length;
        prev = events.at(-1)!.hash;
        seq = events.at(-1)!.seq + 1;
      }
    },
  };
}

export type EventsRepository = ReturnType<typeof createEventsRepository>;
