import { PGlite } from '@electric-sql/pglite';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createManagedDatabase, type DbLogger, type ManagedDatabase, type ManagedDatabaseOptions } from '../../server/registry/db/managed-database';

/** A database driver a suite runs against. */
export interface TestDatabaseKind {
  name: 'pglite' | 'postgres';
  /** Options for a managed database in a schema nobody else uses. */
  options(schema?: string): Promise<Omit<ManagedDatabaseOptions, 'log'> & { schema: string }>;
}

/** A logger that keeps quiet unless TEST_LOG is set. */
export const quietLog: DbLogger = process.env.TEST_LOG
  ? { info: (d, m) => console.log(m, d), warn: (d, m) => console.warn(m, d), error: (d, m) => console.error(m, d) }
  : { info: () => undefined, warn: () => undefined, error: () => undefined };

let sharedPglite: Promise<PGlite> | undefined;

/** One PGlite per test file, loaded from the dump made by the global setup. */
export function sharedPgliteInstance(): Promise<PGlite> {
  sharedPglite ??= (async () => {
    const templatePath = process.env.PLUGIN_CODEX_TEST_PGLITE_TEMPLATE;
    if (!templatePath) return PGlite.create();
    const bytes = readFileSync(templatePath);
    return PGlite.create({ loadDataDir: new Blob([bytes]) });
  })();
  return sharedPglite;
}

/** A fresh schema name for one test. */
export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** The drivers this run covers: PGlite always, PostgreSQL when TEST_DATABASE_URL was given. */
export function testDatabaseKinds(): TestDatabaseKind[] {
  const kinds: TestDatabaseKind[] = [{
    name: 'pglite',
    options: async (schema = uniqueSchema()) => ({ schema, pgliteInstance: await sharedPgliteInstance() }),
  }];
  const pgUrl = process.env.PLUGIN_CODEX_TEST_PG_URL;
  if (pgUrl) kinds.push({ name: 'postgres', options: async (schema = uniqueSchema()) => ({ schema, url: pgUrl }) });
  return kinds;
}

/** Opens and starts a managed database of `kind` in a fresh schema. */
export async function openTestDatabase(kind: TestDatabaseKind, overrides: Partial<ManagedDatabaseOptions> = {}): Promise<ManagedDatabase> {
  const managed = await createManagedDatabase({ ...(await kind.options()), log: quietLog, ...overrides });
  await managed.start();
  return managed;
}

/**
 * Options for a database that shares nothing with the others of this run — a PGlite instance of
 * its own, or a new PostgreSQL database — for tests where two registries must not see each other's
 * schemas (import and replay recreate installations' data schemas under the same names). Call
 * `dispose` when done.
 */
export async function isolatedDatabaseOptions(kind: TestDatabaseKind): Promise<{ options: Omit<ManagedDatabaseOptions, 'log'> & { schema: string }; dispose(): Promise<void> }> {
  if (kind.name === 'pglite') {
    const templatePath = process.env.PLUGIN_CODEX_TEST_PGLITE_TEMPLATE;
    const instance = templatePath ? await PGlite.create({ loadDataDir: new Blob([readFileSync(templatePath)]) }) : await PGlite.create();
    return { options: { schema: uniqueSchema(), pgliteInstance: instance }, dispose: () => instance.close() };
  }
  const runUrl = new URL(process.env.PLUGIN_CODEX_TEST_PG_URL!);
  const name = `${runUrl.pathname.slice(1)}_${randomBytes(4).toString('hex')}`;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: runUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(runUrl);
  url.pathname = `/${name}`;
  return {
    options: { schema: uniqueSchema(), url: url.toString() },
    async dispose() {
      const client = new pg.Client({ connectionString: runUrl.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
