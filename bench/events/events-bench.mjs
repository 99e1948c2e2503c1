// Events benchmark on two real registry processes (`plugin-codex serve`) sharing one PostgreSQL schema:
//  1. fan-out latency: POST /api/tokens on instance A (records token.created) -> the event on
//     instance B's SSE stream, p50/p99 (and A's own POST round trip, to separate the two);
//  2. webhook delivery throughput: a batch of events committed in one transaction (so the outbox
//     fills at once) -> every delivery received by a local receiver answering 204, both instances
//     sharing the work.
// Run: `node bench/events/events-bench.mjs [--events 300] [--deliveries 2000]` with PostgreSQL on
// DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres). Results go to bench/events/results/.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SignJWT } from 'jose';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'bench', 'events', 'results');
mkdirSync(out, { recursive: true });
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const fanoutEvents = arg('events', 300);
const deliveryCount = arg('deliveries', 2000);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `bench_events_${Date.now().toString(36)}`;
const secret = 'events-bench-secret-0123456789abcdef0123';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
  banner: { js: "import { createRequire as __codexCreateRequire } from 'node:module'; const require = __codexCreateRequire(import.meta.url);" } };
await build({ ...common, entryPoints: [join(root, 'cli/main.ts')], outfile: join(out, 'cli.js') });
await build({ ...common, entryPoints: [join(root, 'server/registry/db/events-repository.ts')], outfile: join(out, 'events-repository.js') });
const { createEventsRepository } = await import(pathToFileURL(join(out, 'events-repository.js')).href);

const token = (sub, role) => new SignJWT({ role }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(secret));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

function startInstance() {
  const child = spawn(process.execPath, [join(out, 'cli.js'), 'serve'], {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema, JWT_SECRET: secret, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', PLUGIN_CODEX_DATA_DIR: mkdtempSync(join(tmpdir(), 'codex-bench-')) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve({ url: match[1], child });
    });
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}:\n${output}`)));
  });
}

const a = await startInstance();
const b = await startInstance();
const userHeaders = { authorization: `Bearer ${await token('bench', 'user')}`, 'content-type': 'application/json' };

// 1. Fan-out latency.
const arrivals = new Map();
const stream = httpRequest(`${b.url}/api/events/stream?types=token.created`, { headers: { ...userHeaders, accept: 'text/event-stream' } });
await new Promise((resolve) => {
  stream.on('response', (res) => {
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk) => {
      buffer += chunk;
      let split;
      while ((split = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, split);
        buffer = buffer.slice(split + 2);
        const data = frame.split('\n').find((line) => line.startsWith('data: '));
        if (data) arrivals.set(JSON.parse(data.slice(6)).subject, performance.now());
      }
    });
    resolve();
  });
  stream.end();
});
const fanout = [];
const roundTrips = [];
for (let index = 0; index < fanoutEvents; index += 1) {
  const sent = performance.now();
  const response = await fetch(`${a.url}/api/tokens`, { method: 'POST', headers: userHeaders, body: JSON.stringify({ name: `bench-${index}` }) });
  const answered = performance.now();
  const { info } = await response.json();
  while (!arrivals.has(info.id)) await new Promise((resolve) => setTimeout(resolve, 1));
  fanout.push(arrivals.get(info.id) - sent);
  roundTrips.push(answered - sent);
}
stream.destroy();

// 2. Webhook delivery throughput.
let received = 0;
let lastAt = 0;
const seen = new Set();
let duplicates = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const id = req.headers['x-codex-delivery'];
    if (seen.has(id)) duplicates += 1;
    seen.add(id);
    received += 1;
    lastAt = performance.now();
    res.writeHead(204).end();
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hook = await fetch(`${a.url}/api/webhooks`, {
  method: 'POST',
  headers: { authorization: `Bearer ${await token('root', 'super-admin')}`, 'content-type': 'application/json' },
  body: JSON.stringify({ url: `http://127.0.0.1:${receiver.address().port}/hook`, events: ['bench.*'] }),
});
if (hook.status !== 201) throw new Error(`webhook creation failed: ${hook.status} ${await hook.text()}`);
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
await client.query(`SET search_path TO "${schema}"`);
const tx = { query: async (text, params) => { const result = await client.query(text, params); return { rows: result.rows, rowCount: result.rowCount ?? 0 }; }, exec: async (script) => { await client.query(script); } };
const events = createEventsRepository(tx);
await client.query('BEGIN');
for (let index = 0; index < deliveryCount; index += 1) await events.append(tx, { actor: 'bench', type: 'bench.tick', subject: String(index), payload: { index } });
const committedAt = performance.now();
await client.query('COMMIT');
while (received < deliveryCount) await new Promise((resolve) => setTimeout(resolve, 5));
const seconds = (lastAt - committedAt) / 1000;

await client.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
await client.end();
for (const instance of [a, b]) instance.child.kill('SIGTERM');
receiver.close();

const round = (value) => Math.round(value * 10) / 10;
const report = [
  `events bench ${new Date().toISOString()}`,
  `machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  `fan-out (POST on A -> SSE on B), ${fanoutEvents} events one at a time: p50 ${round(percentile(fanout, 50))} ms, p99 ${round(percentile(fanout, 99))} ms, max ${round(Math.max(...fanout))} ms`,
  `  of which A's POST round trip: p50 ${round(percentile(roundTrips, 50))} ms, p99 ${round(percentile(roundTrips, 99))} ms`,
  `webhook deliveries: ${deliveryCount} events committed at once -> all received in ${round(seconds)} s = ${Math.round(deliveryCount / seconds)} deliveries/s (2 instances x 8 in flight, receiver answers 204), duplicates ${duplicates}`,
].join('\n');
console.log(report);
writeFileSync(join(out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`), report + '\n');
process.exit(0);
