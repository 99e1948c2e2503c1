import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckCache, type CacheStats } from '../../codex-core/check-cache';
import { createCodex } from '../../codex-core/codex';
import { resetLintCache } from '../../codex-core/lint';
import { removeFixture, writeFixture } from '../../codex-core/rule-test-support';
import type { Finding } from '../../protocol/findings';
import { resolveWorkerScript } from '../../server/registry/worker-script';

// A check with a cache must report exactly what a check without one reports, whatever changed
// since the cache was written; these cases change each kind of input a result depends on and
// compare the cached run with a fresh one.

const base = {
  'package.json': JSON.stringify({ name: 'cache-fixture', type: 'module' }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, lib: ['ES2022'], types: [], allowJs: true }, include: ['src'] }),
  'src/size.ts': 'export function size(): number {\n  return 1;\n}\n',
  'src/use-size.ts': "import { size } from './size';\nexport const n = size();\n",
  'src/use-n.ts': "import { n } from './use-size';\nexport const m: number = n;\n",
  'src/flag.ts': 'export const on: boolean = FLAG;\n',
  'src/globals.d.ts': 'declare const FLAG: boolean;\n',
  'src/other.ts': 'var legacy = 1;\nexport const other = legacy;\n',
  'src/load.js': "const path = require('node:path');\nexport const sep = path.sep;\n",
  'src/helper-user.ts': 'export const h = makeHelper();\n',
};

