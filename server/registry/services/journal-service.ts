import type { AlertsRepository } from '../db/alerts-repository';
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
export function createJournalService(options: { database: ManagedDatabase; backupDir: string; alerts: AlertsRepository; log: Log }): JournalService {
  const backup = JournalBackup.open(options.backupDir);
  let running: Promise<SyncOutcome> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function runCycle(): Promise<SyncOutcome> {
    const phase = options.database.state().phase;
    if (phase !== 'ready') return { action: 'none', events: 0, message: `database ${phase}; journal sync deferred` };
    const outcome = await reconcileWithBackup(options.database.db, backup);
    if (outcome.action === 'none' || outcome.action === 'backfilled') {
      if (outcome.action === 'backfilled' && outcome.events > 0) options.log.info({ events: outcome.events }, outcome.message);
      return outcome;
    }
    const severity = outcome.action === 'diverged' ? 'critical' : 'warning';
    (severity === 'critical' ? options.log.error : options.log.warn)({ ...outcome }, outcome.message);
    await options.alerts.raise({ kind: `journal.${outcome.action}`, severity, message: outcome.message, details: { ...outcome } });
    // The alert itself is not journaled, but anything written meanwhile is mirrored now.
    await mirrorToBackup(options.database.db, backup);
    return outcome;
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
    await service.cycle();
  });
  return service;
}
