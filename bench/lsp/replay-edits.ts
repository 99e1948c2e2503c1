/**
 * Replays random edits over one file of a real project with the incremental type check and compares
 * each result with a fresh full check (test/support/edit-replay.ts): mismatches, how often the
 * incremental path was taken and why not, and the median times of both.
 *
 *   npx jiti bench/lsp/replay-edits.ts <project root> <file, relative to the root> [edits=30] [seed=1]
 *
 * The project is read with the codex's default compiler options (what the language server uses for
 * a folder without tsconfig.json, as zod's npm package is).
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Project, ts } from 'ts-morph';
import { replayEdits } from '../../test/support/edit-replay';

const [root, relative, count = '30', seed = '1'] = process.argv.slice(2);
if (!root || !relative) {
  console.error('usage: replay-edits.ts <project root> <file> [edits] [seed]');
  process.exit(2);
}
const project = new Project({ compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, strict: true, skipLibCheck: true, noEmit: true, esModuleInterop: true, allowJs: true, resolveJsonModule: true } });
const file = `${root}/${relative}`;
project.addSourceFileAtPath(file);
project.resolveSourceFileDependencies();
const report = replayEdits(project, file, Number(count), Number(seed), { resetEvery: 5, log: (line) => console.log(line) });
report.mismatches.forEach(({ before, after, ...mismatch }, index) => {
  // The two texts of a mismatch, to replay that one edit alone.
  writeFileSync(`${tmpdir()}/replay-mismatch-${index}.before.ts`, before);
  writeFileSync(`${tmpdir()}/replay-mismatch-${index}.after.ts`, after);
  console.log(JSON.stringify(mismatch, null, 1));
});
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
console.log(`${relative}: ${report.edits} edits, ${report.incremental} incremental, ${report.mismatches.length} mismatches; median incremental ${median(report.incrementalMs).toFixed(0)} ms vs fresh full check ${median(report.fullMs).toFixed(0)} ms`);
console.log('full checks, by reason:', report.reasons);
process.exit(report.mismatches.length > 0 ? 1 : 0);
