import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  contentHashOf, integrityOf, packPluginDirectory, PackageError, readPluginPackage, type PackageErrorCode, type PackageLimits,
} from '../../server/registry/packages/plugin-package.js';
import { manifest, rawTar, rawTgz, validEntries, type RawEntry } from './tar-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'plugin-package-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function rejection(bytes: Buffer, limits?: PackageLimits): Promise<PackageError> {
  try {
    await readPluginPackage(bytes, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(PackageError);
    return error as PackageError;
  }
  throw new Error('the package was accepted');
}

const zeros = (bytes: number) => Buffer.alloc(bytes);

interface BadCase {
  name: string;
  bytes: () => Buffer;
  limits?: PackageLimits;
  code: PackageErrorCode;
  status: number;
  mentions: string;
}

const badPackages: BadCase[] = [
  { name: 'path traversal', bytes: () => rawTgz(validEntries([{ path: 'package/../../etc/cron.d/evil', body: 'x' }])), code: 'CODEX_ERR_PACKAGE_PATH_TRAVERSAL', status: 400, mentions: 'package/../../etc/cron.d/evil' },
  { name: 'backslash traversal', bytes: () => rawTgz(validEntries([{ path: 'package/..\\..\\evil.js', body: 'x' }])), code: 'CODEX_ERR_PACKAGE_PATH_TRAVERSAL', status: 400, mentions: 'evil.js' },
  { name: 'absolute path', bytes: () => rawTgz(validEntries([{ path: '/etc/passwd', body: 'root' }])), code: 'CODEX_ERR_PACKAGE_ABSOLUTE_PATH', status: 400, mentions: '/etc/passwd' },
  { name: 'Windows drive path', bytes: () => rawTgz(validEntries([{ path: 'C:/Windows/evil.dll', body: 'x' }])), code: 'CODEX_ERR_PACKAGE_ABSOLUTE_PATH', status: 400, mentions: 'C:/Windows' },
  { name: 'backslash in a name', bytes: () => rawTgz(validEntries([{ path: 'package\\index2.js', body: 'x' }])), code: 'CODEX_ERR_PACKAGE_BAD_PATH', status: 400, mentions: 'backslash' },
  { name: 'entry outside package/', bytes: () => rawTgz(validEntries([{ path: 'other/file.js', body: 'x' }])), code: 'CODEX_ERR_PACKAGE_LAYOUT', status: 400, mentions: 'other/file.js' },
  { name: 'symlink', bytes: () => rawTgz(validEntries([{ path: 'package/link', type: 'SymbolicLink', linkpath: '/etc/passwd' }])), code: 'CODEX_ERR_PACKAGE_LINK', status: 400, mentions: 'symbolic link' },
  { name: 'hardlink', bytes: () => rawTgz(validEntries([{ path: 'package/hard', type: 'Link', linkpath: 'package/index.js' }])), code: 'CODEX_ERR_PACKAGE_LINK', status: 400, mentions: 'hard link' },
  { name: 'character device', bytes: () => rawTgz(validEntries([{ path: 'package/null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }])), code: 'CODEX_ERR_PACKAGE_SPECIAL_FILE', status: 400, mentions: 'package/null'.slice(8) },
  { name: 'block device', bytes: () => rawTgz(validEntries([{ path: 'package/sda', type: 'BlockDevice', devmaj: 8, devmin: 0 }])), code: 'CODEX_ERR_PACKAGE_SPECIAL_FILE', status: 400, mentions: 'sda' },
  { name: 'fifo', bytes: () => rawTgz(validEntries([{ path: 'package/pipe', type: 'FIFO' }])), code: 'CODEX_ERR_PACKAGE_SPECIAL_FILE', status: 400, mentions: 'pipe' },
  { name: 'oversized entry', bytes: () => rawTgz(validEntries([{ path: 'package/big.bin', body: zeros(5000) }])), limits: { maxEntryBytes: 4096 }, code: 'CODEX_ERR_PACKAGE_ENTRY_TOO_LARGE', status: 413, mentions: 'big.bin' },
  { name: 'oversized archive', bytes: () => rawTgz(validEntries([{ path: 'package/noise.bin', body: randomBytes(4000) }])), limits: { maxPackedBytes: 2000 }, code: 'CODEX_ERR_PACKAGE_TOO_LARGE', status: 413, mentions: 'limit is 2000' },
  { name: 'gzip bomb', bytes: () => rawTgz(validEntries([{ path: 'package/bomb.bin', body: zeros(20 * 1024 * 1024) }])), limits: { maxUnpackedBytes: 1024 * 1024, maxEntryBytes: 64 * 1024 * 1024 }, code: 'CODEX_ERR_PACKAGE_UNPACKED_TOO_LARGE', status: 413, mentions: '1048576' },
  { name: 'too many entries', bytes: () => rawTgz(validEntries(Array.from({ length: 20 }, (_, i) => ({ path: `package/f${i}.txt`, body: 'x' })))), limits: { maxEntries: 10 }, code: 'CODEX_ERR_PACKAGE_TOO_MANY_ENTRIES', status: 413, mentions: '10 entries' },
  { name: 'duplicate entry', bytes: () => rawTgz(validEntries([{ path: 'package/index.js', body: 'export default {};' }])), code: 'CODEX_ERR_PACKAGE_DUPLICATE_ENTRY', status: 400, mentions: 'package/index.js' },
  { name: 'duplicate differing in case', bytes: () => rawTgz(validEntries([{ path: 'package/INDEX.js', body: 'x' }])), code: 'CODEX_ERR_PACKAGE_DUPLICATE_ENTRY', status: 400, mentions: 'differing only in case' },
  { name: 'not gzip', bytes: () => rawTar(validEntries()), code: 'CODEX_ERR_PACKAGE_CORRUPT', status: 400, mentions: 'gzip' },
  { name: 'truncated gzip', bytes: () => rawTgz(validEntries()).subarray(0, 60), code: 'CODEX_ERR_PACKAGE_CORRUPT', status: 400, mentions: 'corrupt or truncated' },
  { name: 'missing manifest', bytes: () => rawTgz([{ path: 'package/index.js', body: 'export default {};' }]), code: 'CODEX_ERR_PACKAGE_MANIFEST_MISSING', status: 422, mentions: 'plugin.json' },
  { name: 'manifest not JSON', bytes: () => rawTgz([{ path: 'package/plugin.json', body: '{ "id": ' }, { path: 'package/index.js', body: '' }]), code: 'CODEX_ERR_PACKAGE_MANIFEST_INVALID', status: 422, mentions: 'not valid JSON' },
  { name: 'invalid manifest', bytes: () => rawTgz(validEntries([], { version: 'one' })), code: 'CODEX_ERR_PACKAGE_MANIFEST_INVALID', status: 422, mentions: '/version' },
  { name: 'entry missing', bytes: () => rawTgz([{ path: 'package/plugin.json', body: JSON.stringify(manifest({ entry: 'dist/index.js' })) }]), code: 'CODEX_ERR_PACKAGE_ENTRY_MISSING', status: 422, mentions: 'dist/index.js' },
  {
    name: 'ui entry missing',
    bytes: () => rawTgz(validEntries([], { kind: 'visual-block', ui: { element: 'hello-block', entry: 'ui/block.js' } })),
    code: 'CODEX_ERR_PACKAGE_UI_ENTRY_MISSING', status: 422, mentions: 'ui/block.js',
  },
  { name: 'declared readme missing', bytes: () => rawTgz(validEntries([], { readme: 'docs/README.md' })), code: 'CODEX_ERR_PACKAGE_README_MISSING', status: 422, mentions: 'docs/README.md' },
  { name: 'wrong integrity', bytes: () => rawTgz(validEntries()), limits: { expectedIntegrity: integrityOf(Buffer.from('something else')) }, code: 'CODEX_ERR_PACKAGE_INTEGRITY_MISMATCH', status: 422, mentions: 'expected' },
  { name: 'garbage integrity', bytes: () => rawTgz(validEntries()), limits: { expectedIntegrity: 'not-an-integrity' }, code: 'CODEX_ERR_PACKAGE_INTEGRITY_MISMATCH', status: 422, mentions: 'not-an-integrity' },
];

describe('readPluginPackage refuses bad packages', () => {
  it.each(badPackages)('$name → $code', async ({ bytes, limits, code, status, mentions }) => {
    const error = await rejection(bytes(), limits);
    expect(error.code).toBe(code);
    expect(error.statusCode).toBe(status);
    expect(error.message).toContain(mentions);
  });

  it('names the invalid manifest field and keeps the list of errors', async () => {
    const error = await rejection(rawTgz(validEntries([], { id: 'Hello', kind: 'widget' })));
    expect(error.details?.errors).toEqual(expect.arrayContaining([expect.stringContaining('/id'), expect.stringContaining('/kind')]));
  });

  it('stops inflating a gzip bomb at the limit instead of at its end', async () => {
    // 200 MiB of zeros compresses to about 200 KiB; inflating it would take 200 MiB of memory.
    const bomb = gzipSync(Buffer.concat([rawTar(validEntries()).subarray(0, -1024), zeros(200 * 1024 * 1024)]));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const error = await rejection(bomb, { maxUnpackedBytes: 2 * 1024 * 1024 });
    expect(error.code).toBe('CODEX_ERR_PACKAGE_UNPACKED_TOO_LARGE');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('readPluginPackage reads good packages', () => {
  it('returns the manifest with defaults, the files without the package/ prefix and the hashes', async () => {
    const bytes = rawTgz(validEntries([{ path: 'package/docs/', type: 'Directory' }, { path: 'package/docs/guide.md', body: '# Guide' }]));
    const read = await readPluginPackage(bytes, { expectedIntegrity: integrityOf(bytes) });
    expect(read.manifest).toMatchObject({ id: '@test/hello', tags: [], readme: 'README.md', healthCheck: true, safeToTest: false });
    expect([...read.files.keys()]).toEqual(['docs/guide.md', 'index.js', 'plugin.json']);
    expect(read.integrity).toMatch(/^sha512-[A-Za-z0-9+/]+=*$/);
    expect(read.size).toBe(bytes.length);
    expect(read.contentHash).toBe(contentHashOf(read.files));
  });

  it('gives the same contentHash for the same files in another order, mtime and compression', async () => {
    const a = rawTgz(validEntries());
    const b = gzipSync(rawTar([...validEntries()].reverse().map((entry) => ({ ...entry, mtime: new Date('2020-01-01'), mode: 0o600 }))), { level: 1 });
    expect(a.equals(b)).toBe(false);
    const [readA, readB] = await Promise.all([readPluginPackage(a), readPluginPackage(b)]);
    expect(readA.integrity).not.toBe(readB.integrity);
    expect(readA.contentHash).toBe(readB.contentHash);
  });

  it('gives a different contentHash when one byte changes', async () => {
    const a = await readPluginPackage(rawTgz(validEntries()));
    const changed = validEntries();
    (changed[1] as RawEntry).body = String((changed[1] as RawEntry).body).replace('Hello', 'Hallo');
    const b = await readPluginPackage(rawTgz(changed));
    expect(a.contentHash).not.toBe(b.contentHash);
  });
});

describe('packPluginDirectory', () => {
  function pluginFolder(name: string): string {
    const dir = join(scratch, name);
    mkdirSync(join(dir, 'lib'), { recursive: true });
    writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifest({ readme: 'README.md' }), null, 2));
    writeFileSync(join(dir, 'index.js'), 'export default { tools: { async hello(i) { return { greeting: "Hi " + i.name }; } } };');
    writeFileSync(join(dir, 'README.md'), '# Hello');
    writeFileSync(join(dir, 'lib', 'helper.js'), 'export const x = 1;');
    mkdirSync(join(dir, 'node_modules', 'left-pad'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'left-pad', 'index.js'), 'module.exports = 1;');
    return dir;
  }

  it('round-trips through readPluginPackage, npm-style, without node_modules', async () => {
    const bytes = await packPluginDirectory(pluginFolder('round-trip'));
    const read = await readPluginPackage(bytes);
    expect([...read.files.keys()]).toEqual(['README.md', 'index.js', 'lib/helper.js', 'plugin.json']);
    expect(read.files.get('README.md')?.toString()).toBe('# Hello');
    expect(read.manifest.id).toBe('@test/hello');
  });

  it('is deterministic: the same folder gives the same bytes, whatever the mtimes', async () => {
    const dir = pluginFolder('deterministic');
    const first = await packPluginDirectory(dir);
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(join(dir, 'README.md'), '# Hello');
    const second = await packPluginDirectory(dir);
    expect(second.equals(first)).toBe(true);
    expect(integrityOf(second)).toBe(integrityOf(first));
  });

  it('refuses a folder the registry would refuse, with the same error', async () => {
    const dir = pluginFolder('invalid');
    writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifest({ entry: 'missing.js' })));
    await expect(packPluginDirectory(dir)).rejects.toMatchObject({ code: 'CODEX_ERR_PACKAGE_ENTRY_MISSING' });
  });

  it('refuses symbolic links in the folder', async () => {
    const dir = pluginFolder('symlinked');
    symlinkSync('/etc/hostname', join(dir, 'lib', 'host'));
    await expect(packPluginDirectory(dir)).rejects.toMatchObject({ code: 'CODEX_ERR_PACKAGE_LINK' });
  });
});

describe('PackageError', () => {
  it('is a CodexError, so the registry answers with its status, code and details', async () => {
    const { CodexError } = await import('../../server/registry/errors.js');
    const error = await rejection(rawTgz(validEntries([{ path: 'package/../x', body: '' }])));
    expect(error).toBeInstanceOf(CodexError);
    expect(error).toMatchObject({ name: 'PackageError', statusCode: 400, details: { entry: 'package/../x' } });
  });
});
