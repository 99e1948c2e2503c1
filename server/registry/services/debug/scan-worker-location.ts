import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../package-root';

let devBundle: Promise<string> | undefined;

/**
 * Finds the script the debug engine's scan worker runs, the way the sandbox finds its worker
 * (server/registry/sandbox/worker-location.ts):
 *
 * - In production this module is bundled into dist/cli.js and scripts/build.mjs bundles the worker
 *   to dist/scan-worker.js beside it.
 * - Run from the TypeScript sources (vitest, tsx), the worker is bundled on first use with esbuild
 *   into node_modules/.cache/plugin-codex/, where its bare imports (ts-morph, eslint) resolve from
 *   the project's node_modules; the file name carries the bundle's hash, so parallel test processes
 *   share identical files and never see a half-written one.
 */
export async function resolveScanWorkerPath(explicit?: string): Promise<string> {
  if (explicit !== undefined) return explicit;
  const here = fileURLToPath(import.meta.url);
  const sibling = join(dirname(here), 'scan-worker.js');
  if (existsSync(sibling)) return sibling;
  const source = join(dirname(here), 'scan-worker.ts');
  if (here.endsWith('.ts') && existsSync(source)) {
    devBundle ??= bundleForDevelopment(source);
    return devBundle;
  }
  throw new Error(`cannot find the debug scan worker: expected ${sibling}; run \`node scripts/build.mjs\``);
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
  if (!output) throw new Error('esbuild produced no scan worker bundle');
  const hash = createHash('sha256').update(output.contents).digest('hex').slice(0, 16);
  const folder = join(packageRoot(), 'node_modules', '.cache', 'plugin-codex');
  const file = join(folder, `scan-worker-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(folder, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, output.contents);
    renameSync(temporary, file);
  }
  return file;
}
