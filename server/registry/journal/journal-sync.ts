import type { Database, Queryable } from '../db/database';
import type { JournalEvent } from '../db/events-repository';
import { createJournalRepository } from '../db/journal-repository';
import './all-appliers';
import { applyEvent } from './event-appliers';
import type { JournalBackup } from './journal-backup';

/** Integrity strings (sha512 SRI) mentioned anywhere in an event's payload: the artifacts it needs. */
export function referencedArtifacts(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (/^sha512-[A-Za-z0-9+/]{86}==$/.test(value)) found.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) referencedArtifacts(item, found);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) referencedArtifacts(item, found);
  }
  return found;
}

/** What reconciling the database with the local journal did. */
export interface SyncOutcome {
  action: 'none' | 'restored' | 'replayed-tail' | 'backfilled' | 'diverged';
  /** Events replayed into the database or mirrored into the backup. */
  events: number;
  message: string;
}

/**
 * Replays journal events onto the database in ONE transaction: artifacts first, then each event row
 * verbatim (same seq, time and hashes) followed by its applier — the same code the live path runs.
 * Holding the journal's advisory lock keeps live writers out until the replay commits.
 */
export async function replayEvents(db: Database, events: readonly JournalEvent[], artifactBytes: (integrity: string) => Buffer | undefined): Promise<void> {
  const journal = createJournalRepository(db);
  await db.transaction(async (tx: Queryable) => {
    await journal.lock(tx);
    for (const event of events) {
      for (const integrity of referencedArtifacts(event.payload)) {
        const bytes = artifactBytes(integrity);
        if (bytes) await journal.putArtifact(tx, integrity, bytes, event.ts);
      }
      await journal.insertVerbatim(tx, event);
      await applyEvent(tx, event);
    }
  });
}

/** Copies the database's events after the backup's last one (and their artifacts) into the backup. */
export async function mirrorToBackup(db: Queryable, backup: JournalBackup): Promise<number> {
  const journal = createJournalRepository(db);
  let mirrored = 0;
  for (;;) {
    const after = backup.lastEvent()?.seq ?? 0;
    const events = await journal.eventsAfter(after, 500);
    if (events.length === 0) return mirrored;
    for (const event of events) {
      for (const integrity of referencedArtifacts(event.payload)) {
        if (backup.hasArtifact(integrity)) continue;
        const bytes = await journal.artifact(integrity);
        if (bytes) await backup.putArtifact(integrity, bytes);
      }
    }
    await backup.append(events);
    mirrored += events.length;
  }
}

/**
 * Brings the database and the local journal into agreement:
 * - database empty or behind the journal (replaced, or an older backup restored): replay the
 *   missing events, provided the shared prefix is the same history;
 * - journal behind the database: mirror the missing events into it (backfill);
 * - both at the same event with different hashes, or a different shared prefix: diverged — nothing
 *   is touched and the caller raises an alert.
 */
export async function reconcileWithBackup(db: Database, backup: JournalBackup): Promise<SyncOutcome> {
  const journal = createJournalRepository(db);
  const dbLast = await journal.lastEvent();
  const backupLast = backup.lastEvent();
  const dbSeq = dbLast?.seq ?? 0;
  const backupSeq = backupLast?.seq ?? 0;

  if (dbSeq < backupSeq) {
    const events: JournalEvent[] = [];
    for (const event of backup.read()) {
      if (event.seq === dbSeq && event.hash !== dbLast?.hash) {
        return { action: 'diverged', events: 0, message: `the database's event ${dbSeq} differs from the local journal's; refusing to replay onto a different history` };
      }
      if (event.seq > dbSeq) events.push(event);
    }
    await replayEvents(db, events, (integrity) => backup.artifact(integrity));
    return dbSeq === 0
      ? { action: 'restored', events: events.length, message: `the database had no events; restored ${events.length} events from the local journal` }
      : { action: 'replayed-tail', events: events.length, message: `the database stopped at event ${dbSeq}; replayed ${events.length} missing events (${dbSeq + 1}..${backupSeq}) from the local journal` };
  }

  if (backupSeq > 0) {
    const shared = await journal.eventAt(backupSeq);
    if (shared?.hash !== backupLast!.hash) {
      return { action: 'diverged', events: 0, message: `event ${backupSeq} in the database differs from the local journal's; the database was replaced by one with a different history` };
    }
  }
  if (dbSeq > backupSeq) {
    const mirrored = await mirrorToBackup(db, backup);
    return { action: 'backfilled', events: mirrored, message: `the local journal stopped at event ${backupSeq}; mirrored ${mirrored} events from the database` };
  }
  return { action: 'none', events: 0, message: 'the database and the local journal agree' };
}
