import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Catalog, Codex } from '../../codex-core/index';
import { CATEGORIES, SEVERITIES, isAtLeast, type Category, type Severity } from '../../protocol/findings';
import { changedFiles } from './changed-files';
import { formatPretty } from './check-report';

/** The options `plugin-codex check` accepts. */
export interface CheckOptions {
  fix?: boolean;
  format: string;
  category?: string;
  changed?: boolean;
  maxSeverity: string;
  root: string;
  cache?: boolean;
  cacheLocation?: string;
}

/** Where `--cache` keeps its file unless `--cache-location` says otherwise (where build tools keep theirs). */
const DEFAULT_CACHE_LOCATION = 'node_modules/.cache/plugin-codex/check-cache.json';

class UsageError extends Error {}

function parseCategories(list: string | undefined): Category[] | undefined {
  if (!list) return undefined;
  const categories = list.split(',').map((item) => item.trim()).filter(Boolean);
  for (const category of categories) {
    if (!CATEGORIES.includes(category as Category)) throw new UsageError(`--category ${category} is unknown; use a comma-separated list of ${CATEGORIES.join(', ')}`);
  }
  return categories as Category[];
}

/** The live catalog for schema drift, only when DATABASE_URL names a database. */
function liveCatalogFromEnvironment(): (() => Promise<Catalog>) | undefined {
  const url = process.env.DATABASE_URL;
  if (!url) return undefined;
  return async () => {
    const [{ createPgDatabase }, { readCatalog }] = await Promise.all([
      import('../../server/registry/db/pg-database'),
      import('../../server/registry/db/catalog'),
    ]);
    const db = createPgDatabase({ url, schema: process.env.DATABASE_SCHEMA || 'public', maxConnections: 1 });
    try {
      return await readCatalog(db);
    } finally {
      await db.close();
    }
  };
}

