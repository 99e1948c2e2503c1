import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The repository root. */
export const REPO = resolve(import.meta.dirname, '../../..');
/** Where screenshots of the e2e tests go (git-ignored). */
export const ARTIFACTS = join(REPO, 'test-artifacts', 'e2e');
const CODE_SERVER_VERSION = '4.100.3';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The cached code-server folder; installs it with the shared setup script when missing (~2.5 min cold). */
export function ensureCodeServer(): string {
  const folder = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'plugin-codex', `code-server-${CODE_SERVER_VERSION}`);
  const binary = join(folder, 'node_modules', '.bin', 'code-server');
  if (existsSync(binary)) return binary;
  // In CI the tools live beside the repository: ../shared/tools relative to the repository root.
  const script = resolve(REPO, '../shared/tools/code-server/setup-code-server.sh');
  if (!existsSync(script)) throw new Error(`code-server is not installed in ${folder} and ${script} is missing`);
  const result = spawnSync('bash', [script, folder], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 10 * 60_000 });
  if (result.status !== 0 || !existsSync(binary)) throw new Error(`${script} failed (exit ${result.status})`);
  return binary;
}

/**
 * Packages the extension as a .vsix into `outDir` from the bundles already in dist/ (building them
 * first only when they are missing, so a parallel test that runs dist/lsp-server.cjs never sees a
 * half-written file).
 */
export function packageVsix(outDir: string): string {
  if (!existsSync(join(REPO, 'dist/extension.cjs')) || !existsSync(join(REPO, 'dist/lsp-server.cjs'))) {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the build failed');
  }
  const vsix = join(outDir, 'plugin-codex.vsix');
  const vsce = join(REPO, 'node_modules/@vscode/vsce/vsce');
  const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', vsix], { cwd: REPO, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`vsce package failed:\n${result.stdout}\n${result.stderr}`);
  return vsix;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Options of {@link startCodeServer}. */
export interface CodeServerOptions {
  /** The .vsix to install (see {@link packageVsix}). */
  vsix: string;
  /** The folder to open in the workbench. */
  folder: string;
  /** User settings (settings.json) of the fresh profile. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server; it reaches the extension host (e.g. a test registry URL). */
  env?: NodeJS.ProcessEnv;
}

/** A running code-server with the extension installed and the folder open in headless Chromium. */
export interface CodeServerSession {
  page: Page;
  url: string;
  /** Everything code-server printed (for failure messages). */
  logs(): string;
  /** Opens a file (a path relative to the folder) with Quick Open and waits for its editor tab. */
  openFile(path: string): Promise<void>;
  /** Runs a command from the command palette by its title (as the palette lists it). */
  runCommand(title: string): Promise<void>;
  /** Saves a screenshot under test-artifacts/e2e/. */
  screenshot(name: string): Promise<string>;
  /** The text of the visible editor lines. */
  editorText(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Installs the .vsix into a fresh code-server profile (temp user-data, extensions and HOME), starts
 * code-server in its own process group on a free loopback port, and opens `folder` in Chromium.
 * The selectors follow ../shared/tools/code-server/README.md.
 */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServerSession> {
  const binary = ensureCodeServer();
  const base = mkdtempSync(join(tmpdir(), 'codex-code-server-'));
  const userData = join(base, 'user-data');
  const extensions = join(base, 'extensions');
  const home = join(base, 'home');
  for (const folder of [join(userData, 'User'), extensions, home]) mkdirSync(folder, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'workbench.tips.enabled': false,
    ...options.settings,
  }, null, 2));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share'), ...options.env };
  const install = spawnSync(binary, ['--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', options.vsix], { env, encoding: 'utf8', timeout: 120_000 });
  if (install.status !== 0) throw new Error(`installing ${options.vsix} failed:\n${install.stdout}\n${install.stderr}`);

  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(binary, [
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--user-data-dir', userData, '--extensions-dir', extensions, options.folder,
  ], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  let context: BrowserContext | undefined;
  const stop = async (): Promise<void> => {
    await context?.close().catch(() => undefined);
    // File watchers outlive the parent: end the whole process group.
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // Already gone.
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const healthy = await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
      if (healthy) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`code-server did not start:\n${output}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    }
    context = await chromium.launchPersistentContext(join(base, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(`${url}/?folder=${encodeURIComponent(options.folder)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    mkdirSync(ARTIFACTS, { recursive: true });

    const session: CodeServerSession = {
      page,
      url,
      logs: () => output,
      async openFile(path) {
        // Quick Open finds files in collapsed folders too; the row shows the base name.
        const name = path.split('/').pop()!;
        await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 30_000 });
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: 10_000 });
        await input.fill(path);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 });
        await page.keyboard.press('Enter');
        await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout: 30_000 });
      },
      async runCommand(title) {
        await page.keyboard.press('F1');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: 10_000 });
        await input.fill(`>${title}`);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
        await page.keyboard.press('Enter');
      },
      async screenshot(name) {
        const path = join(ARTIFACTS, `${name}.png`);
        await page.screenshot({ path });
        return path;
      },
      async editorText() {
        return (await page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
      },
      close: stop,
    };
    return session;
  } catch (error) {
    await stop();
    throw error;
  }
}
