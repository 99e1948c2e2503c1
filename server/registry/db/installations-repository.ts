import type { Installation } from '../../../protocol/lifecycle-api';
import type { PluginMigration } from '../../../protocol/plugin-manifest';
import type { Queryable } from './database';

interface InstallationRow {
  target_id: string;
  plugin_id: string;
  version: string;
  last_known_good_version: string | null;
  config: Record<string, unknown>;
  granted_permissions: Record<string, unknown>;
  data_schema: string;
  as_dependency: boolean;
  status: string;
  installed_by: string;
  installed_at: Date | string;
  updated_at: Date | string;
}

function toInstallation(row: InstallationRow): Installation {
  return {
    targetId: row.target_id,
    pluginId: row.plugin_id,
    version: row.version,
    lastKnownGoodVersion: row.last_known_good_version,
    config: row.config,
    grantedPermissions: row.granted_permissions,
    dataSchema: row.data_schema,
    asDependency: row.as_dependency,
    status: row.status,
    installedBy: row.installed_by,
    installedAt: new Date(row.installed_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** What the lifecycle reads of one published version (versions are immutable once published). */
export interface PluginVersionRecord {
  pluginId: string;
  version: string;
  status: string;
  statusReason: string | null;
  dependencies: Record<string, string>;
  configSchema: Record<string, unknown> | null;
  permissions: Record<string, unknown>;
  tools: { name: string }[];
  migrations: PluginMigration[];
  manifest: Record<string, unknown>;
}

interface VersionRow {
  plugin_id: string;
  version: string;
  status: string;
  status_reason: string | null;
  dependencies: Record<string, string> | null;
  config_schema: Record<string, unknown> | null;
  permissions: Record<string, unknown> | null;
  tools: { name: string }[] | null;
  migrations: PluginMigration[] | null;
  manifest: Record<string, unknown>;
}

function toVersion(row: VersionRow): PluginVersionRecord {
  return {
    pluginId: row.plugin_id,
    version: row.version,
    status: row.status,
    statusReason: row.status_reason,
    dependencies: row.dependencies ?? {},
    configSchema: row.config_schema,
    permissions: row.permissions ?? {},
    tools: row.tools ?? [],
    migrations: row.migrations ?? [],
    manifest: row.manifest,
  };
}

/** The row an applier writes for an installation (timestamps come from the event). */
export interface InstallationWrite {
  targetId: string;
  pluginId: string;
  version: string;
  lastKnownGoodVersion: string | null;
  config: Record<string, unknown>;
  grantedPermissions: Record<string, unknown>;
  dataSchema: string;
  asDependency: boolean;
  installedBy: string;
}

const VERSION_COLUMNS = 'plugin_id, version, status, status_reason, dependencies, config_schema, permissions, tools, migrations, manifest';

/**
 * Queries of installations, and the reads of published versions the lifecycle needs (the
 * dependency resolver and the appliers). Writes are made by the lifecycle appliers only.
 */
export function createInstallationsRepository(db: Queryable) {
  return {
    async listByTarget(targetId: string, tx: Queryable = db): Promise<Installation[]> {
      const result = await tx.query<InstallationRow>('SELECT * FROM installations WHERE target_id = $1 ORDER BY plugin_id', [targetId]);
      return result.rows.map(toInstallation);
    },
    async get(targetId: string, pluginId: string, tx: Queryable = db): Promise<Installation | undefined> {
      const row = (await tx.query<InstallationRow>('SELECT * FROM installations WHERE target_id = $1 AND plugin_id = $2', [targetId, pluginId])).rows[0];
      return row ? toInstallation(row) : undefined;
    },
    /**
     * Serialises lifecycle operations per target until the transaction ends. The whole target is
     * locked rather than one installation because dependency resolution reads every installation
     * of the target: two operations on different plugins of one target could otherwise each plan
     * against a state the other is changing.
     */
    async lockTarget(tx: Queryable, targetId: string): Promise<void> {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('plugin-codex.target:' || current_schema() || ':' || $1))", [targetId]);
    },
    /** Every version of a plugin, newest first; undefined when the plugin does not exist. */
    async versionsOf(pluginId: string, tx: Queryable = db): Promise<PluginVersionRecord[] | undefined> {
      const plugin = await tx.query('SELECT 1 FROM plugins WHERE id = $1', [pluginId]);
      if (plugin.rows.length === 0) return undefined;
      const result = await tx.query<VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM plugin_versions WHERE plugin_id = $1 ORDER BY major DESC, minor DESC, patch DESC, prerelease`,
        [pluginId],
      );
      return result.rows.map(toVersion);
    },
    async version(pluginId: string, version: string, tx: Queryable = db): Promise<PluginVersionRecord | undefined> {
      const row = (await tx.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM plugin_versions WHERE plugin_id = $1 AND version = $2`, [pluginId, version])).rows[0];
      return row ? toVersion(row) : undefined;
    },
    async insert(tx: Queryable, row: InstallationWrite, at: string): Promise<void> {
      await tx.query(
        `INSERT INTO installations (target_id, plugin_id, version, last_known_good_version, config, granted_permissions, data_schema, as_dependency, installed_by, installed_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
        [row.targetId, row.pluginId, row.version, row.lastKnownGoodVersion, JSON.stringify(row.config), JSON.stringify(row.grantedPermissions), row.dataSchema, row.asDependency, row.installedBy, at],
      );
    },
    async update(tx: Queryable, row: InstallationWrite, at: string): Promise<void> {
      const result = await tx.query(
        `UPDATE installations SET version = $3, last_known_good_version = $4, config = $5, granted_permissions = $6, as_dependency = $7, updated_at = $8
          WHERE target_id = $1 AND plugin_id = $2`,
        [row.targetId, row.pluginId, row.version, row.lastKnownGoodVersion, JSON.stringify(row.config), JSON.stringify(row.grantedPermissions), row.asDependency, at],
      );
      if (result.rowCount !== 1) throw new Error(`installation ${row.pluginId} in ${row.targetId} is missing`);
    },
    /** Deletes an installation and its key/value storage. */
    async delete(tx: Queryable, targetId: string, pluginId: string): Promise<void> {
      await tx.query('DELETE FROM plugin_storage WHERE target_id = $1 AND plugin_id = $2', [targetId, pluginId]);
      const result = await tx.query('DELETE FROM installations WHERE target_id = $1 AND plugin_id = $2', [targetId, pluginId]);
      if (result.rowCount !== 1) throw new Error(`installation ${pluginId} in ${targetId} is missing`);
    },
    /** Counts one install of a plugin on `day` (YYYY-MM-DD, from the event's timestamp). */
    async countInstall(tx: Queryable, pluginId: string, day: string): Promise<void> {
      await tx.query('UPDATE plugins SET installs_count = installs_count + 1 WHERE id = $1', [pluginId]);
      await tx.query(
        `INSERT INTO install_stats (plugin_id, day, installs) VALUES ($1, $2, 1)
         ON CONFLICT (plugin_id, day) DO UPDATE SET installs = install_stats.installs + 1`,
        [pluginId, day],
      );
    },
  };
}

export type InstallationsRepository = ReturnType<typeof createInstallationsRepository>;
