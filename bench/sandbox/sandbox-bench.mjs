// Sandbox benchmark: cold start (first invocation of a plugin version), warm invocation overhead of
// a trivial tool (p50/p99) and throughput of concurrent invocations, beside a direct in-process call
// of the same function as the floor. Run with `node bench/sandbox/sandbox-bench.mjs [--workers 2]`.
// The sandbox module and its worker are bundled into bench/sandbox/results/ side by side, the same
// layout as dist/cli.js + dist/sandbox-worker.js in production.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'bench', 'sandbox', 'results');
const workersArg = process.argv.indexOf('--workers');
const workers = workersArg > 0 ? Number(process.argv[workersArg + 1]) : 2;
mkdirSync(out, { recursive: true });

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
  banner: { js: "import { createRequire as __codexCreateRequire } from 'node:module'; const require = __codexCreateRequire(import.meta.url);" } };
await build({ ...common, entryPoints: [join(root, 'server/registry/sandbox/sandbox.ts')], outfile: join(out, 'sandbox.js') });
await build({ ...common, entryPoints: [join(root, 'server/registry/sandbox/sandbox-worker.ts')], outfile: join(out, 'sandbox-worker.js') });
const { createSandbox } = await import(pathToFileURL(join(out, 'sandbox.js')).href);

const toolSource = 'function echo(input) { return { got: input }; }';
const trivialPlugin = (version) => `// version ${version}\n${toolSource}\nexport default { tools: { echo } };`;
// A plugin the size of a small real bundle (~100 KB of code), to show what parsing costs.
const filler = Array.from({ length: 1500 }, (_, i) => `function helper${i}(a, b) { const list = [a, b, ${i}]; return list.map((x) => x * 2).filter((x) => x > ${i % 7}).reduce((s, x) => s + x, 0); }`).join('\n');
const largePlugin = (version) => `// version ${version}\n${filler}\n${toolSource}\nexport default { tools: { echo } };`;

const input = { text: 'hello' };
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const fmt = (ms) => (ms < 0.01 ? `${(ms * 1000).toFixed(2)} µs` : `${ms.toFixed(3)} ms`);
const results = {};

async function timeInvocation(sandbox, request) {
  const started = performance.now();
  const result = await sandbox.invoke(request);
  const elapsed = performance.now() - started;
  if (!result.ok) throw new Error(`benchmark invocation failed: ${JSON.stringify(result.error)}`);
  return elapsed;
}

// Pool start: creating the sandbox and getting the first answer (worker threads + QuickJS WASM).
let started = performance.now();
const sandbox = createSandbox({ workers });
await timeInvocation(sandbox, { pluginKey: 'startup@0', code: trivialPlugin(0), tool: 'echo', input });
results.poolStartMs = performance.now() - started;

// Warm-up so that V8 has optimised the host side before anything is measured.
for (let i = 0; i < 500; i++) await timeInvocation(sandbox, { pluginKey: 'warmup@1', code: trivialPlugin(1), tool: 'echo', input });

// Cold start: the first invocation of each of 100 distinct plugin versions.
const cold = [];
for (let v = 0; v < 100; v++) cold.push(await timeInvocation(sandbox, { pluginKey: `cold@${v}`, code: trivialPlugin(`cold-${v}`), tool: 'echo', input }));
const coldLarge = [];
for (let v = 0; v < 30; v++) coldLarge.push(await timeInvocation(sandbox, { pluginKey: `large@${v}`, code: largePlugin(`large-${v}`), tool: 'echo', input }));

// Warm: the same plugin version, one invocation at a time.
const warm = [];
for (let i = 0; i < 3000; i++) warm.push(await timeInvocation(sandbox, { pluginKey: 'warm@1', code: trivialPlugin('warm'), tool: 'echo', input }));
const warmLarge = [];
for (let i = 0; i < 200; i++) warmLarge.push(await timeInvocation(sandbox, { pluginKey: 'large@warm', code: largePlugin('warm'), tool: 'echo', input }));
// The same with isolation 'warm': the evaluated module is reused by later invocations.
const cached = [];
for (let i = 0; i < 3000; i++) cached.push(await timeInvocation(sandbox, { pluginKey: 'cached@1', code: trivialPlugin('cached'), tool: 'echo', input, isolation: 'warm' }));
const cachedLarge = [];
for (let i = 0; i < 500; i++) cachedLarge.push(await timeInvocation(sandbox, { pluginKey: 'cached-large@1', code: largePlugin('cached'), tool: 'echo', input, isolation: 'warm' }));

