/**
 * Plugin packages: npm-style gzip tarballs whose files sit under `package/`, with `plugin.json` at
 * the root. Uploads are untrusted, so they are read in memory only (never extracted to disk): the
 * gzip stream is inflated with a hard output cap (a gzip bomb stops at the cap, not at the end),
 * then every tar entry is checked before its bytes are kept.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzipSync, constants as zlibConstants } from 'node:zlib';
import ssri from 'ssri';
import { Header, Parser, type ReadEntry } from 'tar';
import { validateManifest, type ResolvedPluginManifest } from '../../../protocol/plugin-manifest.js';
import { PackageError } from './package-error.js';

export { PackageError, PACKAGE_ERROR_STATUS, type PackageErrorCode } from './package-error.js';

const gunzipAsync = promisify(gunzip);

/** Bounds applied to an untrusted package. Every field is optional; see {@link DEFAULT_PACKAGE_LIMITS}. */
export interface PackageLimits {
  /** Largest compressed archive, in bytes. */
  maxPackedBytes?: number;
  /** Largest total of the inflated tar stream, in bytes (headers included). */
  maxUnpackedBytes?: number;
  /** Largest single file, in bytes. */
  maxEntryBytes?: number;
  /** Most entries (files and directories). */
  maxEntries?: number;
  /** When given, the archive's bytes must have this SRI integrity (any algorithm ssri knows). */
  expectedIntegrity?: string;
}

/** The limits the registry applies unless told otherwise. */
export const DEFAULT_PACKAGE_LIMITS: Readonly<Required<Omit<PackageLimits, 'expectedIntegrity'>>> = {
  maxPackedBytes: 10 * 1024 * 1024,
  maxUnpackedBytes: 50 * 1024 * 1024,
  maxEntryBytes: 10 * 1024 * 1024,
  maxEntries: 2000,
};

/** A package that passed every check. */
export interface PluginPackage {
  /** The validated manifest, defaults filled in. */
  manifest: ResolvedPluginManifest;
  /** File contents by path relative to the package root (`package/` stripped), in sorted order. */
  files: Map<string, Buffer>;
  /** sha512 SRI of the archive bytes (`sha512-…`): the address of the immutable version. */
  integrity: string;
  /** Size of the archive in bytes. */
  size: number;
  /** sha256 hex over the sorted file list: equal for two archives with the same files whatever their gzip bytes. */
  contentHash: string;
}

const MANIFEST_FILE = 'plugin.json';
const PREFIX = 'package/';
const MAX_PATH_LENGTH = 255;

/** The sha512 SRI integrity string of some bytes, as npm writes it (`sha512-<base64>`). */
export function integrityOf(bytes: Buffer): string {
  return ssri.fromData(bytes, { algorithms: ['sha512'] }).toString();
}

/**
 * sha256 hex over the files sorted by path, each encoded as `path NUL byteLength NUL bytes`, so
 * the hash depends on the files only (not on entry order, mtimes, modes or gzip settings).
 */
