// Every ```sh runnable block of the guides (docs/guides/, stitched into the generated READMEs) and of
// the sample plugins' READMEs runs with bash against a real registry listening on a loopback port,
// so a wrong curl or CLI example fails here instead of in a reader's terminal.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODEX_GUIDES, MARKETPLACE_GUIDES } from '../../scripts/docs/generate';
import { startTestRegistry, type TestRegistry } from '../support/test-app';
import { testDatabaseKinds } from '../support/test-databases';

const root = join(import.meta.dirname, '../..');

/** One fenced block of a Markdown file. */
interface Block {
  file: string;
  line: number;
  info: string;
  code: string;
}

function fencedBlocks(file: string): Block[] {
  const blocks: Block[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let index = 0; index < lines.length; index++) {
    const open = /^```(\S.*)?$/.exec(lines[index]!);
    if (!open) continue;
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !lines[index]!.startsWith('```'); index++) body.push(lines[index]!);
    blocks.push({ file: relative(root, file), line: start + 1, info: (open[1] ?? '').trim(), code: body.join('\n') });
  }
  return blocks;
}

function sampleReadmes(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(join(dir, entry.name));
      else if (entry.name === 'README.md') found.push(join(dir, entry.name));
    }
  };
  walk(join(root, 'samples'));
  return found;
}

/** Runs a script with bash (asynchronously: the registry answers from this same process). */
function runBash(code: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-euo', 'pipefail', '-c', code], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The files whose examples run, in reading order (later guides may use what earlier ones made). */
const files = [
  ...[...new Set([...MARKETPLACE_GUIDES, ...CODEX_GUIDES])].map((name) => join(root, 'docs/guides', `${name}.md`)),
  ...sampleReadmes(),
];
const isShell = (info: string): boolean => /^(sh|bash|shell)\b/.test(info);
const isRunnable = (info: string): boolean => isShell(info) && info.split(/\s+/).includes('runnable');

describe('docs examples', () => {
  it('marks every shell block that calls the registry or the CLI as runnable', () => {
    const unmarked = files.flatMap(fencedBlocks)
      .filter((block) => isShell(block.info) && !isRunnable(block.info) && /\bcurl\b|\bplugin-codex\b/.test(block.code))
      .filter((block) => !/^(sh|bash|shell) (?:.* )?setup\b/.test(block.info))
      .map((block) => `${block.file}:${block.line}`);
    expect(unmarked, 'these shell blocks call curl or plugin-codex without "runnable" (add it, or mark a start-up step "sh setup")').toEqual([]);
  });

  describe('run against a registry', () => {
    let registry: TestRegistry;
    let env: NodeJS.ProcessEnv;
    let work: string;

    beforeAll(async () => {
      registry = await startTestRegistry(testDatabaseKinds()[0]!);
      const address = await registry.app.listen({ host: '127.0.0.1', port: 0 });
      const token = (await registry.as('super-admin', 'docs-admin')).authorization!.replace(/^Bearer /, '');
      work = mkdtempSync(join(tmpdir(), 'plugin-codex-docs-examples-'));
      symlinkSync(join(root, 'samples'), join(work, 'samples'));
      // `plugin-codex` on the PATH runs this checkout's CLI, as `npm install -g` would.
      const bin = join(work, '.bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'plugin-codex'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin/plugin-codex.js')}" "$@"\n`);
      chmodSync(join(bin, 'plugin-codex'), 0o755);
      // curl as written, except that an HTTP error's body is printed too, so a failure shows why.
      const curl = spawnSync('bash', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim();
      writeFileSync(join(bin, 'curl'), `#!/bin/bash\nargs=()\nfor a in "$@"; do if [[ $a == -s*f* ]]; then args+=("\${a/f/}" --fail-with-body); else args+=("$a"); fi; done\nexec "${curl}" "\${args[@]}"\n`);
      chmodSync(join(bin, 'curl'), 0o755);
      env = {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        HOME: work,
        REGISTRY: address,
        TOKEN: token,
        PLUGIN_CODEX_REGISTRY_URL: address,
        PLUGIN_CODEX_TOKEN: token,
        // The CLI signs tokens with the registry's secret; its own database (db commands) is a
        // separate PGlite in the work folder, as on a machine next to the registry.
        JWT_SECRET: registry.config.jwtSecret,
        PLUGIN_CODEX_DATA_DIR: join(work, 'cli-data'),
        LOG_LEVEL: 'silent',
      };
    });

    afterAll(async () => {
      await registry?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    for (const file of files) {
      const blocks = fencedBlocks(file).filter((block) => isRunnable(block.info));
      if (blocks.length === 0) continue;
      it(`runs the examples of ${relative(root, file)}`, async () => {
        for (const block of blocks) {
          const result = await runBash(block.code, work, env);
          const where = `${block.file}:${block.line}`;
          expect(result.status, `example at ${where} failed (exit ${result.status}).\n--- script\n${block.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`).toBe(0);
        }
      }, 300_000);
    }
  });
});
