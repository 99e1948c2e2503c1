#!/usr/bin/env node
// Benchmarks `plugin-codex check` on zod 4.6.7's sources against `tsc --noEmit` plus `eslint` with
// the equivalent rule set: wall time and peak memory of each (GNU time -v), findings per category.
// Each tool runs --rounds times (default 3), interleaved (codex, tsc, eslint, codex, …) so drift of a
// shared machine hits all alike; the table shows medians, and every round is printed.
// Usage: node scripts/build.mjs && node bench/codex/run.mjs [--keep] [--rounds N] [--warm]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const keep = process.argv.includes('--keep');
// --warm: also time second runs with each tool's cache (check --cache, tsc --incremental, eslint --cache).
const warm = process.argv.includes('--warm');
const roundsFlag = process.argv.indexOf('--rounds');
const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 3;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
/** The median run of each measure over the rounds (stdout of the first round kept for the report). */
function summary(runs) {
  return { ...runs[0], seconds: median(runs.map((run) => run.seconds)), cpu: median(runs.map((run) => run.cpu)), peakMb: median(runs.map((run) => run.peakMb)), runs };
}
const work = mkdtempSync(join(tmpdir(), 'codex-bench-'));

function timed(label, command, args, options = {}) {
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  // GNU time prints "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34".
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(result.stderr)?.[1] ?? 'NaN';
  const parts = wall.split(':').map(Number);
  const seconds = parts.reduce((total, part) => total * 60 + part, 0);
  const cpu = Number(/User time \(seconds\): ([\d.]+)/.exec(result.stderr)?.[1] ?? NaN) + Number(/System time \(seconds\): ([\d.]+)/.exec(result.stderr)?.[1] ?? NaN);
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1] ?? 0);
  return { label, status: result.status, seconds, cpu, peakMb: Math.round(peakKb / 1024), stdout: result.stdout, stderr: result.stderr };
}

/**
 * Second runs with each tool's own cache: `check --cache`, `tsc --incremental` and `eslint --cache`
 * (content strategy), first on the unchanged project, then after one edit per round to a leaf file
 * (a test: nothing imports it) and to a core file most of zod imports (so both ends of an edit's reach are timed).
 */
function warmRuns(root) {
  const caches = join(work, 'caches');
  const commands = {
    codex: () => timed('plugin-codex check --cache', process.execPath, [join(repo, 'bin/plugin-codex.js'), 'check', '--root', root, '--format', 'json', '--cache-location', join(caches, 'codex.json')], { cwd: root, env: { ...process.env, DATABASE_URL: '' } }),
    tsc: () => timed('tsc --incremental', process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root, '--incremental', '--tsBuildInfoFile', join(caches, 'tsc.tsbuildinfo')], { cwd: root }),
    eslint: () => timed('eslint --cache', process.execPath, [join(repo, 'node_modules/eslint/bin/eslint.js'), '--config', join(repo, 'bench/codex/eslint.bench.config.mjs'), '--format', 'json', '--cache', '--cache-strategy', 'content', '--cache-location', join(caches, 'eslintcache'), 'src'], { cwd: root }),
  };
  for (const run of Object.values(commands)) run();
  const edits = [['unchanged', undefined], ['one leaf file edited', 'src/v4/classic/tests/string.test.ts'], ['one core file edited', 'src/v4/core/util.ts']];
  console.log(`\nwarm runs (each tool's cache filled by one cold run first; medians of ${rounds}):\n`);
  console.log('| project state | check --cache s / MB | tsc --incremental s / MB | eslint --cache s / MB | tsc + eslint s / MB |');
  console.log('|---|---|---|---|---|');
  for (const [state, file] of edits) {
    const runs = { codex: [], tsc: [], eslint: [] };
    for (let round = 0; round < rounds; round++) {
      // A comment appended to the file: every tool sees new text, no tool sees a new type.
      if (file) writeFileSync(join(root, file), `${readFileSync(join(root, file), 'utf8')}// edit ${round}\n`);
      for (const [name, run] of Object.entries(commands)) runs[name].push(run());
    }
    const codex = summary(runs.codex);
    const tsc = summary(runs.tsc);
    const eslint = summary(runs.eslint);
    const sums = runs.tsc.map((run, index) => ({ seconds: run.seconds + runs.eslint[index].seconds, peakMb: run.peakMb + runs.eslint[index].peakMb }));
    console.log(`| ${state} | ${codex.seconds.toFixed(1)} / ${codex.peakMb} | ${tsc.seconds.toFixed(1)} / ${tsc.peakMb} | ${eslint.seconds.toFixed(1)} / ${eslint.peakMb} | ${median(sums.map((run) => run.seconds)).toFixed(1)} / ${median(sums.map((run) => run.peakMb))} |`);
    const reuse = /cache reused .*/.exec(runs.codex[0].stderr);
    if (reuse) console.error(`  ${state}: ${reuse[0]}`);
  }
}

