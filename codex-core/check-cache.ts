import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ts } from 'ts-morph';
import type { CachedLintResult } from './lint';
import type { Report } from './reporter';
import type { CheckedDiagnostic } from './type-check';

/**
 * The results of a project check kept between runs (`plugin-codex check --cache`), so a second check
 * of an unchanged project, or of one where a few files changed, redoes only what those changes can
 * affect — what `tsc --incremental` and `eslint --cache` do for their halves.
 *
 * Three kinds of entries per file, each valid only under the key it was stored with:
 * - **Type diagnostics** (semantic errors, unused-declaration hints, their code fixes). The key is
 *   a hash of the file's text, of what it can see of every file it reaches through imports and
 *   references (the declaration signature of the project's files, the text of packages' `.d.ts`),
 *   and of everything global: the compiler options, the TypeScript version, the host's salt, and
 *   every file that can declare names for all others (scripts, `declare global`, module
 *   augmentations). A change anywhere a file's types can come from changes its key; an edit that
 *   leaves a file's exports as they were (a function body, a comment) re-checks that file alone.
 *   One thing reaches past the closure: TypeScript's "add missing import" fix looks through every
 *   module, so a file with a diagnostic that fix answers is also keyed by every file's signature.
 * - **Lint messages**. The key is a hash of the file's text, of the ESLint configuration computed
 *   for it (rules, options, plugin and parser names and versions, as ESLint serialises it for its own
 *   cache) and of the salt. Computed by whichever thread lints.
 *
 * - **The codex's own file rules** (security, performance, dead zones): the raw reports, before the
 *   project's rule settings apply. The key is the type key's, but over the *text* of the files the
 *   imports reach, not their signatures: the rules see symbols and types, and they also follow a
 *   value into an imported constant's initializer. With every file's types and rules reused, no
 *   file is checked (the language service still binds every file when it hands out the program).
 *
 * The project rules (dependencies, unused exports and files, schema drift) run every time: they
 * read every file's imports and exports, cost well under a second on large projects, and a change
 * anywhere can change them.
 *
 * The file is JSON, written whole to a temporary file and renamed over the old one, so an
 * interrupted run leaves the previous cache. An unreadable or foreign cache is ignored (and
 * replaced on save), never an error: the cache only ever saves time.
 */

/** Bumped when the shape of what is stored changes. */
const FORMAT = 2;

/** Compiler diagnostic codes TypeScript's "add missing import" fix answers (TypeScript 6.0's list). */
const IMPORT_FIX_CODES = new Set([2304, 2552, 2663, 2662, 2503, 2686, 2693, 18004, 1361, 2581, 2583, 2584, 2593, 2311, 2592, 2582, 2580, 2591, 2833, 2689, 2874]);

/** The cached type diagnostics of a file. */
export interface CachedTypeResult {
  key: string;
  /** Present when the diagnostics depend on every module of the program (see IMPORT_FIX_CODES). */
  programKey?: string;
  diagnostics: CheckedDiagnostic[];
}

/** The cached reports of the codex's own file rules (security, performance, dead zones), before settings apply. */
export interface CachedRuleResult {
  key: string;
  reports: Report[];
}

/** What the cache keeps of one file. */
interface CacheEntry {
  type?: CachedTypeResult;
  rules?: CachedRuleResult;
  lint?: CachedLintResult;
  /** The file's declaration signature, and the hash of the text it was computed from. */
  signature?: { text: string; signature: string };
}

interface CacheFile {
  format: number;
  salt: string;
  files: Record<string, CacheEntry>;
}

