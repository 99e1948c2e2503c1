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
  /** Module facts of files outside every program, with the text they were taken from. */
  private readonly factsCache = new Map<string, { text: string; facts: ModuleFacts }>();

  constructor(readonly root: string) {}

  /** The tsconfig.json that governs `file`, or `undefined` for the defaults. */
  tsconfigOf(file: string): string | undefined {
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
    }
    return project;
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
