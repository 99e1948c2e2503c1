import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCodex } from './codex';
import { removeFixture, writeFixture } from './rule-test-support';
import { applyTextEdits } from './text-edits';

const files = {
  'package.json': '{"name":"fix-fixture","type":"module","main":"src/index.ts"}',
  'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, lib: ['ES2022'], types: [] } }),
  'src/util.ts': 'export function helper(a: number) {\n  return a * 2;\n}\nexport const VALUE = 3;\n',
  'src/index.ts': [
    "import { helper } from './util';",
    '',
    'var total = helper(2);',
    'export function run() {',
    '  const unused = 5;',
    '  return total;',
    "  console.log('never');",
    '}',
    'export async function load(): Promise<number> {',
    '  return 1;',
    '}',
    'export function take(n: number) {',
    '  return n;',
    '}',
    'export async function use(): Promise<number> {',
    '  return take(load());',
    '}',
    'export const rounded = Math.flor(1.5);',
    'export const doubled = helpr(1);',
    'export const value = VALUE;',
    '',
  ].join('\n'),
};

describe('fixAll', () => {
  const root = writeFixture(files);
  afterAll(() => removeFixture(root));

  it('applies every trivial fix, leaves none behind, and the project still compiles', async () => {
    const codex = createCodex({ root });
    const fixes = await codex.fixAll();
    expect(fixes.map((fix) => fix.file)).toEqual([join(root, 'src/index.ts')]);
    for (const fix of fixes) writeFileSync(fix.file, applyTextEdits(readFileSync(fix.file, 'utf8'), fix.edits));
    const fixed = readFileSync(join(root, 'src/index.ts'), 'utf8');
    expect(fixed).toContain('const total = helper(2);');
    expect(fixed).toContain('return take(await load());');
    expect(fixed).toContain('Math.floor(1.5)');
    expect(fixed).toContain('helper(1)');
    expect(fixed).toMatch(/import \{ helper, VALUE \} from '\.\/util'|import \{ VALUE \} from/);
    expect(fixed).not.toContain('never');
    expect(fixed).not.toContain('unused');

    const after = createCodex({ root });
    const { findings } = await after.analyzeProject();
    expect(findings.filter((finding) => finding.fixes.some((fix) => fix.kind === 'trivial')).map((finding) => finding.message)).toEqual([]);
    expect(findings.filter((finding) => finding.severity === 'error').map((finding) => finding.message)).toEqual([]);
  });

  it('drops a fix that introduces a new error', async () => {
    // Removing the "unreachable" initialised var would leave the hoisted function without its variable.
    const source = 'export function f() {\n  return g();\n  var x = 1;\n  function g() {\n    return x;\n  }\n}\n';
    const other = writeFixture({ 'package.json': '{"name":"x","type":"module"}', 'a.ts': source });
    try {
      const codex = createCodex({ root: other });
      const [result] = await codex.fixAll(join(other, 'a.ts'));
      expect(result?.dropped).toBeGreaterThan(0);
      const fixed = applyTextEdits(source, result?.edits ?? []);
      expect(fixed).toContain('x = 1;');
      expect(readFileSync(join(other, 'a.ts'), 'utf8')).toBe(source);
      codex.setOverlay(join(other, 'a.ts'), fixed);
      const { findings } = await codex.analyzeFile(join(other, 'a.ts'), { categories: ['type'] });
      expect(findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    } finally {
      removeFixture(other);
    }
  });
});
