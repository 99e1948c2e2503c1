import type { TargetCloneBody, TargetCloneResult } from '../../../../protocol/federation-api';
import type { Role } from '../../../../protocol/roles';
import type { Database } from '../../db/database';
import { createInstallationsRepository } from '../../db/installations-repository';
import { createTargetsRepository } from '../../db/targets-repository';
import { CodexError } from '../../errors';
import type { TargetClonedPayload } from '../../journal/federation-appliers';
import { recordEvent } from '../../journal/event-appliers';
import type { LifecycleService } from '../lifecycle/lifecycle-service';
import '../../journal/federation-appliers';

/**
 * Clones an install target: creates the new target, then installs every plugin the source holds
 * directly (not those installed as dependencies: the installs bring them again) at the same version
 * with the same configuration, one lifecycle operation each, and records `target.cloned`. An
 * install that fails stops the clone with an error naming the plugin and what was installed; the
 * new target keeps what was installed before (each operation is atomic, the clone is not).
 */
export async function cloneTarget(deps: { db: Database; lifecycle: LifecycleService }, sourceId: string, body: TargetCloneBody, caller: { userId: string; role: Role }): Promise<TargetCloneResult> {
  const targets = createTargetsRepository(deps.db);
  const installations = createInstallationsRepository(deps.db);
  const source = await targets.get(sourceId);
  if (!source) throw new CodexError('CODEX_ERR_TARGET_NOT_FOUND', `there is no install target "${sourceId}" to clone; pick one from GET /api/targets`, { target: sourceId }, 404);
  const rows = (await installations.listByTarget(sourceId)).filter((row) => !row.asDependency);
  await deps.lifecycle.createTarget({ id: body.id, name: body.name, description: `clone of ${sourceId}` }, caller.userId);
  const installed: TargetCloneResult['installed'] = [];
  for (const row of rows) {
    try {
      const result = await deps.lifecycle.install({ pluginId: row.pluginId, version: row.version, config: row.config, target: body.id }, { actor: caller.userId, role: caller.role });
      installed.push({ pluginId: row.pluginId, version: row.version, operationId: result.operation?.id ?? null });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CodexError('CODEX_ERR_TARGET_CLONE_INCOMPLETE', `target "${body.id}" was created but ${row.pluginId}@${row.version} could not be installed into it (${reason}); installed so far: ${installed.map((item) => `${item.pluginId}@${item.version}`).join(', ') || 'nothing'}`, { installed, failed: row.pluginId }, 409);
    }
  }
  const payload: TargetClonedPayload = { id: body.id, from: sourceId };
  await deps.db.transaction((tx) => recordEvent(tx, { actor: caller.userId, type: 'target.cloned', subject: body.id, payload }));
  return { id: body.id, clonedFrom: sourceId, installed };
}
