/**
 * The one small interface the registry uses to talk to a database, whichever driver sits behind it
 * (a `pg` Pool for PostgreSQL, Supabase or any PostgreSQL-compatible server; PGlite for the embedded
 * default). Only files in server/registry/db/ implement or call the drivers.
 */

/** Rows returned by a statement. */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** Something statements can run on: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one parameterised statement. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/** A transaction handle; it commits when the callback resolves and rolls back when it throws. */
export type Transaction = Queryable;

/** The registry's database connection. */
export interface Database extends Queryable {
  /** Which driver serves this connection. */
  readonly driver: 'pg' | 'pglite';
  /** The schema every unqualified table name resolves to. */
  readonly schema: string;
  /** Runs `work` in one transaction; everything it does commits together or not at all. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on a channel; returns a function that unsubscribes. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Sends a NOTIFY on a channel (delivered when the surrounding transaction, if any, commits). */
  notify(channel: string, payload: string): Promise<void>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** SQLSTATE codes that mean a schema object the code relies on is gone. */
const MISSING_SCHEMA_OBJECT_CODES = new Set([
  '42P01', // undefined_table
  '42703', // undefined_column
  '3F000', // invalid_schema_name
  '42883', // undefined_function
  '42704', // undefined_object
]);

/** SQLSTATE classes and error codes that mean the server cannot be reached right now. */
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

/** True when an error says a table, column, schema or function the registry needs does not exist. */
export function isMissingSchemaObject(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && MISSING_SCHEMA_OBJECT_CODES.has(code);
}

/** True when an error says the database server could not be reached or dropped the connection. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}

/** Schema names are interpolated into SET search_path, so only plain identifiers are accepted. */
export function assertSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`DATABASE_SCHEMA "${schema}" is not a plain lower-case identifier (letters, digits, underscore)`);
  }
  return schema;
}
