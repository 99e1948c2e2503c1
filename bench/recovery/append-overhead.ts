// The journal's write overhead per operation: an operation's transaction with the event append
// (advisory lock, read of the last hash, sha256 over the canonical encoding, insert) against the same
// transaction without it. Run: npx jiti bench/recovery/append-overhead.ts [--pg URL] [--n 1000]
import { PGlite } from '@electric-sql/pglite';
import { createManagedDatabase } from '../../server/registry/db/managed-database';
import { createEventsRepository } from '../../server/registry/db/events-repository';

const args = process.argv.slice(2);
const pgUrl = args.includes('--pg') ? args[args.indexOf('--pg') + 1] : undefined;
const n = args.includes('--n') ? Number(args[args.indexOf('--n') + 1]) : 1000;
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

for (const driver of pgUrl ? ['pglite', 'postgres'] : ['pglite']) {
  const instance = driver === 'pglite' ? await PGlite.create() : undefined;
  const managed = await createManagedDatabase({ schema: `append_${Date.now().toString(36)}`, ...(instance ? { pgliteInstance: instance } : { url: pgUrl! }), log });
  await managed.start();
  const events = createEventsRepository(managed.db);
  const payload = { pluginId: '@bench/x', version: '1.0.0', target: 'default', plan: { installs: [{ pluginId: '@bench/x', version: '1.0.0' }] } };
  const without: number[] = [];
  const withAppend: number[] = [];
  for (let i = 0; i < n; i += 1) {
    // The operation's own write, with and without the journal row, alternated to share the noise.
    let started = performance.now();
    await managed.db.transaction(async (tx) => {
      await tx.query("UPDATE settings SET value = $1 WHERE key = 'registry.name'", [JSON.stringify(`bench ${i}`)]);
    });
    without.push(performance.now() - started);
    started = performance.now();
    await managed.db.transaction(async (tx) => {
      await tx.query("UPDATE settings SET value = $1 WHERE key = 'registry.name'", [JSON.stringify(`bench ${i}`)]);
      await events.append(tx, { actor: 'bench', type: 'plugin.installed', subject: '@bench/x', payload });
    });
    withAppend.push(performance.now() - started);
  }
  const overhead = percentile(withAppend, 50) - percentile(without, 50);
  console.log(`| ${driver} | ${n} | ${percentile(without, 50).toFixed(2)} ms | ${percentile(withAppend, 50).toFixed(2)} ms | ${overhead.toFixed(2)} ms | ${percentile(withAppend, 99).toFixed(2)} ms |`);
  await managed.close();
  await instance?.close();
}
