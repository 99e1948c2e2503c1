import type { ListSort, PluginListItem, PluginTier, PluginVersionSummary, Review, VersionStatus } from '../../../protocol/marketplace-api';
import type { Queryable } from './database';

/** A plugin row as the services use it. */
export interface PluginRecord {
  id: string;
  namespace: string;
  name: string;
  normalizedName: string;
  kind: string;
  tier: PluginTier;
  title: string;
  description: string;
  tags: string[];
  latestVersion: string | null;
  recommended: boolean;
  deprecated: boolean;
  replacement: string | null;
  installs: number;
  rating: number | null;
  ratingCount: number;
  trending: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A version row, manifest included. */
export interface VersionRecord extends PluginVersionSummary {
  pluginId: string;
  manifest: Record<string, unknown>;
  tools: Record<string, unknown>[];
  permissions: Record<string, unknown>;
  dependencies: Record<string, string>;
  configSchema: Record<string, unknown> | null;
  contentHash: string;
  publisherSignature: string | null;
}

/** What the `plugin.published` applier writes for a new version. */
export interface VersionInsert {
  pluginId: string;
  version: string;
  manifest: Record<string, unknown>;
  integrity: string;
  contentHash: string;
  signature: string;
  signingKeyId: string;
  publisherSignature: string | null;
  status: VersionStatus;
  statusReason: string | null;
  publishedBy: string;
  publishedAt: string;
}

/** The filters and position of one catalogue page. */
export interface ListFilter {
  /** A to_tsquery expression built from sanitised words (see catalogue-service.ts). */
  tsquery?: string;
  kind?: string;
  tier?: string;
  tag?: string;
  recommended?: boolean;
  sort: ListSort;
  limit: number;
  after?: { key: string; id: string };
}

/** A listed plugin with the text of its sort key (for the cursor). */
export interface ListRow extends PluginListItem {
  sortKey: string;
}

interface PluginRow {
  id: string;
  namespace: string;
  name: string;
  normalized_name: string;
  kind: string;
  tier: PluginTier;
  title: string;
  description: string;
  tags: string[];
  latest_version: string | null;
  recommended: boolean;
  deprecated: boolean;
  replacement: string | null;
  installs_count: string | number;
  rating_sum: string | number;
  rating_count: string | number;
  trending: number | string | null;
  created_by: string;
  created_at: Date | string;
  updated_at: Date | string;
}

interface VersionRow {
  plugin_id: string;
  version: string;
  manifest: Record<string, unknown>;
  tools: Record<string, unknown>[];
  permissions: Record<string, unknown>;
  dependencies: Record<string, string>;
  config_schema: Record<string, unknown> | null;
  integrity: string;
  content_hash: string;
  signature: string;
  signing_key_id: string;
  publisher_signature: string | null;
  status: VersionStatus;
  status_reason: string | null;
  published_by: string;
  published_at: Date | string;
}

const iso = (value: Date | string) => new Date(value).toISOString();
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The decayed trending value for today, from the order-preserving `trending_raw`. */
const TRENDING_SQL = "(trending_raw * power(2::double precision, -((current_date - DATE '2024-01-01') / 7.0)))";
const PLUGIN_COLUMNS = `id, namespace, name, normalized_name, kind, tier, title, description, tags, latest_version, recommended, deprecated,
  replacement, installs_count, rating_sum, rating_count, ${TRENDING_SQL} AS trending, created_by, created_at, updated_at`;

function toPlugin(row: PluginRow): PluginRecord {
  const ratingCount = Number(row.rating_count);
  return {
    id: row.id,
    namespace: row.namespace,
    name: row.name,
    normalizedName: row.normalized_name,
    kind: row.kind,
    tier: row.tier,
    title: row.title,
    description: row.description,
    tags: row.tags,
    latestVersion: row.latest_version,
    recommended: row.recommended,
    deprecated: row.deprecated,
    replacement: row.replacement,
    installs: Number(row.installs_count),
    rating: ratingCount > 0 ? round(Number(row.rating_sum) / ratingCount, 2) : null,
    ratingCount,
    trending: round(Number(row.trending ?? 0)),
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function toVersion(row: VersionRow): VersionRecord {
  return {
    pluginId: row.plugin_id,
    version: row.version,
    status: row.status,
    statusReason: row.status_reason,
    integrity: row.integrity,
    signature: row.signature,
    signingKeyId: row.signing_key_id,
    publishedBy: row.published_by,
    publishedAt: iso(row.published_at),
    manifest: row.manifest,
    tools: row.tools,
    permissions: row.permissions,
    dependencies: row.dependencies,
    configSchema: row.config_schema,
    contentHash: row.content_hash,
    publisherSignature: row.publisher_signature,
  };
}

/** The sort key expression and its SQL type, per sort (relevance with a query ranks the matches). */
function sortKey(sort: ListSort, hasQuery: boolean): { expr: string; type: string } {
  switch (sort) {
    case 'relevance':
      return hasQuery
        ? { expr: "(ts_rank('{0.1, 0.2, 0.4, 1.0}', p.search_vector, tq.query)::double precision * p.trust_score)", type: 'double precision' }
        : { expr: 'p.trust_score', type: 'double precision' };
    case 'trending':
      return { expr: 'p.trending_raw', type: 'double precision' };
    case 'installs':
      return { expr: 'p.installs_count', type: 'bigint' };
    case 'rating':
      return { expr: 'p.rating_avg', type: 'double precision' };
    case 'updated':
      return { expr: 'p.updated_at', type: 'timestamptz' };
  }
}

/** Queries of plugins, versions, artifacts, namespaces and reviews (the catalogue aggregate). */
export function createPluginsRepository(db: Queryable) {
  return {
    /** Serialises publishes, so the duplicate checks and the insert see the same catalogue. */
    async lockPublishing(tx: Queryable): Promise<void> {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('plugin-codex.publish:' || current_schema()))");
    },

    async findNamespace(name: string, tx: Queryable = db): Promise<{ name: string; createdBy: string } | undefined> {
      const result = await tx.query<{ name: string; created_by: string }>('SELECT name, created_by FROM namespaces WHERE name = $1', [name]);
      const row = result.rows[0];
      return row ? { name: row.name, createdBy: row.created_by } : undefined;
    },

    async findPlugin(id: string, tx: Queryable = db): Promise<PluginRecord | undefined> {
      const result = await tx.query<PluginRow>(`SELECT ${PLUGIN_COLUMNS} FROM plugins WHERE id = $1`, [id]);
      return result.rows[0] ? toPlugin(result.rows[0]) : undefined;
    },

    /** Every plugin id (the typosquatting guard compares a new id with all of them). */
    async allPluginIds(tx: Queryable = db): Promise<string[]> {
      const result = await tx.query<{ id: string }>('SELECT id FROM plugins');
      return result.rows.map((row) => row.id);
    },

    async findByNormalizedName(normalizedName: string, tx: Queryable = db): Promise<string | undefined> {
      const result = await tx.query<{ id: string }>('SELECT id FROM plugins WHERE normalized_name = $1 ORDER BY id LIMIT 1', [normalizedName]);
      return result.rows[0]?.id;
    },

    async findVersion(pluginId: string, version: string, tx: Queryable = db): Promise<VersionRecord | undefined> {
      const result = await tx.query<VersionRow>('SELECT * FROM plugin_versions WHERE plugin_id = $1 AND version = $2', [pluginId, version]);
      return result.rows[0] ? toVersion(result.rows[0]) : undefined;
    },

    async findVersionByContentHash(contentHash: string, tx: Queryable = db): Promise<{ pluginId: string; version: string } | undefined> {
      const result = await tx.query<{ plugin_id: string; version: string }>(
        'SELECT plugin_id, version FROM plugin_versions WHERE content_hash = $1 ORDER BY published_at, plugin_id LIMIT 1', [contentHash]);
      const row = result.rows[0];
      return row ? { pluginId: row.plugin_id, version: row.version } : undefined;
    },

    /** Every version of a plugin, newest first (release versions before pre-releases of the same triple). */
    async listVersions(pluginId: string, tx: Queryable = db): Promise<VersionRecord[]> {
      const result = await tx.query<VersionRow>(
        "SELECT * FROM plugin_versions WHERE plugin_id = $1 ORDER BY major DESC, minor DESC, patch DESC, (prerelease = '') DESC, prerelease DESC",
        [pluginId],
      );
      return result.rows.map(toVersion);
    },

    /** Stores artifact bytes under their integrity; storing the same bytes again is a no-op. */
    async storeArtifact(tx: Queryable, integrity: string, bytes: Buffer, createdAt: string): Promise<void> {
      await tx.query('INSERT INTO artifacts (integrity, bytes, size, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (integrity) DO NOTHING',
        [integrity, bytes, bytes.length, createdAt]);
    },

    async readArtifact(integrity: string, tx: Queryable = db): Promise<Buffer | undefined> {
      const result = await tx.query<{ bytes: Uint8Array }>('SELECT bytes FROM artifacts WHERE integrity = $1', [integrity]);
      const bytes = result.rows[0]?.bytes;
      return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
    },

    /** Applier step: the namespace exists after this, owned by whoever created it first. */
    async ensureNamespace(tx: Queryable, name: string, createdBy: string, createdAt: string): Promise<void> {
      await tx.query('INSERT INTO namespaces (name, created_by, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [name, createdBy, createdAt]);
    },

    /** Applier step: creates the plugin row on its first version (later versions leave it be). */
    async ensurePlugin(tx: Queryable, plugin: { id: string; namespace: string; name: string; normalizedName: string; kind: string; tier: PluginTier; title: string; description: string; tags: string[]; createdBy: string; createdAt: string }): Promise<void> {
      await tx.query(
        `INSERT INTO plugins (id, namespace, name, normalized_name, kind, tier, title, description, tags, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT (id) DO NOTHING`,
        [plugin.id, plugin.namespace, plugin.name, plugin.normalizedName, plugin.kind, plugin.tier, plugin.title, plugin.description, plugin.tags, plugin.createdBy, plugin.createdAt],
      );
    },

    /** Applier step: inserts an immutable version (the primary key refuses a second one). */
    async insertVersion(tx: Queryable, version: VersionInsert): Promise<void> {
      const [core, prerelease = ''] = version.version.split('+')[0]!.split(/-(.*)/s);
      const [major, minor, patch] = core!.split('.').map(Number);
      const manifest = version.manifest;
      await tx.query(
        `INSERT INTO plugin_versions (plugin_id, version, major, minor, patch, prerelease, manifest, tools, permissions, dependencies, config_schema,
           migrations, integrity, content_hash, signature, signing_key_id, publisher_signature, status, status_reason, published_by, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
        [version.pluginId, version.version, major, minor, patch, prerelease, JSON.stringify(manifest), JSON.stringify(manifest.tools ?? []),
          JSON.stringify(manifest.permissions ?? {}), JSON.stringify(manifest.dependencies ?? {}),
          manifest.configSchema === undefined ? null : JSON.stringify(manifest.configSchema), JSON.stringify(manifest.migrations ?? []),
          version.integrity, version.contentHash, version.signature, version.signingKeyId, version.publisherSignature, version.status,
          version.statusReason, version.publishedBy, version.publishedAt],
      );
    },

    async setVersionStatus(tx: Queryable, pluginId: string, version: string, status: VersionStatus, reason: string | null): Promise<void> {
      await tx.query('UPDATE plugin_versions SET status = $3, status_reason = $4 WHERE plugin_id = $1 AND version = $2', [pluginId, version, status, reason]);
    },

    /**
     * Applier step: points the plugin at its newest active version (releases before pre-releases)
     * and copies that version's title, description, tags and kind onto the plugin row.
     */
    async refreshLatest(tx: Queryable, pluginId: string, updatedAt: string): Promise<void> {
      const latest = await tx.query<{ version: string }>(
        `SELECT version FROM plugin_versions WHERE plugin_id = $1 AND status = 'active'
          ORDER BY (prerelease = '') DESC, major DESC, minor DESC, patch DESC, prerelease DESC LIMIT 1`, [pluginId]);
      const version = latest.rows[0]?.version;
      if (version === undefined) {
        await tx.query('UPDATE plugins SET latest_version = NULL, updated_at = $2 WHERE id = $1', [pluginId, updatedAt]);
        return;
      }
      await tx.query(
        `UPDATE plugins p SET latest_version = v.version, title = v.manifest->>'title', description = v.manifest->>'description',
           kind = v.manifest->>'kind', tags = ARRAY(SELECT jsonb_array_elements_text(coalesce(v.manifest->'tags', '[]'::jsonb))), updated_at = $2
           FROM plugin_versions v WHERE v.plugin_id = $1 AND v.version = $3 AND p.id = $1`,
        [pluginId, updatedAt, version],
      );
    },

    /** One catalogue page: listed plugins (with an active version) ordered by the sort key, then id. */
    async list(filter: ListFilter, tx: Queryable = db): Promise<ListRow[]> {
      const params: unknown[] = [];
      const param = (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      };
      const where = ['p.latest_version IS NOT NULL'];
      let from = 'plugins p';
      if (filter.tsquery !== undefined) {
        const q = param(filter.tsquery);
        from += `, (SELECT to_tsquery('simple', ${q}) || to_tsquery('english', ${q}) AS query) tq`;
        where.push('p.search_vector @@ tq.query');
      }
      if (filter.kind !== undefined) where.push(`p.kind = ${param(filter.kind)}`);
      if (filter.tier !== undefined) where.push(`p.tier = ${param(filter.tier)}`);
      if (filter.tag !== undefined) where.push(`p.tags @> ARRAY[${param(filter.tag)}]::text[]`);
      if (filter.recommended !== undefined) where.push(`p.recommended = ${param(filter.recommended)}`);
      const key = sortKey(filter.sort, filter.tsquery !== undefined);
      if (filter.after) {
        const k = `${param(filter.after.key)}::${key.type}`;
        where.push(`(${key.expr} < ${k} OR (${key.expr} = ${k} AND p.id > ${param(filter.after.id)}))`);
      }
      const limit = param(filter.limit);
      const result = await tx.query<PluginRow & { sort_key: string }>(
        `SELECT p.id, p.latest_version, p.kind, p.tier, p.title, p.description, p.tags, p.installs_count, p.rating_sum, p.rating_count,
                p.recommended, ${TRENDING_SQL.replace('trending_raw', 'p.trending_raw')} AS trending, (${key.expr})::text AS sort_key
           FROM ${from} WHERE ${where.join(' AND ')}
          ORDER BY ${key.expr} DESC, p.id ASC LIMIT ${limit}`,
        params,
      );
      return result.rows.map((row) => {
        const ratingCount = Number(row.rating_count);
        return {
          id: row.id,
          version: row.latest_version!,
          kind: row.kind,
          tier: row.tier,
          title: row.title,
          description: row.description,
          tags: row.tags,
          installs: Number(row.installs_count),
          rating: ratingCount > 0 ? round(Number(row.rating_sum) / ratingCount, 2) : null,
          ratingCount,
          recommended: row.recommended,
          trending: round(Number(row.trending ?? 0)),
          sortKey: row.sort_key,
        };
      });
    },

    /** Applier step: writes a user's review (replacing their earlier one) and recounts the plugin's rating. */
    async upsertReview(tx: Queryable, review: { pluginId: string; userId: string; rating: number; text: string; at: string }): Promise<void> {
      await tx.query(
        `INSERT INTO reviews (plugin_id, user_id, rating, text, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (plugin_id, user_id) DO UPDATE SET rating = EXCLUDED.rating, text = EXCLUDED.text, updated_at = EXCLUDED.updated_at`,
        [review.pluginId, review.userId, review.rating, review.text, review.at],
      );
      await tx.query(
        `UPDATE plugins SET rating_sum = r.total, rating_count = r.n
           FROM (SELECT coalesce(sum(rating), 0) AS total, count(*) AS n FROM reviews WHERE plugin_id = $1) r WHERE id = $1`,
        [review.pluginId],
      );
    },

    async findReview(pluginId: string, userId: string, tx: Queryable = db): Promise<Review | undefined> {
      const result = await tx.query<{ user_id: string; rating: number; text: string; created_at: Date | string; updated_at: Date | string }>(
        'SELECT user_id, rating, text, created_at, updated_at FROM reviews WHERE plugin_id = $1 AND user_id = $2', [pluginId, userId]);
      const row = result.rows[0];
      return row ? { userId: row.user_id, rating: Number(row.rating), text: row.text, createdAt: iso(row.created_at), updatedAt: iso(row.updated_at) } : undefined;
    },

    /** The newest reviews of a plugin. */
    async listReviews(pluginId: string, limit = 50, tx: Queryable = db): Promise<Review[]> {
      const result = await tx.query<{ user_id: string; rating: number; text: string; created_at: Date | string; updated_at: Date | string }>(
        'SELECT user_id, rating, text, created_at, updated_at FROM reviews WHERE plugin_id = $1 ORDER BY updated_at DESC, user_id LIMIT $2', [pluginId, limit]);
      return result.rows.map((row) => ({ userId: row.user_id, rating: Number(row.rating), text: row.text, createdAt: iso(row.created_at), updatedAt: iso(row.updated_at) }));
    },

    /** Row counts of the catalogue tables (tests compare them around refused publishes). */
    async counts(tx: Queryable = db): Promise<Record<string, number>> {
      const result = await tx.query<{ t: string; n: string }>(
        `SELECT 'plugins' AS t, count(*) AS n FROM plugins UNION ALL SELECT 'plugin_versions', count(*) FROM plugin_versions
         UNION ALL SELECT 'artifacts', count(*) FROM artifacts UNION ALL SELECT 'namespaces', count(*) FROM namespaces
         UNION ALL SELECT 'approvals', count(*) FROM approvals UNION ALL SELECT 'events', count(*) FROM events`);
      return Object.fromEntries(result.rows.map((row) => [row.t, Number(row.n)]));
    },
  };
}

export type PluginsRepository = ReturnType<typeof createPluginsRepository>;
