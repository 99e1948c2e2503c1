import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodex } from '../../codex-core/codex';
import { removeFixture, writeFixture } from '../../codex-core/rule-test-support';
import type { Finding } from '../../protocol/findings';
import { resolveWorkerScript } from '../../server/registry/worker-script';

// A project analysis with a lint worker must report exactly what the single-threaded one reports,
// and a worker that cannot run must cost nothing but the speed-up.
const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'lint-worker-fixture', type: 'module' }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, lib: ['ES2022'], types: [] }, include: ['src'] }),
};
for (let index = 0; index < 10; index++) {
  files[`src/module-${index}.ts`] = `\uFEFFvar counter${index} = ${index};\nlet fixed${index} = 'x';\nexport const value${index}: number = counter${index} + fixed${index}.length;\nexport function f${index}(a: number) {\n  debugger;\n  return a + ${index};\n}\n`;
}

const keyOf = (finding: Finding): string => JSON.stringify([finding.file, finding.ruleId, finding.code, finding.message, finding.range, finding.fixes]);
const keys = (findings: readonly Finding[]): string[] => findings.map(keyOf).sort();

describe('the lint worker of a project analysis', () => {
  let root: string;
  let script: string;
  beforeAll(async () => {
    root = writeFixture(files, 'codex-lint-worker-');
    // Started from the sources, the CLI's worker entry is bundled on first use (as it is for the sandbox).
    script = await resolveWorkerScript('lint-worker', new URL('../../cli/commands/check.ts', import.meta.url).href);
  }, 60_000);
  afterAll(() => removeFixture(root));

  it('reports the same findings as linting in the analysing thread, overlays included', async () => {
    const overlay = join(root, 'src/module-3.ts');
    const overlayText = 'export const unsaved = 1;;\n';
    const single = createCodex({ root, overlays: { [overlay]: overlayText } });
    const parallel = createCodex({ root, overlays: { [overlay]: overlayText }, lintWorker: script });
    const expected = await single.analyzeProject();
    const actual = await parallel.analyzeProject();
    expect(actual.errors).toEqual([]);
    expect(actual.findings.filter((finding) => finding.category === 'lint').length).toBeGreaterThan(20);
    // The overlay's text was linted, not the file on disk.
    expect(actual.findings.filter((finding) => finding.file === overlay).map((finding) => finding.code)).toContain('@stylistic/no-extra-semi');
    expect(actual.findings.filter((finding) => finding.file === overlay).map((finding) => finding.code)).not.toContain('no-var');
    expect(keys(actual.findings)).toEqual(keys(expected.findings));
  }, 120_000);

  it('falls back to linting in the analysing thread when the worker cannot start', async () => {
    const expected = await createCodex({ root }).analyzeProject({ categories: ['lint'] });
    const broken = await createCodex({ root, lintWorker: join(root, 'no-such-worker.js') }).analyzeProject({ categories: ['lint'] });
    expect(broken.errors).toEqual([]);
    expect(keys(broken.findings)).toEqual(keys(expected.findings));
    expect(broken.findings.length).toBeGreaterThan(20);
  }, 120_000);

  it('warns on a project ESLint config that cannot be loaded, in both threads, and lints with the built-in set', async () => {
    const brokenConfig = writeFixture({ ...files, 'eslint.config.js': 'import preset from "no-such-eslint-preset";\nexport default [preset];\n' }, 'codex-lint-config-');
    try {
      for (const codex of [createCodex({ root: brokenConfig }), createCodex({ root: brokenConfig, lintWorker: script })]) {
        const { findings, errors } = await codex.analyzeProject({ categories: ['lint'] });
        expect(errors).toEqual([]);
        const warnings = findings.filter((finding) => finding.code === 'eslint-config');
        expect(warnings.map((finding) => [finding.file, finding.severity])).toEqual([[join(brokenConfig, 'eslint.config.js'), 'warning']]);
        expect(warnings[0]!.message).toMatch(/^eslint\.config\.js could not be loaded \(.*no-such-eslint-preset.*\); the built-in rule set linted instead$/);
        expect(findings.filter((finding) => finding.code === 'no-var')).toHaveLength(10);
      }
    } finally {
      removeFixture(brokenConfig);
    }
  }, 120_000);
});
