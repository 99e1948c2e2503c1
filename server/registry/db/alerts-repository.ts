import { randomUUID } from 'node:crypto';
import type { Queryable } from './database';

/** An alert raised for admins (healing, drift, auto-revert, ...). */
export interface Alert {
  id: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  details: Record<string, unknown>;
  status: 'open' | 'acknowledged' | 'resolved';
  createdAt: string;
  updatedAt: string;
  acknowledgedBy: string | null;
  resolvedBy: string | null;
}

/** What it takes to raise an alert. */
export interface NewAlert {
  kind: string;
  severity: Alert['severity'];
  message: string;
  details?: Record<string, unknown>;
}

interface AlertRow {
  id: string;
  kind: string;
  severity: Alert['severity'];
  message: string;
  details: Record<string, unknown>;
  status: Alert['status'];
  created_at: Date | string;
  updated_at: Date | string;
  acknowledged_by: string | null;
  resolved_by: string | null;
}

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    message: row.message,
    details: row.details,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    acknowledgedBy: row.acknowledged_by,
    resolvedBy: row.resolved_by,
  };
}

/** Queries of the alerts table. */
export function createAlertsRepository(db: Queryable) {
  return {
    async raise(alert: NewAlert, tx: Queryable = db): Promise<Alert> {
      const result = await tx.query<AlertRow>(
        'INSERT INTO alerts (id, kind, severity, message, details) VALUES ($1, $2, $3, $4, $5) RETURNING *',
        [randomUUID(), alert.kind, alert.severity, alert.message, JSON.stringify(alert.details ?? {})],
      );
      return toAlert(result.rows[0]!);
    },
    async list(filter: { status?: Alert['status'] | 'unresolved'; limit?: number } = {}): Promise<Alert[]> {
      const limit = Math.min(filter.limit ?? 100, 500);
      const result = filter.status === undefined
        ? await db.query<AlertRow>('SELECT * FROM alerts ORDER BY created_at DESC, id LIMIT $1', [limit])
        : filter.status === 'unresolved'
          ? await db.query<AlertRow>("SELECT * FROM alerts WHERE status <> 'resolved' ORDER BY created_at DESC, id LIMIT $1", [limit])
          : await db.query<AlertRow>('SELECT * FROM alerts WHERE status = $1 ORDER BY created_at DESC, id LIMIT $2', [filter.status, limit]);
      return result.rows.map(toAlert);
    },
    async countUnresolved(): Promise<number> {
      const result = await db.query<{ count: string }>("SELECT count(*) AS count FROM alerts WHERE status <> 'resolved'");
      return Number(result.rows[0]?.count ?? 0);
    },
    async setStatus(id: string, status: 'acknowledged' | 'resolved', actor: string, tx: Queryable = db): Promise<Alert | undefined> {
      const column = status === 'acknowledged' ? 'acknowledged_by' : 'resolved_by';
      const result = await tx.query<AlertRow>(
        `UPDATE alerts SET status = $2, ${column} = $3, updated_at = now() WHERE id = $1 RETURNING *`,
        [id, status, actor],
      );
      return result.rows[0] ? toAlert(result.rows[0]) : undefined;
    },
  };
}

export type AlertsRepository = ReturnType<typeof createAlertsRepository>;
