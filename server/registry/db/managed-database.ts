import type { PGlite } from '@electric-sql/pglite';
import { bootstrapSchema, type BootstrapOutcome } from './bootstrap';
import { compareCatalogs, expectedCatalog, readCatalog, type DriftItem } from './catalog';
import { isConnectionError, isMissingSchemaObject, type Database, type Queryable } from './database';
import { createAlertsRepository } from './alerts-repository';
import { latestVersion } from './migrations';
import { rebuildSchema } from './rebuild';
import { createPgDatabase } from './pg-database';
import { createPgliteDatabase } from './pglite-database';

/** The subset of a pino logger the database layer writes to. */
export interface DbLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Where the database is and how hard to try reaching it. */
export interface ManagedDatabaseOptions {
  /** A PostgreSQL URL; absent means the embedded PGlite in `dataDir`. */
  url?: string;
  dataDir?: string;
  schema?: string;
  /** Tests share one PGlite per worker. */
  pgliteInstance?: PGlite;
  log: DbLogger;
  /** Attempts before start() gives up waiting (it keeps retrying in the background). */
  startAttempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** What the health endpoint reports about the database. */
export interface DatabaseState {
  driver: 'pg' | 'pglite';
  phase: 'connecting' | 'ready' | 'unreachable' | 'ahead';
  reachable: boolean;
  schemaVersion: number | null;
  latestVersion: number;
  /** False when the schema is newer than the code: writes are refused so nothing is corrupted. */
  writable: boolean;
  /** True once start() spent its attempts without reaching the database. */
  startBudgetSpent: boolean;
  attempts: number;
  lastError?: string;
  lastBootstrap?: BootstrapOutcome;
}

/** Thrown to callers while the database cannot be reached. */
export class DatabaseUnavailableError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';
  constructor(detail: string) {
    super(`the database is unavailable: ${detail}`);
  }
}