describe('check cache', () => {
  const roots: string[] = [];
  let lintWorker: string;
  beforeAll(async () => {
    lintWorker = await resolveWorkerScript('lint-worker', new URL('../../cli/commands/check.ts', import.meta.url).href);
  });
  afterAll(() => roots.forEach(removeFixture));

  const fixture = (files: Record<string, string> = {}): string => {
    const root = writeFixture({ ...base, ...files }, 'codex-cache-');
    roots.push(root);
    return root;
  };

  /** One check as `check --cache` runs it: the cache loaded from disk, used, and saved. */
  async function cachedRun(root: string, worker = false): Promise<{ findings: Finding[]; stats: CacheStats }> {
    // Each run of the CLI is a new process: no ESLint instance (and its config) survives from the last.
    resetLintCache();
    const cache = new CheckCache(join(root, '.cache/check.json'), root, 'test-engine');
    const codex = createCodex({ root, cache, ...(worker ? { lintWorker } : {}) });
    const result = await codex.analyzeProject();
    expect(result.errors).toEqual([]);
    cache.save(codex.projectFiles());
    return { findings: result.findings, stats: result.cache! };
  }

  async function freshRun(root: string): Promise<Finding[]> {
    resetLintCache();
    return (await createCodex({ root }).analyzeProject()).findings;
  }

  it('reuses every result of an unchanged project and reports the same findings (lint in a worker and in this thread)', async () => {
    for (const worker of [false, true]) {
      // A project analysis lints in the worker from eight files on.
      const root = fixture(worker ? { 'src/eight.ts': 'export const eight = 8;\n' } : {});
      const files = worker ? 8 : 7;
      const first = await cachedRun(root, worker);
      expect(first.stats).toEqual({ typeHits: 0, typeMisses: files, ruleHits: 0, ruleMisses: files, lintHits: 0, lintMisses: files });
      const second = await cachedRun(root, worker);
      expect(second.stats).toEqual({ typeHits: files, typeMisses: 0, ruleHits: files, ruleMisses: 0, lintHits: files, lintMisses: 0 });
      expect(second.findings).toEqual(first.findings);
      expect(second.findings).toEqual(await freshRun(root));
      // The fixture's problems are all there: a cached run is not an empty one.
      expect(second.findings.map((finding) => `${finding.file.slice(root.length + 1)} ${finding.code ?? finding.ruleId}`)).toEqual(expect.arrayContaining([
        'src/helper-user.ts TS2304', 'src/load.js @typescript-eslint/no-require-imports', 'src/other.ts no-var',
      ]));
    }
  });

  it('re-checks the files that can see a changed export, directly or not, and only the edited file after an edit inside a body', async () => {
    const root = fixture();
    await cachedRun(root);
    // A new body and a comment: what importers see of size.ts (its declarations) is unchanged, so
    // only size.ts is checked again.
    writeFileSync(join(root, 'src/size.ts'), '// Sizes are counted from one.\nexport function size(): number {\n  return 2;\n}\n');
    const bodyEdit = await cachedRun(root);
    expect(bodyEdit.stats).toMatchObject({ typeHits: 6, typeMisses: 1, lintHits: 6, lintMisses: 1 });
    // The file rules follow values into imported initializers, so they run again where size.ts is reached.
    expect(bodyEdit.stats).toMatchObject({ ruleHits: 4, ruleMisses: 3 });
    expect(bodyEdit.findings).toEqual(await freshRun(root));
    writeFileSync(join(root, 'src/size.ts'), "export function size(): string {\n  return '1';\n}\n");
    const second = await cachedRun(root);
    // size.ts, its importer and their importer are checked again, and helper-user.ts, whose missing
    // name an import could now answer (see the import-fix case); the three others come from the cache.
    expect(second.stats).toMatchObject({ typeHits: 3, typeMisses: 4, lintHits: 6, lintMisses: 1 });
    // The error is two imports away from the change: use-size.ts infers its type from size().
    expect(second.findings.filter((finding) => finding.code === 'TS2322').map((finding) => finding.file)).toEqual([join(root, 'src/use-n.ts')]);
    expect(second.findings).toEqual(await freshRun(root));
  });

  it('re-checks every file when a global declaration changes, even files that do not import it', async () => {
    const root = fixture();
    await cachedRun(root);
    writeFileSync(join(root, 'src/globals.d.ts'), 'declare const FLAG: string;\n');
    const second = await cachedRun(root);
    expect(second.stats).toMatchObject({ typeHits: 0, typeMisses: 7, ruleHits: 0, ruleMisses: 7 });
    expect(second.findings.filter((finding) => finding.code === 'TS2322').map((finding) => finding.file)).toEqual([join(root, 'src/flag.ts')]);
    expect(second.findings).toEqual(await freshRun(root));
  });

  it('runs the file rules again where an imported constant\'s value changed, though its type did not', async () => {
    const root = writeFixture({
      'package.json': base['package.json'],
      'tsconfig.json': base['tsconfig.json'],
      'src/kinds.ts': "export const KINDS: string[] = ['a', 'b', 'c'];\n",
      'src/known.ts': "import { KINDS } from './kinds';\nexport const known = (xs: string[]) => xs.filter((x) => KINDS.includes(x));\n",
    }, 'codex-cache-');
    roots.push(root);
    const quadratic = (findings: Finding[]) => findings.filter((finding) => finding.ruleId === 'perf-quadratic-lookup').map((finding) => finding.file);
    // A literal list of three is no O(n²) scan.
    expect(quadratic((await cachedRun(root)).findings)).toEqual([]);
    writeFileSync(join(root, 'src/kinds.ts'), "export const KINDS: string[] = 'a,b,c'.split(',');\n");
    const second = await cachedRun(root);
    expect(quadratic(second.findings)).toEqual([join(root, 'src/known.ts')]);
    // known.ts's types come from the cache (KINDS is still a string[]); its rules do not.
    expect(second.stats).toMatchObject({ typeHits: 1, typeMisses: 1, ruleHits: 0, ruleMisses: 2 });
    expect(second.findings).toEqual(await freshRun(root));
  });

  it('replays cached rule reports under the current settings', async () => {
    const root = fixture({ 'src/run.ts': 'export function run(code: string) {\n  return eval(code);\n}\n' });
    await cachedRun(root);
    writeFileSync(join(root, '.plugin-codex.json'), JSON.stringify({ rules: { 'security-dynamic-code': 'warning' } }));
    const second = await cachedRun(root);
    expect(second.stats).toMatchObject({ ruleMisses: 0 });
    expect(second.findings.filter((finding) => finding.ruleId === 'security-dynamic-code').map((finding) => finding.severity)).toEqual(['warning']);
    writeFileSync(join(root, '.plugin-codex.json'), JSON.stringify({ rules: { 'security-dynamic-code': 'off' } }));
    const third = await cachedRun(root);
    expect(third.findings.filter((finding) => finding.ruleId === 'security-dynamic-code')).toEqual([]);
    writeFileSync(join(root, '.plugin-codex.json'), JSON.stringify({ rules: {} }));
    expect((await cachedRun(root)).findings).toEqual(await freshRun(root));
  });

  it('offers the import fix a new module makes possible, though the file with the error did not change', async () => {
    const root = fixture();
    const first = await cachedRun(root);
    const missing = (findings: Finding[]) => findings.find((finding) => finding.code === 'TS2304' && finding.file.endsWith('helper-user.ts'));
    expect(missing(first.findings)?.fixes).toEqual([]);
    writeFileSync(join(root, 'src/helpers.ts'), 'export function makeHelper(): number {\n  return 2;\n}\n');
    const second = await cachedRun(root);
    expect(missing(second.findings)?.fixes.map((fix) => fix.title)).toEqual([expect.stringContaining('./helpers')]);
    expect(second.findings).toEqual(await freshRun(root));
  });

  it('lints again when the ESLint configuration computed for a file changes', async () => {
    const root = fixture();
    const first = await cachedRun(root);
    expect(first.findings.some((finding) => finding.code === '@typescript-eslint/no-require-imports')).toBe(true);
    // Without "type": "module" the built-in set reads .js files as CommonJS, where require() is how modules load.
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'cache-fixture' }));
    const second = await cachedRun(root);
    expect(second.findings.some((finding) => finding.code === '@typescript-eslint/no-require-imports')).toBe(false);
    expect(second.findings).toEqual(await freshRun(root));
    // The project's own config: a rule switched off takes effect on the next cached run.
    writeFileSync(join(root, 'eslint.config.js'), "export default [{ files: ['**/*.js'], rules: { 'no-var': 'error' } }];\n");
    writeFileSync(join(root, 'src/old.js'), 'var a = 1;\nexport { a };\n');
    const withRule = await cachedRun(root);
    expect(withRule.findings.filter((finding) => finding.code === 'no-var').map((finding) => finding.file)).toEqual([join(root, 'src/old.js')]);
    writeFileSync(join(root, 'eslint.config.js'), "export default [{ files: ['**/*.js'], rules: { 'no-var': 'off' } }];\n");
    const withoutRule = await cachedRun(root);
    expect(withoutRule.findings.filter((finding) => finding.code === 'no-var')).toEqual([]);
    expect(withoutRule.findings).toEqual(await freshRun(root));
  });

  it('does not reuse results of another engine build, and forgets deleted files', async () => {
    const root = fixture();
    await cachedRun(root);
    const other = new CheckCache(join(root, '.cache/check.json'), root, 'another-engine');
    const result = await createCodex({ root, cache: other }).analyzeProject();
    expect(result.cache).toMatchObject({ typeHits: 0, lintHits: 0 });
    rmSync(join(root, 'src/other.ts'));
    await cachedRun(root);
    const stored = JSON.parse(readFileSync(join(root, '.cache/check.json'), 'utf8')) as { files: Record<string, unknown> };
    expect(Object.keys(stored.files).sort()).toEqual(['src/flag.ts', 'src/helper-user.ts', 'src/load.js', 'src/size.ts', 'src/use-n.ts', 'src/use-size.ts']);
  });
});

