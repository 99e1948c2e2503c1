import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageVsix, startCodeServer, type CodeServerSession } from './support/code-server';

/** A small project with known problems: fixable lint (prefer-const, no-var) and a type error. */
const ORDER = [
  'export function describeOrder(count: number): string {',
  '  let label = `order of ${count}`;',
  '  var unit = "items";',
  '  const total: number = "forty-two";',
  '  return `${label} ${unit} ${total}`;',
  '}',
  '',
].join('\n');

describe('the extension in a real VS Code (code-server 4.100.3 in Chromium)', () => {
  let base: string;
  let session: CodeServerSession;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'codex-e2e-'));
    const folder = join(base, 'shop');
    mkdirSync(join(folder, 'src'), { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', type: 'module', main: 'src/order.ts' }));
    writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', noEmit: true }, include: ['src'] }));
    writeFileSync(join(folder, 'src/order.ts'), ORDER);
    const vsix = packageVsix(base);
    session = await startCodeServer({ vsix, folder });
  }, 300_000);

  afterAll(async () => {
    await session?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('shows codex findings in the Problems panel, applies a quick fix, fixes all, and shows the status bar', async () => {
    const { page } = session;
    try {
      await session.openFile('src/order.ts');
      // The status bar item appears once the extension is active and the server reported.
      const status = page.locator('.statusbar-item', { hasText: 'Codex:' }).first();
      await status.waitFor({ timeout: 60_000 });

      await session.runCommand('Problems: Focus on Problems View');
      const problems = page.locator('.markers-panel');
      await problems.getByText('is never reassigned', { exact: false }).first().waitFor({ timeout: 60_000 });
      await problems.getByText("Type 'string' is not assignable to type 'number'", { exact: false }).first().waitFor({ timeout: 60_000 });
      await expect.poll(async () => status.innerText(), { timeout: 30_000 }).toMatch(/Codex: \d+ findings?/);
      await session.screenshot('01-problems');

      // Quick fix: put the cursor on `let label` and open the light bulb menu.
      await problems.locator('.monaco-list-row', { hasText: 'is never reassigned' }).first().click();
      await session.runCommand('Go to Line/Column...');
      await page.keyboard.type('2:8');
      await page.keyboard.press('Enter');
      // VS Code cancels a code-action request when the file's diagnostics are republished meanwhile
      // (the deep layer finishing late on a loaded machine) and then shows "No code actions
      // available"; a person asks again, and so does the test (three times at most).
      const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'prefer-const' }).first();
      for (let attempt = 1; ; attempt++) {
        await session.runCommand('Quick Fix...');
        try {
          await fix.waitFor({ timeout: 10_000 });
          break;
        } catch (error) {
          if (attempt === 3) throw error;
          await page.keyboard.press('Escape');
          await page.waitForTimeout(1_000);
        }
      }
      await session.screenshot('02-quick-fix-menu');
      // The menu opens with its first entry, the codex quick fix, focused (a click is intercepted by the menu's pointer block).
      await expect.poll(async () => page.locator('.action-widget .monaco-list-row.focused').first().innerText(), { timeout: 10_000 }).toContain('prefer-const');
      await page.keyboard.press('Enter');
      await expect.poll(() => session.editorText(), { timeout: 30_000 }).toContain('const label');

      // Fix all: `var unit` becomes `let unit`, then `const unit`.
      await session.runCommand('Plugin Codex: Fix All Trivial Problems');
      await expect.poll(() => session.editorText(), { timeout: 30_000 }).toContain('const unit');
      await problems.getByText('Unexpected var', { exact: false }).first().waitFor({ state: 'detached', timeout: 60_000 });
      // Only the type error is left.
      await expect.poll(async () => status.innerText(), { timeout: 30_000 }).toMatch(/Codex: 1 finding$/);
      await session.screenshot('03-after-fix-all');
    } catch (error) {
      await session.screenshot('failure').catch(() => undefined);
      throw new Error(`${(error as Error).message}\n--- code-server output ---\n${session.logs().slice(-4000)}`);
    }
  }, 180_000);
});
