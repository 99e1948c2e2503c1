import { gzipSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';

/** One raw tar entry for hand-made (possibly malicious) archives. */
export interface RawEntry extends HeaderData {
  path: string;
  body?: string | Buffer;
}

/** Encodes entries as a tar stream exactly as given: no normalisation, so tests can write what a tool never would. */
export function rawTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { body = '', ...header } of entries) {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    const block = Buffer.alloc(512);
    new Header({ mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), type: 'File', size: data.length, ...header }).encode(block, 0);
    blocks.push(block, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** rawTar, gzipped. */
export function rawTgz(entries: RawEntry[]): Buffer {
  return gzipSync(rawTar(entries));
}

/** A minimal valid manifest, with overrides. */
export function manifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '@test/hello',
    version: '1.0.0',
    kind: 'tool',
    title: 'Hello',
    description: 'Says hello.',
    entry: 'index.js',
    tools: [{
      name: 'hello',
      description: 'Greets.',
      inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      outputSchema: { type: 'object', properties: { greeting: { type: 'string' } }, required: ['greeting'] },
    }],
    ...overrides,
  };
}

/** The entries of a minimal valid package, with extra entries appended. */
export function validEntries(extra: RawEntry[] = [], manifestOverrides: Record<string, unknown> = {}): RawEntry[] {
  return [
    { path: 'package/plugin.json', body: JSON.stringify(manifest(manifestOverrides)) },
    { path: 'package/index.js', body: 'export default { tools: { async hello(input) { return { greeting: "Hello, " + input.name }; } } };' },
    ...extra,
  ];
}