// The floor: the same function called directly in this process.
// plugin-codex-disable-next-line security-dynamic-code -- the bench's own trusted sample, run unsandboxed on purpose as the baseline
const echo = new Function(`${toolSource}; return echo;`)();
const direct = [];
let sink = 0;
for (let i = 0; i < 100_000; i++) {
  const t = performance.now();
  sink += echo(input).got === input ? 1 : 0;
  direct.push(performance.now() - t);
}

// Throughput: N invocations with `concurrency` in flight (spread over 16 installations so that the
// per-installation concurrency limit is not what is measured).
async function throughput(total, concurrency, isolation = 'fresh') {
  let next = 0;
  const begin = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const n = next++;
      await timeInvocation(sandbox, { pluginKey: `tp@${n % 16}`, code: trivialPlugin('tp'), tool: 'echo', input, isolation, limits: { concurrency: 32 } });
    }
  }));
  return total / ((performance.now() - begin) / 1000);
}
await throughput(1000, 32);
const tp1 = await throughput(3000, 1);
const tp32 = await throughput(10000, 32);
const tp32Warm = await throughput(10000, 32, 'warm');
const directBegin = performance.now();
for (let i = 0; i < 1_000_000; i++) sink += echo(input).got === input ? 1 : 0;
const directPerSecond = 1_000_000 / ((performance.now() - directBegin) / 1000);
await sandbox.close();

const warmP50 = percentile(warm, 50);
const directP50 = percentile(direct, 50);
const lines = [
  `machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}; sandbox workers: ${workers}; load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
  `pool start (create + first answer): ${fmt(results.poolStartMs)}`,
  `cold start, trivial plugin (first invocation of a version, n=${cold.length}): p50 ${fmt(percentile(cold, 50))}, p99 ${fmt(percentile(cold, 99))}`,
  `cold start, ~${Math.round(largePlugin('x').length / 1024)} KB plugin (n=${coldLarge.length}): p50 ${fmt(percentile(coldLarge, 50))}, p99 ${fmt(percentile(coldLarge, 99))}`,
  `warm invocation, trivial plugin (n=${warm.length}): p50 ${fmt(warmP50)}, p99 ${fmt(percentile(warm, 99))}`,
  `warm invocation, ~${Math.round(largePlugin('x').length / 1024)} KB plugin (n=${warmLarge.length}): p50 ${fmt(percentile(warmLarge, 50))}, p99 ${fmt(percentile(warmLarge, 99))}`,
  `warm invocation with isolation 'warm', trivial plugin (n=${cached.length}): p50 ${fmt(percentile(cached, 50))}, p99 ${fmt(percentile(cached, 99))}`,
  `warm invocation with isolation 'warm', ~${Math.round(largePlugin('x').length / 1024)} KB plugin (n=${cachedLarge.length}): p50 ${fmt(percentile(cachedLarge, 50))}, p99 ${fmt(percentile(cachedLarge, 99))}`,
  `direct in-process call (floor, n=${direct.length}): p50 ${fmt(directP50)}, p99 ${fmt(percentile(direct, 99))}`,
  `warm overhead over the floor: p50 ${fmt(warmP50 - directP50)}`,
  `throughput, 1 in flight: ${Math.round(tp1)} invocations/s`,
  `throughput, 32 in flight: ${Math.round(tp32)} invocations/s`,
  `throughput, 32 in flight, isolation 'warm': ${Math.round(tp32Warm)} invocations/s`,
  `throughput, direct in-process: ${Math.round(directPerSecond)} calls/s`,
];
console.log(lines.join('\n'));
writeFileSync(join(out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`), lines.join('\n') + `\n(sink ${sink})\n`);
