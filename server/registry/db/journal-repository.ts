import type { Queryable } from './database';
import { lockJournal, toEvent, type EventRow, type JournalEvent } from './events-repository';

/** The queries journal backup, replay, export and import need. */
export function createJournalRepository(db: Queryable) {
  return {
    /** Holds live appends back until the caller's transaction ends (replay takes it). */
    lock: lockJournal,
    /** A cheap read of the journal table: through the managed connection it heals a lost schema. */
    async probe(): Promise<void> {
      await db.query('SELECT 1 FROM events LIMIT 1');
    },
    /** The newest event, or undefined for an empty journal. */
    async lastEvent(tx: Queryable = db): Promise<JournalEvent | undefined> {
      const result = await tx.query<EventRow>('SELECT * FROM events ORDER BY seq DESC LIMIT 1');
      return result.rows[0] ? toEvent(result.rows[0]) : undefined;
    },
    async eventAt(seq: number, tx: Queryable = db): Promise<JournalEvent | undefined> {
      const result = await tx.query<EventRow>('SELECT * FROM events WHERE seq = $1', [seq]);
      return result.rows[0] ? toEvent(result.rows[0]) : undefined;
    },
    /** Events after `seq`, oldest first. */
    async eventsAfter(seq: number, limit = 1000, tx: Queryable = db): Promise<JournalEvent[]> {
      const result = await tx.query<EventRow>('SELECT * FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [seq, limit]);
      return result.rows.map(toEvent);
    },
    /** Writes an event exactly as it was committed elsewhere (replay keeps its seq, time and hashes). */
    async insertVerbatim(tx: Queryable, event: JournalEvent): Promise<void> {
      await tx.query(
        'INSERT INTO events (seq, ts, actor, type, subject, payload, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [event.seq, event.ts, event.actor, event.type, event.subject, JSON.stringify(event.payload), event.prevHash, event.hash],
      );
    },
    async artifact(integrity: string, tx: Queryable = db): Promise<Buffer | undefined> {
      const result = await tx.query<{ bytes: Uint8Array }>('SELECT bytes FROM artifacts WHERE integrity = $1', [integrity]);
      const bytes = result.rows[0]?.bytes;
      return bytes === undefined ? undefined : Buffer.from(bytes);
    },
    async artifactIntegrities(tx: Queryable = db): Promise<string[]> {
      const result = await tx.query<{ integrity: string }>('SELECT integrity FROM artifacts ORDER BY integrity');
      return result.rows.map((row) => row.integrity);
    },
    /** Stores artifact bytes if absent (content-addressed, so a second write is a no-op). */
    async putArtifact(tx: Queryable, integrity: string, bytes: Buffer, createdAt?: string): Promise<void> {
      await tx.query(
        'INSERT INTO artifacts (integrity, bytes, size, created_at) VALUES ($1, $2, $3, COALESCE($4::timestamptz, now())) ON CONFLICT (integrity) DO NOTHING',
        [integrity, bytes, bytes.length, createdAt ?? null],
      );
    },
  };
}

export type JournalRepository = ReturnType<typeof createJournalRepository>;
