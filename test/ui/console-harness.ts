import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Role } from '../../protocol/roles';
import { packPluginDirectory } from '../../server/registry/packages/plugin-package';
import { packageRoot } from '../../server/registry/package-root';
import { startTestRegistry, type TestRegistry } from '../support/test-app';
import { testDatabaseKinds } from '../support/test-databases';

/** Where the browser tests leave their screenshots (git-ignored). */
export const ARTIFACTS = join(packageRoot(), 'test-artifacts', 'ui');
/** The screenshots the README shows (committed). */
export const DOC_SCREENSHOTS = join(packageRoot(), 'docs', 'screenshots');

/** Chromium flags that work on these machines (see /work/shared/STACK.md). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Builds the browser bundle the console serves (the same step as scripts/build.mjs). Files are
 * written under temporary names and renamed, so test files building in parallel never serve a
 * half-written bundle.
 */
export async function buildWebviewBundle(): Promise<void> {
  const root = packageRoot();
  const result = await build({
    write: false,
    entryPoints: [join(root, 'webview/src/main.ts')],
    outfile: join(root, 'dist/webview/main.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  });
  mkdirSync(join(root, 'dist/webview'), { recursive: true });
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

/** A registry listening on a free port, a browser, and helpers for signing in as a role. */
export interface ConsoleHarness {
  registry: TestRegistry;
  url: string;
  browser: Browser;
  /** Messages the pages logged that show a broken page (CSP violations, uncaught errors). */
  problems: string[];
  /** A fresh browser context signed in as `role` through the sign-in form. */
  signIn(role: Role, userId?: string): Promise<{ context: BrowserContext; page: Page }>;
  /** Publishes a plugin folder written from `files` through the real publish route. */
  publish(files: Record<string, string>, role?: Role): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Starts the registry (PGlite, sample catalogue seeded) on 127.0.0.1 and launches headless Chromium. */
export async function startConsoleHarness(): Promise<ConsoleHarness> {
  await buildWebviewBundle();
  const registry = await startTestRegistry(testDatabaseKinds()[0]!);
  const address = await registry.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  mkdirSync(ARTIFACTS, { recursive: true });

  return {
    registry,
    url: address,
    browser,
    problems,
    async signIn(role, userId) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (message) => {
        const text = message.text();
        if (message.type() === 'error' && !text.includes('the server responded with a status of 404')) problems.push(text);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      await page.goto(`${address}/`);
      const { authorization } = await registry.as(role, userId);
      await page.getByLabel('Token').fill((authorization ?? '').replace(/^Bearer /, ''));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Plugin Codex' }).waitFor();
      return { context, page };
    },
    async publish(files, role = 'super-admin') {
      const dir = mkdtempSync(join(tmpdir(), 'ui-plugin-'));
      for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
      const bytes = await packPluginDirectory(dir);
      const response = await registry.app.inject({
        method: 'POST', url: '/api/plugins/publish', payload: bytes,
        headers: { ...(await registry.as(role)), 'content-type': 'application/gzip' },
      });
      return { status: response.statusCode, body: response.json() };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await registry.close();
    },
  };
}
