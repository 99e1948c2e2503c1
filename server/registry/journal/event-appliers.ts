import type { Queryable } from '../db/database';
import { createEventsRepository, type JournalEvent, type NewEvent } from '../db/events-repository';

/**
 * Applies one committed event to the tables. The live path and journal replay both go through the
 * appliers, so the two cannot drift. An applier must be deterministic: everything it writes comes
 * from the event (ids, timestamps — use `event.ts`, never now() — versions, resolved plans), and
 * large immutable blobs (plugin artifacts) are referenced by their integrity, stored before.
 */
export type EventApplier = (tx: Queryable, event: JournalEvent) => Promise<void>;

const appliers = new Map<string, EventApplier>();

/** Registers the applier of an event type; each type has at most one. */
export function defineApplier(type: string, applier: EventApplier): void {
  if (appliers.has(type)) throw new Error(`an applier for ${type} is already defined`);
  appliers.set(type, applier);
}

/** Event types that change tables (the others are informational: they are journaled only). */
export function appliedEventTypes(): string[] {
  return [...appliers.keys()].sort();
}

/** Applies `event`; informational events (without an applier) change nothing. */
export async function applyEvent(tx: Queryable, event: JournalEvent): Promise<void> {
  await appliers.get(event.type)?.(tx, event);
}

/**
 * The one way state changes: appends the event to the journal and applies it, in the caller's
 * transaction, so the change and its journal row commit together or not at all.
 */
export async function recordEvent(tx: Queryable, event: NewEvent): Promise<JournalEvent> {
  const committed = await createEventsRepository(tx).append(tx, event);
  await applyEvent(tx, committed);
  return committed;
}
