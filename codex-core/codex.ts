import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Category, Finding, RuleDescription, TextEdit } from '../protocol/findings';
import { loadConfig, mergeConfig, type CodexConfig } from './config';
import { CheckCache, typeKeysOf, type CacheStats, type TypeKeys } from './check-cache';
import { cachedLintMessages, lintConfigProblem, lintFile, lintMessages, reportLintMessages, resetLintCache } from './lint';
import { startProjectLint, type ProjectLint } from './lint-worker';
import { isSourceFile, relativePath, walkFiles } from './project-files';
import { ProjectModel } from './project-model';
import { FileReporter, RecordingReporter, RuleSettings } from './reporter';
import { RULES } from './rule-catalogue';
import { findDeadExports, manifestEntryPoints } from './rules/dead-exports';
import { deadZoneRules } from './rules/dead-zone-rules';
import { dependencyRules } from './rules/dependency-rules';
import { performanceRules } from './rules/performance-rules';
import { compareWithLive } from './rules/schema-drift';
import { securityRules } from './rules/security-rules';
import { compareMigrations, expectedCatalog, isUndoMigration, type Catalog } from './rules/sql-migrations';
import { SyntaxIndex } from './rules/syntax-index';
import { editsBetween } from './text-edits';
import { IncrementalTypeCheck, type SemanticCheckOutcome } from './incremental-check';
import { parseOnlyDiagnostics, reportChecked, syntacticDiagnostics } from './type-check';
import type { Project, SourceFile } from 'ts-morph';

/**
 * How deep an analysis goes. `fast`: syntax errors and lint of the file (no type checking, for every
 * keystroke); `full`: adds semantic TypeScript diagnostics and the codex's security, performance and
 * dead-zone rules of the file; `project`: adds the rules that need the whole project (dependencies,
 * unused exports and files, schema drift), reported for this file.
 */
export type Layer = 'fast' | 'full' | 'project';

/** Options of {@link createCodex}. */
export interface CodexOptions {
  /** The project's root folder (holding package.json, tsconfig.json, .plugin-codex.json). */
  root: string;
  /** Settings that override the project's own configuration (host or command-line settings). */
  config?: CodexConfig;
  /** Unsaved file contents by absolute path; see {@link Codex.setOverlay}. */
  overlays?: Record<string, string>;
  /**
   * Reads the live database catalog for the schema-drift rule. The host supplies it (codex-core never
   * talks to a database); without it, schema drift is not checked.
   */
  liveCatalog?: () => Promise<Catalog>;
  /**
   * A script that runs `runLintWorker` when started as a worker thread with `LINT_WORKER_DATA`
   * (the host's own bundle, or a dedicated one). With it, a project analysis lints in that worker,
   * in parallel with type checking; without it, everything runs in this thread.
   */
  lintWorker?: string;
  /**
   * Results kept between project analyses (`check --cache`): {@link Codex.analyzeProject} reuses the
   * type diagnostics, file-rule reports and lint messages whose inputs did not change and stores the
   * new ones. The host loads and saves it.
   */
  cache?: CheckCache;
}

/** Options of {@link Codex.analyzeFile}. */
export interface AnalyzeFileOptions {
  /** Default `full`. */
  layers?: Layer;
  /** Only these categories (default: every enabled one). */
  categories?: readonly Category[];
  signal?: AbortSignal;
  /**
   * Leave the compiler's code fixes of new type errors to {@link Codex.resolveFixes} (findings say
   * `fixesPending`): they cost a full check of the file, which an editor's per-keystroke analysis
   * otherwise avoids. Default false.
   */
  lazyFixes?: boolean;
}

/** The outcome of analysing one file. A failed analysis has an `error` and no findings, never stale ones. */
export interface FileAnalysis {
  file: string;
  findings: Finding[];
  error?: string;
  durationMs: number;
  /** How the semantic type check was made (absent when the layer has none, or the file had syntax errors). */
  typeCheck?: Omit<SemanticCheckOutcome, 'diagnostics'>;
}

/** Progress of a project analysis, reported after each file. */
export interface AnalysisProgress {
  done: number;
  total: number;
  file: string;
}

