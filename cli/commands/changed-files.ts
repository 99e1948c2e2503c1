import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

function git(root: string, args: string[]): string | undefined {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.trim();
}

/** The files a `--changed` check covers, and how they were found (shown to the user). */
export interface ChangedFiles {
  /** Absolute paths; `undefined` means "no git: check everything". */
  files: string[] | undefined;
  basis: string;
}

/**
 * Files changed since the merge base with origin/main (or main): committed, staged, unstaged and
 * untracked. Without a remote or main branch it falls back to the uncommitted changes; outside a git
 * repository, to the whole project.
 */
export function changedFiles(root: string): ChangedFiles {
  const top = git(root, ['rev-parse', '--show-toplevel']);
  if (!top) return { files: undefined, basis: 'not a git repository: checking every file' };
  let base: string | undefined;
  let basis = 'uncommitted changes (no origin/main or main to compare with)';
  for (const branch of ['origin/main', 'main', 'origin/master', 'master']) {
    const found = git(root, ['merge-base', 'HEAD', branch]);
    if (found) {
      base = found;
      basis = `changes since the merge base with ${branch} (${found.slice(0, 8)})`;
      break;
    }
  }
  const listed = new Set<string>();
  const diff = git(root, ['diff', '--name-only', '--diff-filter=ACMR', base ?? 'HEAD']) ?? '';
  const untracked = git(root, ['ls-files', '--others', '--exclude-standard']) ?? '';
  for (const line of `${diff}\n${untracked}`.split('\n')) if (line.trim()) listed.add(resolve(top, line.trim()));
  return { files: [...listed], basis };
}
