import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Project, ts, type SourceFile } from 'ts-morph';
import { moduleFactsOf, type ModuleFacts } from './rules/module-graph';

/** Compiler options for files that no tsconfig.json covers. */
const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  allowJs: true,
  checkJs: false,
  skipLibCheck: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  noEmit: true,
};

const DECLARATION_FILE = /\.d\.[cm]?ts$/;

/** What the model needs of a tsconfig: its root files and the configs it references. */
interface TsconfigFacts {
  rootFiles: Set<string>;
  references: string[];
  /** When the config's file list was expanded (files created later are not in it). */
  readAt: number;
}

/** Resolves a module specifier through the program's own resolution (an internal API, as tsserver uses it). */
interface ProgramWithResolution {
  getResolvedModuleFromModuleSpecifier?(specifier: ts.StringLiteralLike, source: ts.SourceFile): ts.ResolvedModuleWithFailedLookupLocations | undefined;
}

/** The project files `source` brings into its program: resolved imports (not packages) and `/// <reference path>`s. */
function dependenciesOf(program: ts.Program, source: ts.SourceFile): string[] {
  const found: string[] = [];
  const imports = (source as ts.SourceFile & { imports?: readonly ts.StringLiteralLike[] }).imports ?? [];
  for (const specifier of imports) {
    const resolved = (program as ts.Program & ProgramWithResolution).getResolvedModuleFromModuleSpecifier?.(specifier, source)?.resolvedModule;
    if (resolved && !resolved.isExternalLibraryImport) found.push(resolve(resolved.resolvedFileName));
  }
  for (const reference of source.referencedFiles) found.push(resolve(dirname(source.fileName), reference.fileName));
  return found;
}

/**
 * The TypeScript side of a workspace: one ts-morph Project per tsconfig.json (the nearest one up to
 * the root decides which Project owns a file; files under none share a Project with default options).
 * Projects live as long as the codex, so the language service and its program are reused across
 * calls; a file is re-read only when its overlay changes or its modification time does.
 */
export class ProjectModel {
  private readonly projects = new Map<string, Project>();
  private readonly overlays = new Map<string, string>();
  private readonly mtimes = new Map<string, number>();
  /** Parsed tsconfig files, by path. */
  private readonly configs = new Map<string, TsconfigFacts>();
  /** Which config governs each file asked about (see {@link configOf}). */
  private readonly fileConfigs = new Map<string, { tsconfig: string | undefined; rooted: boolean }>();
  /** Module facts of files outside every program, with the text they were taken from. */
  private readonly factsCache = new Map<string, { text: string; facts: ModuleFacts }>();

  constructor(readonly root: string) {}

  /** The nearest tsconfig.json at or above `file`'s folder (up to the root), or `undefined`. */
  private nearestTsconfig(file: string): string | undefined {
    let folder = dirname(file);
    const root = resolve(this.root);
    for (;;) {
      const candidate = join(folder, 'tsconfig.json');
      if (existsSync(candidate)) return candidate;
      if (folder === root || !folder.startsWith(root)) return undefined;
      const parent = dirname(folder);
      if (parent === folder) return undefined;
      folder = parent;
    }
  }

  /** A tsconfig's root files (include/exclude/files expanded, `extends` followed) and its references. */
  private configFacts(tsconfig: string, fresh = false): TsconfigFacts {
    const cached = this.configs.get(tsconfig);
    if (cached && !fresh) return cached;
    let facts: TsconfigFacts;
    try {
      const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, undefined, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
      facts = {
        rootFiles: new Set((parsed?.fileNames ?? []).map((name) => resolve(name))),
        references: (parsed?.projectReferences ?? []).map((reference) => resolve(ts.resolveProjectReferencePath(reference))),
        readAt: Date.now(),
      };
    } catch {
      facts = { rootFiles: new Set(), references: [], readAt: Date.now() };
    }
    this.configs.set(tsconfig, facts);
    return facts;
  }

