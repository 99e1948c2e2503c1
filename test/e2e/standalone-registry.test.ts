import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintTestToken, startServeProcess, type ServeProcess } from '../support/serve-process';
import { packageVsix } from './support/code-server';

// The extension's embedded registry as a user gets it: the registry inside the packaged .vsix, run
// from a folder with no node_modules anywhere above it, exactly as the extension starts it
// (`dist/standalone/cli.js serve --port 0`, PGlite in a data folder, a per-start JWT secret).
const SECRET = 'standalone-test-secret-that-is-long-enough-0123456789';

function startServe(cli: string, dataDir: string): Promise<ServeProcess> {
  mkdirSync(dataDir, { recursive: true });
  // Only what a user's machine has: no NODE_PATH, nothing from this repository's environment.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PLUGIN_CODEX_DATA_DIR: dataDir, JWT_SECRET: SECRET, DATABASE_URL: '' };
  return startServeProcess(cli, { env, cwd: dataDir, timeoutMs: 90_000 });
}

describe('the registry inside the packaged .vsix', () => {
  let work: string;
  let server: ServeProcess | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'codex-vsix-registry-'));
    const vsix = packageVsix(work);
    const unzip = spawnSync('unzip', ['-q', vsix, '-d', join(work, 'installed')], { encoding: 'utf8' });
    if (unzip.status !== 0) throw new Error(`unzip failed: ${unzip.stderr}`);
  }, 180_000);

  afterAll(() => {
    server?.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  });

  it('starts without node_modules, seeds the samples, installs one and runs it in the sandbox, and scans it with the codex', async () => {
    const extension = join(work, 'installed', 'extension');
    const cli = join(extension, 'dist', 'standalone', 'cli.js');
    expect(existsSync(cli)).toBe(true);
    // Nothing to resolve npm packages from: not in the extension, not in any folder above it.
    for (let folder = extension; ; folder = join(folder, '..')) {
      expect(existsSync(join(folder, 'node_modules')), folder).toBe(false);
      if (folder === '/') break;
    }

    server = await startServe(cli, join(work, 'data'));
    const headers = { authorization: `Bearer ${await mintTestToken(SECRET, 'admin')}`, 'content-type': 'application/json' };
    const health = await (await fetch(`${server.url}/api/health`)).json() as { status: string; database: { driver: string } };
    expect(health).toMatchObject({ status: 'ok', database: { driver: 'pglite' } });

    const install = await fetch(`${server.url}/api/plugins/install`, { method: 'POST', headers, body: JSON.stringify({ pluginId: '@codex/text-stats', target: 'default' }) });
    expect(install.status).toBe(200);
    const invoke = await fetch(`${server.url}/api/plugins/@codex/text-stats/tools/analyze/invoke`, { method: 'POST', headers, body: JSON.stringify({ input: { text: 'The quick fox jumps. It runs away!' }, target: 'default' }) });
    expect(invoke.status).toBe(200);
    expect(((await invoke.json()) as { output: { words: number; sentences: number } }).output).toMatchObject({ words: 7, sentences: 2 });

    // The debug engine's scan worker runs codex-core (TypeScript, ESLint) from the same bundle set.
    const started = await (await fetch(`${server.url}/api/debug/start?pluginId=${encodeURIComponent('@codex/text-stats')}`, { method: 'POST', headers, body: '{}' })).json() as { session: { id: string } };
    let session: { status: string; result?: { findings: { ruleId: string; code?: string }[] } } = { status: 'running' };
    for (let attempt = 0; attempt < 120 && (session.status === 'running' || session.status === 'queued'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      session = await (await fetch(`${server.url}/api/debug/sessions/${started.session.id}`, { headers })).json() as typeof session;
    }
    expect(session.status).toBe('passed');
    // ESLint (with eslint-plugin-security) ran from the bundle: its star-height check flags the word
    // regex, which the codex's own security-redos rule knows cannot backtrack (nothing follows its group).
    expect(session.result?.findings.map((finding) => `${finding.ruleId}:${finding.code ?? ''}`)).toContain('lint:security/detect-unsafe-regex');
  }, 240_000);
});