/** How much of the last check the cache answered (for reports and tests). */
export interface CacheStats {
  typeHits: number;
  typeMisses: number;
  ruleHits: number;
  ruleMisses: number;
  lintHits: number;
  lintMisses: number;
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The type and rule keys of a program's files; see {@link typeKeysOf}. */
export interface TypeKeys {
  /** The type key of a file of the program, or undefined when the program does not hold it. */
  keyOf(file: string): string | undefined;
  /**
   * The key of the codex's file rules: like the type key, but over the *text* of every file the
   * imports reach, since the rules follow a value into the initializer of an imported constant.
   */
  ruleKeyOf(file: string): string | undefined;
  /** The key of the whole program (what every file exports, and the global inputs). */
  readonly programKey: string;
}

/** A program with the resolution lookup tsserver uses (present at runtime since TypeScript 5.3). */
type ResolvingProgram = ts.Program & {
  getResolvedModuleFromModuleSpecifier?(specifier: ts.StringLiteralLike, source: ts.SourceFile): ts.ResolvedModuleWithFailedLookupLocations | undefined;
};

/** What a source file says about itself beyond the public typings. */
type SourceFileInternals = ts.SourceFile & { imports?: readonly ts.StringLiteralLike[]; moduleAugmentations?: readonly ts.Node[]; impliedNodeFormat?: ts.ResolutionMode };

/** True when the file can declare names every other file sees: a script, `declare global`, or a module augmentation. */
function declaresGlobally(source: SourceFileInternals): boolean {
  if (!ts.isExternalModule(source)) return true;
  return (source.moduleAugmentations?.length ?? 0) > 0;
}

/** The files `source` reads types from directly: resolved imports (packages too), `/// <reference>`s, type references. */
function directDependencies(program: ResolvingProgram, source: SourceFileInternals): string[] {
  const found: string[] = [];
  for (const specifier of source.imports ?? []) {
    const resolved = program.getResolvedModuleFromModuleSpecifier?.(specifier, source)?.resolvedModule;
    // An unresolved import is part of the key too: when it starts resolving, the key changes.
    found.push(resolved ? resolve(resolved.resolvedFileName) : `unresolved:${specifier.text}`);
  }
  for (const reference of source.referencedFiles) found.push(resolve(dirname(source.fileName), reference.fileName));
  for (const reference of source.typeReferenceDirectives) found.push(`types:${reference.fileName}`);
  return found;
}

/** Where a file's declaration signature is remembered between runs (the check cache). */
export interface SignatureStore {
  /** The signature stored for `file` when its text hashed to `textHash`, if any. */
  signature(file: string, textHash: string): string | undefined;
  storeSignature(file: string, textHash: string, signature: string): void;
}

/** True for files whose declaration output stands for what other files can see of them (the project's own code). */
function hasDeclarationSignature(source: ts.SourceFile): boolean {
  return !source.isDeclarationFile && !/[\\/]node_modules[\\/]/.test(source.fileName);
}

/**
 * The declaration output (`.d.ts` text) of one file: all that importers can see of it. The
 * checker computes only the types of its exported declarations (not a full check of the file).
 */
function declarationSignature(program: ts.Program, source: ts.SourceFile): string | undefined {
  let text = '';
  // emit's sixth parameter (forceDtsEmit, what `tsc --incremental` uses for the same purpose) writes
  // declarations under noEmit too, and skips the full check that an ordinary emit starts with.
  const emit = program.emit as (file: ts.SourceFile, write: ts.WriteFileCallback, token: undefined, onlyDts: boolean, transformers: undefined, forceDtsEmit: boolean) => ts.EmitResult;
  try {
    emit.call(program, source, (name, output) => {
      if (/\.d\.[cm]?ts$/.test(name)) text += output;
    }, undefined, true, undefined, true);
  } catch {
    // No signature: importers are then keyed by the file's text, which changes with any edit.
    return undefined;
  }
  return `d:${sha1(text)}`;
}

/**
 * The type-diagnostic keys of `program`'s files (see the module comment). A file's key hashes its
 * own text, the global inputs, and the *declaration signature* of every file it reaches through
 * imports: what tsc's incremental mode compares, so an edit inside a function body or a comment
 * re-checks that file alone, while a changed export re-checks every file that can see it. (Keying
 * by signature is sound transitively: a file's exported types follow from its text and the exported
 * types of what it imports, so an exported type can only change where some file's signature did.)
 * Signatures are taken from `store` while the file's text is unchanged, else computed, in program
 * order (dependencies first, as the checker prefers), before the first key is asked for.
 */
export function typeKeysOf(program: ts.Program, salt: string, store?: SignatureStore): TypeKeys {
  const texts = new Map<string, string>();
  const seen = new Map<string, string>();
  const global: string[] = [salt, ts.version, stableJson(program.getCompilerOptions())];
  const sources = new Map<string, SourceFileInternals>();
  for (const source of program.getSourceFiles() as readonly SourceFileInternals[]) {
    const name = resolve(source.fileName);
    sources.set(name, source);
    const hash = sha1(`${source.impliedNodeFormat ?? ''}\0${source.text}`);
    texts.set(name, hash);
    if (declaresGlobally(source)) global.push(`${name}:${hash}`);
    // What importers see: the declaration signature of the project's code, the text of the rest.
    let signature = hash;
    if (store && hasDeclarationSignature(source)) {
      signature = store.signature(name, hash) ?? declarationSignature(program, source) ?? hash;
      store.storeSignature(name, hash, signature);
    }
    seen.set(name, signature);
  }
  const globalKey = sha1(global.sort().join('\n'));
  // The import fix looks for exports: what every file shows importers decides what it can offer.
  const programKey = sha1(`${globalKey}\n${[...seen].map(([name, signature]) => `${name}:${signature}`).sort().join('\n')}`);
  const dependencies = new Map<string, string[]>();
  const dependenciesOf = (name: string): string[] => {
    let found = dependencies.get(name);
    if (!found) {
      const source = sources.get(name);
      found = source ? directDependencies(program as ResolvingProgram, source) : [];
      dependencies.set(name, found);
    }
    return found;
  };
  /** The key of `file` over the files its imports reach, each represented by `valueOf` (signature or text). */
  const closureKey = (file: string, valueOf: Map<string, string>): string | undefined => {
    const start = resolve(file);
    if (!sources.has(start)) return undefined;
    const reached = new Set([start]);
    const queue = [start];
    while (queue.length > 0) {
      for (const next of dependenciesOf(queue.pop()!)) {
        if (reached.has(next)) continue;
        reached.add(next);
        if (sources.has(next)) queue.push(next);
      }
    }
    reached.delete(start);
    const parts = [...reached].map((name) => `${name}:${valueOf.get(name) ?? ''}`).sort();
    return sha1(`${globalKey}\n${start}:${texts.get(start)}\n${parts.join('\n')}`);
  };
  return {
    programKey,
    keyOf: (file) => closureKey(file, seen),
    ruleKeyOf: (file) => closureKey(file, texts),
  };
}

/** JSON with object keys sorted, so equal options give equal text. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (inner && typeof inner === 'object' && !Array.isArray(inner)
    ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
    : inner));
}

/** True when cached type diagnostics depend on every module of the program (an import fix may find a new candidate). */
function dependsOnWholeProgram(diagnostics: readonly CheckedDiagnostic[]): boolean {
  return diagnostics.some((diagnostic) => IMPORT_FIX_CODES.has(diagnostic.code));
}

/** The check cache of one project, in one file. */
export class CheckCache implements SignatureStore {
  private files: CacheFile['files'] = {};
  private readonly root: string;
  /** Why the file on disk was not used, when it was not. */
  readonly loadProblem: string | undefined;
  readonly stats: CacheStats = { typeHits: 0, typeMisses: 0, ruleHits: 0, ruleMisses: 0, lintHits: 0, lintMisses: 0 };