  /** The config among `tsconfig` and the projects it references (transitively) whose root files hold `file`. */
  private holderOf(tsconfig: string, file: string, fresh: boolean, seen = new Set<string>()): string | undefined {
    if (seen.has(tsconfig) || !existsSync(tsconfig)) return undefined;
    seen.add(tsconfig);
    const facts = this.configFacts(tsconfig, fresh);
    if (facts.rootFiles.has(file)) return tsconfig;
    for (const reference of facts.references) {
      const holder = this.holderOf(reference, file, fresh, seen);
      if (holder) return holder;
    }
    return undefined;
  }

  /**
   * The tsconfig that governs `file`, or `undefined` for the defaults, and whether that config takes
   * the file as a root (its include/files). The nearest tsconfig.json decides, except that a
   * solution-style one (Vite's `files: []` with references to tsconfig.app.json and
   * tsconfig.node.json) hands the file to the referenced config that includes it, as tsserver does:
   * otherwise `src/` would be checked without the app config's `jsx`, `lib` or `paths`. A file no
   * config includes keeps the nearest config's options but is not a root (`rooted: false`).
   */
  configOf(file: string): { tsconfig: string | undefined; rooted: boolean } {
    const known = this.fileConfigs.get(file);
    if (known) return known;
    const nearest = this.nearestTsconfig(file);
    let decision: { tsconfig: string | undefined; rooted: boolean } = { tsconfig: nearest, rooted: true };
    if (nearest) {
      let holder = this.holderOf(nearest, file, false);
      // A file created after the configs were read is not in their expanded lists yet: read them again once.
      if (!holder && existsSync(file) && statSync(file).mtimeMs >= (this.configs.get(nearest)?.readAt ?? 0)) holder = this.holderOf(nearest, file, true);
      decision = holder ? { tsconfig: holder, rooted: true } : { tsconfig: nearest, rooted: false };
    }
    this.fileConfigs.set(file, decision);
    return decision;
  }

  /** The tsconfig that governs `file` (see {@link configOf}), or `undefined` for the defaults. */
  tsconfigOf(file: string): string | undefined {
    return this.configOf(file).tsconfig;
  }

