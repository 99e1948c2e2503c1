import type { DiffEntry, LifecyclePlan, Operation } from '../../../protocol/lifecycle-api';
import type { Queryable } from './database';

interface OperationRow {
  id: string;
  kind: string;
  target_id: string;
  plugin_id: string;
  from_version: string | null;
  to_version: string | null;
  status: string;
  plan: LifecyclePlan;
  diff_log: DiffEntry[];
  snapshot: Record<string, unknown>;
  idempotency_key: string | null;
  request_hash: string;
  actor: string;
  created_at: Date | string;
  finished_at: Date | string | null;
}

function toOperation(row: OperationRow): Operation & { requestHash: string } {
  return {
    id: row.id,
    kind: row.kind,
    targetId: row.target_id,
    pluginId: row.plugin_id,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    status: row.status,
    plan: row.plan,
    diffLog: row.diff_log,
    snapshot: row.snapshot,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    actor: row.actor,
    createdAt: new Date(row.created_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
  };
}

/** An operation as an applier writes it (timestamps come from the event). */
export interface OperationWrite {
  id: string;
  kind: string;
  targetId: string;
  pluginId: string;
  fromVersion: string | null;
  toVersion: string | null;
  status: 'succeeded' | 'failed' | 'pending-approval';
  plan: LifecyclePlan;
  diffLog: DiffEntry[];
  snapshot: Record<string, unknown>;
  idempotencyKey: string | null;
  requestHash: string;
  actor: string;
}

/** A stored operation with the hash of the request that made it. */
export type StoredOperation = Operation & { requestHash: string };

/** Queries of lifecycle operations; rows are written by the lifecycle appliers only. */
export function createOperationsRepository(db: Queryable) {
  return {
    async get(id: string, tx: Queryable = db): Promise<StoredOperation | undefined> {
      const row = (await tx.query<OperationRow>('SELECT * FROM operations WHERE id = $1', [id])).rows[0];
      return row ? toOperation(row) : undefined;
    },
    async byIdempotencyKey(actor: string, key: string, tx: Queryable = db): Promise<StoredOperation | undefined> {
      const row = (await tx.query<OperationRow>('SELECT * FROM operations WHERE actor = $1 AND idempotency_key = $2', [actor, key])).rows[0];
      return row ? toOperation(row) : undefined;
    },
    /** The newest operation with this request hash in the target (repeat detection). */
    async latestByRequest(targetId: string, requestHash: string, tx: Queryable = db): Promise<StoredOperation | undefined> {
      const row = (await tx.query<OperationRow>(
        'SELECT * FROM operations WHERE target_id = $1 AND request_hash = $2 ORDER BY created_at DESC, id DESC LIMIT 1',
        [targetId, requestHash],
      )).rows[0];
      return row ? toOperation(row) : undefined;
    },
    /** The newest operation about a plugin in a target. */
    async latestOn(targetId: string, pluginId: string, tx: Queryable = db): Promise<StoredOperation | undefined> {
      const row = (await tx.query<OperationRow>(
        'SELECT * FROM operations WHERE target_id = $1 AND plugin_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1',
        [targetId, pluginId],
      )).rows[0];
      return row ? toOperation(row) : undefined;
    },
    async insert(tx: Queryable, operation: OperationWrite, at: string): Promise<void> {
      await tx.query(
        `INSERT INTO operations (id, kind, target_id, plugin_id, from_version, to_version, status, plan, diff_log, snapshot, idempotency_key, request_hash, actor, created_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)`,
        [operation.id, operation.kind, operation.targetId, operation.pluginId, operation.fromVersion, operation.toVersion, operation.status,
          JSON.stringify(operation.plan), JSON.stringify(operation.diffLog), JSON.stringify(operation.snapshot), operation.idempotencyKey,
          operation.requestHash, operation.actor, at],
      );
    },
  };
}

export type OperationsRepository = ReturnType<typeof createOperationsRepository>;
