import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Project, ts, type SourceFile } from 'ts-morph';

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
   * Every file of the Projects' programs now: loaded, or pulled in by an import (ts-morph keeps
   * those as roots of later programs, even after the file that imported them is gone).
   */
  loadedFiles(): Set<string> {
    return new Set(this.allProjects().flatMap((project) => project.getLanguageService().compilerObject.getProgram()?.getSourceFiles().map((source) => source.fileName) ?? []));
  }

  /** Takes files out of every Project (they are read again when next needed). */
  unload(files: readonly string[]): void {
    for (const file of files) {
      for (const project of this.allProjects()) {
        const source = project.getSourceFile(file);
        if (source) project.removeSourceFile(source);
      }
      this.mtimes.delete(file);
    }
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
