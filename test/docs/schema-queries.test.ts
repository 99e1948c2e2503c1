// Every example query of docs/SCHEMA.md runs against a registry's freshly bootstrapped (and seeded)
// database, on every driver of the run, so the examples keep up with the migrations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_QUERIES, foreignKeys } from '../../scripts/docs/schema-doc';
import { readCatalog } from '../../server/registry/db/catalog';
import { startTestRegistry, type TestRegistry } from '../support/test-app';
import { testDatabaseKinds } from '../support/test-databases';

describe.each(testDatabaseKinds())('SCHEMA.md on $name', (kind) => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry(kind);
    await registry.app.ready();
  });
  afterAll(() => registry?.close());

  it.each(EXAMPLE_QUERIES.map((query) => [query.question, query.sql] as const))('answers "%s"', async (_question, sql) => {
    const result = await registry.database.db.query(sql);
    expect(Array.isArray(result.rows)).toBe(true);
  });

  it('finds the seeded sample in the versions example', async () => {
    const query = EXAMPLE_QUERIES.find((candidate) => candidate.sql.includes("'@codex/text-stats'"))!;
    const result = await registry.database.db.query<{ version: string }>(query.sql);
    expect(result.rows.map((row) => row.version)).toContain('1.0.0');
  });

  it('parses every foreign key of the live catalogue', async () => {
    const catalog = await readCatalog(registry.database.db);
    const keys = foreignKeys(catalog);
    const declared = Object.values(catalog).flatMap((table) => Object.values(table.constraints)).filter((definition) => definition.startsWith('FOREIGN KEY'));
    expect(keys).toHaveLength(declared.length);
    for (const key of keys) expect(catalog[key.references], `${key.table}.${key.name} references ${key.references}`).toBeDefined();
  });
});
