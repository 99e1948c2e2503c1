import { randomUUID } from 'node:crypto';
import type { Queryable } from './database';

/** Where an invocation came from. */
export type InvocationSource = 'invoke' | 'mcp' | 'dependency' | 'health';

/** One recorded invocation of an installed plugin's tool or health check. */
export interface InvocationRecord {
  id: string;
  targetId: string;
  pluginId: string;
  version: string;
  tool: string;
  source: InvocationSource;
  ok: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  latencyMs: number;
  actor: string | null;
  createdAt: string;
}

/** What the runtime records after each invocation. */
export type NewInvocation = Omit<InvocationRecord, 'id' | 'createdAt'>;

interface InvocationRow {
  id: string;
  target_id: string;
  plugin_id: string;
  version: string;
  tool: string;
  source: InvocationSource;
  ok: boolean;
  error_code: string | null;
  error_message: string | null;
  latency_ms: number;
  actor: string | null;
  created_at: Date | string;
}

function toRecord(row: InvocationRow): InvocationRecord {
  return {
    id: row.id, targetId: row.target_id, pluginId: row.plugin_id, version: row.version, tool: row.tool, source: row.source, ok: row.ok,
    errorCode: row.error_code, errorMessage: row.error_message, latencyMs: row.latency_ms, actor: row.actor, createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Queries of the invocations table (operational: health analysis and the debug engine read it). */
export function createInvocationsRepository(db: Queryable) {
  return {
    async record(invocation: NewInvocation, tx: Queryable = db): Promise<void> {
      await tx.query(
        `INSERT INTO invocations (id, target_id, plugin_id, version, tool, source, ok, error_code, error_message, latency_ms, actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [randomUUID(), invocation.targetId, invocation.pluginId, invocation.version, invocation.tool, invocation.source, invocation.ok,
          invocation.errorCode, invocation.errorMessage?.slice(0, 2000) ?? null, Math.max(0, Math.round(invocation.latencyMs)), invocation.actor],
      );
    },
    /** The latest invocations of one installation, newest first. */
    async recent(targetId: string, pluginId: string, limit = 50, tx: Queryable = db): Promise<InvocationRecord[]> {
      const result = await tx.query<InvocationRow>(
        'SELECT * FROM invocations WHERE target_id = $1 AND plugin_id = $2 ORDER BY created_at DESC, id LIMIT $3',
        [targetId, pluginId, Math.min(Math.max(limit, 1), 1000)],
      );
      return result.rows.map(toRecord);
    },
    /**
     * Failures among the last `window` tool invocations (health probes excluded) of one installation
     * at one version: the input of the runtime error-rate gate.
     */
    async errorRate(targetId: string, pluginId: string, version: string, window: number, tx: Queryable = db): Promise<{ total: number; failed: number }> {
      const result = await tx.query<{ total: string; failed: string }>(
        `SELECT count(*) AS total, count(*) FILTER (WHERE NOT ok) AS failed FROM (
           SELECT ok FROM invocations WHERE target_id = $1 AND plugin_id = $2 AND version = $3 AND source <> 'health'
            ORDER BY created_at DESC LIMIT $4) latest`,
        [targetId, pluginId, version, window],
      );
      return { total: Number(result.rows[0]?.total ?? 0), failed: Number(result.rows[0]?.failed ?? 0) };
    },
  };
}

export type InvocationsRepository = ReturnType<typeof createInvocationsRepository>;
