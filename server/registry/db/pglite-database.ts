import { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import { assertSchemaName, type Database, type Queryable, type QueryResult } from './database';

/** Options for the embedded database. */
export interface PgliteDatabaseOptions {
  /** Folder that holds the data files; absent for an in-memory database. */
  dataDir?: string;
  schema: string;
  /** An existing PGlite instance to share (tests share one per worker and isolate by schema). */
  instance?: PGlite;
  /** A dumped data directory to start from (about 3x faster than initialising a new cluster). */
  loadDataDir?: Blob | File;
}

interface PgliteLike {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(script: string): Promise<unknown>;
}

function queryableOf(target: PgliteLike): Queryable {
  return {
    async query<Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(text, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(script: string): Promise<void> {
      await target.exec(script);
    },
  };
}

/** Opens the embedded PGlite database (PostgreSQL compiled to WASM) in `dataDir`. */
export async function createPgliteDatabase(options: PgliteDatabaseOptions): Promise<Database> {
  const schema = assertSchemaName(options.schema);
  const owned = !options.instance;
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = options.instance
    ?? await PGlite.create(options.dataDir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  // PGlite is a single connection, so the search path set here holds for every statement.
  const setPath = `SET search_path TO "${schema}"`;
  await db.exec(setPath);
  const direct = queryableOf(db as unknown as PgliteLike);

  return {
    driver: 'pglite',
    schema,
    query: async (text, params) => {
      // A shared instance may have been pointed elsewhere by another user of it (tests only).
      if (!owned) await db.exec(setPath);
      return direct.query(text, params);
    },
    exec: async (script) => {
      if (!owned) await db.exec(setPath);
      return direct.exec(script);
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      // PGlite queues every other statement until this transaction ends, so it is serialisable.
      return db.transaction(async (tx) => {
        if (!owned) await tx.exec(setPath);
        return work(queryableOf(tx as unknown as PgliteLike));
      });
    },
    async listen(channel, onNotify) {
      const unlisten = await db.listen(channel, onNotify);
      return async () => {
        await unlisten();
      };
    },
    async notify(channel, payload) {
      await db.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      if (owned) await db.close();
    },
  };
}
