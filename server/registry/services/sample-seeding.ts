import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sampleDirectories } from '../../../samples/index';
import type { ManagedDatabase } from '../db/managed-database';
import { createPluginsRepository } from '../db/plugins-repository';
import { CodexError } from '../errors';
import { packPluginDirectory, readPluginPackage } from '../packages/plugin-package';
import { createPublishService, SYSTEM_ACTOR } from './publish-service';
import type { SigningKey } from '../packages/signing';

/** What seeding did. */
export interface SeedReport {
  published: string[];
  skipped: { id: string; reason: string }[];
}

/** Packed samples by folder: packing is deterministic, so one process packs each sample once. */
const packed = new Map<string, Promise<Buffer>>();

/**
 * Publishes every sample plugin (samples/, in dependency order) as an official, active version by
 * the actor `system`. Idempotent: versions already published are skipped, and a database that is
 * not ready (unreachable, or newer than the code) is left alone. Never throws: a sample that cannot
 * be published is reported and logged, and the registry starts anyway.
 */
export async function seedSampleCatalogue(
  deps: { database: ManagedDatabase; signingKey: SigningKey },
  log: { info(details: object, message: string): void; warn(details: object, message: string): void },
  directories: readonly string[] = sampleDirectories(),
): Promise<SeedReport> {
  const report: SeedReport = { published: [], skipped: [] };
  if (deps.database.state().phase !== 'ready') return report;
  const db = deps.database.db;
  const plugins = createPluginsRepository(db);
  const publishing = createPublishService({ db, signingKey: deps.signingKey });
  for (const dir of directories) {
    let id = dir;
    try {
      const manifest = JSON.parse(await readFile(join(dir, 'plugin.json'), 'utf8')) as { id: string; version: string };
      id = `${manifest.id}@${manifest.version}`;
      if (await plugins.findVersion(manifest.id, manifest.version)) continue;
      if (!packed.has(dir)) packed.set(dir, packPluginDirectory(dir));
      const bytes = await packed.get(dir)!;
      const pkg = await readPluginPackage(bytes);
      await db.transaction((tx) => publishing.recordPublication(tx, {
        manifest: pkg.manifest, bytes, integrity: pkg.integrity, contentHash: pkg.contentHash, publisher: { userId: SYSTEM_ACTOR, role: 'system' },
      }));
      report.published.push(id);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      report.skipped.push({ id, reason });
      if (!(error instanceof CodexError && error.statusCode === 409)) log.warn({ sample: id, error: reason }, 'a sample plugin could not be seeded');
    }
  }
  if (report.published.length > 0) log.info({ published: report.published }, 'seeded the official sample plugins');
  return report;
}
