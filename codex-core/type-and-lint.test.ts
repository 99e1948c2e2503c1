import { afterAll, describe, expect, it } from 'vitest';
import type { Category } from '../protocol/findings';
import { createCodex } from './codex';
import { removeFixture, runCase, starts, writeFixture, type RuleCase } from './rule-test-support';

const root = writeFixture({ 'package.json': '{"name":"fixture","type":"module"}' });
const codex = createCodex({ root });
afterAll(() => removeFixture(root));

const table: Record<string, { category: Category; find: RuleCase[]; ignore: RuleCase[] }> = {
  'type-check': {
    category: 'type',
    find: [
      { name: 'assignment of the wrong type', code: 'export const /*@*/x: number = "a";' },
      { name: 'unknown property', code: 'export const f = (a: { b: number }) => a./*@*/c;' },
      { name: 'unused local (hint with a fix)', code: 'export function f() {\n  const /*@*/unused = 1;\n  return 2;\n}' },
    ],
    ignore: [
      { name: 'well-typed code', code: 'export const x: number = 1;' },
      { name: 'narrowed union', code: 'export const f = (a: string | number) => (typeof a === "string" ? a.length : a);' },
      { name: 'used local', code: 'export function f() {\n  const used = 1;\n  return used;\n}' },
    ],
  },
  lint: {
    category: 'lint',
    find: [
      { name: 'var', code: '/*@*/var x = 1;\nexport { x };' },
      { name: 'debugger', code: 'export function f() {\n  /*@*/debugger;\n}' },
      { name: 'let never reassigned', code: 'let /*@*/y = 1;\nexport { y };' },
    ],
    ignore: [
      { name: 'const', code: 'const x = 1;\nexport { x };' },
      { name: 'reassigned let', code: 'let y = 1;\ny += 1;\nexport { y };' },
      { name: 'plain function', code: 'export function f(a: number): number {\n  return a + 1;\n}' },
    ],
  },
};

describe.each(Object.entries(table))('%s', (ruleId, { category, find, ignore }) => {
  it.each(find)('finds: $name', async ({ code }) => {
    const outcome = await runCase(codex, ruleId, category, code);
    expect(starts(outcome.found)).toEqual(outcome.expected);
  });
  it.each(ignore)('ignores look-alike: $name', async ({ code }) => {
    const outcome = await runCase(codex, ruleId, category, code);
    expect(outcome.found.map((finding) => finding.message)).toEqual([]);
  });
});

