import type { Queryable } from './database';

/**
 * The health and status columns of installations, written by the runtime appliers
 * (`plugin.health-checked`, `plugin.paused`, `plugin.resumed`); the lifecycle appliers own the rest
 * of the row. Each write applies only while the row still holds the version the event is about.
 */
export function createInstallationHealthRepository(db: Queryable) {
  return {
    async setHealth(tx: Queryable, targetId: string, pluginId: string, version: string, health: Record<string, unknown>): Promise<void> {
      await tx.query('UPDATE installations SET health = $4 WHERE target_id = $1 AND plugin_id = $2 AND version = $3', [targetId, pluginId, version, JSON.stringify(health)]);
    },
    async setStatus(tx: Queryable, targetId: string, pluginId: string, version: string, status: 'active' | 'paused', at: string): Promise<void> {
      await tx.query('UPDATE installations SET status = $4, updated_at = $5 WHERE target_id = $1 AND plugin_id = $2 AND version = $3', [targetId, pluginId, version, status, at]);
    },
    /** The stored health of one installation ({} before its first check). */
    async health(targetId: string, pluginId: string, tx: Queryable = db): Promise<{ version: string; status: string; health: Record<string, unknown> } | undefined> {
      const row = (await tx.query<{ version: string; status: string; health: Record<string, unknown> }>('SELECT version, status, health FROM installations WHERE target_id = $1 AND plugin_id = $2', [targetId, pluginId])).rows[0];
      return row;
    },
  };
}