/** Options of {@link Codex.analyzeProject}. */
export interface AnalyzeProjectOptions {
  categories?: readonly Category[];
  /** Restrict the report to these files (absolute or root-relative); project rules still see the whole project. */
  files?: readonly string[];
  onProgress?: (progress: AnalysisProgress) => void;
  signal?: AbortSignal;
  /**
   * The check cache of this run, instead of {@link CodexOptions.cache}: a host that keeps one codex
   * for long (the language server) passes its cache to each workspace scan.
   */
  cache?: CheckCache;
}

/** The outcome of analysing a project. */
export interface ProjectAnalysis {
  findings: Finding[];
  /** How many source files were analysed. */
  files: number;
  /** Files whose analysis failed, with the reason (their findings are left out). */
  errors: { file: string; error: string }[];
  durationMs: number;
  /** How much the check cache answered, when the codex has one. */
  cache?: CacheStats;
}

/** The trivial fixes of one file, verified, as edits against the file's current text. */
export interface FileFix {
  file: string;
  edits: TextEdit[];
  /** How many fixes were applied (over all rounds). */
  applied: number;
  /** How many were dropped because they introduced a new error. */
  dropped: number;
}

/** Options of {@link Codex.analyzeText}. */
export interface AnalyzeTextOptions {
  /** `syntax`: syntax errors only; `fast` (default): syntax errors and lint. */
  layers?: 'syntax' | 'fast';
  categories?: readonly Category[];
}

/** The diagnosis engine of one project. Create it once and keep it: it reuses its compiler state. */
export interface Codex {
  readonly root: string;
  /** Analyses one file at the given depth. */
  analyzeFile(path: string, options?: AnalyzeFileOptions): Promise<FileAnalysis>;
  /**
   * The fast layer of a file's text without touching the compiler state (no overlay is set, no
   * program changes): a plain parse for syntax errors, and lint. Milliseconds for the parse, so a
   * host can show it on every keystroke while a deep analysis runs elsewhere.
   */
  analyzeText(path: string, text: string, options?: AnalyzeTextOptions): Promise<FileAnalysis>;
  /** Analyses every source file of the project (or `files`) with every layer. */
  analyzeProject(options?: AnalyzeProjectOptions): Promise<ProjectAnalysis>;
  /**
   * The type-check findings of a file with their code fixes computed, for the file's current text
   * (after an analysis with `lazyFixes` left some pending).
   */
  resolveFixes(path: string): Promise<Finding[]>;
  /** Sets the unsaved text of a file, or with `undefined` goes back to the file on disk. */
  setOverlay(path: string, text: string | undefined): void;
  /**
   * Computes the trivial fixes of one file (or, without `path`, of every project file), applies them
   * in memory, re-diagnoses and drops any fix that introduces a new error. Returns edits; changes nothing.
   */
  fixAll(path?: string, options?: { signal?: AbortSignal }): Promise<FileFix[]>;
  /** The rule catalogue. */
  rules(): RuleDescription[];
  /** The source files of the project (absolute paths), overlays included. */
  projectFiles(): string[];
  /** Re-reads the project's configuration (after .plugin-codex.json, package.json or the ESLint config changed). */
  reloadConfig(): void;
}

/** Categories computed per file, by layer. */
const FAST: readonly Category[] = ['type', 'lint'];
const FULL: readonly Category[] = ['type', 'lint', 'security', 'performance', 'dead-zone'];

function within(requested: readonly Category[] | undefined, layer: readonly Category[]): Category[] {
  return layer.filter((category) => !requested || requested.includes(category));
}

/** The categories of the codex's own per-file rules. */
const FILE_RULE_CATEGORIES: readonly Category[] = ['security', 'performance', 'dead-zone'];

/** Runs the codex's security, performance and dead-zone rules on one file. */
function runFileRules(project: Project, source: SourceFile, reporter: FileReporter, root: string): void {
  // ts-morph keeps a wrapper for every node it hands out; forgetting them after the rules
  // keeps memory bounded by the compiler's own trees instead of growing with every file.
  project.forgetNodesCreatedInBlock(() => {
    const index = new SyntaxIndex(source);
    const relativeFile = relativePath(root, source.getFilePath());
    securityRules(index, reporter, relativeFile);
    performanceRules(index, reporter, relativeFile);
    deadZoneRules(index, reporter);
  });
}

