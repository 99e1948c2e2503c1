import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packPluginDirectory, type PluginPackage } from '../../packages/plugin-package';

/**
 * Repacks a checked package under another id (a clone): the same files, with `id` in plugin.json
 * replaced. The deterministic packer gives the same bytes for the same files, so the clone's
 * integrity depends on its content only.
 */
export async function renamePackage(pkg: PluginPackage, newId: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'codex-clone-'));
  try {
    for (const [path, bytes] of pkg.files) {
      const target = join(dir, ...path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      if (path === 'plugin.json') {
        const manifest = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
        await writeFile(target, `${JSON.stringify({ ...manifest, id: newId }, null, 2)}\n`);
      } else {
        await writeFile(target, bytes);
      }
    }
    return await packPluginDirectory(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
