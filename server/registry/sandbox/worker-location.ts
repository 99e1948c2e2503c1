import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../package-root';

let devBundle: Promise<string> | undefined;

/**
 * Finds the script the sandbox's worker threads run.
 *
 * - An explicit path wins (tests of a custom worker, unusual layouts).
 * - In production this module is bundled into dist/cli.js, and scripts/build.mjs bundles the
 *   worker to dist/sandbox-worker.js beside it: `./sandbox-worker.js` relative to this module.
 * - Run from the TypeScript sources (vitest, tsx), there is no JavaScript worker next to this file
 *   and Node 20 cannot start a worker from a .ts file, so the worker is bundled on first use with
 *   esbuild (a dev dependency) into node_modules/.cache/plugin-codex/, where its bare imports
 *   (quickjs-emscripten) resolve from the project's node_modules. The file name carries a hash of
 *   the bundle, so parallel test processes share identical files and never see a half-written one.
 */
export async function resolveWorkerPath(explicit?: string | URL): Promise<string> {
  if (explicit !== undefined) return explicit instanceof URL ? fileURLToPath(explicit) : explicit;
  const here = fileURLToPath(import.meta.url);
  const sibling = join(dirname(here), 'sandbox-worker.js');
  if (existsSync(sibling)) return sibling;
  const source = join(dirname(here), 'sandbox-worker.ts');
  if (here.endsWith('.ts') && existsSync(source)) {
    devBundle ??= bundleForDevelopment(source);
    return devBundle;
  }
  throw new Error(`cannot find the sandbox worker: expected ${sibling}; run \`node scripts/build.mjs\``);
}

async function bundleForDevelopment(source: string): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [source],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __codexCreateRequire } from 'node:module'; const require = __codexCreateRequire(import.meta.url);" },
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no sandbox worker bundle');
  const hash = createHash('sha256').update(output.contents).digest('hex').slice(0, 16);
  const folder = join(packageRoot(), 'node_modules', '.cache', 'plugin-codex');
  const file = join(folder, `sandbox-worker-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(folder, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, output.contents);
    renameSync(temporary, file);
  }
  return file;
}
