import { Command } from 'commander';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPluginCommands, type PluginCommandIo } from '../../cli/commands/plugin.js';
import { integrityOf } from '../../server/registry/packages/plugin-package.js';
import { verifyPublisherSignature } from '../../server/registry/packages/signing.js';
import { sampleDirectories } from '../../samples/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'plugin-cli-test-'));
const textStats = sampleDirectories()[0] as string;
let server: Server;
let registryUrl = '';
let answer: { status: number; body: unknown } = { status: 201, body: {} };
const received: { url?: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ url: request.url, headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registryUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ out: string; err: string; code: number }> {
  const result = { out: '', err: '', code: 0 };
  const io: PluginCommandIo = {
    out: (line) => { result.out += line + '\n'; },
    err: (line) => { result.err += line + '\n'; },
    exit: (code) => { result.code = code; },
    fetch,
    env,
  };
  const program = new Command().name('plugin-codex').exitOverride().configureOutput({ writeOut: (text) => { result.out += text; }, writeErr: (text) => { result.err += text; } });
  registerPluginCommands(program, io);
  await program.parseAsync(args, { from: 'user' });
  return result;
}

describe('plugin validate', () => {
  it('accepts a sample', async () => {
    expect(await run(['plugin', 'validate', textStats])).toMatchObject({ code: 0, out: expect.stringContaining('ok @codex/text-stats@1.0.0 (tool): 2 tool(s), 3 example(s)') });
  });

  it('lists every manifest problem with its path and exits 1', async () => {
    const dir = join(scratch, 'bad');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(join(dir, 'plugin.json'), JSON.stringify({ id: '@Bad', version: '1', kind: 'tool', title: 't', description: 'd', entry: 'index.js' }));
    const result = await run(['plugin', 'validate', dir]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('[CODEX_ERR_PACKAGE_MANIFEST_INVALID]');
    expect(result.err).toContain('/id');
  });

  it('says when the folder does not exist', async () => {
    const result = await run(['plugin', 'validate', join(scratch, 'nope')]);
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining('no such file or folder') });
  });
});

describe('plugin pack', () => {
  it('writes the tarball and prints its integrity', async () => {
    const out = join(scratch, 'stats.tgz');
    const result = await run(['plugin', 'pack', textStats, '-o', out]);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`integrity: ${integrityOf(readFileSync(out))}`);
  });

  it('names the file after the id and version by default', async () => {
    const cwd = process.cwd();
    process.chdir(scratch);
    try {
      const result = await run(['plugin', 'pack', textStats, '--json']);
      expect(JSON.parse(result.out)).toMatchObject({ id: '@codex/text-stats', version: '1.0.0', file: join(scratch, 'codex-text-stats-1.0.0.tgz') });
      expect(existsSync(join(scratch, 'codex-text-stats-1.0.0.tgz'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('has helpful --help', async () => {
    await expect(run(['plugin', 'pack', '--help'])).rejects.toMatchObject({ code: 'commander.helpDisplayed' });
  });
});

describe('plugin publish', () => {
  it('POSTs the bytes with the token and a publisher signature, and prints the answer', async () => {
    const file = join(scratch, 'publish.tgz');
    await run(['plugin', 'pack', textStats, '-o', file]);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyFile = join(scratch, 'publisher.pem');
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    answer = { status: 201, body: { id: '@codex/text-stats', version: '1.0.0', status: 'active' } };
    received.length = 0;

    const result = await run(['plugin', 'publish', file, '--sign-key', keyFile], { PLUGIN_CODEX_REGISTRY_URL: registryUrl + '/', PLUGIN_CODEX_TOKEN: 'tok-123' });
    expect(result).toMatchObject({ code: 0, out: expect.stringContaining('"status": "active"') });
    const [request] = received;
    expect(request?.url).toBe('/api/plugins/publish');
    expect(request?.headers['content-type']).toBe('application/gzip');
    expect(request?.headers.authorization).toBe('Bearer tok-123');
    expect(request?.body.equals(readFileSync(file))).toBe(true);
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(verifyPublisherSignature(pem, '@codex/text-stats', '1.0.0', integrityOf(readFileSync(file)), String(request?.headers['x-publisher-signature']))).toBe(true);
    expect(request?.headers['x-publisher-key']).toBe(publicKey.export({ format: 'der', type: 'spki' }).toString('base64'));
  });

  it('sends a signature made elsewhere with its public key, and refuses one without', async () => {
    const file = join(scratch, 'presigned.tgz');
    await run(['plugin', 'pack', textStats, '-o', file]);
    const { publicKey } = generateKeyPairSync('ed25519');
    const keyFile = join(scratch, 'publisher.pub.pem');
    writeFileSync(keyFile, publicKey.export({ format: 'pem', type: 'spki' }));
    answer = { status: 201, body: {} };
    received.length = 0;
    expect((await run(['plugin', 'publish', file, '--registry', registryUrl, '--signature', 'c2ln', '--public-key', keyFile])).code).toBe(0);
    expect(received[0]?.headers).toMatchObject({ 'x-publisher-signature': 'c2ln', 'x-publisher-key': expect.any(String) });
    expect(await run(['plugin', 'publish', file, '--registry', registryUrl, '--signature', 'c2ln'])).toMatchObject({ code: 1, err: expect.stringContaining('together') });
  });

  it('prints the registry error and exits 1 on a 4xx', async () => {
    const file = join(scratch, 'refused.tgz');
    await run(['plugin', 'pack', textStats, '-o', file]);
    answer = { status: 409, body: { error: { code: 'CODEX_ERR_VERSION_EXISTS', message: '@codex/text-stats@1.0.0 is already published' } } };
    const result = await run(['plugin', 'publish', file, '--registry', registryUrl, '--token', 't']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('HTTP 409) [CODEX_ERR_VERSION_EXISTS]: @codex/text-stats@1.0.0 is already published');
  });

  it('lists the problems the registry sends in error.details.errors', async () => {
    const file = join(scratch, 'refused-details.tgz');
    await run(['plugin', 'pack', textStats, '-o', file]);
    answer = { status: 422, body: { error: { code: 'CODEX_ERR_PACKAGE_MANIFEST_INVALID', message: 'plugin.json is invalid', details: { errors: ['/id: taken'] } } } };
    const result = await run(['plugin', 'publish', file, '--registry', registryUrl]);
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining('[CODEX_ERR_PACKAGE_MANIFEST_INVALID]: plugin.json is invalid\n  /id: taken') });
  });

  it('refuses an invalid tarball before uploading it', async () => {
    const file = join(scratch, 'garbage.tgz');
    writeFileSync(file, 'not a tarball');
    received.length = 0;
    const result = await run(['plugin', 'publish', file, '--registry', registryUrl]);
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining('CODEX_ERR_PACKAGE_CORRUPT') });
    expect(received).toHaveLength(0);
  });

  it('says when the registry cannot be reached', async () => {
    const file = join(scratch, 'unreachable.tgz');
    await run(['plugin', 'pack', textStats, '-o', file]);
    const result = await run(['plugin', 'publish', file, '--registry', 'http://127.0.0.1:9']);
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining('cannot reach the registry at http://127.0.0.1:9') });
  });
});
