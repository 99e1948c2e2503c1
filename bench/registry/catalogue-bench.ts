/**
 * Catalogue benchmark: seeds 10,000 published plugins (through the journal, 500 per transaction),
 * then measures GET /api/plugins/list (plain and with a search query) with autocannon against the
 * registry on PostgreSQL and on PGlite, each beside a bare Fastify route that returns the same
 * bytes from memory (the ceiling of this machine), plus the latency at a fixed 1,000 requests/s
 * and, when the lifecycle routes exist, install latency.
 *
 *   npx jiti bench/registry/catalogue-bench.ts [--pg postgres://postgres@127.0.0.1:5432/postgres] [--only pg|pglite] [--seconds 10]
 *
 * Results go to bench/registry/results/<date>.json and are summarised on stdout.
 */
import Fastify from 'fastify';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp, type RegistryApp } from '../../server/registry/app';
import { readConfig } from '../../server/registry/config';
import { createManagedDatabase, type ManagedDatabase } from '../../server/registry/db/managed-database';
import { publishSynthetic, syntheticCatalogue } from '../../test/registry/catalogue-fixtures';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  non2xx: number;
}
// autocannon ships no types; this is the part of its API the benchmark uses.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<CannonResult>;

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] ? args[index + 1]! : fallback;
};
const PG_URL = option('pg', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const ONLY = option('only', 'both');
const SECONDS = Number(option('seconds', '10'));
const PLUGINS = Number(option('plugins', '10000'));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Measured { requestsPerSecond: number; p50: number; p90: number; p99: number; max: number; errors: number; non2xx: number; requests: number }

async function cannon(url: string, options: { connections?: number; overallRate?: number } = {}): Promise<Measured> {
  const result = await autocannon({ url, duration: SECONDS, connections: options.connections ?? 10, pipelining: 1, workers: 1, ...(options.overallRate ? { overallRate: options.overallRate } : {}) });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max,
    errors: result.errors, non2xx: result.non2xx, requests: result.requests.total,
  };
}

async function seed(database: ManagedDatabase, app: RegistryApp): Promise<number> {
  const started = performance.now();
  await publishSynthetic(database.db, app.registryServices.signingKey, syntheticCatalogue(PLUGINS), 500);
  await database.db.query(`UPDATE plugins SET installs_count = (hashtext(id) & 1023), recommended = (hashtext(id) % 17 = 0) WHERE id LIKE '@bulk/%' OR id LIKE '@codex/synthetic-%'`);
  await database.db.query(`INSERT INTO install_stats (plugin_id, day, installs)
    SELECT id, current_date - (abs(hashtext(id)) % 30), 1 + abs(hashtext(id)) % 9 FROM plugins WHERE id LIKE '@bulk/%'`);
  await database.db.query('ANALYZE plugins');
  return Math.round(performance.now() - started);
}

async function installLatency(app: RegistryApp): Promise<Record<string, unknown>> {
  const token = await app.registryServices.auth.mintToken({ sub: 'bench-admin', role: 'super-admin' });
  const headers = { authorization: `Bearer ${token}` };
  const timings: number[] = [];
  for (let i = 0; i < 30; i += 1) {
    const started = performance.now();
    const response = await app.inject({ method: 'POST', url: '/api/plugins/install', headers, payload: { pluginId: '@codex/text-stats' } });
    const elapsed = performance.now() - started;
    if (response.statusCode === 404 && i === 0) return { available: false, status: response.statusCode, body: response.body.slice(0, 300) };
    if (response.statusCode >= 300) return { available: true, failed: response.statusCode, body: response.body.slice(0, 300), measured: timings.length };
    timings.push(elapsed);
    const removed = await app.inject({ method: 'POST', url: '/api/plugins/remove', headers, payload: { pluginId: '@codex/text-stats' } });
    if (removed.statusCode >= 300) return { available: true, removeFailed: removed.statusCode, body: removed.body.slice(0, 300), installMs: timings };
  }
  timings.sort((a, b) => a - b);
  return { available: true, samples: timings.length, p50: Number(timings[Math.floor(timings.length * 0.5)]!.toFixed(1)), p99: Number(timings.at(-1)!.toFixed(1)), note: 'app.inject, install then remove of @codex/text-stats on the default target, sequential' };
}

async function runDriver(driver: 'pg' | 'pglite'): Promise<Record<string, unknown>> {
  const schema = `bench_${Date.now().toString(36)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'plugin-codex-bench-'));
  const database = await createManagedDatabase({ ...(driver === 'pg' ? { url: PG_URL } : {}), schema, log: quiet });
  await database.start();
  const config = readConfig({ JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789', PLUGIN_CODEX_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const app = await buildApp({ config, database });
  try {
    const seedMs = await seed(database, app);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const plainUrl = `${address}/api/plugins/list`;
    const searchUrl = `${address}/api/plugins/list?q=weat`;
    const [plainBytes, searchBytes] = await Promise.all([fetch(plainUrl).then((r) => r.text()), fetch(searchUrl).then((r) => r.text())]);
    const ceiling = Fastify({ logger: false, pluginTimeout: 120_000 });
    ceiling.get('/plain', async (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(plainBytes));
    ceiling.get('/search', async (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(searchBytes));
    const ceilingAddress = await ceiling.listen({ port: 0, host: '127.0.0.1' });
    const results: Record<string, unknown> = { driver, plugins: PLUGINS, seedMs, responseBytes: { plain: plainBytes.length, search: searchBytes.length } };
    results.ceilingPlain = await cannon(`${ceilingAddress}/plain`);
    results.listPlain = await cannon(plainUrl);
    results.ceilingSearch = await cannon(`${ceilingAddress}/search`);
    results.listSearch = await cannon(searchUrl);
    results.listPlainAt1000 = await cannon(plainUrl, { connections: 20, overallRate: 1000 });
    results.listSearchAt1000 = await cannon(searchUrl, { connections: 20, overallRate: 1000 });
    await ceiling.close();
    results.install = await installLatency(app).catch((error: Error) => ({ available: false, error: error.message }));
    return results;
  } finally {
    await database.db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await app.close();
  }
}

const machine = { nproc: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), freeGiB: Number((freemem() / 2 ** 30).toFixed(1)), node: process.version };
const runs: Record<string, unknown>[] = [];
for (const driver of ['pg', 'pglite'] as const) {
  if (ONLY !== 'both' && ONLY !== driver) continue;
  console.error(`running on ${driver}...`);
  runs.push(await runDriver(driver));
}
const report = { date: new Date().toISOString(), machine, seconds: SECONDS, runs };
mkdirSync('bench/registry/results', { recursive: true });
const file = `bench/registry/results/${report.date.slice(0, 19).replace(/[:T]/g, '-')}.json`;
writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
console.log(JSON.stringify(report, null, 2));
console.error(`written to ${file}`);
process.exit(0);