  /** The Project that owns `file`. */
  projectOf(file: string): Project {
    const tsconfig = this.tsconfigOf(file);
    const key = tsconfig ?? '';
    let project = this.projects.get(key);
    if (!project) {
      project = tsconfig
        ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true, compilerOptions: { noEmit: true } })
        : new Project({ compilerOptions: DEFAULT_OPTIONS });
      this.projects.set(key, project);
      // Source files come in as they are analysed, with what they import; declaration files the
      // config includes are imported by nothing and declare for everyone (a `globals.d.ts`, Vite's
      // `vite-env.d.ts`, `declare module '*.svg'`), so they come in now, as `tsc -p` reads them.
      if (tsconfig) {
        for (const file of this.configFacts(tsconfig).rootFiles) if (DECLARATION_FILE.test(file)) project.addSourceFileAtPathIfExists(file);
      }
    }
    return project;
  }

  /**
   * The files among `files` that `tsc -p` would check: the roots of their configs and every file
   * those roots import, transitively, within the same program (a file outside `include` that an
   * included file imports is checked by tsc too). Every file must already be loaded.
   */
  typeCheckedFiles(files: readonly string[]): Set<string> {
    const checked = new Set<string>();
    const byProject = new Map<Project, string[]>();
    for (const file of files) {
      const project = this.projectOf(file);
      byProject.set(project, [...(byProject.get(project) ?? []), file]);
    }
    for (const [project, members] of byProject) {
      const program = project.getProgram().compilerObject;
      const queue = members.filter((file) => this.configOf(file).rooted);
      const reached = new Set(queue);
      while (queue.length > 0) {
        const source = program.getSourceFile(queue.pop()!);
        if (!source) continue;
        for (const next of dependenciesOf(program, source)) {
          if (reached.has(next)) continue;
          reached.add(next);
          queue.push(next);
        }
      }
      for (const file of members) if (reached.has(file)) checked.add(file);
    }
    return checked;
  }

  /** Every Project created so far. */
  allProjects(): Project[] {
    return [...this.projects.values()];
  }

  /**
   * Runs `work` and then drops the ts-morph node wrappers it created in every Project, so a walk over
   * the whole project does not leave a wrapper per node behind. Source files themselves stay.
   */
  forgetAfter<T>(work: () => T): T {
    const projects = this.allProjects();
    const run = (index: number): T => (index >= projects.length ? work() : projects[index]!.forgetNodesCreatedInBlock(() => run(index + 1)));
    return run(0);
  }

  /**
   * The module facts (imports, own exports) of `files` for the project rules. Files already in a
   * program are read from it; the others are parsed one at a time into a syntax-only Project and
   * dropped as soon as their facts are taken (and the facts kept until the file's text changes), so
   * an editor's program holds only the open files and what they import, and no tree of the rest of
   * the project outlives its own file's turn.
   */
  moduleFacts(files: readonly string[]): { modules: ModuleFacts[]; texts: Map<string, string> } {
    const modules: ModuleFacts[] = [];
    const texts = new Map<string, string>();
    let side: Project | undefined;
    this.forgetAfter(() => {
      for (const file of files) {
        if (this.projectOf(file).getSourceFile(file)) {
          const source = this.sourceFile(file);
          texts.set(file, source.getFullText());
          modules.push(moduleFactsOf(source));
          continue;
        }
        let text = this.overlays.get(file);
        if (text === undefined) {
          try {
            text = readFileSync(file, 'utf8');
          } catch {
            continue;
          }
        }
        texts.set(file, text);
        const cached = this.factsCache.get(file);
        if (cached?.text === text) {
          modules.push(cached.facts);
          continue;
        }
        side ??= new Project({ compilerOptions: DEFAULT_OPTIONS, skipFileDependencyResolution: true, skipLoadingLibFiles: true, useInMemoryFileSystem: true });
        const source = side.createSourceFile(file, text, { overwrite: true });
        const facts = moduleFactsOf(source);
        side.removeSourceFile(source);
        this.factsCache.set(file, { text, facts });
        modules.push(facts);
      }
    });
    return { modules, texts };
  }

  /**
   * `files` in the order their programs hold them: each file after the files it imports (the order
   * `tsc` checks in). Checking a dependency before its dependents lets the checker resolve each
   * declaration's type once, in its own file; in path order the same project (zod's 332 files)
   * takes 20–30 % longer to check, for the same diagnostics. Files of different tsconfigs keep their
   * projects together; files no program holds come last, in their given order.
   */
  checkOrder(files: readonly string[]): string[] {
    const wanted = new Set(files);
    const ordered: string[] = [];
    const projects = new Set(files.map((file) => this.projectOf(file)));
    for (const project of projects) {
      for (const source of project.getProgram().compilerObject.getSourceFiles()) {
        const file = resolve(source.fileName);
        if (wanted.delete(file)) ordered.push(file);
      }
    }
    return [...ordered, ...files.filter((file) => wanted.has(file))];
  }

  /** True when `file` has unsaved text. */
  hasOverlay(file: string): boolean {
    return this.overlays.has(file);
  }

  /**
   * Sets (or, with `undefined`, removes) the unsaved text of `file`. Only that file's Project is
   * touched, and only that source file is replaced.
   */
  setOverlay(file: string, text: string | undefined): void {
    const project = this.projectOf(file);
    if (text === undefined) {
      this.overlays.delete(file);
      const existing = project.getSourceFile(file);
      if (existing) {
        if (existsSync(file)) existing.refreshFromFileSystemSync();
        else project.removeSourceFile(existing);
      }
      this.mtimes.delete(file);
      return;
    }
    this.overlays.set(file, text);
    const existing = project.getSourceFile(file);
    if (existing) {
      if (existing.getFullText() !== text) existing.replaceWithText(text);
    } else {
      project.createSourceFile(file, text, { overwrite: true });
    }
  }

  /** The source file of `file`, loading it (or refreshing it after a change on disk) as needed. */
  sourceFile(file: string): SourceFile {
    const project = this.projectOf(file);
    let source = project.getSourceFile(file);
    if (this.overlays.has(file)) {
      return source ?? project.createSourceFile(file, this.overlays.get(file) ?? '', { overwrite: true });
    }
    let mtime = 0;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      // A file that disappeared keeps its last known text until the host removes it.
    }
    if (!source) {
      source = project.addSourceFileAtPath(file);
    } else if (this.mtimes.get(file) !== mtime) {
      source.refreshFromFileSystemSync();
    }
    this.mtimes.set(file, mtime);
    return source;
  }
}
