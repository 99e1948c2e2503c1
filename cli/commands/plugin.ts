import type { Command } from 'commander';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { packPluginDirectory, PackageError, readPluginPackage, type PluginPackage } from '../../server/registry/packages/plugin-package.js';
import { signRelease } from '../../server/registry/packages/signing.js';

/** Where the plugin commands write and how they reach the network; tests pass their own. */
export interface PluginCommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Records the exit status (the default sets process.exitCode, so pending output is flushed). */
  exit(code: number): void;
  fetch: typeof fetch;
  env: NodeJS.ProcessEnv;
}

const defaultIo: PluginCommandIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  exit: (code) => {
    process.exitCode = code;
  },
  fetch: (...args) => fetch(...args),
  env: process.env,
};

export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:8787';

/** `plugin-codex plugin validate | pack | publish`: the plugin author's side of the package format. */
export function registerPluginCommands(program: Command, io: PluginCommandIo = defaultIo): void {
  const plugin = program
    .command('plugin')
    .description('validate, pack and publish marketplace plugins')
    .addHelpText('after', `
A plugin is a folder with a plugin.json manifest, one bundled ES module entry and a README.md.
Try the samples:
  $ plugin-codex plugin validate samples/text-stats
  $ plugin-codex plugin pack samples/text-stats -o text-stats.tgz
  $ plugin-codex plugin publish text-stats.tgz --token "$PLUGIN_CODEX_TOKEN"`);

  plugin
    .command('validate')
    .description('check a plugin folder the way the registry checks an upload: manifest, tool schemas, examples, entry and UI files')
    .argument('<dir>', 'the plugin folder (it holds plugin.json)')
    .option('--json', 'print the validated manifest (with defaults filled in) as JSON')
    .addHelpText('after', '\nExits 1 and lists every problem, each with its JSON path in plugin.json, when the folder would be refused.')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const read = await packOrReport(resolve(dir), io);
      if (!read) return;
      if (flags.json) {
        io.out(JSON.stringify(read.package.manifest, null, 2));
        return;
      }
      const { manifest } = read.package;
      io.out(`ok ${manifest.id}@${manifest.version} (${manifest.kind}): ${manifest.tools.length} tool(s), ${manifest.examples.length} example(s), ${read.package.files.size} file(s)`);
    });

  plugin
    .command('pack')
    .description('validate a plugin folder and write a deterministic .tgz (same files, same bytes), printing its sha512 integrity')
    .argument('<dir>', 'the plugin folder (it holds plugin.json)')
    .option('-o, --out <file>', 'where to write the tarball (default: <namespace>-<name>-<version>.tgz in the current folder)')
    .option('--json', 'print { file, id, version, size, integrity, contentHash } as JSON')
    .addHelpText('after', '\nThe tarball is what `plugin publish` uploads; its integrity is the address of the published version.')
    .action(async (dir: string, flags: { out?: string; json?: boolean }) => {
      const read = await packOrReport(resolve(dir), io);
      if (!read) return;
      const { manifest, integrity, size, contentHash } = read.package;
      const file = resolve(flags.out ?? `${manifest.id.slice(1).replace('/', '-')}-${manifest.version}.tgz`);
      await writeFile(file, read.bytes);
      if (flags.json) {
        io.out(JSON.stringify({ file, id: manifest.id, version: manifest.version, size, integrity, contentHash }, null, 2));
        return;
      }
      io.out(`packed ${manifest.id}@${manifest.version} → ${file} (${size} bytes)`);
      io.out(`integrity: ${integrity}`);
    });

  plugin
    .command('publish')
    .description('upload a packed plugin (.tgz) to a registry')
    .argument('<file>', 'the tarball written by `plugin pack`')
    .option('--registry <url>', `registry URL (default: PLUGIN_CODEX_REGISTRY_URL or ${DEFAULT_REGISTRY_URL})`)
    .option('--token <token>', 'API token or JWT with the publisher role (default: PLUGIN_CODEX_TOKEN)')
    .option('--sign-key <pem-file>', 'sign `${id}@${version}:${integrity}` with this Ed25519 private key (PKCS#8 PEM); sends X-Publisher-Signature and X-Publisher-Key')
    .option('--signature <base64>', 'a publisher signature made elsewhere (needs --public-key)')
    .option('--public-key <pem-file>', 'the Ed25519 public key (SPKI PEM) that checks --signature')
    .addHelpText('after', `
POSTs the bytes to <registry>/api/plugins/publish (Content-Type: application/gzip) and prints the
registry's JSON answer. Exits 1 when the package is invalid or the registry refuses it (4xx/5xx).`)
    .action(async (file: string, flags: { registry?: string; token?: string; signature?: string; signKey?: string; publicKey?: string }) => {
      const registry = (flags.registry ?? io.env.PLUGIN_CODEX_REGISTRY_URL ?? DEFAULT_REGISTRY_URL).replace(/\/+$/, '');
      const token = flags.token ?? io.env.PLUGIN_CODEX_TOKEN;
      let bytes: Buffer;
      let read: PluginPackage;
      try {
        bytes = await readFile(resolve(file));
        read = await readPluginPackage(bytes);
      } catch (error) {
        reportFailure(error, io, file);
        return;
      }
      // The registry wants the signature and the public key that checks it together.
      let signature = flags.signature;
      let publisherKey: string | undefined;
      if ((flags.signature === undefined) !== (flags.publicKey === undefined)) {
        io.err('error: pass --signature and --public-key together, or --sign-key alone');
        io.exit(1);
        return;
      }
      try {
        if (flags.signKey) {
          const privateKey = createPrivateKey(await readFile(resolve(flags.signKey), 'utf8'));
          const publicKey = createPublicKey(privateKey);
          signature = signRelease({ privateKey, publicKey }, read.manifest.id, read.manifest.version, read.integrity);
          publisherKey = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
        } else if (flags.publicKey) {
          publisherKey = createPublicKey(await readFile(resolve(flags.publicKey), 'utf8')).export({ format: 'der', type: 'spki' }).toString('base64');
        }
      } catch (error) {
        io.err(`error: cannot read the publisher key ${flags.signKey ?? flags.publicKey}: ${(error as Error).message}`);
        io.exit(1);
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'application/gzip', accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      if (signature && publisherKey) {
        headers['x-publisher-signature'] = signature;
        headers['x-publisher-key'] = publisherKey;
      }
      const url = `${registry}/api/plugins/publish`;
      let response: Response;
      try {
        response = await io.fetch(url, { method: 'POST', headers, body: new Uint8Array(bytes) });
      } catch (error) {
        io.err(`error: cannot reach the registry at ${registry} (${(error as Error).message}). Start it with \`plugin-codex serve\` or pass --registry.`);
        io.exit(1);
        return;
      }
      const text = await response.text();
      const body = parseJson(text);
      if (!response.ok) {
        // The registry answers { error: { code, message, details } } (server/registry/errors.ts).
        const failure = errorOf(body);
        const message = failure?.message ?? (text.slice(0, 500) || response.statusText);
        io.err(`error: the registry refused ${basename(file)} (HTTP ${response.status})${failure?.code ? ` [${failure.code}]` : ''}: ${message}`);
        for (const problem of failure?.problems ?? []) io.err(`  ${problem}`);
        if (response.status === 401 && !token) io.err('hint: pass --token or set PLUGIN_CODEX_TOKEN');
        io.exit(1);
        return;
      }
      io.out(body === undefined ? text : JSON.stringify(body, null, 2));
    });
}

