import type { PluginRequest } from '../../../protocol/marketplace-api';
import type { Queryable } from './database';

interface RequestRow {
  id: string;
  kind: string;
  title: string;
  description: string;
  plugin_id: string | null;
  target_id: string | null;
  status: string;
  requested_by: string;
  decided_by: string | null;
  reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

function toRequest(row: RequestRow): PluginRequest {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    description: row.description,
    pluginId: row.plugin_id,
    targetId: row.target_id,
    status: row.status,
    requestedBy: row.requested_by,
    decidedBy: row.decided_by,
    reason: row.reason,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Queries of plugin requests (proposals of new plugins and requests to install one). */
export function createPluginRequestsRepository(db: Queryable) {
  return {
    async insert(tx: Queryable, request: { id: string; kind: string; title: string; description: string; pluginId: string | null; targetId: string | null; requestedBy: string; createdAt: string }): Promise<void> {
      await tx.query(
        `INSERT INTO plugin_requests (id, kind, title, description, plugin_id, target_id, requested_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
        [request.id, request.kind, request.title, request.description, request.pluginId, request.targetId, request.requestedBy, request.createdAt],
      );
    },

    async find(id: string, tx: Queryable = db): Promise<PluginRequest | undefined> {
      const result = await tx.query<RequestRow>('SELECT * FROM plugin_requests WHERE id = $1', [id]);
      return result.rows[0] ? toRequest(result.rows[0]) : undefined;
    },

    async list(filter: { status?: string; limit?: number } = {}, tx: Queryable = db): Promise<PluginRequest[]> {
      const limit = Math.min(filter.limit ?? 100, 500);
      const result = filter.status === undefined
        ? await tx.query<RequestRow>('SELECT * FROM plugin_requests ORDER BY created_at DESC, id LIMIT $1', [limit])
        : await tx.query<RequestRow>('SELECT * FROM plugin_requests WHERE status = $1 ORDER BY created_at DESC, id LIMIT $2', [filter.status, limit]);
      return result.rows.map(toRequest);
    },
  };
}

export type PluginRequestsRepository = ReturnType<typeof createPluginRequestsRepository>;
