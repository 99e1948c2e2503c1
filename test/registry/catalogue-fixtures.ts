import { createHash } from 'node:crypto';
import type { Database } from '../../server/registry/db/database';
import { integrityOf } from '../../server/registry/packages/plugin-package';
import type { SigningKey } from '../../server/registry/packages/signing';
import { createPublishService } from '../../server/registry/services/publish-service';

/** One synthetic plugin: enough of a manifest for the catalogue (its artifact is not a real tarball). */
export interface SyntheticPlugin {
  id: string;
  version?: string;
  kind: 'tool' | 'micro-app' | 'data-source' | 'visual-block';
  title: string;
  description: string;
  tags: string[];
}

/**
 * Publishes synthetic plugins fast, through the same journal path as a real publish
 * (`plugin.published` events and their applier), `batchSize` per transaction. The official
 * namespace is published by `system`, so it needs no approval.
 */
export async function publishSynthetic(db: Database, signingKey: SigningKey, plugins: readonly SyntheticPlugin[], batchSize = 500): Promise<void> {
  const publishing = createPublishService({ db, signingKey });
  for (let start = 0; start < plugins.length; start += batchSize) {
    await db.transaction(async (tx) => {
      for (const plugin of plugins.slice(start, start + batchSize)) {
        const manifest = {
          id: plugin.id, version: plugin.version ?? '1.0.0', kind: plugin.kind, title: plugin.title, description: plugin.description, tags: plugin.tags,
          entry: 'index.js', tools: [{ name: 'run', description: 'Runs.', inputSchema: { type: 'object' }, outputSchema: { type: 'object' } }],
        };
        const bytes = Buffer.from(`synthetic artifact of ${plugin.id}@${manifest.version}`);
        await publishing.recordPublication(tx, {
          manifest, bytes, integrity: integrityOf(bytes), contentHash: createHash('sha256').update(bytes).digest('hex'),
          publisher: plugin.id.startsWith('@codex/') ? { userId: 'system', role: 'system' } : { userId: 'bulk-publisher', role: 'developer' },
          skipDuplicateChecks: true,
        });
      }
    });
  }
}

const TOPICS = ['Weather forecast', 'Invoice parser', 'Chart painter', 'Note keeper', 'Text translator', 'Mail sender'];
const KINDS = ['tool', 'micro-app', 'data-source', 'visual-block'] as const;
const TAGS = ['alpha', 'beta', 'gamma'];

/** `count` varied synthetic plugins: topics for search, kinds, tags, and the first tenth official. */
export function syntheticCatalogue(count: number): SyntheticPlugin[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i < count / 10 ? `@codex/synthetic-${i}` : `@bulk/plugin-${i}`,
    kind: KINDS[i % KINDS.length]!,
    title: `${TOPICS[i % TOPICS.length]} ${i}`,
    description: i === 5 ? 'Herds zebracorns across dashboards.' : `Synthetic plugin number ${i} for ${TOPICS[i % TOPICS.length]!.toLowerCase()} workflows.`,
    tags: [TAGS[i % TAGS.length]!, ...(i % 10 === 0 ? ['featured'] : [])],
  }));
}
