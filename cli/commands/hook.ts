import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

const MARK = '# installed by plugin-codex hook install';

/** The pre-push hook: checks the files changed since the merge base and blocks the push on errors. */
export function prePushScript(): string {
  return [
    '#!/bin/sh',
    MARK,
    '# Checks the files changed since the merge base with origin/main; skip once with `git push --no-verify`.',
    'if [ -x ./node_modules/.bin/plugin-codex ]; then',
    '  exec ./node_modules/.bin/plugin-codex check --changed --max-severity error',
    'fi',
    'exec npx --no-install plugin-codex check --changed --max-severity error',
    '',
  ].join('\n');
}

/** Installs the pre-push hook of the repository at `root`; returns the hook's path. */
export function installHook(root: string, force: boolean): string {
  const result = spawnSync('git', ['rev-parse', '--git-path', 'hooks'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${root} is not inside a git repository`);
  const hooks = result.stdout.trim();
  const folder = isAbsolute(hooks) ? hooks : resolve(root, hooks);
  const path = join(folder, 'pre-push');
  if (existsSync(path) && !readFileSync(path, 'utf8').includes(MARK) && !force) {
    throw new Error(`${path} already exists and was not written by plugin-codex; pass --force to replace it`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, prePushScript());
  chmodSync(path, 0o755);
  return path;
}

/** Registers `plugin-codex hook install`. */
export function registerHookCommand(program: Command): void {
  const hook = program.command('hook').description('git hooks');
  hook
    .command('install')
    .description('install a pre-push hook that runs `plugin-codex check --changed`')
    .option('--force', 'replace an existing pre-push hook')
    .option('--root <folder>', 'the repository', process.cwd())
    .action((options: { force?: boolean; root: string }) => {
      try {
        const path = installHook(resolve(options.root), Boolean(options.force));
        console.log(`installed ${path}`);
      } catch (error) {
        console.error(`plugin-codex hook install: ${(error as Error).message}`);
        process.exitCode = 2;
      }
    });
}
