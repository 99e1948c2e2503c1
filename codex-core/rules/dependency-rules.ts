import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import semver from 'semver';
import { packageOf, type ModuleFacts } from './module-graph';

/** A dependency finding before it gets positions: `start`/`end` are offsets into `file`. */
export interface DependencyProblem {
  ruleId: string;
  file: string;
  start: number;
  end: number;
  message: string;
  suggestion?: string;
}

/** The parts of package.json the dependency rules read. */
export interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  scripts?: Record<string, string>;
  version?: string;
}

const SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, name.split('/')[0] ?? name]));
/** Files whose imports only run in development: tests, benchmarks, scripts, configs. */
const DEV_CONTEXT = /(\.|\/|^)(test|spec|bench|stories|story|config|setup|e2e)\.[cm]?[jt]sx?$|(^|\/)(test|tests|__tests__|__mocks__|scripts|bench|benchmarks|e2e|fixtures|examples?|tools)\//;

/** The offset of `"name"` inside the `"section"` object of package.json text (the section key when absent). */
function keyRange(text: string, section: string, name: string): [number, number] {
  const sectionAt = text.indexOf(`"${section}"`);
  if (sectionAt < 0) return [0, 0];
  const close = text.indexOf('}', sectionAt);
  const at = text.indexOf(`"${name}"`, sectionAt);
  if (at < 0 || (close >= 0 && at > close)) return [sectionAt, sectionAt + section.length + 2];
  return [at, at + name.length + 2];
}

/** Reads an installed package's manifest, looking in node_modules of `root` and its parents (hoisting). */
export function installedManifest(root: string, name: string): Manifest | undefined {
  for (let folder = root; ; folder = dirname(folder)) {
    const path = join(folder, 'node_modules', name, 'package.json');
    if (existsSync(path)) {
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
      } catch {
        return undefined;
      }
    }
    if (dirname(folder) === folder) return undefined;
  }
}

function satisfies(version: string, range: string): boolean | undefined {
  if (!semver.validRange(range) || !semver.valid(version)) return undefined;
  return semver.satisfies(version, range, { includePrerelease: true });
}

function typedPackage(typesName: string): string {
  const bare = typesName.slice('@types/'.length);
  return bare.includes('__') ? `@${bare.replace('__', '/')}` : bare;
}

/**
 * Compares what the sources import with what package.json declares and node_modules holds:
 * undeclared imports, unused dependencies, installed versions out of range, runtime imports of
 * devDependencies, mismatched @types, packages in several sections and unmet peers.
 */
/**
 * True when some file names the package in a string of its own (`loadModule('@parse/push-adapter')`,
 * `plugins: ['prettier-plugin-x']`): loaded by name at run time, not through an import.
 */
function namedInCode(name: string, texts: ReadonlyMap<string, string>): boolean {
  const quoted = new RegExp(`['"\`]${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(/[^'"\`\s]*)?['"\`]`);
  for (const text of texts.values()) if (text.includes(name) && quoted.test(text)) return true;
  return false;
}

