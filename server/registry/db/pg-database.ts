import pg from 'pg';
import { assertSchemaName, type Database, type Queryable, type QueryResult } from './database';

/** Options for a PostgreSQL connection. */
export interface PgDatabaseOptions {
  /** A `postgres://` URL; Supabase and pooler URLs work, `sslmode` is honoured. */
  url: string;
  schema: string;
  maxConnections?: number;
  /** How long one attempt to connect may take. */
  connectTimeoutMs?: number;
}

/** Errors after which a connection must not go back to the pool. */
function isBrokenConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === 'ECONNRESET' || code === 'EPIPE');
}

function queryableOf(client: pg.PoolClient): Queryable {
  return {
    async query<Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await client.query(text, params as unknown[] | undefined);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(script: string): Promise<void> {
      // Without parameters pg uses the simple query protocol, which accepts several statements.
      await client.query(script);
    },
  };
}

/**
 * Opens a `pg` Pool whose every connection resolves unqualified names in `schema`.
 * The pool connects lazily: this never fails because the server is down, the first query does.
 */
export function createPgDatabase(options: PgDatabaseOptions): Database {
  const schema = assertSchemaName(options.schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Every connection resolves names in `schema`: set once per physical connection, awaited before
  // its first statement (a SET fired from the pool's connect event would race the first query).
  const prepared = new WeakSet<pg.PoolClient>();
  async function checkout(): Promise<pg.PoolClient> {
    const client = await pool.connect();
    if (!prepared.has(client)) {
      try {
        await client.query(`SET search_path TO "${schema}"`);
      } catch (error) {
        client.release(true);
        throw error;
      }
      prepared.add(client);
    }
    return client;
  }
  async function onClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await checkout();
    let broken = false;
    try {
      return await work(client);
    } catch (error) {
      broken = isBrokenConnection(error);
      throw error;
    } finally {
      client.release(broken);
    }
  }
  const direct: Queryable = {
    query: <Row>(text: string, params?: readonly unknown[]) => onClient((client) => queryableOf(client).query<Row>(text, params)),
    exec: (script: string) => onClient((client) => queryableOf(client).exec(script)),
  };
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let listenClient: pg.PoolClient | undefined;

  async function ensureListenClient(): Promise<pg.PoolClient> {
    if (listenClient) return listenClient;
    const client = await checkout();
    client.on('notification', (message) => {
      for (const handler of listeners.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    client.on('error', () => {
      // The connection died: forget it so the next listen() opens a new one and re-subscribes.
      if (listenClient === client) listenClient = undefined;
    });
    listenClient = client;
    return client;
  }

  return {
    driver: 'pg',
    schema,
    query: direct.query,
    exec: direct.exec,
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await checkout();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(queryableOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async listen(channel, onNotify) {
      const client = await ensureListenClient();
      let handlers = listeners.get(channel);
      if (!handlers) {
        handlers = new Set();
        listeners.set(channel, handlers);
        await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
      }
      handlers.add(onNotify);
      return async () => {
        handlers.delete(onNotify);
      };
    },
    async notify(channel, payload) {
      await direct.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      listenClient?.release();
      listenClient = undefined;
      await pool.end();
    },
  };
}
