import type { Target } from '../../../protocol/lifecycle-api';
import type { Queryable } from './database';

interface TargetRow {
  id: string;
  name: string;
  description: string;
  cloned_from: string | null;
  created_by: string;
  created_at: Date | string;
}

function toTarget(row: TargetRow): Target {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    clonedFrom: row.cloned_from,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Queries of install targets (sub-apps, workspaces, "neurons"); rows are written by the `target.created` applier. */
export function createTargetsRepository(db: Queryable) {
  return {
    async list(): Promise<Target[]> {
      return (await db.query<TargetRow>('SELECT * FROM install_targets ORDER BY id')).rows.map(toTarget);
    },
    async get(id: string, tx: Queryable = db): Promise<Target | undefined> {
      const row = (await tx.query<TargetRow>('SELECT * FROM install_targets WHERE id = $1', [id])).rows[0];
      return row ? toTarget(row) : undefined;
    },
    /** Inserts a target (applier only: timestamps come from the event). */
    async insert(tx: Queryable, target: { id: string; name: string; description: string; createdBy: string; createdAt: string }): Promise<void> {
      await tx.query(
        'INSERT INTO install_targets (id, name, description, created_by, created_at) VALUES ($1, $2, $3, $4, $5)',
        [target.id, target.name, target.description, target.createdBy, target.createdAt],
      );
    },
  };
}

export type TargetsRepository = ReturnType<typeof createTargetsRepository>;
