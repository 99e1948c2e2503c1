import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../protocol/canonical-json';
import type { Database, Queryable } from './database';
import { pluginSchemaTables } from './plugin-schemas';

/** A digest of the state that journal replay reproduces. */
export interface StateDigest {
  /** sha256 over the per-table digests. */
  digest: string;
  /** sha256 per registry table, and per installation data schema as `data:<schema>`. */
  tables: Record<string, string>;
}

/** Tables that are bookkeeping, not state: postgrator's version table. */
const IGNORED_TABLES = new Set(['schemaversion']);

/** Columns that change without an event (touched on read), left out of the digest. */
const VOLATILE_COLUMNS: Record<string, readonly string[]> = {
  api_tokens: ['last_used_at'],
  // Artifacts are content-addressed: when the bytes arrived is not part of the state.
  artifacts: ['created_at'],
};

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function digestOn(q: Queryable, excludeTables: ReadonlySet<string>): Promise<StateDigest> {
  const tables = await q.query<{ name: string; pk: string[] | null }>(
    `SELECT c.relname AS name,
            (SELECT array_agg(a.attname::text ORDER BY k.ord)
               FROM pg_index i
               CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
      ORDER BY c.relname`,
  );
  const result: Record<string, string> = {};
  for (const table of tables.rows) {
    if (IGNORED_TABLES.has(table.name) || excludeTables.has(table.name)) continue;
    const volatile = (VOLATILE_COLUMNS[table.name] ?? []).map((column) => ` - '${column}'`).join('');
    // Without a primary key the whole row orders it, which is still deterministic.
    const order = table.pk && table.pk.length > 0 ? table.pk.map(quote).join(', ') : 'row';
    const rows = await q.query<{ row: unknown }>(`SELECT to_jsonb(t)${volatile} AS row FROM ${quote(table.name)} t ORDER BY ${order === 'row' ? '1' : order}`);
    result[table.name] = sha256(canonicalJson(rows.rows.map((r) => r.row)));
  }
  if (!excludeTables.has('installations') && tables.rows.some((table) => table.name === 'installations')) {
    const schemas = await q.query<{ data_schema: string }>('SELECT DISTINCT data_schema FROM installations ORDER BY data_schema');
    for (const { data_schema: schema } of schemas.rows) {
      result[`data:${schema}`] = sha256(canonicalJson(await pluginSchemaTables(q, schema)));
    }
  }
  const digest = sha256(canonicalJson(result));
  return { digest, tables: result };
}

/**
 * Digests the canonical content of every registry table (rows in primary-key order, volatile
 * columns left out) and the table list of every installation's data schema. Two databases with
 * equal digests hold the same marketplace state: journal replay is checked with it, and so is
 * the atomicity of the lifecycle (a failed operation leaves the digest unchanged). Timestamps are
 * rendered in UTC so the session's time zone does not matter.
 */
export async function stateDigest(db: Database | Queryable, options: { excludeTables?: readonly string[] } = {}): Promise<StateDigest> {
  const exclude = new Set(options.excludeTables ?? []);
  if ('transaction' in db) {
    return db.transaction(async (tx) => {
      await tx.exec("SET LOCAL TimeZone TO 'UTC'");
      return digestOn(tx, exclude);
    });
  }
  return digestOn(db, exclude);
}
