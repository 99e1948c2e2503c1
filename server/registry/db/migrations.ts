import Postgrator from 'postgrator';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root';
import type { Database, Queryable } from './database';

/** One migration file pair from migrations/. */
export interface MigrationFile {
  version: number;
  name: string;
  doSql: string;
}

/** The folder that holds the SQL migrations. */
export function migrationsDir(): string {
  return join(packageRoot(), 'migrations');
}

let cachedFiles: MigrationFile[] | undefined;

/** Every `NNN.do.name.sql` in version order. */
export function migrationFiles(): MigrationFile[] {
  if (cachedFiles) return cachedFiles;
  const files = readdirSync(migrationsDir())
    .map((file) => /^(\d+)\.do\.(.+)\.sql$/.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({
      version: Number(match[1]),
      name: match[2]!,
      doSql: readFileSync(join(migrationsDir(), match[0]), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  cachedFiles = files;
  return files;
}

/** The newest schema version this code knows. */
export function latestVersion(): number {
  return migrationFiles().at(-1)?.version ?? 0;
}

/** The schema version recorded in the database, 0 when it has never been migrated. */
export async function databaseVersion(db: Queryable): Promise<number> {
  const exists = await db.query<{ present: boolean }>(
    "SELECT to_regclass('schemaversion') IS NOT NULL AS present",
  );
  if (!exists.rows[0]?.present) return 0;
  const result = await db.query<{ version: string | number | null }>('SELECT max(version) AS version FROM schemaversion');
  return Number(result.rows[0]?.version ?? 0);
}

/** Which migrations ran and where the schema ended up. */
export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
}

/**
 * Moves the schema to `target` (default: the latest) inside ONE transaction, so a concurrent reader
 * sees either the old schema or the new one, never a half-built one. An advisory lock makes several
 * registry instances that start together migrate one after the other.
 */
export async function migrate(db: Database, target?: number): Promise<MigrationReport> {
  return db.transaction((tx) => migrateWithin(tx, db.schema, target));
}

/** The body of migrate(), for callers that already hold a transaction. */
export async function migrateWithin(tx: Queryable, schema: string, target?: number): Promise<MigrationReport> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('plugin-codex.migrate:' || $1))", [schema]);
  await tx.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"; SET LOCAL search_path TO "${schema}"`);
  const postgrator = new Postgrator({
    migrationPattern: join(migrationsDir(), '*'),
    driver: 'pg',
    schemaTable: 'schemaversion',
    currentSchema: schema,
    validateChecksums: true,
    execQuery: async (sql: string) => tx.query(sql),
    execSqlScript: async (sql: string) => tx.exec(sql),
  });
  const from = await databaseVersion(tx);
  const applied = await postgrator.migrate(target === undefined ? 'max' : String(target));
  const to = await databaseVersion(tx);
  return { from, to, applied: applied.map((m) => `${m.version}.${m.action}.${m.name}`) };
}
