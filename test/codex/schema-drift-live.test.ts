import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodex } from '../../codex-core/index';
import { removeFixture, writeFixture } from '../../codex-core/rule-test-support';
import { readCatalog } from '../../server/registry/db/catalog';
import type { Queryable } from '../../server/registry/db/database';
import { sharedPgliteInstance, uniqueSchema } from '../support/test-databases';

// The project's own migrations, applied to a real (PGlite) PostgreSQL, must show no drift: this is
// what keeps the SQL reader's idea of implicit names, types and constraints honest.
describe('schema-drift against a live PostgreSQL (PGlite)', () => {
  const migrations = readdirSync('migrations').filter((name) => name.endsWith('.sql'));
  const files = Object.fromEntries(migrations.map((name) => [`migrations/${name}`, readFileSync(join('migrations', name), 'utf8')]));
  let root = '';
  let db: Queryable;
  const schema = uniqueSchema('drift');

  beforeAll(async () => {
    root = writeFixture({ ...files, 'package.json': '{"name":"drift-fixture"}' });
    const pglite = await sharedPgliteInstance();
    await pglite.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
    for (const name of migrations.filter((file) => file.includes('.do.')).sort()) await pglite.exec(files[`migrations/${name}`]!);
    db = {
      query: async <Row>(text: string, params?: readonly unknown[]) => {
        const result = await pglite.query<Row>(text, params as unknown[] | undefined);
        return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
      },
      exec: async (sql: string) => {
        await pglite.exec(sql);
      },
    };
  });
  afterAll(() => removeFixture(root));

  it('reports nothing when the database was built by the migrations', async () => {
    const codex = createCodex({ root, liveCatalog: () => readCatalog(db) });
    const { findings } = await codex.analyzeProject({ categories: ['schema-drift'] });
    expect(findings.map((finding) => finding.message)).toEqual([]);
  });

  it('reports a column added by hand and an index dropped by hand', async () => {
    await db.exec('ALTER TABLE users ADD COLUMN nickname text; DROP INDEX users_role_idx');
    const codex = createCodex({ root, liveCatalog: () => readCatalog(db) });
    const { findings } = await codex.analyzeProject({ categories: ['schema-drift'] });
    expect(findings.map((finding) => finding.message).sort()).toEqual([
      'column users.nickname exists in the database but no migration defines it',
      'index users_role_idx on users is missing from the database',
    ]);
    expect(findings.every((finding) => finding.file.endsWith('001.do.base-schema.sql'))).toBe(true);
  });
});