  /**
   * Opens the cache at `path` for the project at `root`. `salt` names the build of the engine
   * (a hash of its code): results of another build are not reused.
   */
  constructor(readonly path: string, root: string, readonly salt: string) {
    this.root = resolve(root);
    let problem: string | undefined;
    try {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<CacheFile>;
      if (stored.format !== FORMAT || typeof stored.files !== 'object' || stored.files === null) problem = 'written by another version of plugin-codex';
      else if (stored.salt === salt) this.files = stored.files;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problem = (error as Error).message;
    }
    this.loadProblem = problem;
  }

  private entryOf(file: string): CacheEntry {
    const name = this.nameOf(file);
    return (this.files[name] ??= {});
  }

  /** Files are stored by root-relative path, so a moved checkout keeps its cache. */
  private nameOf(file: string): string {
    const absolute = resolve(file);
    return absolute.startsWith(`${this.root}/`) ? absolute.slice(this.root.length + 1) : absolute;
  }

  /** The cached type diagnostics of `file` under `key` (copies: the caller may add fixes to them). */
  typeResult(file: string, key: string, programKey: string): CheckedDiagnostic[] | undefined {
    const cached = this.files[this.nameOf(file)]?.type;
    const valid = cached && cached.key === key && (cached.programKey === undefined || cached.programKey === programKey);
    if (!valid) {
      this.stats.typeMisses++;
      return undefined;
    }
    this.stats.typeHits++;
    return cached.diagnostics.map((diagnostic) => ({ ...diagnostic }));
  }

  storeTypeResult(file: string, key: string, programKey: string, diagnostics: readonly CheckedDiagnostic[]): void {
    this.entryOf(file).type = { key, ...(dependsOnWholeProgram(diagnostics) ? { programKey } : {}), diagnostics: diagnostics.map((diagnostic) => ({ ...diagnostic })) };
  }

  /** The cached reports of the codex's file rules for `file` under `key` (see {@link TypeKeys.ruleKeyOf}). */
  ruleReports(file: string, key: string): Report[] | undefined {
    const cached = this.files[this.nameOf(file)]?.rules;
    if (cached?.key !== key) {
      this.stats.ruleMisses++;
      return undefined;
    }
    this.stats.ruleHits++;
    return cached.reports;
  }

  storeRuleReports(file: string, key: string, reports: readonly Report[]): void {
    this.entryOf(file).rules = { key, reports: [...reports] };
  }

  signature(file: string, textHash: string): string | undefined {
    const stored = this.files[this.nameOf(file)]?.signature;
    return stored?.text === textHash ? stored.signature : undefined;
  }

  storeSignature(file: string, textHash: string, signature: string): void {
    this.entryOf(file).signature = { text: textHash, signature };
  }

  /** The cached lint result of `file`, whatever its key (the linting thread compares keys). */
  lintResult(file: string): CachedLintResult | undefined {
    return this.files[this.nameOf(file)]?.lint;
  }

  storeLintResult(file: string, result: CachedLintResult, hit: boolean): void {
    if (hit) this.stats.lintHits++;
    else this.stats.lintMisses++;
    this.entryOf(file).lint = result;
  }

  /** Writes the cache, keeping only `files` (the project's files now: deleted ones go). */
  save(files: readonly string[]): void {
    const kept: CacheFile['files'] = {};
    for (const file of files) {
      const entry = this.files[this.nameOf(file)];
      if (entry && (entry.type || entry.rules || entry.lint || entry.signature)) kept[this.nameOf(file)] = entry;
    }
    const stored: CacheFile = { format: FORMAT, salt: this.salt, files: kept };
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(stored));
    renameSync(temporary, this.path);
  }
}