/** The reuse counted since `before`. */
function statsSince(now: CacheStats, before: CacheStats): CacheStats {
  return {
    typeHits: now.typeHits - before.typeHits,
    typeMisses: now.typeMisses - before.typeMisses,
    ruleHits: now.ruleHits - before.ruleHits,
    ruleMisses: now.ruleMisses - before.ruleMisses,
    lintHits: now.lintHits - before.lintHits,
    lintMisses: now.lintMisses - before.lintMisses,
  };
}

/** The check cache during one project analysis, with the keys of each program (computed once, on first use). */
interface CachedResults {
  cache: CheckCache;
  typeKeys(project: Project): TypeKeys;
}

function cachedResults(cache: CheckCache): CachedResults {
  const keys = new Map<Project, TypeKeys>();
  return {
    cache,
    typeKeys(project) {
      let found = keys.get(project);
      if (!found) keys.set(project, (found = typeKeysOf(project.getProgram().compilerObject, cache.salt, cache)));
      return found;
    },
  };
}

/** Creates the codex of a project. Cheap: nothing is read until the first analysis. */
export function createCodex(options: CodexOptions): Codex {
  const root = resolve(options.root);
  const model = new ProjectModel(root);
  let config = mergeConfig(loadConfig(root), options.config);
  let settings = new RuleSettings(config);
  /** Incremented by every change, so cached project results know they are stale. */
  let generation = 0;
  let projectCache: { generation: number; categories: string; findings: Finding[] } | undefined;

  const absolute = (path: string): string => (isAbsolute(path) ? resolve(path) : resolve(root, path));
  for (const [path, text] of Object.entries(options.overlays ?? {})) model.setOverlay(absolute(path), text);

  /** The semantic check; incremental for files with overlays (the documents open in an editor). */
  const typeCheck = new IncrementalTypeCheck();
  /** How the last semantic check of each analysed file was made, until its FileAnalysis is returned. */
  const checkOutcomes = new Map<string, Omit<SemanticCheckOutcome, 'diagnostics'>>();
  const overlayFiles = new Set(Object.keys(options.overlays ?? {}).map(absolute));

  function projectFiles(): string[] {
    const files = new Set(walkFiles(root, isSourceFile, config.ignore));
    for (const file of overlayFiles) if (isSourceFile(file)) files.add(file);
    return [...files].sort();
  }

  function fileText(file: string): string {
    return model.sourceFile(file).getFullText();
  }

  /** Where a file's lint findings come from: `elsewhere` when the caller reports them itself (a project analysis's lint worker). */
  type LintSource = 'here' | 'elsewhere';

  /**
   * The findings of one file at `layer`. `typeChecked: false` (a project analysis's file that no
   * tsconfig includes or imports) leaves out compiler diagnostics, as `tsc -p` would.
   */
  async function analyzeOne(file: string, layer: Layer, categories: readonly Category[] | undefined, signal?: AbortSignal, lint: LintSource = 'here', lazyFixes = false, typeChecked = true, cached?: CachedResults): Promise<Finding[]> {
    signal?.throwIfAborted();
    const source = model.sourceFile(file);
    const project = model.projectOf(file);
    const active = within(categories, layer === 'fast' ? FAST : FULL);
    const reporter = new FileReporter(file, source.getFullText(), settings, active);
    if (layer === 'fast') {
      parseOnlyDiagnostics(reporter, source.getFullText());
    } else if (typeChecked) {
      const before = reporter.findings.length;
      syntacticDiagnostics(project, reporter);
      // Semantic diagnostics of a file with syntax errors only repeat them.
      if (reporter.findings.length === before && reporter.wants('type-check')) {
        const keys = cached?.typeKeys(project);
        const key = keys?.keyOf(file);
        const reused = key === undefined ? undefined : cached!.cache.typeResult(file, key, keys!.programKey);
        if (reused) {
          for (const diagnostic of reused) reportChecked(reporter, diagnostic);
        } else {
          const { diagnostics, ...outcome } = typeCheck.check(project.getLanguageService().compilerObject, file, model.hasOverlay(file), lazyFixes);
          for (const diagnostic of diagnostics) reportChecked(reporter, diagnostic, lazyFixes);
          checkOutcomes.set(file, outcome);
          if (key !== undefined) cached!.cache.storeTypeResult(file, key, keys!.programKey, diagnostics);
        }
      }
    }
    if (layer !== 'fast') {
      if (active.some((category) => FILE_RULE_CATEGORIES.includes(category))) {
        const key = cached?.typeKeys(project).ruleKeyOf(file);
        const reused = key === undefined ? undefined : cached!.cache.ruleReports(file, key);
        if (reused) {
          for (const report of reused) reporter.report(report);
        } else if (key !== undefined) {
          // For the cache: every file rule, whatever the settings; the real reporter filters on replay.
          const recorder = new RecordingReporter(file, source.getFullText(), FILE_RULE_CATEGORIES);
          runFileRules(project, source, recorder, root);
          cached!.cache.storeRuleReports(file, key, recorder.reports);
          for (const report of recorder.reports) reporter.report(report);
        } else {
          runFileRules(project, source, reporter, root);
        }
      }
    }
    signal?.throwIfAborted();
    if (lint === 'here') {
      if (cached && reporter.wants('lint')) {
        const { result, hit } = await cachedLintMessages(root, file, source.getFullText(), cached.cache.salt, cached.cache.lintResult(file));
        cached.cache.storeLintResult(file, result, hit);
        reportLintMessages(reporter, result.messages);
      } else {
        await lintFile(root, source.getFullText(), reporter);
      }
    }
    return reporter.findings;
  }

  /** The findings of the rules that need the whole project, cached until something changes. */
  async function projectFindings(categories: readonly Category[] | undefined, signal?: AbortSignal): Promise<Finding[]> {
    const key = (categories ?? []).join(',');
    if (projectCache && projectCache.generation === generation && projectCache.categories === key) return projectCache.findings;
    const startGeneration = generation;
    const wants = (ruleId: string): boolean => settings.enabled(ruleId, categories);
    const moduleRules = RULES.filter((rule) => rule.category === 'dependency' || rule.id === 'dead-unused-export' || rule.id === 'dead-unused-file');
    if (!moduleRules.some((rule) => wants(rule.id)) && !(wants('schema-drift') && options.liveCatalog)) return [];
    const files = projectFiles();
    // The project rules read imports and exports only: files outside the program are not added to it.
    const { modules, texts } = model.moduleFacts(files);
    signal?.throwIfAborted();
    const reporters = new Map<string, FileReporter>();
    const reporterOf = (file: string): FileReporter => {
      let reporter = reporters.get(file);
      if (!reporter) {
        const text = texts.get(file) ?? (model.hasOverlay(file) ? fileText(file) : readFileSync(file, 'utf8'));
        reporters.set(file, (reporter = new FileReporter(file, text, settings, categories)));
      }
      return reporter;
    };
    for (const problem of dependencyRules(root, modules, wants, texts)) {
      reporterOf(problem.file).report({ ruleId: problem.ruleId, start: problem.start, end: problem.end, message: problem.message, ...(problem.suggestion ? { suggestion: problem.suggestion } : {}) });
    }
    if (wants('dead-unused-export') || wants('dead-unused-file')) {
      let manifest: Record<string, unknown> | undefined;
      try {
        manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
      } catch {
        manifest = undefined;
      }
      const entries = manifestEntryPoints(root, manifest, config.entryPoints ?? []);
      for (const dead of findDeadExports(root, modules, entries, texts)) {
        reporterOf(dead.file).report({ ruleId: dead.ruleId, start: dead.start, end: dead.end, message: dead.message, suggestion: dead.ruleId === 'dead-unused-file' ? 'Delete the file, or import it from where it is needed.' : 'Remove the export keyword, or the declaration if nothing uses it.' });
      }
    }
    if (wants('schema-drift') && options.liveCatalog) {
      const migrationFiles = walkFiles(root, (path) => path.endsWith('.sql') && !isUndoMigration(path)
        && (config.migrations ? config.migrations.some((folder) => relativePath(root, path).startsWith(`${folder.replace(/\/$/, '')}/`)) : /(^|\/)migrations\//.test(relativePath(root, path))), config.ignore)
        .sort(compareMigrations);
      if (migrationFiles.length > 0) {
        const expected = expectedCatalog(migrationFiles.map((file) => ({ file, sql: readFileSync(file, 'utf8') })));
        const live = await options.liveCatalog();
        const last = migrationFiles[migrationFiles.length - 1]!;
        for (const problem of compareWithLive(expected, live, { file: last, offset: 0 })) {
          reporterOf(problem.at.file).report({ ruleId: 'schema-drift', start: problem.at.offset, end: problem.at.offset, message: problem.message, suggestion: problem.suggestion });
        }
      }
    }
    const findings = [...reporters.values()].flatMap((reporter) => reporter.findings);
    if (generation === startGeneration) projectCache = { generation, categories: key, findings };
    return findings;
  }

  async function analyzeFile(path: string, analyzeOptions: AnalyzeFileOptions = {}, lint: LintSource = 'here', typeChecked = true, cached?: CachedResults): Promise<FileAnalysis> {
    const started = performance.now();
    const file = absolute(path);
    const layer = analyzeOptions.layers ?? 'full';
    try {
      const findings = await analyzeOne(file, layer, analyzeOptions.categories, analyzeOptions.signal, lint, analyzeOptions.lazyFixes, typeChecked, cached);
      if (layer === 'project') {
        const project = await projectFindings(analyzeOptions.categories, analyzeOptions.signal);
        findings.push(...project.filter((finding) => finding.file === file));
      }
      const outcome = checkOutcomes.get(file);
      checkOutcomes.delete(file);
      return { file, findings, durationMs: performance.now() - started, ...(outcome ? { typeCheck: outcome } : {}) };
    } catch (error) {
      checkOutcomes.delete(file);
      if (analyzeOptions.signal?.aborted) throw error;
      return { file, findings: [], error: (error as Error).message, durationMs: performance.now() - started };
    }
  }

  /**
   * Starts linting `files` in a worker thread when the host gave a worker script and there is enough
   * to lint for a second thread to pay off; the analysis then collects each file's messages from it.
   */
  function startLint(files: readonly string[], categories: readonly Category[] | undefined, cache: CheckCache | undefined): ProjectLint | undefined {
    if (!options.lintWorker || files.length < 8 || !settings.enabled('lint', categories)) return undefined;
    try {
      const request = {
        root,
        files: files.map((file) => {
          const cached = cache?.lintResult(file);
          return { file, ...(model.hasOverlay(file) ? { text: fileText(file) } : {}), ...(cached ? { cached } : {}) };
        }),
        ...(cache ? { cacheSalt: cache.salt } : {}),
      };
      return startProjectLint(options.lintWorker, request, cache ? (file, result, hit) => cache.storeLintResult(file, result, hit) : undefined);
    } catch {
      return undefined;
    }
  }

  async function analyzeText(path: string, text: string, textOptions: AnalyzeTextOptions = {}): Promise<FileAnalysis> {
    const started = performance.now();
    const file = absolute(path);
    try {
      const layer = textOptions.layers ?? 'fast';
      const reporter = new FileReporter(file, text, settings, within(textOptions.categories, FAST));
      parseOnlyDiagnostics(reporter, text);
      if (layer === 'fast') await lintFile(root, text, reporter);
      return { file, findings: reporter.findings, durationMs: performance.now() - started };
    } catch (error) {
      return { file, findings: [], error: (error as Error).message, durationMs: performance.now() - started };
    }
  }

  async function analyzeProject(projectOptions: AnalyzeProjectOptions = {}): Promise<ProjectAnalysis> {
    const started = performance.now();
    const all = projectFiles();
    const only = projectOptions.files ? new Set(projectOptions.files.map(absolute)) : undefined;
    const files = only ? all.filter((file) => only.has(file)) : all;
    // The lint worker starts first: it needs nothing of the compiler, so it lints while this thread
    // still loads the files and builds the program. Its results are reported after the type check,
    // in whatever order they came.
    const cache = projectOptions.cache ?? options.cache;
    // A cache serves many runs in a long-lived host: this run's reuse is the difference.
    const statsBefore = cache ? { ...cache.stats } : undefined;
    const projectLint = startLint(files, projectOptions.categories, cache);
    const findings: Finding[] = [];
    const errors: { file: string; error: string }[] = [];
    try {
      // Load every file before the first type check: adding a file later changes the program, and each
      // change would rebuild the type checker (quadratic time, and memory held by the old checkers).
      for (const file of all) model.sourceFile(file);
      // Dependencies before dependents, as tsc checks (see checkOrder); the report stays in path order.
      const checkOrder = model.checkOrder(files);
      // Like `tsc -p`, compiler diagnostics only for the files the tsconfig includes or they import.
      const typeChecked = model.typeCheckedFiles(all);
      const cached = cache ? cachedResults(cache) : undefined;
      const perFile = new Map<string, FileAnalysis>();
      let done = 0;
      // Two passes: every type check first, then the codex's file rules over all files. Run between
      // the checks, the rules (their symbol and type lookups, their syntax walks) slowed the checker
      // itself: on zod its checkSourceFile took 11.7 s instead of 9.6 s, and garbage collection 0.8 s
      // more, for 0.7 s of rule work. The findings are the same either way.
      const requested = projectOptions.categories ?? FULL;
      const checks = requested.filter((category) => !FILE_RULE_CATEGORIES.includes(category));
      const rules = requested.filter((category) => FILE_RULE_CATEGORIES.includes(category));
      const signal = projectOptions.signal ? { signal: projectOptions.signal } : {};
      for (const file of checkOrder) {
        perFile.set(file, await analyzeFile(file, { layers: 'full', categories: checks, ...signal }, projectLint ? 'elsewhere' : 'here', typeChecked.has(file), cached));
        projectOptions.onProgress?.({ done: ++done, total: files.length, file });
      }
      for (const file of rules.length > 0 ? checkOrder : []) {
        const checked = perFile.get(file)!;
        if (checked.error) continue;
        const ruled = await analyzeFile(file, { layers: 'full', categories: rules, ...signal }, 'elsewhere', false, cached);
        perFile.set(file, ruled.error ? { ...checked, error: ruled.error } : { ...checked, findings: [...checked.findings, ...ruled.findings], durationMs: checked.durationMs + ruled.durationMs });
      }
      for (const file of files) {
        const result = perFile.get(file)!;
        findings.push(...result.findings);
        if (result.error) {
          errors.push({ file, error: result.error });
        } else if (projectLint) {
          findings.push(...await workerLintFindings(projectLint, file, projectOptions.categories));
        }
      }
      findings.push(...lintConfigFindings(projectLint ? projectLint.configProblem() : lintConfigProblem(root), projectOptions.categories));
    } finally {
      await projectLint?.close();
    }
    try {
      const project = await projectFindings(projectOptions.categories, projectOptions.signal);
      findings.push(...(only ? project.filter((finding) => only.has(finding.file)) : project));
    } catch (error) {
      if (projectOptions.signal?.aborted) throw error;
      errors.push({ file: root, error: (error as Error).message });
    }
    return { findings, files: files.length, errors, durationMs: performance.now() - started, ...(cache && statsBefore ? { cache: statsSince(cache.stats, statsBefore) } : {}) };
  }

  /** A warning on the project's ESLint config when it could not be loaded: the lint findings then come from the built-in set, not the rules the team chose. */
  function lintConfigFindings(problem: ReturnType<typeof lintConfigProblem>, categories: readonly Category[] | undefined): Finding[] {
    if (!problem) return [];
    let text = '';
    try {
      text = readFileSync(problem.file, 'utf8');
    } catch {
      // Deleted since: the finding still points at where it was.
    }
    const reporter = new FileReporter(problem.file, text, settings, within(categories, ['lint']));
    if (!reporter.wants('lint')) return [];
    reporter.report({ ruleId: 'lint', start: 0, end: 0, code: 'eslint-config', severity: 'warning', message: problem.message });
    return reporter.findings;
  }

  /** A file's lint findings from the project's lint worker; a file the worker failed on is linted here instead (the worker is a speed-up, never a new way to fail). */
  async function workerLintFindings(projectLint: ProjectLint, file: string, categories: readonly Category[] | undefined): Promise<Finding[]> {
    const text = fileText(file);
    const reporter = new FileReporter(file, text, settings, within(categories, ['lint']));
    if (!reporter.wants('lint')) return [];
    reportLintMessages(reporter, await projectLint.messagesOf(file).catch(() => lintMessages(root, file, text)));
    return reporter.findings;
  }

  async function resolveFixes(path: string): Promise<Finding[]> {
    const file = absolute(path);
    const source = model.sourceFile(file);
    const reporter = new FileReporter(file, source.getFullText(), settings, ['type']);
    if (!reporter.wants('type-check')) return [];
    for (const diagnostic of typeCheck.resolveFixes(model.projectOf(file).getLanguageService().compilerObject, file)) reportChecked(reporter, diagnostic);
    return reporter.findings;
  }

  function setOverlay(path: string, text: string | undefined): void {
    const file = absolute(path);
    if (text === undefined) {
      overlayFiles.delete(file);
      typeCheck.forget(file);
    } else {
      overlayFiles.add(file);
    }
    model.setOverlay(file, text);
    generation++;
  }

  /** Error signatures with their counts: what "a new error" is measured against. */
  async function errorsOf(file: string): Promise<Map<string, number>> {
    const findings = await analyzeOne(file, 'full', ['type', 'lint'], undefined);
    const counts = new Map<string, number>();
    for (const finding of findings) {
      if (finding.severity !== 'error') continue;
      const key = `${finding.ruleId}|${finding.code ?? ''}|${finding.message}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  function introducesError(before: Map<string, number>, after: Map<string, number>): boolean {
    for (const [key, count] of after) if (count > (before.get(key) ?? 0)) return true;
    return false;
  }

  async function fixFile(file: string, signal?: AbortSignal): Promise<FileFix> {
    const hadOverlay = model.hasOverlay(file);
    const original = fileText(file);
    let current = original;
    let applied = 0;
    let dropped = 0;
    const trial = async (text: string, baseline: Map<string, number>): Promise<boolean> => {
      model.setOverlay(file, text);
      return !introducesError(baseline, await errorsOf(file));
    };
    try {
      for (let round = 0; round < 4; round++) {
        signal?.throwIfAborted();
        model.setOverlay(file, current);
        const baseline = await errorsOf(file);
        const findings = await analyzeOne(file, 'full', undefined, signal);
        const lines = new FileReporter(file, current, settings).lines;
        const candidates = findings.flatMap((finding) => finding.fixes.filter((fix) => fix.kind === 'trivial' && fix.edits.every((edit) => edit.file === file)))
          .map((fix) => fix.edits.map((edit) => ({ start: lines.offset(edit.range.start), end: lines.offset(edit.range.end), newText: edit.newText })));
        // Non-overlapping fixes only; the others get their turn in the next round.
        const chosen: typeof candidates = [];
        const taken: [number, number][] = [];
        for (const edits of candidates) {
          const overlaps = edits.some((edit) => taken.some(([start, end]) => edit.start < end && start < edit.end || (edit.start === start && edit.end === end)));
          if (overlaps) continue;
          chosen.push(edits);
          for (const edit of edits) taken.push([edit.start, Math.max(edit.end, edit.start + 1)]);
        }
        if (chosen.length === 0) break;
        const apply = (fixes: typeof candidates): string => {
          const edits = fixes.flat().sort((a, b) => b.start - a.start);
          let text = current;
          for (const edit of edits) text = text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
          return text;
        };
        let next = apply(chosen);
        if (!(await trial(next, baseline))) {
          // Something broke: keep each fix only if it is safe on its own (bounded, one check per fix).
          const accepted: typeof candidates = [];
          for (const fix of chosen.slice(0, 40)) {
            if (await trial(apply([...accepted, fix]), baseline)) accepted.push(fix);
            else dropped++;
          }
          dropped += Math.max(0, chosen.length - 40);
          next = apply(accepted);
          applied += accepted.length;
        } else {
          applied += chosen.length;
        }
        if (next === current) break;
        current = next;
      }
    } finally {
      model.setOverlay(file, hadOverlay ? original : undefined);
      if (!hadOverlay) model.sourceFile(file);
    }
    return { file, edits: current === original ? [] : editsBetween(file, original, current), applied, dropped };
  }

  async function fixAll(path?: string, fixOptions: { signal?: AbortSignal } = {}): Promise<FileFix[]> {
    const files = path ? [absolute(path)] : projectFiles();
    for (const file of files) model.sourceFile(file);
    const results: FileFix[] = [];
    for (const file of files) {
      const result = await fixFile(file, fixOptions.signal);
      if (result.edits.length > 0 || result.dropped > 0) results.push(result);
    }
    return results;
  }

  return {
    root,
    analyzeFile,
    analyzeText,
    analyzeProject,
    setOverlay,
    resolveFixes,
    fixAll,
    rules: () => [...RULES],
    projectFiles,
    reloadConfig() {
      config = mergeConfig(loadConfig(root), options.config);
      settings = new RuleSettings(config);
      resetLintCache(root);
      generation++;
    },
  };
}

