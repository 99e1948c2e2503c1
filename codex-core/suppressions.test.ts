import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../protocol/findings';
import { createCodex } from './codex';
import { removeFixture, writeFixture } from './rule-test-support';
import { disableDirectiveFor, disableNextLineComment } from './suppressions';

const root = writeFixture({ 'package.json': '{"name":"fixture","type":"module"}' });
const codex = createCodex({ root });
afterAll(() => removeFixture(root));

let counter = 0;

/** The findings of `code` (security and type) as `ruleId@line`, 1-based lines. */
async function findingsOf(code: string, extension = '.ts'): Promise<string[]> {
  const file = `${root}/suppressed-${++counter}${extension}`;
  codex.setOverlay(file, code);
  try {
    const result = await codex.analyzeFile(file, { layers: 'full', categories: ['security', 'type'] });
    if (result.error) throw new Error(result.error);
    return result.findings.map((finding: Finding) => `${finding.ruleId}@${finding.range.start.line + 1}`).sort();
  } finally {
    codex.setOverlay(file, undefined);
  }
}

const EVAL = 'export const run = (code: string) => eval(code);';

describe('plugin-codex-disable comments', () => {
  it('disable-next-line turns the named rule off on the next line only', async () => {
    const code = [
      '// plugin-codex-disable-next-line security-dynamic-code -- the benchmark compares against plain eval',
      EVAL,
      EVAL.replace('run', 'again'),
    ].join('\n');
    expect(await findingsOf(code)).toEqual(['security-dynamic-code@3']);
  });

  it('disable-line turns findings off on its own line, and a category name covers its rules', async () => {
    const code = [`${EVAL} // plugin-codex-disable-line security`, EVAL.replace('run', 'again')].join('\n');
    expect(await findingsOf(code)).toEqual(['security-dynamic-code@2']);
  });

  it('disable covers the rest of the file from its line on', async () => {
    const code = [EVAL, '/* plugin-codex-disable security-dynamic-code */', EVAL.replace('run', 'again'), EVAL.replace('run', 'third')].join('\n');
    expect(await findingsOf(code)).toEqual(['security-dynamic-code@1']);
  });

  it('a directive naming another rule, or a misspelt one, turns nothing off', async () => {
    const code = [
      '// plugin-codex-disable-next-line security-sql-injection, security-dynamic-cod',
      EVAL,
    ].join('\n');
    expect(await findingsOf(code)).toEqual(['security-dynamic-code@2']);
  });

  it('without names it covers every codex rule but leaves compiler errors, which have @ts-expect-error', async () => {
    const code = [
      '// plugin-codex-disable-next-line',
      'export const run = (code: string) => eval(code) as number satisfies string;',
    ].join('\n');
    expect(await findingsOf(code)).toEqual(['type-check@2']);
    const named = ['// plugin-codex-disable-next-line type-check', 'export const n: number = "text";'].join('\n');
    expect(await findingsOf(named)).toEqual([]);
  });

  it('the same words in a string, a template or a regular expression are not a directive', async () => {
    const code = [
      'export const note = `// plugin-codex-disable-next-line',
      '`; export const run = (code: string) => eval(code);',
      'export const text = "// plugin-codex-disable-line "; export const again = (code: string) => eval(code);',
      'export const pattern = /plugin-codex-disable-line /; export const third = (code: string) => eval(code);',
    ].join('\n');
    expect(await findingsOf(code)).toEqual(['security-dynamic-code@2', 'security-dynamic-code@3', 'security-dynamic-code@4']);
  });

  it('works in JSX files', async () => {
    const code = [
      'export function run(code) {',
      '  const value = eval(code); // plugin-codex-disable-line security-dynamic-code',
      '  return value;',
      '}',
      'export const view = (code) => <div>{eval(code)}</div>;',
    ].join('\n');
    expect(await findingsOf(code, '.jsx')).toEqual(['security-dynamic-code@5']);
  });

  it('a comment just before a closing brace counts', async () => {
    const code = [
      'export function run(code: string) {',
      '  return eval(code);',
      '  /* plugin-codex-disable security-dynamic-code */',
      '}',
      'export const again = (code: string) => eval(code);',
    ].join('\n');
    expect(await findingsOf(code)).toEqual(['security-dynamic-code@2']);
  });
});

