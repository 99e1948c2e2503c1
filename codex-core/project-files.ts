import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Extensions the codex analyses. */
export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'build', 'out', 'coverage', 'test-artifacts']);

/** True for the files the codex analyses: sources, not declaration files. */
export function isSourceFile(path: string): boolean {
  if (/\.d\.[cm]?ts$/.test(path)) return false;
  return SOURCE_EXTENSIONS.some((extension) => path.endsWith(extension));
}

/** `path` relative to `root`, with `/` separators. */
export function relativePath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/**
 * Lists the files below `root` whose names pass `accept`, skipping node_modules, build output, dot
 * folders and the `ignore` prefixes. Sorted, so reports are stable.
 */
export function walkFiles(root: string, accept: (path: string) => boolean, ignore: readonly string[] = []): string[] {
  const found: string[] = [];
  const visit = (folder: string): void => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      const rel = relativePath(root, path);
      if (ignore.some((prefix) => rel === prefix || rel.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))) continue;
      if (entry.isDirectory()) {
        if (entry.name.startsWith('.') || SKIPPED_FOLDERS.has(entry.name)) continue;
        visit(path);
      } else if (entry.isFile() && accept(path)) {
        found.push(path);
      }
    }
  };
  visit(root);
  return found.sort();
}
