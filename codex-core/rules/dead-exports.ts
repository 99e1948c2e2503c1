import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { resolveRelative, type ModuleFacts } from './module-graph';

/** A finding of the project-level dead-zone rules, before it gets positions. */
export interface DeadExport {
  ruleId: 'dead-unused-export' | 'dead-unused-file';
  file: string;
  start: number;
  end: number;
  message: string;
}

const CONVENTIONAL_ENTRY = /(\.|\/|^)(test|spec|bench|stories|story|config|setup|e2e)\.[cm]?[jt]sx?$|(^|\/)(test|tests|__tests__|scripts|bin|bench|benchmarks?|e2e|\.storybook|examples?)\//;
const ROOT_ENTRY = /^(src\/)?(index|main|cli|server|app|mod)\.[cm]?[jt]sx?$/;

/**
 * True when another file names `path` in a string with its file name (`path.join(__dirname,
 * "authWriter.js")` handed to git as its askpass program, `new Worker(new URL("./worker.js", …))`,
 * `fork("child.mjs")`): the file is run by path, not imported. A TypeScript file counts under the
 * name its build gives it (`worker.ts` as `worker.js`).
 */
function namedByPath(path: string, texts: ReadonlyMap<string, string>): boolean {
  const name = basename(path);
  const built = name.replace(/\.tsx?$/, '.js').replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs');
  const names = [...new Set([name, built])];
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const quoted = new RegExp(`['"\`]([^'"\`\\s]*/)?(${names.map(escape).join('|')})['"\`]`);
  for (const [file, text] of texts) if (file !== path && names.some((candidate) => text.includes(candidate)) && quoted.test(text)) return true;
  return false;
}

/**
 * Finds exports no other file imports and files nothing imports, following re-exports (`export *`,
 * `export { x } from`). Entry points (package.json main/bin/exports, `entryPoints`, tests, configs,
 * scripts, a root or src/ index) are public: their exports count as used. Files under the literal
 * prefix of a computed `require`/`import()` may be loaded, and files another file names by path are
 * run on their own: neither is reported as unused.
 */
export function findDeadExports(root: string, modules: readonly ModuleFacts[], entryPoints: ReadonlySet<string>, texts: ReadonlyMap<string, string> = new Map()): DeadExport[] {
  const files = new Set(modules.map((module) => module.path));
  const rel = (path: string): string => relative(root, path).split(sep).join('/');
  const isEntry = (path: string): boolean => entryPoints.has(path) || CONVENTIONAL_ENTRY.test(rel(path)) || ROOT_ENTRY.test(rel(path)) || /\.d\.[cm]?ts$/.test(path);
  const imported = new Set<string>();
  /** What other files take from each file: names, or `*`. */
  const used = new Map<string, Set<string>>();
  /** Per file: where names it re-exports come from. */
  const forwards = new Map<string, { target: string; names: string[] | 'all' }[]>();
  const worklist: [string, string][] = [];
  const use = (file: string, name: string): void => {
    let names = used.get(file);
    if (!names) used.set(file, (names = new Set()));
    if (names.has(name)) return;
    names.add(name);
    worklist.push([file, name]);
  };

  for (const module of modules) {
    const { path, edges } = module;
    for (const edge of edges) {
      const target = resolveRelative(path, edge.specifier, files);
      if (!target || !files.has(target)) continue;
      imported.add(target);
      if (edge.reexport) {
        const list = forwards.get(path) ?? [];
        list.push({ target, names: edge.reexportAll ? 'all' : edge.names });
        forwards.set(path, list);
        if (edge.names.includes('*')) use(target, '*');
      } else {
        for (const name of edge.names.length ? edge.names : []) use(target, name);
      }
    }
    if (isEntry(path)) use(path, '*');
    // `require("./" + plugin.module)`: every file under the prefix may be the one loaded.
    for (const prefix of module.loadPrefixes) {
      const under = resolve(dirname(path), prefix) + (/\/$/.test(prefix) ? sep : '');
      for (const file of files) {
        if (file === path || !file.startsWith(under)) continue;
        imported.add(file);
        use(file, '*');
      }
    }
  }
  // Names used from a re-exporting file are used in the file they come from.
  while (worklist.length) {
    const [file, name] = worklist.pop()!;
    for (const forward of forwards.get(file) ?? []) {
      if (name === '*') use(forward.target, '*');
      else if (forward.names === 'all' || forward.names.includes(name)) use(forward.target, name);
    }
  }

  const dead: DeadExport[] = [];
  for (const { path, exports } of modules) {
    if (isEntry(path)) continue;
    if (!imported.has(path)) {
      // A file run by its path is an entry point of its own.
      if (namedByPath(path, texts)) continue;
      dead.push({ ruleId: 'dead-unused-file', file: path, start: 0, end: 0, message: `nothing imports ${basename(path)} and it is no entry point` });
      continue;
    }
    const names = used.get(path) ?? new Set<string>();
    if (names.has('*')) continue;
    for (const { name, start, end } of exports) {
      if (names.has(name)) continue;
      dead.push({ ruleId: 'dead-unused-export', file: path, start, end, message: `the export ${name} is not imported anywhere in the project` });
    }
  }
  return dead;
}

/** A relative path to a source file, as package.json fields write them. */
const SOURCE_PATH = /^(\.\/)?[\w@-][\w@.-]*(\/[\w@.-]+)*\.[cm]?[jt]sx?$/;
const DEPENDENCY_SECTIONS = new Set(['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies', 'peerDependenciesMeta', 'bundleDependencies', 'bundledDependencies', 'overrides', 'resolutions']);

/** Files package.json names as entry points (main, module, types, bin, exports, and paths in any other field), mapped from build output back to sources. */
export function manifestEntryPoints(root: string, manifest: Record<string, unknown> | undefined, extra: readonly string[] = []): Set<string> {
  const paths: string[] = [...extra];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') paths.push(value);
    else if (value && typeof value === 'object') for (const nested of Object.values(value)) collect(nested);
  };
  if (manifest) for (const key of ['main', 'module', 'types', 'typings', 'bin', 'exports', 'browser']) collect(manifest[key]);
  // Any other field may name files a host loads (Node-RED's `"node-red": { "nodes": {…} }`, a
  // script run by `"prepare": "node tools/prepare.mjs"`): every source path written in it counts.
  const named = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const word of value.split(/\s+/)) if (SOURCE_PATH.test(word)) paths.push(word);
    } else if (value && typeof value === 'object') for (const nested of Object.values(value)) named(nested);
  };
  if (manifest) for (const [key, value] of Object.entries(manifest)) if (!DEPENDENCY_SECTIONS.has(key)) named(value);
  const entries = new Set<string>();
  for (const path of paths) {
    const absolute = join(root, path);
    entries.add(absolute);
    const stem = absolute.replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
    const sourceStem = join(root, path.replace(/^\.?\/?(dist|build|lib|out)\//, 'src/')).replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
    for (const candidate of [stem, sourceStem]) for (const extension of ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs']) entries.add(candidate + extension);
  }
  return entries;
}