export function dependencyRules(root: string, modules: readonly ModuleFacts[], wants: (ruleId: string) => boolean, texts: ReadonlyMap<string, string> = new Map()): DependencyProblem[] {
  const manifestPath = join(root, 'package.json');
  if (!existsSync(manifestPath)) return [];
  const text = readFileSync(manifestPath, 'utf8');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    return [];
  }
  const problems: DependencyProblem[] = [];
  const atKey = (ruleId: string, section: string, name: string, message: string, suggestion?: string): void => {
    const [start, end] = keyRange(text, section, name);
    problems.push({ ruleId, file: manifestPath, start, end, message, ...(suggestion ? { suggestion } : {}) });
  };
  const declared = new Map<string, string[]>();
  for (const section of SECTIONS) for (const name of Object.keys(manifest[section] ?? {})) declared.set(name, [...(declared.get(name) ?? []), section]);
  // A name only in peerDependenciesMeta is an optional peer too (how knex lists its database drivers).
  const runtime = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), ...Object.keys(manifest.peerDependenciesMeta ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]);

  const importedAnywhere = new Set<string>();
  for (const { path, edges } of modules) {
    const devContext = DEV_CONTEXT.test(relative(root, path).split(sep).join('/'));
    for (const edge of edges) {
      const name = packageOf(edge.specifier, BUILTINS);
      if (!name || name === manifest.name) continue;
      importedAnywhere.add(name);
      if (!declared.has(name) && !declared.has(`@types/${name.replace(/^@(.*)\/(.*)$/, '$1__$2')}`) && wants('dep-undeclared')) {
        problems.push({ ruleId: 'dep-undeclared', file: path, start: edge.start, end: edge.end, message: `${name} is imported but not declared in package.json`, suggestion: `npm install ${devContext ? '--save-dev ' : ''}${name}` });
      } else if (declared.has(name) && !runtime.has(name) && !devContext && !edge.typeOnly && wants('dep-dev-at-runtime')) {
        problems.push({ ruleId: 'dep-dev-at-runtime', file: path, start: edge.start, end: edge.end, message: `${name} is only a devDependency but this runtime code imports it`, suggestion: `Move ${name} to dependencies, or import it from development code only.` });
      }
    }
  }

  const installed = (name: string): Manifest | undefined => installedManifest(root, name);
  const hasNodeModules = existsSync(join(root, 'node_modules'));
  const scripts = Object.values(manifest.scripts ?? {}).join('\n');
  const peersOfOthers = new Set<string>();
  for (const name of declared.keys()) for (const peer of Object.keys(installed(name)?.peerDependencies ?? {})) peersOfOthers.add(peer);

  for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
    if (!wants('dep-unused') || name.startsWith('@types/') || importedAnywhere.has(name) || peersOfOthers.has(name)) continue;
    if (scripts.includes(name) || Object.keys((installed(name) as { bin?: Record<string, string> } | undefined)?.bin ?? {}).some((bin) => scripts.includes(bin))) continue;
    if (namedInCode(name, texts)) continue;
    atKey('dep-unused', 'dependencies', name, `${name}@${range} is declared but never imported`, `npm uninstall ${name}`);
  }

  // `npm ci --omit=dev` (or NODE_ENV=production) installs no devDependency: one finding says so
  // instead of one "declared but not installed" per devDependency (52 on Redux Toolkit).
  const devOnly = Object.keys(manifest.devDependencies ?? {}).filter((name) => !runtime.has(name));
  const withoutDev = hasNodeModules && devOnly.length > 1 && Object.keys(manifest.dependencies ?? {}).some((name) => installed(name) !== undefined)
    && devOnly.every((name) => installed(name) === undefined);
  if (withoutDev && wants('dep-version-mismatch')) {
    const at = text.indexOf('"devDependencies"');
    problems.push({
      ruleId: 'dep-version-mismatch', file: manifestPath, start: Math.max(at, 0), end: Math.max(at, 0) + (at < 0 ? 0 : '"devDependencies"'.length),
      message: `none of the ${devOnly.length} devDependencies is installed (a production install?); their versions were not checked`, suggestion: 'npm install',
    });
  }

  for (const [name, sections] of declared) {
    const section = sections[0]!;
    const range = manifest[section as (typeof SECTIONS)[number]]?.[name] ?? '';
    const own = installed(name);
    if (wants('dep-duplicate')) {
      const significant = sections.filter((entry) => entry !== 'peerDependencies' || !sections.includes('devDependencies'));
      const withoutPeerDevPair = sections.includes('peerDependencies') && sections.includes('devDependencies') && sections.length === 2 ? [] : significant;
      if (withoutPeerDevPair.length > 1) atKey('dep-duplicate', sections[1]!, name, `${name} is declared in ${sections.join(' and ')}`, `Keep ${name} in one section.`);
    }
    if (section !== 'peerDependencies' && wants('dep-version-mismatch') && hasNodeModules) {
      if (!own) {
        if (section !== 'optionalDependencies' && !(withoutDev && section === 'devDependencies')) atKey('dep-version-mismatch', section, name, `${name}@${range} is declared but not installed`, 'npm install');
      } else if (own.version && satisfies(own.version, range) === false) {
        atKey('dep-version-mismatch', section, name, `${name} ${own.version} is installed, which does not satisfy the declared ${range}`, `npm install ${name}@"${range}"`);
      }
    }
    if (name.startsWith('@types/') && name !== '@types/node' && wants('dep-types-mismatch')) {
      const target = typedPackage(name);
      const targetRange = declaredRange(manifest, target);
      const targetVersion = installed(target)?.version ?? (targetRange && semver.validRange(targetRange) ? semver.minVersion(targetRange)?.version : undefined);
      const typesVersion = own?.version ?? (semver.validRange(range) ? semver.minVersion(range)?.version : undefined);
      if (targetVersion && typesVersion && semver.valid(targetVersion) && semver.valid(typesVersion) && semver.major(targetVersion) !== semver.major(typesVersion)) {
        atKey('dep-types-mismatch', section, name, `${name} ${typesVersion} describes ${target} ${semver.major(typesVersion)}.x, but ${target} is ${targetVersion}`, `npm install --save-dev ${name}@${semver.major(targetVersion)}`);
      }
    }
    if (section !== 'peerDependencies' && own && wants('dep-peer-unmet')) {
      for (const [peer, peerRange] of Object.entries(own.peerDependencies ?? {})) {
        if (own.peerDependenciesMeta?.[peer]?.optional) continue;
        const peerVersion = installed(peer)?.version;
        if (!peerVersion) {
          if (hasNodeModules) atKey('dep-peer-unmet', section, name, `${name} needs the peer dependency ${peer}@${peerRange}, which is not installed`, `npm install ${peer}@"${peerRange}"`);
        } else if (satisfies(peerVersion, peerRange) === false) {
          atKey('dep-peer-unmet', section, name, `${name} needs ${peer}@${peerRange}, but ${peer} ${peerVersion} is installed`, `npm install ${peer}@"${peerRange}"`);
        }
      }
    }
  }
  return problems.filter((problem) => wants(problem.ruleId));
}

function declaredRange(manifest: Manifest, name: string): string | undefined {
  for (const section of SECTIONS) {
    const range = manifest[section]?.[name];
    if (range) return range;
  }
  return undefined;
}
