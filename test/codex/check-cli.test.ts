import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../protocol/findings';
import { removeFixture, writeFixture } from '../../codex-core/rule-test-support';

// The CLI as users run it: the bundle (built by `npm test` before vitest) started with node.
const repo = process.cwd();
const bin = join(repo, 'bin/plugin-codex.js');

function check(root: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, 'check', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const base = {
  'package.json': JSON.stringify({ name: 'cli-fixture', type: 'module', main: 'src/index.ts' }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, lib: ['ES2022'], types: [] }, include: ['src'] }),
  'src/index.ts': 'export function add(a: number, b: number): number {\n  return a + b;\n}\n',
};

describe('plugin-codex check', () => {
  const roots: string[] = [];
  const fixture = (files: Record<string, string>): string => {
    const root = writeFixture({ ...base, ...files }, 'codex-cli-');
    roots.push(root);
    return root;
  };
  beforeAll(() => {
    if (!existsSync(join(repo, 'dist/cli.js'))) spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' });
  });
  afterAll(() => roots.forEach(removeFixture));

  it('exits 0 on a clean project', () => {
    const result = check(fixture({}), '--format', 'json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as { findings: Finding[] }).findings).toEqual([]);
  });

  it('exits 1 on findings and writes SARIF 2.1.0', () => {
    const root = fixture({ 'src/run.ts': 'export function run(code: string) {\n  return eval(code);\n}\n', 'src/index.ts': 'export { run } from "./run";\n' });
    const result = check(root, '--format', 'sarif', '--category', 'security');
    expect(result.status).toBe(1);
    const sarif = JSON.parse(result.stdout) as { version: string; $schema: string; runs: { tool: { driver: { name: string; rules: { id: string; helpUri: string; help?: { markdown: string } }[] } }; results: { ruleId: string; level: string; ruleIndex: number; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toContain('sarif-2.1.0');
    const [run] = sarif.runs;
    expect(run?.tool.driver.name).toBe('plugin-codex');
    expect(run?.tool.driver.rules.map((rule) => rule.id)).toEqual(['security-dynamic-code']);
    expect(run?.tool.driver.rules[0]?.helpUri).toMatch(/^file:\/\/.*\/docs\/rules\/security-dynamic-code\.md$/);
    expect(run?.tool.driver.rules[0]?.help?.markdown).toContain('# security-dynamic-code');
    expect(run?.results).toEqual([expect.objectContaining({
      ruleId: 'security-dynamic-code',
      ruleIndex: 0,
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'src/run.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 2, startColumn: 10, endLine: 2, endColumn: 20 } } }],
    })]);
  });

  it('honours --max-severity and rejects bad options with exit 2', () => {
    const root = fixture({ 'src/index.ts': 'export const delay = () => 1;\nconst cache = new Map<string, number>();\nexport function put(k: string) {\n  cache.set(k, 1);\n}\n' });
    expect(check(root, '--category', 'performance').status).toBe(1);
    expect(check(root, '--category', 'performance', '--max-severity', 'error').status).toBe(0);
    const bad = check(root, '--format', 'xml');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--format xml is unknown');
    expect(check(root, '--category', 'speed').status).toBe(2);
  });

  it('--fix leaves no trivial findings and the project still compiles', () => {
    const root = fixture({
      'src/index.ts': "import { double } from './math';\n\nvar x = double(2);\nexport function f() {\n  const unused = 1;\n  return x;\n  console.log('never');\n}\nexport const y = Math.flor(x);\n",
      'src/math.ts': 'export function double(n: number) {\n  return n * 2;\n}\n',
    });
    const fixed = check(root, '--fix', '--format', 'json');
    expect(fixed.stderr).toMatch(/applied \d+ trivial fix/);
    const findings = (JSON.parse(fixed.stdout) as { findings: Finding[] }).findings;
    expect(findings.filter((finding) => finding.fixes.some((fix) => fix.kind === 'trivial'))).toEqual([]);
    expect(fixed.status).toBe(0);
    const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', root], { encoding: 'utf8' });
    expect(tsc.stdout).toBe('');
    expect(tsc.status).toBe(0);
    expect(readFileSync(join(root, 'src/index.ts'), 'utf8')).toContain('const x = double(2);');
  });

  it('--changed checks only files changed since the merge base', () => {
    const root = fixture({ 'src/old.ts': 'export const a = eval("1");\nexport function b(c: string) {\n  return eval(c);\n}\n', 'src/index.ts': 'export * from "./old";\nexport * from "./new";\n', 'src/new.ts': 'export const n = 1;\n' });
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: root, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'base');
    git('checkout', '-qb', 'feature');
    writeFileSync(join(root, 'src/new.ts'), 'export const n = (s: string) => eval(s);\n');
    const result = check(root, '--changed', '--format', 'json', '--category', 'security');
    expect(result.stderr).toContain('merge base with main');
    const files = (JSON.parse(result.stdout) as { findings: Finding[] }).findings.map((finding) => finding.file.slice(root.length + 1));
    expect(files).toEqual(['src/new.ts']);
    expect(result.status).toBe(1);
  });
});

describe('plugin-codex hook install', () => {
  it('writes an executable pre-push hook running check --changed', () => {
    const root = writeFixture({ 'package.json': '{"name":"hooked"}' }, 'codex-hook-');
    try {
      spawnSync('git', ['init', '-q'], { cwd: root });
      const result = spawnSync(process.execPath, [bin, 'hook', 'install'], { cwd: root, encoding: 'utf8' });
      expect(result.status).toBe(0);
      const hook = join(root, '.git/hooks/pre-push');
      expect(readFileSync(hook, 'utf8')).toContain('plugin-codex check --changed');
      expect(statSync(hook).mode & 0o111).not.toBe(0);
      writeFileSync(hook, '#!/bin/sh\necho mine\n');
      expect(spawnSync(process.execPath, [bin, 'hook', 'install'], { cwd: root, encoding: 'utf8' }).status).toBe(2);
    } finally {
      removeFixture(root);
    }
  });
});
