import { createHash } from 'node:crypto';
import type { Queryable } from '../../server/registry/db/database';

/** A plugin version to put straight into the catalogue tables (the lifecycle tests do not depend on the publish route). */
export interface FixtureVersion {
  id: string;
  version: string;
  status?: 'active' | 'quarantined' | 'pending-approval' | 'deprecated' | 'yanked';
  dependencies?: Record<string, string>;
  engines?: Record<string, string>;
  configSchema?: Record<string, unknown>;
  migrations?: { version: number; name: string; up: string; down: string }[];
  permissions?: Record<string, unknown>;
  tools?: { name: string; description: string; inputSchema: Record<string, unknown>; outputSchema: Record<string, unknown> }[];
}

/**
 * Writes namespace, plugin, artifact and version rows for each fixture (existing namespaces and
 * plugins are kept), with a manifest that carries dependencies, engines, configSchema, migrations,
 * permissions and tools, exactly where the lifecycle reads them.
 */
export async function insertPluginVersions(db: Queryable, versions: readonly FixtureVersion[]): Promise<void> {
  for (const fixture of versions) {
    const [namespace, name] = fixture.id.split('/') as [string, string];
    const tools = fixture.tools ?? [{ name: 'run', description: 'Runs.', inputSchema: { type: 'object' }, outputSchema: { type: 'object' } }];
    const manifest = {
      id: fixture.id, version: fixture.version, kind: 'tool', title: name, description: `${fixture.id} for tests`, entry: 'index.js',
      tools, permissions: fixture.permissions ?? {}, dependencies: fixture.dependencies ?? {}, engines: fixture.engines ?? {},
      migrations: fixture.migrations ?? [], ...(fixture.configSchema ? { configSchema: fixture.configSchema } : {}),
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    const contentHash = createHash('sha256').update(bytes).digest('hex');
    const [major, minor, patch] = fixture.version.split('-')[0]!.split('.').map(Number) as [number, number, number];
    await db.query('INSERT INTO namespaces (name, created_by) VALUES ($1, $2) ON CONFLICT DO NOTHING', [namespace, 'fixture']);
    await db.query(
      `INSERT INTO plugins (id, namespace, name, normalized_name, kind, title, created_by, latest_version)
       VALUES ($1, $2, $3, $4, 'tool', $3, 'fixture', $5) ON CONFLICT (id) DO NOTHING`,
      [fixture.id, namespace, name, fixture.id.replace(/[^a-z0-9]/g, ''), fixture.version],
    );
    await db.query('INSERT INTO artifacts (integrity, bytes, size) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [integrity, bytes, bytes.length]);
    await db.query(
      `INSERT INTO plugin_versions (plugin_id, version, major, minor, patch, prerelease, manifest, tools, permissions, dependencies, config_schema, migrations,
                                    integrity, content_hash, signature, signing_key_id, status, published_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'fixture-signature', 'fixture-key', $15, 'fixture')`,
      [fixture.id, fixture.version, major, minor, patch, fixture.version.includes('-') ? fixture.version.slice(fixture.version.indexOf('-') + 1) : '',
        JSON.stringify(manifest), JSON.stringify(tools), JSON.stringify(manifest.permissions), JSON.stringify(manifest.dependencies),
        fixture.configSchema ? JSON.stringify(fixture.configSchema) : null, JSON.stringify(manifest.migrations), integrity, contentHash, fixture.status ?? 'active'],
    );
  }
}

let counter = 0;

/** A fresh namespace per test, so fixtures of different tests never collide. */
export function fixtureNamespace(prefix = 'lc'): string {
  counter += 1;
  return `@${prefix}${process.pid.toString(36)}${counter}`;
}
