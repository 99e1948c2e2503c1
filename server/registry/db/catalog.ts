import type { Database, Queryable } from './database';
import { migrationFiles } from './migrations';

/** The shape of one table as the live catalog describes it. */
export interface TableShape {
  columns: Record<string, { type: string; notNull: boolean; default: string | null }>;
  indexes: Record<string, string>;
  constraints: Record<string, string>;
}

/** Every table of one schema (postgrator's own bookkeeping table excluded). */
export type CatalogSnapshot = Record<string, TableShape>;

/** One difference between what the migrations define and what the database holds. */
export interface DriftItem {
  kind:
    | 'missing-table' | 'unexpected-table'
    | 'missing-column' | 'unexpected-column' | 'column-changed'
    | 'missing-index' | 'unexpected-index' | 'index-changed'
    | 'missing-constraint' | 'unexpected-constraint' | 'constraint-changed';
  table: string;
  /** The column, index or constraint concerned (absent for whole tables). */
  name?: string;
  expected?: string;
  actual?: string;
  message: string;
}

const IGNORED_TABLES = new Set(['schemaversion']);

/** Definitions print the schema when it is not on the search path; strip it so schemas compare. */
function unqualify(definition: string, schema: string): string {
  return definition.split(`"${schema}".`).join('').split(`${schema}.`).join('');
}

/** Reads tables, columns, indexes and constraints of the current schema from pg_catalog. */
export async function readCatalog(db: Queryable): Promise<CatalogSnapshot> {
  const schemaRow = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
  const schema = schemaRow.rows[0]?.schema ?? 'public';
  const snapshot: CatalogSnapshot = {};
  const table = (name: string): TableShape => (snapshot[name] ??= { columns: {}, indexes: {}, constraints: {} });

  const columns = await db.query<{ table_name: string; column_name: string; type: string; not_null: boolean; default_expr: string | null }>(
    `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_expr
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
      ORDER BY c.relname, a.attnum`,
  );
  for (const row of columns.rows) {
    if (IGNORED_TABLES.has(row.table_name)) continue;
    table(row.table_name).columns[row.column_name] = {
      type: row.type,
      notNull: row.not_null,
      default: row.default_expr === null ? null : unqualify(row.default_expr, schema),
    };
  }

  const indexes = await db.query<{ table_name: string; index_name: string; definition: string }>(
    `SELECT tablename AS table_name, indexname AS index_name, indexdef AS definition
       FROM pg_indexes WHERE schemaname = current_schema()`,
  );
  for (const row of indexes.rows) {
    if (IGNORED_TABLES.has(row.table_name)) continue;
    table(row.table_name).indexes[row.index_name] = unqualify(row.definition, schema);
  }

  const constraints = await db.query<{ table_name: string; constraint_name: string; definition: string }>(
    `SELECT c.relname AS table_name, k.conname AS constraint_name, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema()`,
  );
  for (const row of constraints.rows) {
    if (IGNORED_TABLES.has(row.table_name)) continue;
    table(row.table_name).constraints[row.constraint_name] = unqualify(row.definition, schema);
  }
  return snapshot;
}

class ScratchRollback extends Error {
  constructor(readonly snapshot: CatalogSnapshot) {
    super('scratch schema rolled back');
  }
}

const expectedByVersion = new Map<string, Promise<CatalogSnapshot>>();

/**
 * What the migrations define at `version`: they are applied to a scratch schema inside a transaction
 * that is always rolled back, and the result is read from the real catalog, so the comparison needs
 * no hand-kept copy of the schema. Cached per version for the life of the process.
 */
export function expectedCatalog(db: Database, version: number): Promise<CatalogSnapshot> {
  // Keyed by driver too: PGlite and a PostgreSQL server may print the same definition differently.
  const key = `${db.driver}:${version}`;
  let pending = expectedByVersion.get(key);
  if (!pending) {
    pending = computeExpectedCatalog(db, version);
    pending.catch(() => expectedByVersion.delete(key));
    expectedByVersion.set(key, pending);
  }
  return pending;
}

async function computeExpectedCatalog(db: Database, version: number): Promise<CatalogSnapshot> {
  const scratch = `codex_expected_${process.pid}_${Date.now().toString(36)}`;
  try {
    await db.transaction(async (tx) => {
      await tx.exec(`CREATE SCHEMA "${scratch}"; SET LOCAL search_path TO "${scratch}"`);
      for (const file of migrationFiles()) {
        if (file.version > version) break;
        await tx.exec(file.doSql);
      }
      const snapshot = await readCatalog(tx);
      throw new ScratchRollback(snapshot);
    });
  } catch (error) {
    if (error instanceof ScratchRollback) return error.snapshot;
    throw error;
  }
  throw new Error('unreachable: the scratch transaction always rolls back');
}

function compareNamed(
  kind: 'column' | 'index' | 'constraint',
  table: string,
  expected: Record<string, string>,
  actual: Record<string, string>,
  drift: DriftItem[],
): void {
  for (const [name, definition] of Object.entries(expected)) {
    const live = actual[name];
    if (live === undefined) {
      drift.push({ kind: `missing-${kind}`, table, name, expected: definition, message: `${kind} ${table}.${name} is missing` });
    } else if (live !== definition) {
      drift.push({ kind: `${kind}-changed`, table, name, expected: definition, actual: live, message: `${kind} ${table}.${name} is "${live}", the migrations define "${definition}"` });
    }
  }
  for (const [name, definition] of Object.entries(actual)) {
    if (!(name in expected)) {
      drift.push({ kind: `unexpected-${kind}`, table, name, actual: definition, message: `${kind} ${table}.${name} is not defined by any migration` });
    }
  }
}

function describeColumn(column: TableShape['columns'][string]): string {
  return `${column.type}${column.notNull ? ' NOT NULL' : ''}${column.default === null ? '' : ` DEFAULT ${column.default}`}`;
}

/** Lists every difference between the expected and the live catalog, naming each object. */
export function compareCatalogs(expected: CatalogSnapshot, live: CatalogSnapshot): DriftItem[] {
  const drift: DriftItem[] = [];
  for (const [name, shape] of Object.entries(expected)) {
    const actual = live[name];
    if (!actual) {
      drift.push({ kind: 'missing-table', table: name, message: `table ${name} is missing` });
      continue;
    }
    const describe = (columns: TableShape['columns']) =>
      Object.fromEntries(Object.entries(columns).map(([column, shape]) => [column, describeColumn(shape)]));
    compareNamed('column', name, describe(shape.columns), describe(actual.columns), drift);
    compareNamed('index', name, shape.indexes, actual.indexes, drift);
    compareNamed('constraint', name, shape.constraints, actual.constraints, drift);
  }
  for (const name of Object.keys(live)) {
    if (!(name in expected)) drift.push({ kind: 'unexpected-table', table: name, message: `table ${name} is not defined by any migration` });
  }
  return drift;
}