export function contentHashOf(files: Map<string, Buffer>): string {
  const hash = createHash('sha256');
  for (const path of [...files.keys()].sort(compareCodeUnits)) {
    const bytes = files.get(path) as Buffer;
    hash.update(`${path}\0${bytes.length}\0`, 'utf8');
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/**
 * Reads and checks an untrusted plugin tarball in memory. Throws {@link PackageError} with a code
 * naming the first problem found (see package-error.ts); resolves only for a package whose
 * manifest validates and whose entry (and UI entry) files are present.
 */
export async function readPluginPackage(bytes: Buffer, limits: PackageLimits = {}): Promise<PluginPackage> {
  const bounds = { ...DEFAULT_PACKAGE_LIMITS, ...withoutUndefined(limits) };
  if (bytes.length > bounds.maxPackedBytes) {
    throw new PackageError('CODEX_ERR_PACKAGE_TOO_LARGE', `The package is ${bytes.length} bytes; the limit is ${bounds.maxPackedBytes} bytes compressed. Remove unneeded files (tests, sources maps, assets) from the plugin folder.`);
  }
  const integrity = integrityOf(bytes);
  if (limits.expectedIntegrity !== undefined && !integrityMatches(bytes, limits.expectedIntegrity)) {
    throw new PackageError('CODEX_ERR_PACKAGE_INTEGRITY_MISMATCH', `The package's integrity is ${integrity}, not the expected ${limits.expectedIntegrity}. The bytes were changed or truncated in transit: upload the exact tarball again.`);
  }
  const tarBytes = await inflate(bytes, bounds.maxUnpackedBytes);
  const files = await readTarEntries(tarBytes, bounds);
  const manifest = checkManifest(files);
  return { manifest, files, integrity, size: bytes.length, contentHash: contentHashOf(files) };
}

async function inflate(bytes: Buffer, maxUnpackedBytes: number): Promise<Buffer> {
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new PackageError('CODEX_ERR_PACKAGE_CORRUPT', 'The package is not a gzip-compressed tar archive (.tgz). Create it with `plugin-codex plugin pack DIR`.');
  }
  try {
    // zlib stops inflating as soon as the output would pass maxOutputLength.
    return await gunzipAsync(bytes, { maxOutputLength: maxUnpackedBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new PackageError('CODEX_ERR_PACKAGE_UNPACKED_TOO_LARGE', `The package expands to more than ${maxUnpackedBytes} bytes; the limit applies to the uncompressed content. Remove large files from the plugin folder.`);
    }
    throw new PackageError('CODEX_ERR_PACKAGE_CORRUPT', `The package's gzip stream is corrupt or truncated (${(error as Error).message}). Pack it again with \`plugin-codex plugin pack DIR\`.`);
  }
}

function readTarEntries(tarBytes: Buffer, bounds: typeof DEFAULT_PACKAGE_LIMITS): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    const seen = new Map<string, string>();
    let entries = 0;
    let failure: PackageError | undefined;
    const fail = (error: PackageError) => {
      failure ??= error;
    };

    const parser = new Parser({
      strict: true,
      maxMetaEntrySize: 64 * 1024,
      onReadEntry(entry: ReadEntry) {
        if (failure) {
          entry.resume();
          return;
        }
        try {
          entries += 1;
          if (entries > bounds.maxEntries) {
            throw new PackageError('CODEX_ERR_PACKAGE_TOO_MANY_ENTRIES', `The package has more than ${bounds.maxEntries} entries. Bundle the plugin into fewer files.`);
          }
          const path = checkEntryPath(entry.path);
          checkEntryType(entry, path);
          if (path === '.' && entry.type !== 'Directory') {
            throw new PackageError('CODEX_ERR_PACKAGE_BAD_PATH', `The entry "${entry.path}" is a file named like the package folder. Remove it.`, { entry: entry.path });
          }
          const folded = path.toLowerCase();
          const earlier = seen.get(folded);
          if (earlier !== undefined) {
            throw new PackageError('CODEX_ERR_PACKAGE_DUPLICATE_ENTRY', `The entry "${entry.path}" appears twice${earlier === path ? '' : ` (as "${earlier}", differing only in case)`}. Each path may appear once.`, { entry: entry.path });
          }
          seen.set(folded, path);
          if (entry.type === 'Directory') {
            entry.resume();
            return;
          }
          const size = entry.size;
          if (size > bounds.maxEntryBytes) {
            throw new PackageError('CODEX_ERR_PACKAGE_ENTRY_TOO_LARGE', `The file "${path}" is ${size} bytes; the limit is ${bounds.maxEntryBytes} bytes per file. Remove it or make it smaller.`, { entry: path });
          }
          const chunks: Buffer[] = [];
          let received = 0;
          entry.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received <= bounds.maxEntryBytes) chunks.push(chunk);
          });
          entry.on('end', () => {
            if (received !== size) {
              fail(new PackageError('CODEX_ERR_PACKAGE_CORRUPT', `The file "${path}" is truncated (${received} of ${size} bytes). Pack the plugin again.`, { entry: path }));
              return;
            }
            files.set(path, Buffer.concat(chunks, received));
          });
        } catch (error) {
          fail(error as PackageError);
          entry.resume();
        }
      },
    });
    parser.on('warn', (code: string, message: string | Error) => {
      fail(new PackageError('CODEX_ERR_PACKAGE_CORRUPT', `The tar archive is malformed (${code}: ${typeof message === 'string' ? message : message.message}). Pack the plugin again.`));
    });
    parser.on('error', (error: Error) => {
      fail(new PackageError('CODEX_ERR_PACKAGE_CORRUPT', `The tar archive is malformed (${error.message}). Pack the plugin again.`));
    });
    parser.on('close', () => {
      if (failure) reject(failure);
      else resolve(new Map([...files.entries()].sort(([a], [b]) => compareCodeUnits(a, b))));
    });
    try {
      parser.end(tarBytes);
    } catch (error) {
      reject(new PackageError('CODEX_ERR_PACKAGE_CORRUPT', `The tar archive is malformed (${(error as Error).message}). Pack the plugin again.`));
    }
  });
}

