// Bundles every entry point with esbuild. Entries whose source does not exist yet are skipped, so
// the build stays green while the product grows. `--production` minifies (used for the .vsix).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readFile } from 'node:fs/promises';

const production = process.argv.includes('--production');

/** The worker threads the CLI starts by path, found beside the module that starts them. */
const workers = {
  // The plugin sandbox (found by server/registry/sandbox/worker-location.ts).
  'sandbox-worker': 'server/registry/sandbox/sandbox-worker.ts',
  // The debug engine's codex-core scan worker (found by services/debug/scan-worker-location.ts).
  'scan-worker': 'server/registry/services/debug/scan-worker.ts',
  // `plugin-codex check` lints in this worker while it type-checks (found by cli/commands/check.ts).
  'lint-worker': 'cli/commands/lint-worker.ts',
};

/** Each bundle the product ships: where it starts, where it goes, and what it runs on. */
const bundles = [
  // The CLI (and with it the registry server) resolves its npm dependencies at run time. Split into
  // chunks (dist/cli-chunk-*.js, beside cli.js so import.meta.url lookups find their siblings): each
  // command loads its own dependencies, so `--help` or `check` never load the registry server.
  { entry: 'cli/main.ts', outfile: 'dist/cli.js', platform: 'node', format: 'esm', packages: 'external', splitting: true },
  ...Object.entries(workers).map(([name, entry]) => ({ entry, outfile: `dist/${name}.js`, platform: 'node', format: 'esm', packages: 'external' })),
  // The extension and its language server ship inside a .vsix without node_modules: bundle everything.
  { entry: 'extension/extension.ts', outfile: 'dist/extension.cjs', platform: 'node', format: 'cjs', external: ['vscode'] },
  { entry: 'server/lsp/main.ts', outfile: 'dist/lsp-server.cjs', platform: 'node', format: 'cjs', external: ['jiti'] },
  // The registry as the .vsix runs it (the extension's embedded registry): the same CLI and workers,
  // with every npm dependency bundled, in dist/standalone/ beside the wasm and data files PGlite and
  // QuickJS load from their own folder (`new URL('./x.wasm', import.meta.url)`). Optional and
  // development-only modules stay external: they are never loaded on these paths.
  ...Object.entries({ cli: 'cli/main.ts', ...workers }).map(([name, entry]) => ({
    entry,
    outfile: `dist/standalone/${name}.js`,
    platform: 'node',
    format: 'esm',
    external: ['pg-native', 'esbuild', 'jiti', 'vscode'],
    splitting: name === 'cli',
    sourcemap: false,
  })),
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
for (const folder of ['dist', 'dist/standalone']) {
  if (!existsSync(folder)) continue;
  for (const name of readdirSync(folder)) if (/^cli-chunk-.*\.js(\.map)?$/.test(name)) rmSync(`${folder}/${name}`);
}
const started = Date.now();
const built = [];
for (const bundle of bundles) {
  if (!existsSync(bundle.entry)) continue;
  // esbuild spreads each build over every core already: building the bundles together was no faster (5.6–6.2 s against 5.2–5.5 s).
  // plugin-codex-disable-next-line perf-await-in-loop
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
    sourcemap: bundle.sourcemap ?? true,
    minify: production,
    logLevel: 'warning',
    plugins: bundle.packages === 'external' ? [] : [bundleCreateRequire],
    // ESM bundles that pull in CommonJS code need a real `require`; CommonJS bundles of ESM code
    // (ESLint plugins call createRequire(import.meta.url)) need a real `import.meta.url`.
    // Fully bundled ESM also needs the CommonJS globals its bundled CommonJS code reads (TypeScript
    // reads `__filename`).
    banner: bundle.format === 'esm' && bundle.platform === 'node'
      ? { js: "import { createRequire as __codexCreateRequire } from 'node:module'; const require = __codexCreateRequire(import.meta.url);"
        + (bundle.packages === 'external' ? '' : " import { fileURLToPath as __codexFileURLToPath } from 'node:url'; const __filename = __codexFileURLToPath(import.meta.url); const __dirname = __codexFileURLToPath(new URL('.', import.meta.url));") }
      : bundle.format === 'cjs' ? { js: "const __codexImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" } : undefined,
    define: bundle.format === 'cjs' ? { 'import.meta.url': '__codexImportMetaUrl' } : undefined,
  });
  built.push(bundle.outfile);
}
// What the standalone bundles load from their own folder at run time.
const standaloneAssets = [
  'node_modules/@electric-sql/pglite/dist/pglite.wasm',
  'node_modules/@electric-sql/pglite/dist/initdb.wasm',
  'node_modules/@electric-sql/pglite/dist/pglite.data',
  'node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm',
];
if (existsSync('dist/standalone')) for (const asset of standaloneAssets) copyFileSync(asset, `dist/standalone/${basename(asset)}`);
console.log(`built ${built.join(', ')} in ${Date.now() - started} ms`);
