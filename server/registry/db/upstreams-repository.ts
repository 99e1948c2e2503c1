import type { UpstreamMode } from '../../../protocol/federation-api';
import type { Queryable } from './database';

/** An upstream registry as stored (migration 007). */
export interface UpstreamRecord {
  id: string;
  url: string;
  mode: UpstreamMode;
  include: string[];
  exclude: string[];
  tokenEnv: string | null;
  timeoutMs: number;
  failureThreshold: number;
  cooldownMs: number;
  signingKeyId: string;
  signingKeyPem: string;
  mirrorCursor: number;
  lastSyncedAt: string | null;
  createdBy: string;
  createdAt: string;
}

/** Where a local version was copied from. */
export interface ProvenanceRecord {
  pluginId: string;
  version: string;
  upstreamId: string;
  upstreamUrl: string;
  how: 'link' | 'mirror' | 'clone';
  sourcePluginId: string;
  sourceVersion: string;
  sourceIntegrity: string;
  sourceSignature: string;
  sourceKeyId: string;
  importedBy: string;
  importedAt: string;
}

interface UpstreamRow {
  id: string;
  url: string;
  mode: UpstreamMode;
  include: string[];
  exclude: string[];
  token_env: string | null;
  timeout_ms: number;
  failure_threshold: number;
  cooldown_ms: number;
  signing_key_id: string;
  signing_key_pem: string;
  mirror_cursor: string | number;
  last_synced_at: Date | string | null;
  created_by: string;
  created_at: Date | string;
}

const iso = (value: Date | string) => new Date(value).toISOString();

function toUpstream(row: UpstreamRow): UpstreamRecord {
  return {
    id: row.id, url: row.url, mode: row.mode, include: row.include, exclude: row.exclude, tokenEnv: row.token_env,
    timeoutMs: row.timeout_ms, failureThreshold: row.failure_threshold, cooldownMs: row.cooldown_ms,
    signingKeyId: row.signing_key_id, signingKeyPem: row.signing_key_pem, mirrorCursor: Number(row.mirror_cursor),
    lastSyncedAt: row.last_synced_at === null ? null : iso(row.last_synced_at), createdBy: row.created_by, createdAt: iso(row.created_at),
  };
}

/**
 * Queries of federation: the upstreams table, the provenance of copied versions, and the two
 * provenance columns federation owns on other aggregates (plugins.origin / plugins.forked_from and
 * install_targets.cloned_from), which nothing else writes.
 */
export function createUpstreamsRepository(db: Queryable) {
  return {
    async list(tx: Queryable = db): Promise<UpstreamRecord[]> {
      const result = await tx.query<UpstreamRow>('SELECT * FROM upstreams ORDER BY created_at, id');
      return result.rows.map(toUpstream);
    },

    async get(id: string, tx: Queryable = db): Promise<UpstreamRecord | undefined> {
      const result = await tx.query<UpstreamRow>('SELECT * FROM upstreams WHERE id = $1', [id]);
      return result.rows[0] ? toUpstream(result.rows[0]) : undefined;
    },

    async insert(tx: Queryable, upstream: Omit<UpstreamRecord, 'mirrorCursor' | 'lastSyncedAt'>): Promise<void> {
      await tx.query(
        `INSERT INTO upstreams (id, url, mode, include, exclude, token_env, timeout_ms, failure_threshold, cooldown_ms, signing_key_id, signing_key_pem, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [upstream.id, upstream.url, upstream.mode, upstream.include, upstream.exclude, upstream.tokenEnv, upstream.timeoutMs, upstream.failureThreshold,
          upstream.cooldownMs, upstream.signingKeyId, upstream.signingKeyPem, upstream.createdBy, upstream.createdAt],
      );
    },

    async delete(tx: Queryable, id: string): Promise<void> {
      await tx.query('DELETE FROM upstreams WHERE id = $1', [id]);
    },

    /** Records how far a mirror sync got; the cursor never moves back. */
    async setCursor(tx: Queryable, id: string, cursor: number, at: string): Promise<void> {
      await tx.query('UPDATE upstreams SET mirror_cursor = GREATEST(mirror_cursor, $2), last_synced_at = $3 WHERE id = $1', [id, cursor, at]);
    },

    async insertProvenance(tx: Queryable, record: ProvenanceRecord): Promise<void> {
      await tx.query(
        `INSERT INTO federated_versions (plugin_id, version, upstream_id, upstream_url, how, source_plugin_id, source_version, source_integrity, source_signature, source_key_id, imported_by, imported_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [record.pluginId, record.version, record.upstreamId, record.upstreamUrl, record.how, record.sourcePluginId, record.sourceVersion,
          record.sourceIntegrity, record.sourceSignature, record.sourceKeyId, record.importedBy, record.importedAt],
      );
    },

    async provenance(pluginId: string, version: string, tx: Queryable = db): Promise<ProvenanceRecord | undefined> {
      const result = await tx.query<Record<string, string | Date>>('SELECT * FROM federated_versions WHERE plugin_id = $1 AND version = $2', [pluginId, version]);
      const row = result.rows[0];
      if (!row) return undefined;
      return {
        pluginId: row.plugin_id as string, version: row.version as string, upstreamId: row.upstream_id as string, upstreamUrl: row.upstream_url as string,
        how: row.how as ProvenanceRecord['how'], sourcePluginId: row.source_plugin_id as string, sourceVersion: row.source_version as string,
        sourceIntegrity: row.source_integrity as string, sourceSignature: row.source_signature as string, sourceKeyId: row.source_key_id as string,
        importedBy: row.imported_by as string, importedAt: iso(row.imported_at as string),
      };
    },

    /** Marks a plugin as coming from elsewhere (`origin`) and/or as a copy of another plugin (`forkedFrom`); null leaves a column as it is. */
    async setPluginProvenance(tx: Queryable, pluginId: string, origin: string | null, forkedFrom: string | null): Promise<void> {
      await tx.query('UPDATE plugins SET origin = COALESCE($2, origin), forked_from = COALESCE($3, forked_from) WHERE id = $1', [pluginId, origin, forkedFrom]);
    },

    /** The origin and forked_from of some plugins (those without either are left out). */
    async pluginProvenance(ids: readonly string[], tx: Queryable = db): Promise<Map<string, { origin: string | null; forkedFrom: string | null }>> {
      if (ids.length === 0) return new Map();
      const result = await tx.query<{ id: string; origin: string | null; forked_from: string | null }>(
        'SELECT id, origin, forked_from FROM plugins WHERE id = ANY($1) AND (origin IS NOT NULL OR forked_from IS NOT NULL)', [[...ids]]);
      return new Map(result.rows.map((row) => [row.id, { origin: row.origin, forkedFrom: row.forked_from }]));
    },

    /** Which of these ids are plugins here. */
    async existingPlugins(ids: readonly string[], tx: Queryable = db): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const result = await tx.query<{ id: string }>('SELECT id FROM plugins WHERE id = ANY($1)', [[...ids]]);
      return new Set(result.rows.map((row) => row.id));
    },

    async setTargetClonedFrom(tx: Queryable, targetId: string, from: string): Promise<void> {
      await tx.query('UPDATE install_targets SET cloned_from = $2 WHERE id = $1', [targetId, from]);
    },
  };
}

export type UpstreamsRepository = ReturnType<typeof createUpstreamsRepository>;
