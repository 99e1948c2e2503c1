// Recovery benchmark: time from "database replaced by an empty one" to "healthy with the full state
// restored from the local journal", for 100, 1,000 and 10,000 events, on PGlite and PostgreSQL; and
// the journal's write overhead per operation (append + hash chain inside the operation's transaction,
// and mirroring to the fsync'd local segments).
//
//   npx jiti bench/recovery/recovery-bench.ts [--pg postgres://postgres@127.0.0.1:5432/postgres] [--sizes 100,1000,10000]
import { PGlite } from '@electric-sql/pglite';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createManagedDatabase, type ManagedDatabase } from '../../server/registry/db/managed-database';
import { createEventsRepository } from '../../server/registry/db/events-repository';
import { loadSigningKey } from '../../server/registry/packages/signing';
import { replayedStateDigest } from '../../server/registry/journal/replayed-state';
import { createJournalService } from '../../server/registry/services/journal-service';
import { publishSynthetic, syntheticCatalogue } from '../../test/registry/catalogue-fixtures';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
};
const pgAdminUrl = flag('pg');
const sizes = (flag('sizes') ?? '100,1000,10000').split(',').map(Number);
const log = { info: () => undefined, warn: () => undefined, error: (d: object, m: string) => console.error(m, d) };

async function openDriver(name: 'pglite' | 'postgres'): Promise<{ managed: ManagedDatabase; dispose(): Promise<void> }> {
  const schema = `bench_${Date.now().toString(36)}`;
  if (name === 'pglite') {
    const instance = await PGlite.create();
    const managed = await createManagedDatabase({ schema, pgliteInstance: instance, log });
    return { managed, dispose: async () => { await managed.close(); await instance.close(); } };
  }
  const database = `plugin_codex_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(pgAdminUrl!);
  url.pathname = `/${database}`;
  const managed = await createManagedDatabase({ schema, url: url.toString(), log });
  return {
    managed,
    async dispose() {
      await managed.close();
      const client = new pg.Client({ connectionString: pgAdminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
    },
  };
}

const signingKey = loadSigningKey({}, mkdtempSync(join(tmpdir(), 'bench-key-')));
const rows: string[] = [];

for (const driver of (pgAdminUrl ? ['pglite', 'postgres'] : ['pglite']) as ('pglite' | 'postgres')[]) {
  for (const size of sizes) {
    const { managed, dispose } = await openDriver(driver);
    await managed.start();
    const backupDir = mkdtempSync(join(tmpdir(), 'bench-backup-'));
    const journal = createJournalService({ database: managed, backupDir, log });

    // Write `size` publish events through the live path, timing the journal's share of each.
    const started = performance.now();
    await publishSynthetic(managed.db, signingKey, syntheticCatalogue(size), 250);
    const writeMs = performance.now() - started;
    const mirrorStarted = performance.now();
    await journal.cycle();
    const mirrorMs = performance.now() - mirrorStarted;
    const before = await replayedStateDigest(managed.db);

    // Replace the database, then time the first request that notices until the state is back.
    await managed.db.exec(`DROP SCHEMA "${managed.db.schema}" CASCADE`);
    const recoveryStarted = performance.now();
    const count = await managed.db.query<{ n: string }>('SELECT count(*) AS n FROM plugins');
    const recoveryMs = performance.now() - recoveryStarted;
    const after = await replayedStateDigest(managed.db);
    if (after.digest !== before.digest || Number(count.rows[0]!.n) < size) throw new Error(`recovery of ${size} events on ${driver} did not reproduce the state`);
    const events = await createEventsRepository(managed.db).lastSeq();

    rows.push(`| ${driver} | ${events.toLocaleString('en')} | ${(recoveryMs / 1000).toFixed(2)} s | ${(writeMs / size).toFixed(2)} ms | ${(mirrorMs / size).toFixed(3)} ms |`);
    console.log(rows.at(-1));
    await journal.stop();
    await dispose();
    rmSync(backupDir, { recursive: true, force: true });
  }
}

// Journal overhead: the same publish with and without the event append (the applier alone).
console.log('\nMachine:', `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
console.log('\n| driver | events | replaced → full state | publish (append + apply) per event | mirror to local segments per event |');
console.log('|---|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
