import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Project } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodex, type Codex } from '../../codex-core';
import { replayEdits } from '../support/edit-replay';

/** A module with the kinds of declarations whose edits the incremental check tells apart. */
const SHAPES = [
  "import { area, type Unit } from './util';",
  '',
  'export interface Shape { name: string; size: number }',
  '',
  'let created = 0;',
  '',
  'function label(shape: Shape) {',
  '  return `${shape.name}:${shape.size}`;',
  '}',
  '',
  'function describeAll(shapes: Shape[]) {',
  '  return shapes.map(label).join(", ");',
  '}',
  '',
  'export function makeShape(name: string, size: number, unit: Unit): Shape {',
  '  created++;',
  '  return { name: `${name} (${unit})`, size: area(size) };',
  '}',
  '',
  'export function summary(shapes: Shape[]): string {',
  '  return `${created} made: ${describeAll(shapes)}`;',
  '}',
  '',
].join('\n');

const UTIL = ['export type Unit = "cm" | "in";', '', 'export function area(side: number): number {', '  return side * side;', '}', ''].join('\n');

describe('incremental type check', () => {
  let root: string;
  let codex: Codex;
  let text = SHAPES;
  const shapes = (): string => join(root, 'src/shapes.ts');

  /** Sets the file's text as an editor would and analyses the type layer. */
  async function edit(next: string, path = shapes()) {
    if (path === shapes()) text = next;
    codex.setOverlay(path, next);
    const analysis = await codex.analyzeFile(shapes(), { layers: 'full', categories: ['type'] });
    // The same text analysed by a fresh codex, with no history: what a full check gives.
    const fresh = createCodex({ root, overlays: { [shapes()]: text, ...(path === shapes() ? {} : { [path]: next }) } });
    const expected = await fresh.analyzeFile(shapes(), { layers: 'full', categories: ['type'] });
    const plain = (findings: typeof analysis.findings) => findings.map((finding) => `${finding.range.start.line}:${finding.range.start.character} ${finding.code} ${finding.message} ${JSON.stringify(finding.fixes)}`).sort();
    expect(plain(analysis.findings)).toEqual(plain(expected.findings));
    return analysis;
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'codex-incremental-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'shapes', version: '1.0.0', type: 'module' }));
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', noEmit: true }, include: ['src'] }));
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src/shapes.ts'), SHAPES);
    writeFileSync(join(root, 'src/util.ts'), UTIL);
    codex = createCodex({ root });
    codex.setOverlay(shapes(), SHAPES);
    const first = await codex.analyzeFile(shapes(), { layers: 'full', categories: ['type'] });
    expect(first.typeCheck).toEqual({ mode: 'full' });
    expect(first.findings).toEqual([]);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('checks only an appended statement that nothing refers to, and finds its problems', async () => {
    const analysis = await edit(`${text}const leftover: number = "text";\n`);
    expect(analysis.typeCheck).toEqual({ mode: 'incremental', checkedStatements: 1 });
    expect(analysis.findings.map((finding) => finding.code).sort()).toEqual(['TS2322', 'TS6133']);
    // The unused declaration's quick fix was computed (an analysis without lazy fixes).
    expect(analysis.findings.find((finding) => finding.code === 'TS6133')?.fixes[0]?.title).toContain('Remove unused declaration');
    await edit(text.replace('const leftover: number = "text";\n', ''));
  });

  it('checks only the edited body of a function whose declared type stays', async () => {
    const analysis = await edit(text.replace('  created++;', '  created++;\n  const doubled: string = size * 2;'));
    expect(analysis.typeCheck).toEqual({ mode: 'incremental', checkedStatements: 1 });
    expect(analysis.findings.map((finding) => finding.code).sort()).toEqual(['TS2322', 'TS6133']);
    await edit(text.replace('\n  const doubled: string = size * 2;', ''));
  });

  it('re-checks the statements that use a changed declaration, and nothing else', async () => {
    // label() has no declared return type, nor has its caller describeAll(): both types follow the
    // edit. summary() calls describeAll() in a body under a declared return type: it is checked
    // again, but its type stays, so the exported summary() needs no full check.
    const analysis = await edit(text.replace('  return `${shape.name}:${shape.size}`;', '  return shape.size;'));
    expect(analysis.typeCheck).toEqual({ mode: 'incremental', checkedStatements: 3 });
    await edit(text.replace('  return shape.size;', '  return `${shape.name}:${shape.size}`;'));
  });

  it('falls back to a full check when an exported declaration changes, or another file does', async () => {
    const exported = await edit(text.replace('export interface Shape { name: string; size: number }', 'export interface Shape { name: string; size: string }'));
    expect(exported.typeCheck?.mode).toBe('full');
    expect(exported.typeCheck?.reason).toMatch(/exported declaration 'Shape'/);
    expect(exported.findings.map((finding) => finding.code)).toContain('TS2322');
    await edit(text.replace('size: string }', 'size: number }'));
    const other = await edit(UTIL.replace('side * side', 'String(side)').replace('): number', '): string'), join(root, 'src/util.ts'));
    expect(other.typeCheck?.mode).toBe('full');
    expect(other.typeCheck?.reason).toMatch(/^another file changed \(.*util\.ts\)$/);
    expect(other.findings.map((finding) => finding.code)).toContain('TS2322');
    await edit(UTIL, join(root, 'src/util.ts'));
  });

  it('stays incremental after the project layer loads the other files of the project', async () => {
    writeFileSync(join(root, 'src/report.ts'), "import { summary } from './shapes';\nexport const report = summary([]);\n");
    writeFileSync(join(root, 'src/unrelated.ts'), 'export const unrelated = 1;\n');
    // The project layer (unused exports, dependencies) adds every project file to the program.
    await codex.analyzeFile(shapes(), { layers: 'project' });
    const analysis = await edit(`${text}const leftover = 1;\n`);
    expect(analysis.typeCheck).toEqual({ mode: 'incremental', checkedStatements: 1 });
    await edit(text.replace('const leftover = 1;\n', ''));
  });

  it('gives what a full check gives over random edits of real files', () => {
    // Two files of this repository, edited as a developer would (seeded, so a failure can be replayed).
    const project = new Project({ tsConfigFilePath: resolve('codex-core/tsconfig.json'), skipAddingFilesFromTsConfig: true });
    const reports = [['codex-core/rules/regex-backtracking.ts', 20], ['codex-core/rules/dependency-rules.ts', 21], ['codex-core/rules/sql-migrations.ts', 21]] as const;
    const replays = reports.map(([path, seed]) => {
      const file = resolve(path);
      project.addSourceFileAtPath(file);
      project.resolveSourceFileDependencies();
      return { path, report: replayEdits(project, file, 24, seed, { resetEvery: 6 }) };
    });
    for (const { path, report } of replays) {
      expect(report.mismatches.map(({ edit, missing, extra }) => ({ edit, missing, extra })), path).toEqual([]);
      expect(report.edits, path).toBeGreaterThan(15);
    }
    // Enough of the edits took the incremental path for the comparison to mean something.
    const edits = replays.reduce((sum, { report }) => sum + report.edits, 0);
    const incremental = replays.reduce((sum, { report }) => sum + report.incremental, 0);
    expect(incremental, JSON.stringify(replays.map(({ report }) => report.reasons))).toBeGreaterThanOrEqual(edits / 4);
    // 72 edits, each compared with a fresh full check: 75 s on an idle 2-vCPU machine, and up to
    // twice that beside the rest of the suite.
  }, 300_000);
});