/** Checks a raw entry name and returns it relative to the package root. */
function checkEntryPath(raw: string): string {
  const named = JSON.stringify(raw);
  if (raw.startsWith('/') || raw.startsWith('\\') || /^[A-Za-z]:/.test(raw)) {
    throw new PackageError('CODEX_ERR_PACKAGE_ABSOLUTE_PATH', `The entry ${named} has an absolute path. Every entry must be relative and under "package/".`, { entry: raw });
  }
  const segments = raw.split(/[\\/]/);
  if (segments.includes('..')) {
    throw new PackageError('CODEX_ERR_PACKAGE_PATH_TRAVERSAL', `The entry ${named} climbs out of the package with "..". Remove it; every entry must stay under "package/".`, { entry: raw });
  }
  if (raw.includes('\\')) {
    throw new PackageError('CODEX_ERR_PACKAGE_BAD_PATH', `The entry ${named} contains a backslash. Use forward slashes in entry names.`, { entry: raw });
  }
  if (/[\u0000-\u001f\u007f]/.test(raw) || raw.length > MAX_PATH_LENGTH + PREFIX.length) {
    throw new PackageError('CODEX_ERR_PACKAGE_BAD_PATH', `The entry ${named} has control characters or is longer than ${MAX_PATH_LENGTH} characters. Rename it.`, { entry: raw });
  }
  if (raw === 'package') return '.';
  if (!raw.startsWith(PREFIX)) {
    throw new PackageError('CODEX_ERR_PACKAGE_LAYOUT', `The entry ${named} is outside the "package/" folder. Plugin tarballs keep every file under "package/", as \`plugin-codex plugin pack\` writes them.`, { entry: raw });
  }
  const path = raw.slice(PREFIX.length).replace(/\/$/, '');
  if (path === '' && raw === PREFIX) return '.';
  if (path.split('/').some((segment) => segment === '' || segment === '.')) {
    throw new PackageError('CODEX_ERR_PACKAGE_BAD_PATH', `The entry ${named} has an empty or "." path segment. Use plain relative paths like "package/dist/index.js".`, { entry: raw });
  }
  return path;
}

function checkEntryType(entry: ReadEntry, path: string): void {
  switch (entry.type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
    case 'Directory':
      return;
    case 'SymbolicLink':
    case 'Link':
      throw new PackageError('CODEX_ERR_PACKAGE_LINK', `The entry "${path}" is a ${entry.type === 'Link' ? 'hard link' : 'symbolic link'} (to ${JSON.stringify(entry.linkpath ?? '')}). Packages may contain regular files only: copy the target file instead.`, { entry: path });
    default:
      throw new PackageError('CODEX_ERR_PACKAGE_SPECIAL_FILE', `The entry "${path}" is a ${entry.type} entry. Packages may contain regular files and folders only.`, { entry: path });
  }
}

