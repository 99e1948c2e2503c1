import { createAlertsRepository } from '../db/alerts-repository';
import { createJournalRepository } from '../db/journal-repository';
import type { ManagedDatabase } from '../db/managed-database';
import { JournalBackup } from '../journal/journal-backup';
import { mirrorToBackup, reconcileWithBackup, type SyncOutcome } from '../journal/journal-sync';

/** The subset of a logger the journal service writes to. */
interface Log {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Keeps the local journal backup in step with the database, and the database with the backup. */
export interface JournalService {
  readonly backup: JournalBackup;
  /** One health cycle: restore or replay what the database lost, then mirror what it gained. */
  cycle(): Promise<SyncOutcome>;
  /** Starts the periodic cycle. */
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/**
 * Creates the service over the backup folder. A cycle never runs twice at once; its outcome, when
 * it changed anything, is logged and raised as an alert that says what happened.
 */
export function createJournalService(options: { database: ManagedDatabase; backupDir: string; log: Log }): JournalService {
  const backup = JournalBackup.open(options.backupDir);
  let running: Promise<SyncOutcome> | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Reconciles never overlap: the periodic cycle and a restore after a schema reset take turns.
  let turn: Promise<unknown> = Promise.resolve();

  function exclusively<T>(work: () => Promise<T>): Promise<T> {
    const result = turn.then(work, work);
    turn = result.catch(() => undefined);
    return result;
  }

  /**
   * Reconciles on the bare connection: a restore runs while the managed database holds every other
   * query back (it is part of healing), so it must not wait for healing itself.
   */
  async function reconcile(): Promise<SyncOutcome> {
    const db = options.database.unguarded;
    const outcome = await reconcileWithBackup(db, backup);
    if (outcome.action === 'none' || outcome.action === 'backfilled') {
      if (outcome.action === 'backfilled' && outcome.events > 0) options.log.info({ events: outcome.events }, outcome.message);
      return outcome;
    }
    const severity = outcome.action === 'diverged' ? 'critical' : 'warning';
    (severity === 'critical' ? options.log.error : options.log.warn)({ ...outcome }, outcome.message);
    await createAlertsRepository(db).raise({ kind: `journal.${outcome.action}`, severity, message: outcome.message, details: { ...outcome } });
    await mirrorToBackup(db, backup);
    return outcome;
  }

  async function runCycle(): Promise<SyncOutcome> {
    const phase = options.database.state().phase;
    if (phase !== 'ready') return { action: 'none', events: 0, message: `database ${phase}; journal sync deferred` };
    // A probe through the guarded connection: a replaced database is healed (and restored) here.
    await createJournalRepository(options.database.db).probe();
    return exclusively(reconcile);
  }

  const service: JournalService = {
    backup,
    cycle() {
      running ??= runCycle().finally(() => {
        running = undefined;
      });
      return running;
    },
    start(intervalMs) {
      timer = setInterval(() => {
        service.cycle().catch((error) => options.log.error({ error: error instanceof Error ? error.message : String(error) }, 'journal cycle failed'));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
  // A new, empty or replaced database is restored from the journal before the request that noticed
  // it is retried.
  options.database.onSchemaReset(async () => {
    await exclusively(reconcile);
  });
  return service;
}
