import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from './package-root';

const devBundles = new Map<string, Promise<string>>();

/**
 * Finds the script a worker thread runs, for the sandbox and the debug engine's scan worker alike.
 *
 * - An explicit path wins (tests of a custom worker, unusual layouts).
 * - In production the caller is bundled into dist/cli.js, and scripts/build.mjs bundles the worker to
 *   `dist/<name>.js` beside it.
 * - Run from the TypeScript sources (vitest, jiti), `<name>.ts` sits next to the caller and Node 20
 *   cannot start a worker from a .ts file, so the worker is bundled on first use with esbuild (a dev
 *   dependency) into node_modules/.cache/plugin-codex/, where its bare imports resolve from the
 *   project's node_modules. The file name carries a hash of the bundle, so parallel test processes
 *   share identical files and never see a half-written one.
 *
 * @param name the worker's file name without extension, e.g. `sandbox-worker`
 * @param callerUrl `import.meta.url` of the module that starts the worker (the worker lives beside it)
 */
export async function resolveWorkerScript(name: string, callerUrl: string, explicit?: string | URL): Promise<string> {
  if (explicit !== undefined) return explicit instanceof URL ? fileURLToPath(explicit) : explicit;
  const here = fileURLToPath(callerUrl);
  const sibling = join(dirname(here), `${name}.js`);
  if (existsSync(sibling)) return sibling;
  const source = join(dirname(here), `${name}.ts`);
  if (here.endsWith('.ts') && existsSync(source)) {
    let bundle = devBundles.get(source);
    if (!bundle) {
      bundle = bundleForDevelopment(name, source);
      devBundles.set(source, bundle);
    }
    return bundle;
  }
  throw new Error(`cannot find the ${name} script: expected ${sibling}; run \`node scripts/build.mjs\``);
}

async function bundleForDevelopment(name: string, source: string): Promise<string> {
  // plugin-codex-disable-next-line dep-dev-at-runtime -- only when running from the TypeScript sources, where the dev tools are installed
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
  if (!output) throw new Error(`esbuild produced no bundle for ${name}`);
  const hash = createHash('sha256').update(output.contents).digest('hex').slice(0, 16);
  const folder = join(packageRoot(), 'node_modules', '.cache', 'plugin-codex');
  const file = join(folder, `${name}-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(folder, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, output.contents);
    renameSync(temporary, file);
  }
  return file;
}
