import type { Database, Queryable } from './database';
import { migrateWithin } from './migrations';

/** What a rebuild carried over. */
export interface RebuildReport {
  copied: Record<string, number>;
  /** Tables whose surviving rows could not be carried over, with the reason. */
  skipped: Record<string, string>;
}

async function tablesInCreationOrder(tx: Queryable, schema: string): Promise<string[]> {
  // In a freshly migrated schema object ids grow in creation order, which respects foreign keys.
  const result = await tx.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname <> 'schemaversion' ORDER BY c.oid`,
    [schema],
  );
  return result.rows.map((row) => row.name);
}

async function columnsOf(tx: Queryable, schema: string, table: string): Promise<{ name: string; identity: boolean }[]> {
  const result = await tx.query<{ name: string; identity: string }>(
    `SELECT a.attname AS name, a.attidentity AS identity FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''`,
    [schema, table],
  );
  return result.rows.map((row) => ({ name: row.name, identity: row.identity !== '' }));
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/**
 * Rebuilds a damaged schema (a table, column or index dropped by hand while the recorded version
 * still says "current"): the damaged schema is set aside, a new one is migrated from scratch, the
 * rows that survived are copied over table by table (a table whose rows no longer fit is skipped
 * and reported), and the damaged copy is dropped. It all happens in one transaction, so readers see
 * the old schema or the rebuilt one, never a mixture.
 */
export async function rebuildSchema(db: Database): Promise<RebuildReport> {
  const schema = db.schema;
  const damaged = `${schema}_damaged_${Date.now().toString(36)}`.slice(0, 63);
  const report: RebuildReport = { copied: {}, skipped: {} };
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('plugin-codex.migrate:' || $1))", [schema]);
    await tx.exec(`ALTER SCHEMA ${quote(schema)} RENAME TO ${quote(damaged)}`);
    await migrateWithin(tx, schema);
    for (const table of await tablesInCreationOrder(tx, schema)) {
      const oldColumns = new Set((await columnsOf(tx, damaged, table)).map((column) => column.name));
      if (oldColumns.size === 0) {
        report.skipped[table] = 'the table itself was gone';
        continue;
      }
      const newColumns = await columnsOf(tx, schema, table);
      const shared = newColumns.filter((column) => oldColumns.has(column.name));
      const list = shared.map((column) => quote(column.name)).join(', ');
      const overriding = shared.some((column) => column.identity) ? ' OVERRIDING SYSTEM VALUE' : '';
      await tx.exec('SAVEPOINT carry_over');
      try {
        // Seed rows the migrations inserted again are replaced by the surviving ones.
        await tx.exec(`ALTER TABLE ${quote(schema)}.${quote(table)} DISABLE TRIGGER USER; DELETE FROM ${quote(schema)}.${quote(table)}`);
        const copied = await tx.query(
          `INSERT INTO ${quote(schema)}.${quote(table)} (${list})${overriding} SELECT ${list} FROM ${quote(damaged)}.${quote(table)}`,
        );
        await tx.exec(`ALTER TABLE ${quote(schema)}.${quote(table)} ENABLE TRIGGER USER`);
        for (const column of shared.filter((c) => c.identity)) {
          await tx.query(
            `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT max(${quote(column.name)}) FROM ${quote(schema)}.${quote(table)}), 1))`,
            [`${quote(schema)}.${quote(table)}`, column.name],
          );
        }
        report.copied[table] = copied.rowCount;
        await tx.exec('RELEASE SAVEPOINT carry_over');
      } catch (error) {
        await tx.exec('ROLLBACK TO SAVEPOINT carry_over');
        report.skipped[table] = error instanceof Error ? error.message : String(error);
      }
    }
    await tx.exec(`DROP SCHEMA ${quote(damaged)} CASCADE`);
  });
  return report;
}
