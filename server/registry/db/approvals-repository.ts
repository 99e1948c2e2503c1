import type { Approval } from '../../../protocol/marketplace-api';
import type { Queryable } from './database';

/** What the appliers write for a new approval (pending, or already decided for recorded overrides). */
export interface ApprovalInsert {
  id: string;
  kind: string;
  pluginId: string;
  version: string | null;
  targetId?: string | null;
  payload: Record<string, unknown>;
  status: Approval['status'];
  requestedBy: string;
  decidedBy: string | null;
  reason: string | null;
  createdAt: string;
}

interface ApprovalRow {
  id: string;
  kind: string;
  plugin_id: string;
  version: string | null;
  target_id: string | null;
  payload: Record<string, unknown>;
  status: Approval['status'];
  requested_by: string;
  decided_by: string | null;
  reason: string | null;
  created_at: Date | string;
  decided_at: Date | string | null;
}

function toApproval(row: ApprovalRow): Approval {
  return {
    id: row.id,
    kind: row.kind,
    pluginId: row.plugin_id,
    version: row.version,
    targetId: row.target_id,
    payload: row.payload,
    status: row.status,
    requestedBy: row.requested_by,
    decidedBy: row.decided_by,
    reason: row.reason,
    createdAt: new Date(row.created_at).toISOString(),
    decidedAt: row.decided_at === null ? null : new Date(row.decided_at).toISOString(),
  };
}

/** Queries of the approvals table (official versions, core permissions, recorded overrides, ...). */
export function createApprovalsRepository(db: Queryable) {
  return {
    async insert(tx: Queryable, approval: ApprovalInsert): Promise<void> {
      await tx.query(
        `INSERT INTO approvals (id, kind, plugin_id, version, target_id, payload, status, requested_by, decided_by, reason, created_at, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [approval.id, approval.kind, approval.pluginId, approval.version, approval.targetId ?? null, JSON.stringify(approval.payload), approval.status,
          approval.requestedBy, approval.decidedBy, approval.reason, approval.createdAt, approval.status === 'pending' ? null : approval.createdAt],
      );
    },

    async find(id: string, tx: Queryable = db): Promise<Approval | undefined> {
      const result = await tx.query<ApprovalRow>('SELECT * FROM approvals WHERE id = $1', [id]);
      return result.rows[0] ? toApproval(result.rows[0]) : undefined;
    },

    /** Locks a pending approval for a decision; undefined when it is gone or already decided. */
    async lockPending(tx: Queryable, id: string): Promise<Approval | undefined> {
      const result = await tx.query<ApprovalRow>("SELECT * FROM approvals WHERE id = $1 AND status = 'pending' FOR UPDATE", [id]);
      return result.rows[0] ? toApproval(result.rows[0]) : undefined;
    },

    async decide(tx: Queryable, id: string, decision: { status: 'approved' | 'rejected'; decidedBy: string; reason: string | null; decidedAt: string }): Promise<void> {
      await tx.query("UPDATE approvals SET status = $2, decided_by = $3, reason = $4, decided_at = $5 WHERE id = $1 AND status = 'pending'",
        [id, decision.status, decision.decidedBy, decision.reason, decision.decidedAt]);
    },

    /** Approvals of one version by status, so an applier can tell whether anything still blocks it. */
    async countForVersion(tx: Queryable, pluginId: string, version: string): Promise<{ pending: number; rejected: number }> {
      const result = await tx.query<{ pending: string; rejected: string }>(
        `SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'rejected') AS rejected
           FROM approvals WHERE plugin_id = $1 AND version = $2 AND kind IN ('official-version', 'core-permission')`, [pluginId, version]);
      return { pending: Number(result.rows[0]?.pending ?? 0), rejected: Number(result.rows[0]?.rejected ?? 0) };
    },

    async list(filter: { status?: Approval['status'] | 'all'; limit?: number } = {}, tx: Queryable = db): Promise<Approval[]> {
      const limit = Math.min(filter.limit ?? 100, 500);
      const status = filter.status ?? 'pending';
      const result = status === 'all'
        ? await tx.query<ApprovalRow>('SELECT * FROM approvals ORDER BY created_at DESC, id LIMIT $1', [limit])
        : await tx.query<ApprovalRow>('SELECT * FROM approvals WHERE status = $1 ORDER BY created_at DESC, id LIMIT $2', [status, limit]);
      return result.rows.map(toApproval);
    },

    /** Approvals of a plugin (details show the publisher what a version waits for). */
    async listForPlugin(pluginId: string, tx: Queryable = db): Promise<Approval[]> {
      const result = await tx.query<ApprovalRow>('SELECT * FROM approvals WHERE plugin_id = $1 ORDER BY created_at DESC, id', [pluginId]);
      return result.rows.map(toApproval);
    },
  };
}

export type ApprovalsRepository = ReturnType<typeof createApprovalsRepository>;
