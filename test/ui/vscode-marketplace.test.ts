// The marketplace panel inside a real VS Code (code-server 4.100.3 in Chromium), against a registry
// running in this test: sign in with the extension's command, open the marketplace webview, install
// a sample plugin through the plan dialog, and see it in the "Plugins" tree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageVsix, startCodeServer, type CodeServerSession } from '../e2e/support/code-server';
import { ARTIFACTS, startConsoleHarness, type ConsoleHarness } from './console-harness';

let harness: ConsoleHarness;
let session: CodeServerSession;
let base: string;

beforeAll(async () => {
  harness = await startConsoleHarness();
  base = mkdtempSync(join(tmpdir(), 'codex-ui-vscode-'));
  const folder = join(base, 'project');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'README.md'), '# A project\n');
  session = await startCodeServer({ vsix: packageVsix(base), folder, settings: { 'pluginCodex.registry.url': harness.url } });
}, 400_000);

afterAll(async () => {
  await session?.close();
  await harness?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

/** The webview frame that shows `selector` (webviews sit in nested iframes). */
async function webviewFrame(page: Page, selector: string): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs a palette command, retrying while the workbench has not registered the extension's contributions yet. */
async function runCommand(title: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await session.runCommand(title);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await session.page.keyboard.press('Escape');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

describe('the marketplace panel in VS Code', () => {
  it('signs in, opens the marketplace and installs a sample plugin with its plan', async () => {
    const { page } = session;
    try {
      const { authorization } = await harness.registry.as('super-admin', 'admin');
      await runCommand('Plugin Codex: Sign In to a Registry');
      const input = page.locator('.quick-input-widget input');
      await expect.poll(() => input.inputValue(), { timeout: 30_000 }).toBe(harness.url);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('.quick-input-widget').textContent(), { timeout: 30_000 }).toContain('API token or JWT');
      await input.fill((authorization ?? '').replace(/^Bearer /, ''));
      await page.keyboard.press('Enter');
      await page.locator('.notifications-toasts', { hasText: `Signed in to ${harness.url}` }).waitFor({ timeout: 30_000 });

      await runCommand('Plugin Codex: Open Marketplace');
      const frame = await webviewFrame(page, 'codex-marketplace-view');
      const card = frame.getByRole('listitem', { name: 'Text statistics (@codex/text-stats)' });
      await card.waitFor({ timeout: 30_000 });
      await session.screenshot('ui-vscode-marketplace');
      await card.getByRole('button', { name: 'Install' }).click();
      const dialog = frame.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Confirm install' }).waitFor({ timeout: 30_000 });
      expect(await dialog.textContent()).toContain('Version: not installed → 1.0.0');
      await dialog.getByRole('button', { name: 'Confirm install' }).click();
      await expect.poll(() => dialog.getByRole('status').textContent(), { timeout: 30_000 }).toBe('Install succeeded');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => card.locator('[data-state=installed]').textContent()).toBe('installed 1.0.0');

      // The panel told the host, which refreshed the "Plugins" tree in the Explorer.
      await page.locator('.pane-header', { hasText: 'Plugins' }).first().click().catch(() => undefined);
      await page.locator('.monaco-list-row', { hasText: '@codex/text-stats' }).first().waitFor({ timeout: 30_000 });
      await session.screenshot('ui-vscode-installed');

      // A visual block's details show its preview in the registry's sandboxed frame inside the webview.
      await runCommand('Plugin Codex: Show Plugin Details');
      await input.fill('@codex/sparkline-block');
      await page.keyboard.press('Enter');
      const details = await webviewFrame(page, 'codex-plugin-details');
      await details.locator('header h1').filter({ hasText: 'Sparkline block' }).waitFor({ timeout: 30_000 });
      const preview = await webviewFrame(page, '#codex-preview-root[data-state=ready]');
      expect(await preview.locator('codex-sparkline-block polyline').getAttribute('points')).toMatch(/\d/);
      await session.screenshot('ui-vscode-details');

      const installed = await harness.registry.app.inject({ method: 'GET', url: '/api/plugins/installed?target=default', headers: await harness.registry.as('super-admin') });
      expect(installed.json().items.map((item: { pluginId: string; installedBy: string }) => [item.pluginId, item.installedBy])).toEqual([['@codex/text-stats', 'admin']]);
    } catch (error) {
      await session.screenshot('ui-vscode-failure').catch(() => undefined);
      throw new Error(`${(error as Error).message}\nscreenshots in ${ARTIFACTS}/../e2e\n--- code-server log ---\n${session.logs().slice(-3000)}`);
    }
  });
});