/** Packs a folder (which validates it); reports the problem and returns undefined when it is refused. */
async function packOrReport(dir: string, io: PluginCommandIo): Promise<{ bytes: Buffer; package: PluginPackage } | undefined> {
  try {
    const bytes = await packPluginDirectory(dir);
    return { bytes, package: await readPluginPackage(bytes) };
  } catch (error) {
    reportFailure(error, io, dir);
    return undefined;
  }
}

function reportFailure(error: unknown, io: PluginCommandIo, subject: string): void {
  if (error instanceof PackageError) {
    if (error.details?.errors) {
      io.err(`error: ${subject}: plugin.json is invalid [${error.code}]`);
      for (const problem of error.details.errors) io.err(`  ${problem}`);
    } else {
      io.err(`error: ${subject}: ${error.message} [${error.code}]`);
    }
  } else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    io.err(`error: ${subject}: no such file or folder (${(error as Error).message})`);
  } else {
    io.err(`error: ${subject}: ${(error as Error).message}`);
  }
  io.exit(1);
}

function errorOf(body: unknown): { code?: string; message?: string; problems?: string[] } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const inner = 'error' in body && body.error !== null && typeof body.error === 'object' ? body.error : body;
  const { code, message, details } = inner as { code?: unknown; message?: unknown; details?: { errors?: unknown } };
  const problems = Array.isArray(details?.errors) ? details.errors.map(String) : undefined;
  return { code: typeof code === 'string' ? code : undefined, message: typeof message === 'string' ? message : undefined, problems };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