function checkManifest(files: Map<string, Buffer>): ResolvedPluginManifest {
  const raw = files.get(MANIFEST_FILE);
  if (raw === undefined) {
    throw new PackageError('CODEX_ERR_PACKAGE_MANIFEST_MISSING', 'The package has no "package/plugin.json". Add a plugin.json manifest at the root of the plugin folder.');
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new PackageError('CODEX_ERR_PACKAGE_MANIFEST_INVALID', `plugin.json is not valid JSON (${(error as Error).message}). Fix the syntax.`, { entry: MANIFEST_FILE });
  }
  const result = validateManifest(value);
  if (!result.ok) {
    throw new PackageError('CODEX_ERR_PACKAGE_MANIFEST_INVALID', `plugin.json is invalid: ${result.errors.join('; ')}`, { entry: MANIFEST_FILE, errors: result.errors });
  }
  const { manifest } = result;
  if (!files.has(manifest.entry)) {
    throw new PackageError('CODEX_ERR_PACKAGE_ENTRY_MISSING', `plugin.json /entry names "${manifest.entry}", which is not in the package. Build the entry module or fix the path.`, { entry: manifest.entry });
  }
  if (manifest.ui && !files.has(manifest.ui.entry)) {
    throw new PackageError('CODEX_ERR_PACKAGE_UI_ENTRY_MISSING', `plugin.json /ui/entry names "${manifest.ui.entry}", which is not in the package. Build the UI module or fix the path.`, { entry: manifest.ui.entry });
  }
  const readmeDeclared = (JSON.parse(raw.toString('utf8')) as { readme?: unknown }).readme !== undefined;
  if (readmeDeclared && !files.has(manifest.readme)) {
    throw new PackageError('CODEX_ERR_PACKAGE_README_MISSING', `plugin.json /readme names "${manifest.readme}", which is not in the package. Add the file or remove the field.`, { entry: manifest.readme });
  }
  return manifest;
}

function integrityMatches(bytes: Buffer, expected: string): boolean {
  try {
    return ssri.checkData(bytes, expected) !== false;
  } catch {
    return false;
  }
}

/** Files and folders never packed: version control, dependencies, OS litter. */
const IGNORED = new Set(['.git', 'node_modules', '.DS_Store', 'Thumbs.db']);
/** npm's fixed mtime for reproducible tarballs (1985-10-26T08:15:00Z). */
const FIXED_MTIME = new Date('1985-10-26T08:15:00.000Z');

/**
 * Packs a plugin folder into a deterministic tarball (sorted entries, `package/` prefix, fixed
 * mtime, modes 0644, no owner names; gzip level 9): the same files always give the same bytes.
 * The result is read back with {@link readPluginPackage}, so a folder the registry would refuse
 * fails here with the same {@link PackageError}. Symbolic links in the folder are refused.
 */
export async function packPluginDirectory(dir: string, limits: PackageLimits = {}): Promise<Buffer> {
  const paths = (await listFiles(dir, dir)).sort(compareCodeUnits);
  const blocks: Buffer[] = [];
  for (const path of paths) {
    const data = await readFile(join(dir, ...path.split('/')));
    blocks.push(tarHeader(PREFIX + path, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const bytes = gzipSync(Buffer.concat(blocks), { level: zlibConstants.Z_BEST_COMPRESSION });
  await readPluginPackage(bytes, limits);
  return bytes;
}

async function listFiles(root: string, dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir(dir)) {
    if (IGNORED.has(name)) continue;
    const full = join(dir, name);
    const stats = await lstat(full);
    const path = relative(root, full).split(sep).join('/');
    if (stats.isSymbolicLink()) {
      throw new PackageError('CODEX_ERR_PACKAGE_LINK', `"${path}" in ${root} is a symbolic link. Packages may contain regular files only: replace it with a copy of its target.`, { entry: path });
    }
    if (stats.isDirectory()) found.push(...(await listFiles(root, full)));
    else if (stats.isFile()) found.push(path);
    else throw new PackageError('CODEX_ERR_PACKAGE_SPECIAL_FILE', `"${path}" in ${root} is not a regular file. Remove it from the plugin folder.`, { entry: path });
  }
  return found;
}

function tarHeader(path: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  const header = new Header({ path, mode: 0o644, uid: 0, gid: 0, size, mtime: FIXED_MTIME, type: 'File', uname: '', gname: '' });
  if (header.encode(block, 0)) {
    throw new PackageError('CODEX_ERR_PACKAGE_BAD_PATH', `The file "${path.slice(PREFIX.length)}" has a path too long for a plain tar header. Shorten it (folders at most 155 characters, file names at most 100).`, { entry: path });
  }
  return block;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}
