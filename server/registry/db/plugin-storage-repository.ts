import type { Queryable } from './database';

/**
 * The key/value storage of one installation (the sandbox's `ctx.storage`), in plugin_storage.
 * Written by sandboxed code, so operational: journal replay does not rebuild it.
 */
export function createPluginStorageRepository(db: Queryable) {
  return {
    async get(targetId: string, pluginId: string, key: string): Promise<unknown> {
      const result = await db.query<{ value: unknown }>('SELECT value FROM plugin_storage WHERE target_id = $1 AND plugin_id = $2 AND key = $3', [targetId, pluginId, key]);
      return result.rows[0]?.value;
    },
    async put(targetId: string, pluginId: string, key: string, value: unknown): Promise<void> {
      await db.query(
        `INSERT INTO plugin_storage (target_id, plugin_id, key, value) VALUES ($1, $2, $3, $4)
         ON CONFLICT (target_id, plugin_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [targetId, pluginId, key, JSON.stringify(value ?? null)],
      );
    },
    /** Keys starting with `prefix`, sorted. */
    async list(targetId: string, pluginId: string, prefix = ''): Promise<string[]> {
      const result = await db.query<{ key: string }>(
        "SELECT key FROM plugin_storage WHERE target_id = $1 AND plugin_id = $2 AND starts_with(key, $3) ORDER BY key COLLATE \"C\"",
        [targetId, pluginId, prefix],
      );
      return result.rows.map((row) => row.key);
    },
    async delete(targetId: string, pluginId: string, key: string): Promise<boolean> {
      const result = await db.query('DELETE FROM plugin_storage WHERE target_id = $1 AND plugin_id = $2 AND key = $3', [targetId, pluginId, key]);
      return result.rowCount > 0;
    },
  };
}

export type PluginStorageRepository = ReturnType<typeof createPluginStorageRepository>;