/** Expands the path arguments: files as they are, folders to the project files below them. */
function selectFiles(codex: Codex, paths: readonly string[]): string[] {
  const all = codex.projectFiles();
  const selected = new Set<string>();
  for (const path of paths) {
    const absolute = resolve(path);
    if (!existsSync(absolute)) throw new UsageError(`${path} does not exist`);
    if (statSync(absolute).isDirectory()) {
      for (const file of all) if (file.startsWith(absolute.endsWith(sep) ? absolute : absolute + sep)) selected.add(file);
    } else {
      selected.add(absolute);
    }
  }
  return [...selected];
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * What names this build of the engine for the check cache: the version and a hash of the bundle's
 * code (dist/*.js), so results of another build, whose rules may differ, are never reused.
 */
function engineSalt(): string {
  const hash = createHash('sha1').update(version());
  const folder = dirname(fileURLToPath(import.meta.url));
  try {
    for (const name of readdirSync(folder).filter((entry) => entry.endsWith('.js')).sort()) hash.update(name).update(readFileSync(join(folder, name)));
  } catch {
    // Not running from a bundle (tests importing the source): the version alone names the engine.
  }
  return hash.digest('hex');
}

/** The lint worker's script (dist/lint-worker.js); without one, the check lints in this thread. */
async function lintWorkerScript(): Promise<string | undefined> {
  try {
    const { resolveWorkerScript } = await import('../../server/registry/worker-script');
    return await resolveWorkerScript('lint-worker', import.meta.url);
  } catch {
    return undefined;
  }
}

/** Runs a check and returns the exit status: 0 clean, 1 findings at or above the threshold, 2 error. */
export async function runCheck(paths: readonly string[], options: CheckOptions): Promise<number> {
  // The engine (TypeScript, ESLint and their plugins) loads only when a check runs.
  const { createCodex, CodexConfigError, CheckCache, applyTextEdits, toSarif } = await import('../../codex-core/index');
  try {
    if (!['pretty', 'json', 'sarif'].includes(options.format)) throw new UsageError(`--format ${options.format} is unknown; use pretty, json or sarif`);
    if (!SEVERITIES.includes(options.maxSeverity as Severity)) throw new UsageError(`--max-severity ${options.maxSeverity} is unknown; use one of ${SEVERITIES.join(', ')}`);
    const threshold = options.maxSeverity as Severity;
    const categories = parseCategories(options.category);
    const root = resolve(options.root);
    const liveCatalog = liveCatalogFromEnvironment();
    const lintWorker = await lintWorkerScript();
    const cache = options.cache || options.cacheLocation ? new CheckCache(options.cacheLocation ? resolve(options.cacheLocation) : join(root, DEFAULT_CACHE_LOCATION), root, engineSalt()) : undefined;
    if (cache?.loadProblem) process.stderr.write(`plugin-codex: not using the cache in ${cache.path} (${cache.loadProblem}); it will be rewritten\n`);
    const codexOptions = { root, ...(liveCatalog ? { liveCatalog } : {}), ...(lintWorker ? { lintWorker } : {}), ...(cache ? { cache } : {}) };
    const codex = createCodex(codexOptions);

    let files: string[] | undefined = paths.length ? selectFiles(codex, paths) : undefined;
    if (options.changed) {
      const changed = changedFiles(root);
      process.stderr.write(`plugin-codex: ${changed.basis}\n`);
      if (changed.files) {
        const set = new Set(changed.files);
        files = (files ?? [...codex.projectFiles(), resolve(root, 'package.json')]).filter((file) => set.has(file));
      }
    }

    const progress = process.stderr.isTTY && options.format === 'pretty'
      ? ({ done, total }: { done: number; total: number }) => {
        if (total >= 20) process.stderr.write(`\r\u001b[2Kchecking ${done}/${total} files`);
      }
      : undefined;

    if (options.fix) {
      const targets = files ?? codex.projectFiles();
      let applied = 0;
      for (const file of targets.filter((path) => codex.projectFiles().includes(path))) {
        for (const fix of await codex.fixAll(file)) {
          if (fix.edits.length === 0) continue;
          writeFileSync(fix.file, applyTextEdits(readFileSync(fix.file, 'utf8'), fix.edits));
          applied += fix.applied;
        }
      }
      process.stderr.write(`plugin-codex: applied ${applied} trivial fix(es)\n`);
    }

    // After --fix, analyse afresh so the report reflects the files on disk.
    const reporter = options.fix ? createCodex(codexOptions) : codex;
    const result = await reporter.analyzeProject({ ...(categories ? { categories } : {}), ...(files ? { files } : {}), ...(progress ? { onProgress: progress } : {}) });
    if (progress) process.stderr.write('\r\u001b[2K');
    if (cache && result.cache) {
      try {
        cache.save(reporter.projectFiles());
        const { typeHits, typeMisses, ruleHits, ruleMisses, lintHits, lintMisses } = result.cache;
        process.stderr.write(`plugin-codex: cache reused ${typeHits} of ${typeHits + typeMisses} type checks, ${ruleHits} of ${ruleHits + ruleMisses} rule runs and ${lintHits} of ${lintHits + lintMisses} lint results\n`);
      } catch (error) {
        // The report stands without a cache; say why the next run will not be faster.
        process.stderr.write(`plugin-codex: could not write the cache ${cache.path}: ${(error as Error).message}\n`);
      }
    }
    for (const failure of result.errors) process.stderr.write(`plugin-codex: could not analyse ${failure.file}: ${failure.error}\n`);

    const findings = result.findings;
    if (options.format === 'json') {
      process.stdout.write(`${JSON.stringify({ root, files: result.files, durationMs: Math.round(result.durationMs), ...(result.cache ? { cache: result.cache } : {}), findings }, null, 2)}\n`);
    } else if (options.format === 'sarif') {
      // The rule pages ship with the package: linked as files, and embedded so code scanning shows them.
      const { packageRoot } = await import('../../server/registry/package-root');
      const docsRoot = packageRoot();
      const ruleHelp = (rule: { docsPath: string }): string | undefined => {
        const page = join(docsRoot, rule.docsPath);
        return existsSync(page) ? readFileSync(page, 'utf8') : undefined;
      };
      process.stdout.write(`${JSON.stringify(toSarif(findings, reporter.rules(), { root, version: version(), docsBaseUrl: pathToFileURL(docsRoot).href.replace(/\/?$/, '/'), ruleHelp }), null, 2)}\n`);
    } else {
      process.stdout.write(formatPretty(findings, root, Boolean(process.stdout.isTTY)));
    }
    if (result.errors.length > 0) return 2;
    return findings.some((finding) => isAtLeast(finding.severity, threshold)) ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof CodexConfigError) process.stderr.write(`plugin-codex check: ${error.message}\n`);
    else process.stderr.write(`plugin-codex check failed: ${(error as Error).stack ?? String(error)}\n`);
    return 2;
  }
}

/** Registers `plugin-codex check [paths...]`. */
export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('diagnose the project (types, lint, dependencies, security, performance, dead zones, schema drift)')
    .argument('[paths...]', 'files or folders to report on (default: the whole project)')
    .option('--fix', 'apply the trivial fixes first (verified: a fix that introduces an error is dropped)')
    .option('--format <format>', 'pretty, json or sarif (SARIF 2.1.0 for code scanning)', 'pretty')
    .option('--category <list>', `comma-separated categories: ${CATEGORIES.join(', ')}`)
    .option('--changed', 'only files changed since the merge base with origin/main (or main)')
    .option('--max-severity <severity>', 'exit 1 when a finding is at or above this severity (error, warning, info, hint)', 'warning')
    .option('--root <folder>', 'the project root', process.cwd())
    .option('--cache', `reuse the results of files whose inputs did not change since the last --cache run (kept in ${DEFAULT_CACHE_LOCATION})`)
    .option('--cache-location <file>', 'where --cache keeps its results, relative to the current folder (implies --cache)')
    .action(async (paths: string[], options: CheckOptions) => {
      process.exitCode = await runCheck(paths, options);
    });
}
