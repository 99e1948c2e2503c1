import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createCodex } from '../../codex-core/codex';
import { removeFixture, writeFixture } from '../../codex-core/rule-test-support';
import type { Finding } from '../../protocol/findings';

// Which tsconfig governs a file, and which files a project check type-checks: what `tsc -p` and
// tsserver would do with the same layout.
const strictOptions = { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], types: [] };
const typeErrors = (findings: Finding[], file: string): string[] => findings.filter((finding) => finding.category === 'type' && finding.file.endsWith(file)).map((finding) => finding.code ?? '');

describe('tsconfig scope of a project check', () => {
  const roots: string[] = [];
  const fixture = (files: Record<string, string>): string => {
    const root = writeFixture({ 'package.json': JSON.stringify({ name: 'scope-fixture', type: 'module' }), ...files }, 'codex-scope-');
    roots.push(root);
    return root;
  };
  afterAll(() => roots.forEach(removeFixture));

  it('checks a solution-style tsconfig\'s files with the referenced config that includes them (Vite layout)', async () => {
    const root = fixture({
      'tsconfig.json': JSON.stringify({ files: [], references: [{ path: './tsconfig.app.json' }, { path: './tsconfig.node.json' }] }),
      'tsconfig.app.json': JSON.stringify({ compilerOptions: { ...strictOptions, jsx: 'react-jsx', jsxImportSource: 'preact', paths: { '@/*': ['./src/*'] } }, include: ['src'] }),
      'tsconfig.node.json': JSON.stringify({ compilerOptions: { ...strictOptions, noUnusedLocals: true }, include: ['vite.config.ts'] }),
      'node_modules/preact/package.json': JSON.stringify({ name: 'preact', version: '10.0.0', types: 'index.d.ts' }),
      'node_modules/preact/index.d.ts': 'export {};\n',
      'node_modules/preact/jsx-runtime.d.ts': 'export function jsx(type: unknown, props: unknown): unknown;\nexport namespace JSX { interface IntrinsicElements { [name: string]: Record<string, unknown> } type Element = unknown; }\n',
      'src/app.tsx': 'import { label } from "@/label";\nexport const App = () => <div title={label}>hi</div>;\nconst wrong: number = "text";\nexport { wrong };\n',
      'src/label.ts': 'export const label = "hello";\n',
      'vite.config.ts': 'const unused = 1;\nexport default {};\n',
    });
    const codex = createCodex({ root });
    const { findings } = await codex.analyzeProject({ categories: ['type'] });
    // With the solution config's empty options, JSX (17004) and the `@/` path (2307) would fail.
    expect(typeErrors(findings, 'src/app.tsx')).toEqual(['TS2322']);
    expect(typeErrors(findings, 'src/label.ts')).toEqual([]);
    // vite.config.ts belongs to tsconfig.node.json, whose noUnusedLocals makes the unused constant an error.
    expect(findings.filter((finding) => finding.file.endsWith('vite.config.ts') && finding.category === 'type').map((finding) => [finding.code, finding.severity])).toEqual([['TS6133', 'error']]);
  });

  it('reads the declaration files the tsconfig includes, which nothing imports (globals, vite-env.d.ts, asset modules)', async () => {
    const root = fixture({
      'tsconfig.json': JSON.stringify({ compilerOptions: strictOptions, include: ['src', 'types'] }),
      'src/vite-env.d.ts': 'declare const __APP_VERSION__: string;\n',
      'types/assets.d.ts': "declare module '*.svg' {\n  const url: string;\n  export default url;\n}\n",
      'src/index.ts': "import logo from './logo.svg';\nexport const about: string = `${__APP_VERSION__} ${logo}`;\nexport const wrong: number = __APP_VERSION__;\n",
    });
    const { findings } = await createCodex({ root }).analyzeProject({ categories: ['type'] });
    // Without the two declaration files: TS2304 for __APP_VERSION__ (twice) and TS2307 for the .svg.
    expect(typeErrors(findings, 'src/index.ts')).toEqual(['TS2322']);
  });

  it('leaves out compiler diagnostics of files the tsconfig neither includes nor reaches by imports, and keeps the other rules', async () => {
    const root = fixture({
      'tsconfig.json': JSON.stringify({ compilerOptions: strictOptions, include: ['src'], exclude: ['src/fixtures'] }),
      'src/index.ts': 'import { helper } from "../lib/helper";\nexport const total: number = helper();\n',
      'lib/helper.ts': 'export function helper(): number {\n  const broken: string = 1;\n  return broken.length;\n}\n',
      'src/fixtures/broken.ts': 'export const broken: string = 1;\nexport function run(code: string) {\n  return eval(code);\n}\n',
      'scripts/outside.ts': 'export const outside: boolean = "no";\n',
    });
    const codex = createCodex({ root });
    const { findings } = await codex.analyzeProject({ categories: ['type', 'security'] });
    // Outside `include` but imported by an included file: tsc checks it, and so does the codex.
    expect(typeErrors(findings, 'lib/helper.ts')).toEqual(['TS2322']);
    expect(typeErrors(findings, 'src/fixtures/broken.ts')).toEqual([]);
    expect(typeErrors(findings, 'scripts/outside.ts')).toEqual([]);
    expect(findings.filter((finding) => finding.file.endsWith('broken.ts')).map((finding) => finding.ruleId)).toEqual(['security-dynamic-code']);
    // An editor asking for one excluded file still gets its compiler diagnostics, as tsserver gives them.
    const single = await codex.analyzeFile(join(root, 'scripts/outside.ts'), { categories: ['type'] });
    expect(single.findings.map((finding) => finding.code)).toEqual(['TS2322']);
  });

  it('takes a file created after the config was read as included when the include pattern covers it', async () => {
    const root = fixture({
      'tsconfig.json': JSON.stringify({ compilerOptions: strictOptions, include: ['src'] }),
      'src/index.ts': 'export const one: number = 1;\n',
    });
    const codex = createCodex({ root });
    expect((await codex.analyzeProject({ categories: ['type'] })).findings).toEqual([]);
    writeFileSync(join(root, 'src/later.ts'), 'export const later: number = "x";\n');
    const { findings } = await codex.analyzeProject({ categories: ['type'] });
    expect(typeErrors(findings, 'src/later.ts')).toEqual(['TS2322']);
  });
});