describe('plugin-codex check --cache', () => {
  const repo = process.cwd();
  const bin = join(repo, 'bin/plugin-codex.js');
  const check = (root: string, ...args: string[]) => spawnSync(process.execPath, [bin, 'check', '--format', 'json', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  let root: string;
  beforeAll(() => {
    if (!existsSync(join(repo, 'dist/cli.js'))) spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' });
    // Eight files or more: the CLI lints in its worker thread.
    const extra = Object.fromEntries(Array.from({ length: 4 }, (_, index) => [`src/extra-${index}.ts`, `export const value${index}: number = ${index};\n`]));
    root = writeFixture({ ...base, ...extra }, 'codex-cache-cli-');
  });
  afterAll(() => removeFixture(root));

  it('keeps its results in node_modules/.cache, says what it reused, and survives a damaged cache file', () => {
    const cold = check(root, '--cache');
    expect(cold.stderr).toContain('cache reused 0 of 11 type checks, 0 of 11 rule runs and 0 of 11 lint results');
    const location = join(root, 'node_modules/.cache/plugin-codex/check-cache.json');
    expect(existsSync(location)).toBe(true);
    const warm = check(root, '--cache');
    expect(warm.stderr).toContain('cache reused 11 of 11 type checks, 11 of 11 rule runs and 11 of 11 lint results');
    const findingsOf = (output: string) => (JSON.parse(output) as { findings: Finding[] }).findings;
    expect(findingsOf(warm.stdout)).toEqual(findingsOf(cold.stdout));
    expect(warm.status).toBe(cold.status);
    expect((JSON.parse(warm.stdout) as { cache: CacheStats }).cache).toEqual({ typeHits: 11, typeMisses: 0, ruleHits: 11, ruleMisses: 0, lintHits: 11, lintMisses: 0 });

    writeFileSync(location, '{"format": 1, "files": ');
    const damaged = check(root, '--cache');
    expect(damaged.stderr).toContain(`not using the cache in ${location}`);
    expect(findingsOf(damaged.stdout)).toEqual(findingsOf(cold.stdout));
    expect(check(root, '--cache').stderr).toContain('cache reused 11 of 11 type checks');

    const elsewhere = join(root, 'custom/cache.json');
    expect(check(root, '--cache-location', elsewhere).stderr).toContain('cache reused 0 of 11');
    expect(existsSync(elsewhere)).toBe(true);
  });
});