/** The registry's database with its connection supervision and schema self-healing. */
export interface ManagedDatabase {
  /** The connection the rest of the registry uses; it heals a lost schema and retries once. */
  readonly db: Database;
  /** The bare connection: no start-up guard, no healing (for `db migrate`, which must not bootstrap first). */
  readonly unguarded: Database;
  state(): DatabaseState;
  /** Connects and bootstraps; resolves once ready or once the start-up attempts are spent. */
  start(): Promise<DatabaseState>;
  /** Compares the live catalog with what the migrations define at the live version. */
  checkDrift(): Promise<DriftItem[]>;
  /** Re-runs bootstrap (used after a query found the schema gone). */
  heal(reason: string): Promise<void>;
  /**
   * Runs `listener` whenever the schema was created from nothing or rebuilt (a new, empty or
   * replaced database); the journal uses it to restore the state before the request that noticed
   * is retried.
   */
  onSchemaReset(listener: () => Promise<void>): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the managed database; nothing connects until start(). */
export async function createManagedDatabase(options: ManagedDatabaseOptions): Promise<ManagedDatabase> {
  const schema = options.schema ?? 'public';
  const raw: Database = options.url
    ? createPgDatabase({ url: options.url, schema })
    : await createPgliteDatabase({ dataDir: options.dataDir, schema, instance: options.pgliteInstance });
  const log = options.log;
  const startAttempts = options.startAttempts ?? 6;
  const baseMs = options.retryBaseMs ?? 250;
  const maxMs = options.retryMaxMs ?? 5_000;

  const state: DatabaseState = {
    driver: raw.driver,
    phase: 'connecting',
    reachable: false,
    schemaVersion: null,
    latestVersion: latestVersion(),
    writable: false,
    startBudgetSpent: false,
    attempts: 0,
  };
  let closed = false;
  let reconnecting: Promise<void> | undefined;
  let healing: Promise<void> | undefined;
  const resetListeners: (() => Promise<void>)[] = [];

  async function notifyReset(): Promise<void> {
    for (const listener of resetListeners) {
      try {
        await listener();
      } catch (error) {
        log.error({ error: error instanceof Error ? error.message : String(error) }, 'restoring state after a schema reset failed');
      }
    }
  }

  async function bootstrapOnce(): Promise<void> {
    await raw.query('SELECT 1');
    state.reachable = true;
    const outcome = await bootstrapSchema(raw);
    state.lastBootstrap = outcome;
    state.schemaVersion = outcome.to;
    delete state.lastError;
    if (outcome.action === 'ahead') {
      state.phase = 'ahead';
      state.writable = false;
      const message = `the database schema is at version ${outcome.from} but this code knows only up to ${outcome.latest}; writes are refused until the registry is upgraded`;
      log.error({ schemaVersion: outcome.from, latestVersion: outcome.latest }, message);
      // Raising the alert is itself a write into a newer schema; it is best effort and harmless if refused.
      await createAlertsRepository(raw).raise({ kind: 'database.ahead', severity: 'critical', message, details: { ...outcome } }).catch(() => undefined);
      return;
    }
    state.phase = 'ready';
    state.writable = true;
    if (outcome.action !== 'current') log.info({ ...outcome }, `database schema ${outcome.action}: version ${outcome.from} -> ${outcome.to}`);
    if (outcome.action === 'created') await notifyReset();
  }

  /** Tries to connect and bootstrap with exponential backoff; resolves after `attempts` tries or success. */
  async function connectLoop(attempts: number): Promise<boolean> {
    for (let attempt = 1; attempt <= attempts && !closed; attempt += 1) {
      state.attempts += 1;
      try {
        await bootstrapOnce();
        return true;
      } catch (error) {
        state.reachable = !isConnectionError(error) && state.reachable;
        state.phase = 'unreachable';
        state.writable = false;
        state.lastError = error instanceof Error ? error.message : String(error);
        const delay = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 10));
        log.warn({ attempt, delayMs: delay, error: state.lastError }, 'database not ready; retrying');
        if (attempt < attempts) await sleep(delay);
      }
    }
    return false;
  }

  /** Keeps retrying in the background until the database answers (or the registry closes). */
  function reconnectInBackground(): Promise<void> {
    reconnecting ??= (async () => {
      while (!closed && !(await connectLoop(1))) await sleep(maxMs);
    })().finally(() => {
      reconnecting = undefined;
    });
    return reconnecting;
  }

  async function heal(reason: string): Promise<void> {
    healing ??= (async () => {
      log.warn({ reason }, 'schema objects are missing; re-running bootstrap');
      const outcome = await bootstrapSchema(raw);
      state.lastBootstrap = outcome;
      state.schemaVersion = outcome.to;
      // The recorded version may say "current" while objects are gone (a table dropped by hand):
      // then the schema is rebuilt with the surviving rows carried over.
      const missing = (compareCatalogs(await expectedCatalog(raw, outcome.to), await readCatalog(raw)))
        .filter((item) => item.kind.startsWith('missing-'));
      const rebuild = missing.length > 0 ? await rebuildSchema(raw) : undefined;
      const what = rebuild
        ? `rebuilt the schema (${missing.map((item) => item.message).join('; ')}); rows carried over: ${JSON.stringify(rebuild.copied)}`
        : `bootstrap ${outcome.action} the schema (version ${outcome.from} -> ${outcome.to})`;
      await createAlertsRepository(raw).raise({
        kind: 'database.healed',
        severity: 'warning',
        message: `schema objects were missing (${reason}); ${what}`,
        details: { reason, bootstrap: outcome, missing: missing.map((item) => item.message), rebuild: rebuild ?? null },
      });
      log.warn({ ...outcome, rebuild }, 'schema healed');
      if (outcome.action === 'created' || rebuild) await notifyReset();
    })().finally(() => {
      healing = undefined;
    });
    return healing;
  }

  function assertAvailable(): void {
    if (state.phase === 'connecting' || state.phase === 'unreachable') {
      throw new DatabaseUnavailableError(state.lastError ?? 'still connecting');
    }
  }

  /** Runs `work`, healing the schema once when it finds objects missing, and noticing lost connections. */
  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    assertAvailable();
    // While the schema is being healed and the state restored, nobody reads the half-restored state.
    if (healing) await healing.catch(() => undefined);
    try {
      return await work();
    } catch (error) {
      if (isMissingSchemaObject(error) && state.phase === 'ready') {
        await heal(error instanceof Error ? error.message : String(error));
        return work();
      }
      if (isConnectionError(error)) {
        state.phase = 'unreachable';
        state.reachable = false;
        state.writable = false;
        state.lastError = error instanceof Error ? error.message : String(error);
        void reconnectInBackground();
        throw new DatabaseUnavailableError(state.lastError);
      }
      throw error;
    }
  }

  const db: Database = {
    driver: raw.driver,
    schema: raw.schema,
    query: (text, params) => guarded(() => raw.query(text, params)),
    exec: (script) => guarded(() => raw.exec(script)),
    transaction: <T>(work: (tx: Queryable) => Promise<T>) => guarded(() => raw.transaction(work)),
    listen: (channel, onNotify) => raw.listen(channel, onNotify),
    notify: (channel, payload) => guarded(() => raw.notify(channel, payload)),
    close: () => raw.close(),
  };

  return {
    db,
    unguarded: raw,
    state: () => ({ ...state }),
    async start() {
      const ok = await connectLoop(startAttempts);
      if (!ok && !closed) {
        state.startBudgetSpent = true;
        log.error({ attempts: state.attempts, error: state.lastError }, 'database unreachable at start; serving degraded and retrying in the background');
        void reconnectInBackground();
      }
      return { ...state };
    },
    async checkDrift() {
      assertAvailable();
      const version = state.schemaVersion ?? 0;
      const [expected, live] = await Promise.all([expectedCatalog(raw, version), readCatalog(raw)]);
      return compareCatalogs(expected, live);
    },
    heal,
    onSchemaReset(listener) {
      resetListeners.push(listener);
    },
    async close() {
      closed = true;
      await raw.close();
    },
  };
}
