import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder of the plugin-codex package (where migrations/, samples/ and dist/ live), found by
 * walking up from this module: it works from the TypeScript sources, the CLI bundle in dist/ and an
 * installed .vsix alike.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'plugin-codex') {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the plugin-codex package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}