try {
  execFileSync('npm', ['pack', 'zod@4.6.7', '--silent'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('tar', ['xzf', 'zod-4.6.7.tgz'], { cwd: work });
  const root = join(work, 'project');
  mkdirSync(root);
  cpSync(join(work, 'package/src'), join(root, 'src'), { recursive: true });
  cpSync(join(work, 'package/package.json'), join(root, 'package.json'));
  // zod's tests import vitest; the repository's node_modules provides it (and @types/node) to both sides.
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, skipLibCheck: true, noEmit: true, esModuleInterop: true, resolveJsonModule: true, allowJs: true },
    include: ['src'],
  }, null, 2));
  const files = execFileSync('find', ['src', '-name', '*.ts'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
  const lines = files.reduce((sum, file) => sum + readFileSync(join(root, file), 'utf8').split('\n').length, 0);

  const all = { codex: [], tsc: [], eslint: [] };
  for (let round = 0; round < rounds; round++) {
    all.codex.push(timed('plugin-codex check', process.execPath, [join(repo, 'bin/plugin-codex.js'), 'check', '--root', root, '--format', 'json'], { cwd: root, env: { ...process.env, DATABASE_URL: '' } }));
    all.tsc.push(timed('tsc --noEmit', process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root], { cwd: root }));
    all.eslint.push(timed('eslint (equivalent rules)', process.execPath, [join(repo, 'node_modules/eslint/bin/eslint.js'), '--config', join(repo, 'bench/codex/eslint.bench.config.mjs'), '--format', 'json', 'src'], { cwd: root }));
    console.error(`round ${round + 1}/${rounds}: check ${all.codex[round].seconds.toFixed(1)} s / ${all.codex[round].peakMb} MB, tsc ${all.tsc[round].seconds.toFixed(1)} s / ${all.tsc[round].peakMb} MB, eslint ${all.eslint[round].seconds.toFixed(1)} s / ${all.eslint[round].peakMb} MB`);
  }
  const codex = summary(all.codex);
  const tsc = summary(all.tsc);
  const eslint = summary(all.eslint);
  const combined = all.tsc.map((run, index) => ({ seconds: run.seconds + all.eslint[index].seconds, cpu: run.cpu + all.eslint[index].cpu, peakMb: run.peakMb + all.eslint[index].peakMb }));

  let report;
  try {
    report = JSON.parse(codex.stdout);
  } catch {
    console.error(codex.stderr.slice(0, 4000));
    throw new Error('plugin-codex check did not print JSON');
  }
  const byCategory = {};
  const byRule = {};
  for (const finding of report.findings) {
    byCategory[finding.category] = (byCategory[finding.category] ?? 0) + 1;
    byRule[finding.ruleId] = (byRule[finding.ruleId] ?? 0) + 1;
  }
  const tscErrors = (tsc.stdout.match(/error TS\d+/g) ?? []).length;
  let eslintProblems = '?';
  try {
    eslintProblems = JSON.parse(eslint.stdout).reduce((sum, file) => sum + file.messages.length, 0);
  } catch {
    // The linter printed something other than JSON; the count stays unknown.
  }

  console.log(`machine: ${cpus().length} cpu (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} free), node ${process.version}`);
  console.log(`input: zod 4.6.7 src/, ${files.length} .ts files, ${lines} lines; medians of ${rounds} interleaved rounds\n`);
  console.log('| run | wall s | CPU s (user+sys) | peak RSS MB | result |');
  console.log('|---|---|---|---|---|');
  console.log(`| ${codex.label} | ${codex.seconds.toFixed(1)} | ${codex.cpu.toFixed(1)} | ${codex.peakMb} | ${report.findings.length} findings, exit ${codex.status} |`);
  console.log(`| ${tsc.label} | ${tsc.seconds.toFixed(1)} | ${tsc.cpu.toFixed(1)} | ${tsc.peakMb} | ${tscErrors} errors |`);
  console.log(`| ${eslint.label} | ${eslint.seconds.toFixed(1)} | ${eslint.cpu.toFixed(1)} | ${eslint.peakMb} | ${eslintProblems} problems |`);
  console.log(`| tsc + eslint (sums) | ${median(combined.map((run) => run.seconds)).toFixed(1)} | ${median(combined.map((run) => run.cpu)).toFixed(1)} | ${median(combined.map((run) => run.peakMb))} | |`);
  console.log(`\nrounds (wall s / peak MB): check ${all.codex.map((run) => `${run.seconds.toFixed(1)}/${run.peakMb}`).join(', ')}; tsc + eslint ${combined.map((run) => `${run.seconds.toFixed(1)}/${run.peakMb}`).join(', ')}`);
  console.log(`\nfindings per category: ${JSON.stringify(byCategory)}`);
  console.log(`findings per rule: ${JSON.stringify(byRule)}`);
  const interesting = report.findings.filter((finding) => finding.category === 'security' || finding.category === 'performance');
  console.log(`\nsecurity and performance findings (${interesting.length}):`);
  for (const finding of interesting) {
    console.log(`  ${finding.file.slice(root.length + 1)}:${finding.range.start.line + 1} ${finding.ruleId}: ${finding.message}`);
  }
  if (warm) warmRuns(root);
  if (keep) console.log(`\nkept ${work}`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