describe('directive names', () => {
  it('a name that is no rule or category is reported under lint, on the comment, and the rest of the directive still works', async () => {
    const code = [
      '// plugin-codex-disable-next-line security-dynamic-cod, security',
      EVAL,
      '// plugin-codex-disable-next-line perf-await-in-loop, dead-zone -- known names',
      'export const value = 1;',
    ].join('\n');
    const file = `${root}/named-${++counter}.ts`;
    codex.setOverlay(file, code);
    try {
      const result = await codex.analyzeFile(file, { layers: 'full', categories: ['security', 'lint'] });
      const problems = result.findings.filter((finding) => finding.code === 'plugin-codex-directive');
      expect(problems.map((finding) => [finding.range.start.line, finding.severity, finding.message])).toEqual([
        [0, 'warning', 'plugin-codex-disable-next-line names security-dynamic-cod, which is no codex rule or category: it turns nothing off'],
      ]);
      expect(result.findings.filter((finding) => finding.ruleId === 'security-dynamic-code')).toEqual([]);
      // The fast layer (the editor's first answer) says it too.
      const fast = await codex.analyzeText(file, code, { layers: 'fast' });
      expect(fast.findings.filter((finding) => finding.code === 'plugin-codex-directive')).toHaveLength(1);
    } finally {
      codex.setOverlay(file, undefined);
    }
  });
});

describe('disableNextLineComment', () => {
  it('inserts the directive above the line with its indentation and line ending', () => {
    expect(disableNextLineComment('a.ts', 'a();\n    b();\n', 1, 'plugin-codex-disable-next-line security-dynamic-code')).toEqual({ offset: 5, newText: '    // plugin-codex-disable-next-line security-dynamic-code\n' });
    expect(disableNextLineComment('a.js', 'a();\r\n\tb();\r\n', 1, 'plugin-codex-disable-next-line perf-await-in-loop')).toEqual({ offset: 6, newText: '\t// plugin-codex-disable-next-line perf-await-in-loop\r\n' });
  });

  it('offers nothing where a comment line would change the code: inside a template or among JSX children', () => {
    expect(disableNextLineComment('a.ts', 'const sql = `\n  SELECT ${x}\n`;\n', 1, 'plugin-codex-disable-next-line security-sql-injection')).toBeUndefined();
    expect(disableNextLineComment('a.tsx', 'const view = <div>\n  {run(x)}\n</div>;\n', 1, 'plugin-codex-disable-next-line security-dynamic-code')).toBeUndefined();
    expect(disableNextLineComment('a.tsx', 'const view = (\n  <div>{run(x)}</div>\n);\n', 1, 'plugin-codex-disable-next-line security-dynamic-code')).toBeDefined();
    expect(disableNextLineComment('schema.sql', 'SELECT 1;\n', 0, 'plugin-codex-disable-next-line schema-drift')).toBeUndefined();
  });
});

describe('disableDirectiveFor', () => {
  it('names the codex rule, or the ESLint rule, and nothing for compiler errors or the codex\'s own lint findings', () => {
    expect(disableDirectiveFor({ category: 'security', ruleId: 'security-sql-injection' })).toEqual({ rule: 'security-sql-injection', directive: 'plugin-codex-disable-next-line security-sql-injection' });
    expect(disableDirectiveFor({ category: 'lint', ruleId: 'lint', code: '@typescript-eslint/no-unused-vars' })).toEqual({ rule: '@typescript-eslint/no-unused-vars', directive: 'eslint-disable-next-line @typescript-eslint/no-unused-vars' });
    expect(disableDirectiveFor({ category: 'type', ruleId: 'type-check', code: 'TS2322' })).toBeUndefined();
    expect(disableDirectiveFor({ category: 'lint', ruleId: 'lint', code: 'eslint-config' })).toBeUndefined();
    expect(disableDirectiveFor({ category: 'lint', ruleId: 'lint', code: 'plugin-codex-directive' })).toBeUndefined();
    expect(disableDirectiveFor({ category: 'lint', ruleId: 'lint' })).toBeUndefined();
  });
});
