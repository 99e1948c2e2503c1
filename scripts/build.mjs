// Bundles every entry point with esbuild. Entries whose source does not exist yet are skipped, so
// the build stays green while the product grows. `--production` minifies (used for the .vsix).
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readFile } from 'node:fs/promises';

const production = process.argv.includes('--production');

/** Each bundle the product ships: where it starts, where it goes, and what it runs on. */
const bundles = [
  // The CLI (and with it the registry server) resolves its npm dependencies at run time. Split into
  // chunks (dist/cli-chunk-*.js, beside cli.js so import.meta.url lookups find their siblings): each
  // command loads its own dependencies, so `--help` or `check` never load the registry server.
  { entry: 'cli/main.ts', outfile: 'dist/cli.js', platform: 'node', format: 'esm', packages: 'external', splitting: true },
  // The sandbox worker runs in a worker thread and is loaded by path.
  { entry: 'server/registry/sandbox/sandbox-worker.ts', outfile: 'dist/sandbox-worker.js', platform: 'node', format: 'esm', packages: 'external' },
  // The debug engine's codex-core scan worker, likewise (found by services/debug/scan-worker-location.ts).
  { entry: 'server/registry/services/debug/scan-worker.ts', outfile: 'dist/scan-worker.js', platform: 'node', format: 'esm', packages: 'external' },
  // `plugin-codex check` lints in this worker while it type-checks (found by cli/commands/check.ts).
  { entry: 'cli/commands/lint-worker.ts', outfile: 'dist/lint-worker.js', platform: 'node', format: 'esm', packages: 'external' },
  // The extension and its language server ship inside a .vsix without node_modules: bundle everything.
  { entry: 'extension/extension.ts', outfile: 'dist/extension.cjs', platform: 'node', format: 'cjs', external: ['vscode'] },
  { entry: 'server/lsp/main.ts', outfile: 'dist/lsp-server.cjs', platform: 'node', format: 'cjs', external: ['jiti'] },
  // The web console and the VS Code webviews share one browser bundle.
  { entry: 'webview/src/main.ts', outfile: 'dist/webview/main.js', platform: 'browser', format: 'esm' },
];

/**
 * @stylistic/eslint-plugin loads two dependencies through `createRequire(import.meta.url)`, which
 * esbuild cannot follow: turned into plain `require` calls they are bundled, so the language server
 * runs from a .vsix without node_modules.
 */
const bundleCreateRequire = {
  name: 'bundle-create-require',
  setup(build) {
    build.onLoad({ filter: /[\\/]@stylistic[\\/]eslint-plugin[\\/]dist[\\/].*\.js$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replace(/__require\(("[^"]+")\)/g, 'require($1)'),
      loader: 'js',
    }));
  },
};

mkdirSync('dist', { recursive: true });
// Chunk names carry a content hash: drop the previous build's so dist/ holds one consistent set.
for (const name of readdirSync('dist')) if (/^cli-chunk-.*\.js(\.map)?$/.test(name)) rmSync(`dist/${name}`);
const started = Date.now();
const built = [];
for (const bundle of bundles) {
  if (!existsSync(bundle.entry)) continue;
  await build({
    ...(bundle.splitting
      ? { entryPoints: { [basename(bundle.outfile, '.js')]: bundle.entry }, outdir: dirname(bundle.outfile), splitting: true, chunkNames: 'cli-chunk-[hash]' }
      : { entryPoints: [bundle.entry], outfile: bundle.outfile }),
    bundle: true,
    platform: bundle.platform,
    format: bundle.format,
    target: bundle.platform === 'node' ? 'node20' : 'es2022',
    packages: bundle.packages,
    external: bundle.external,
    sourcemap: true,
    minify: production,
    logLevel: 'warning',
    plugins: bundle.packages === 'external' ? [] : [bundleCreateRequire],
    // ESM bundles that pull in CommonJS code need a real `require`; CommonJS bundles of ESM code
    // (ESLint plugins call createRequire(import.meta.url)) need a real `import.meta.url`.
    banner: bundle.format === 'esm' && bundle.platform === 'node'
      ? { js: "import { createRequire as __codexCreateRequire } from 'node:module'; const require = __codexCreateRequire(import.meta.url);" }
      : bundle.format === 'cjs' ? { js: "const __codexImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" } : undefined,
    define: bundle.format === 'cjs' ? { 'import.meta.url': '__codexImportMetaUrl' } : undefined,
  });
  built.push(bundle.outfile);
}
console.log(`built ${built.join(', ')} in ${Date.now() - started} ms`);
