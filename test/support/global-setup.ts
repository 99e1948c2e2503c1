import { PGlite } from '@electric-sql/pglite';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Runs once per `vitest run`: dumps an initialised PGlite cluster that every test file loads (about
 * 2 s instead of 7 s for a new cluster), and, when TEST_DATABASE_URL names a PostgreSQL server,
 * creates a fresh database for this run so that runs cannot interfere. Workers inherit the
 * environment variables set here.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const folder = mkdtempSync(join(tmpdir(), 'plugin-codex-test-'));
  const template = await PGlite.create();
  const dump = await template.dumpDataDir('none');
  await template.close();
  const templatePath = join(folder, 'pglite-template.tar');
  writeFileSync(templatePath, Buffer.from(await dump.arrayBuffer()));
  process.env.PLUGIN_CODEX_TEST_PGLITE_TEMPLATE = templatePath;

  let dropDatabase: (() => Promise<void>) | undefined;
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `plugin_codex_test_${Date.now().toString(36)}_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    process.env.PLUGIN_CODEX_TEST_PG_URL = url.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  }

  return async () => {
    await dropDatabase?.();
    rmSync(folder, { recursive: true, force: true });
  };
}