describe('layers', () => {
  it('the fast layer reports syntax errors but does not type-check', async () => {
    const file = `${root}/layers.ts`;
    codex.setOverlay(file, 'export const x: number = "a";\nexport const y = (;\n');
    const fast = await codex.analyzeFile(file, { layers: 'fast', categories: ['type'] });
    expect(fast.findings.map((finding) => finding.code)).toEqual(['TS1109']);
    codex.setOverlay(file, 'export const x: number = "a";\n');
    const full = await codex.analyzeFile(file, { layers: 'full', categories: ['type'] });
    expect(full.findings.map((finding) => finding.code)).toEqual(['TS2322']);
    codex.setOverlay(file, undefined);
  });

  it('analyzeText reports syntax errors and lint of unsaved text without changing what the deep layers see', async () => {
    const file = `${root}/text-only.ts`;
    codex.setOverlay(file, 'export const x: number = "a";\n');
    const syntax = await codex.analyzeText(file, 'export const x = (;\nvar y = 1;\nexport { y };\n', { layers: 'syntax' });
    expect(syntax.findings.map((finding) => finding.code)).toEqual(['TS1109']);
    const fast = await codex.analyzeText(file, 'export const x = 1;\nvar y = 1;\nexport { y };\n');
    expect(fast.findings.map((finding) => `${finding.category}:${finding.code}`)).toEqual(['lint:no-var']);
    // The overlay set before is still what the type checker sees.
    const full = await codex.analyzeFile(file, { layers: 'full', categories: ['type'] });
    expect(full.findings.map((finding) => finding.code)).toEqual(['TS2322']);
    codex.setOverlay(file, undefined);
  });

  it('the parse-only syntax check agrees with the language service on TypeScript and JavaScript', async () => {
    const cases: [string, string][] = [
      ['agree.ts', 'export function f(a: number {\n  return a;\n}\n'],
      ['agree.js', 'export const f = (a: number) => a;\nclass C { private x = 1; }\nexport { C };\n'],
      ['agree.tsx', 'export const E = () => <div>{1}</span>;\n'],
    ];
    for (const [name, text] of cases) {
      const file = `${root}/${name}`;
      codex.setOverlay(file, text);
      const deep = await codex.analyzeFile(file, { layers: 'full', categories: ['type'] });
      const parsed = await codex.analyzeText(file, text, { layers: 'syntax' });
      const syntaxCodes = deep.findings.filter((finding) => parsed.findings.some((other) => other.code === finding.code)).map((finding) => `${finding.code}@${finding.range.start.line}:${finding.range.start.character}`);
      expect(parsed.findings.length, name).toBeGreaterThan(0);
      expect(parsed.findings.map((finding) => `${finding.code}@${finding.range.start.line}:${finding.range.start.character}`), name).toEqual(syntaxCodes);
      codex.setOverlay(file, undefined);
    }
  });

  it('honours rule settings from .plugin-codex.json', async () => {
    const configured = writeFixture({ '.plugin-codex.json': JSON.stringify({ rules: { 'security-dynamic-code': 'off', 'security-redos': 'error' } }) });
    try {
      const other = createCodex({ root: configured });
      const file = `${configured}/a.ts`;
      other.setOverlay(file, 'export const run = (c: string) => eval(c);\nexport const re = /^(a+)+$/;\n');
      const { findings } = await other.analyzeFile(file, { categories: ['security'] });
      expect(findings.map((finding) => `${finding.ruleId}:${finding.severity}`)).toEqual(['security-redos:error']);
    } finally {
      removeFixture(configured);
    }
  });

  it('the built-in lint set lets CommonJS code require() modules, and still reports require() in TypeScript', async () => {
    const commonJs = writeFixture({ 'package.json': '{"name":"cjs-fixture"}', 'lib/a.js': 'const path = require("node:path");\nmodule.exports = path.sep;\n', 'lib/b.cjs': 'module.exports = require("node:os");\n', 'src/c.ts': 'const os = require("node:os");\nexport const eol = os.EOL;\n' });
    try {
      const other = createCodex({ root: commonJs });
      const requireFindings = async (file: string) => (await other.analyzeFile(`${commonJs}/${file}`, { categories: ['lint'] })).findings.filter((finding) => finding.code === '@typescript-eslint/no-require-imports').length;
      expect(await requireFindings('lib/a.js')).toBe(0);
      expect(await requireFindings('lib/b.cjs')).toBe(0);
      expect(await requireFindings('src/c.ts')).toBe(1);
    } finally {
      removeFixture(commonJs);
    }
  });

  it('under the built-in set, a disable comment naming a plugin the project configures elsewhere is not an error; under its own config it is', async () => {
    // Found in @tanstack/react-query's sources: `// eslint-disable-next-line react-compiler/react-compiler`.
    const source = '// eslint-disable-next-line react-compiler/react-compiler\nexport const value = 1;\nvar legacy = 2;\nexport { legacy };\n';
    const builtIn = writeFixture({ 'package.json': '{"name":"no-config","type":"module"}', 'src/a.ts': source });
    const own = writeFixture({ 'package.json': '{"name":"own-config","type":"module"}', 'eslint.config.mjs': 'export default [{ files: ["**/*.ts"], rules: {} }];\n', 'src/a.ts': source });
    try {
      const codes = async (root: string, file: string) => (await createCodex({ root }).analyzeFile(`${root}/${file}`, { categories: ['lint'] })).findings.map((finding) => `${finding.code}:${finding.message}`);
      expect(await codes(builtIn, 'src/a.ts')).toEqual([expect.stringMatching(/^no-var:/)]);
      expect(await codes(own, 'src/a.ts')).toEqual([expect.stringMatching(/^react-compiler\/react-compiler:Definition for rule 'react-compiler\/react-compiler' was not found/)]);
    } finally {
      removeFixture(builtIn);
      removeFixture(own);
    }
  });
});
