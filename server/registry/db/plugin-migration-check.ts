import { randomBytes } from 'node:crypto';
import { compareCatalogs, readCatalog, type CatalogSnapshot } from './catalog';
import type { Database } from './database';
import { runPluginMigration } from './plugin-schemas';

/** One plugin migration as the manifest declares it. */
export interface MigrationScript {
  version: number;
  name: string;
  up: string;
  down: string;
}

/** What the check found. */
export interface MigrationCheckReport {
  checked: number;
  /** The tables the up migrations define, as PostgreSQL created them (`column type`, sorted). */
  tables: Record<string, string[]>;
  drift: { migration: number; kind: 'up-failed' | 'down-failed' | 'down-not-restoring'; message: string }[];
}

class Rollback extends Error {}

function columnsOf(catalog: CatalogSnapshot): Record<string, string[]> {
  const tables: Record<string, string[]> = {};
  for (const [name, shape] of Object.entries(catalog)) tables[name] = Object.entries(shape.columns).map(([column, c]) => `${column} ${c.type}`).sort();
  return tables;
}

/**
 * Checks a plugin's migrations for drift on the real database engine, changing nothing: inside ONE
 * transaction that is always rolled back, a scratch schema is created and, for each migration in
 * order, the catalog is read, `up` applied, `down` applied and the catalog compared with the one
 * before `up` (a `down` that does not restore exactly what was there is drift), then `up` is applied
 * again to continue. Each script runs under a savepoint-free transaction, so the first failing
 * statement ends the check (PostgreSQL aborts the transaction); it is reported as `up-failed` or
 * `down-failed`. A statement timeout bounds a migration that would run forever.
 */
export async function checkPluginMigrations(db: Database, migrations: readonly MigrationScript[]): Promise<MigrationCheckReport> {
  const report: MigrationCheckReport = { checked: 0, tables: {}, drift: [] };
  if (migrations.length === 0) return report;
  const schema = `dbg_${randomBytes(8).toString('hex')}`;
  try {
    await db.transaction(async (tx) => {
      if (db.driver === 'pg') await tx.exec("SET LOCAL statement_timeout = '5s'");
      await tx.exec(`CREATE SCHEMA "${schema}"`);
      const previous = (await tx.query<{ path: string }>("SELECT current_setting('search_path') AS path")).rows[0]?.path ?? '';
      const catalog = async () => {
        await tx.exec(`SET LOCAL search_path TO "${schema}"`);
        try {
          return await readCatalog(tx);
        } finally {
          await tx.query("SELECT set_config('search_path', $1, true)", [previous]);
        }
      };
      let current = await catalog();
      for (const migration of migrations) {
        const step = async (direction: 'up' | 'down') => {
          try {
            await runPluginMigration(tx, schema, migration[direction]);
            return true;
          } catch (error) {
            report.drift.push({ migration: migration.version, kind: `${direction}-failed`, message: `migration ${migration.version} (${migration.name}) ${direction} fails: ${(error as Error).message}` });
            return false;
          }
        };
        if (!(await step('up'))) break;
        const afterUp = await catalog();
        if (!(await step('down'))) break;
        const afterDown = await catalog();
        for (const item of compareCatalogs(current, afterDown)) {
          report.drift.push({ migration: migration.version, kind: 'down-not-restoring', message: `migration ${migration.version} (${migration.name}) down does not restore the schema: ${item.message}` });
        }
        if (!(await step('up'))) break;
        current = await catalog();
        if (JSON.stringify(columnsOf(current)) !== JSON.stringify(columnsOf(afterUp))) {
          report.drift.push({ migration: migration.version, kind: 'down-not-restoring', message: `migration ${migration.version} (${migration.name}) up defines a different schema after its down ran` });
        }
        report.checked++;
      }
      report.tables = columnsOf(current);
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) {
      // A failed statement aborts the transaction; its message is already in the report. Anything
      // else (the database itself failing) is reported too rather than thrown at the session.
      if (report.drift.length === 0) report.drift.push({ migration: 0, kind: 'up-failed', message: `the migration check could not run: ${(error as Error).message}` });
    }
  }
  return report;
}
