import { createHash } from 'node:crypto';
import { assertSchemaName, type Queryable } from './database';

/**
 * Each installation keeps its own tables in its own PostgreSQL schema, so a plugin's migrations
 * cannot touch the registry's tables or another installation's. The name is `plg_` and 16 hex
 * digits of sha256 over the registry schema, the target and the plugin: stable (the journal
 * carries it, replay recreates the same schema), unique per installation, and distinct for two
 * registries sharing one database under different schemas.
 */
export function dataSchemaName(registrySchema: string, targetId: string, pluginId: string): string {
  const digest = createHash('sha256').update(`${registrySchema}\n${targetId}\n${pluginId}`).digest('hex');
  return `plg_${digest.slice(0, 16)}`;
}

const quote = (identifier: string) => `"${assertSchemaName(identifier)}"`;

/**
 * Creates an installation's (empty) data schema. A schema of that name can only exist without its
 * installation when the registry's own tables were lost and are being rebuilt from the journal
 * (plugin schemas live outside the registry schema); its tables are recreated by the replayed
 * migrations, so the stale copy is dropped rather than failing the replay.
 */
export async function createPluginSchema(tx: Queryable, schema: string): Promise<void> {
  await tx.exec(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE; CREATE SCHEMA ${quote(schema)}`);
}

/** Drops an installation's data schema with everything in it. */
export async function dropPluginSchema(tx: Queryable, schema: string): Promise<void> {
  await tx.exec(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`);
}

/**
 * Runs one plugin migration script with only the installation's schema on the search path, then
 * restores the caller's search path. `SET LOCAL` keeps the change inside the transaction, so a
 * failing script rolls back with it and leaves no connection pointed at the plugin's schema.
 */
export async function runPluginMigration(tx: Queryable, schema: string, sql: string): Promise<void> {
  const previous = (await tx.query<{ path: string }>("SELECT current_setting('search_path') AS path")).rows[0]?.path ?? '';
  await tx.exec(`SET LOCAL search_path TO ${quote(schema)}`);
  await tx.exec(sql);
  await tx.query("SELECT set_config('search_path', $1, true)", [previous]);
}

/** Whether a data schema exists. */
export async function pluginSchemaExists(db: Queryable, schema: string): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return result.rows.length > 0;
}

/** The tables of a data schema with their columns (`name type`), sorted: what a digest or a test compares. */
export async function pluginSchemaTables(db: Queryable, schema: string): Promise<Record<string, string[]>> {
  const result = await db.query<{ table_name: string; column_name: string; type: string }>(
    `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
      ORDER BY c.relname, a.attname`,
    [schema],
  );
  const tables: Record<string, string[]> = {};
  for (const row of result.rows) (tables[row.table_name] ??= []).push(`${row.column_name} ${row.type}`);
  return tables;
}
