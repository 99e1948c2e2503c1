import { randomBytes } from 'node:crypto';
import { joinTransaction } from '../../db/joined-transaction';
import type { LifecyclePlan } from '../../../../protocol/lifecycle-api';
import type { Role } from '../../../../protocol/roles';
import type { Database } from '../../db/database';
import { createInstallationsRepository } from '../../db/installations-repository';
import { createLifecycleService } from '../lifecycle/lifecycle-service';
import type { ExampleStep, HealthProbe, RuntimeInstallation, RuntimeService } from './runtime-service';

/** What `POST /api/plugins/:scope/:name/try` returns. */
export interface TryTranscript {
  pluginId: string;
  version: string;
  /** The ephemeral target the version was installed into (it never existed outside the rolled-back transaction). */
  target: string;
  /** True when the health check and every example passed. */
  ok: boolean;
  /** The install plan, as the lifecycle made it (dependencies, migrations, permissions). */
  plan: LifecyclePlan;
  healthCheck: HealthProbe;
  steps: ExampleStep[];
  durationMs: number;
}

/** Thrown to roll the try's transaction back once the installation has been planned and applied. */
class TryRollback extends Error {
  constructor(readonly plan: LifecyclePlan, readonly rows: RuntimeInstallation[]) {
    super('try: rolled back on purpose');
  }
}

/**
 * "Install and test": installs a version (with its dependencies and plugin migrations) into an
 * ephemeral target through the real lifecycle service, inside one transaction that is always
 * rolled back — journal rows, installations and plugin schemas included. The planned
 * installations are kept in memory; the health check and the manifest's examples then run against
 * them in the sandbox with storage in an in-memory map, and nothing is recorded.
 */
export async function tryVersion(deps: { db: Database; runtime: RuntimeService }, request: { pluginId: string; version: string; config?: Record<string, unknown>; actor: string; role: Role }): Promise<TryTranscript> {
  const started = performance.now();
  const target = `try-${randomBytes(6).toString('hex')}`;
  let planned: TryRollback;
  try {
    await deps.db.transaction(async (tx) => {
      const lifecycle = createLifecycleService({ db: joinTransaction(deps.db, tx) });
      await lifecycle.createTarget({ id: target, name: `try ${request.pluginId}@${request.version}`, description: 'ephemeral target of a try (rolled back)' }, request.actor);
      const result = await lifecycle.install({ pluginId: request.pluginId, version: request.version, target, ...(request.config ? { config: request.config } : {}) }, { actor: request.actor, role: request.role });
      const rows = await createInstallationsRepository(tx).listByTarget(target, tx);
      throw new TryRollback(result.plan, rows.map(({ targetId, pluginId, version, config, grantedPermissions }) => ({ targetId, pluginId, version, config, grantedPermissions, status: 'active' })));
    });
    throw new Error('the try transaction committed instead of rolling back');
  } catch (error) {
    if (!(error instanceof TryRollback)) throw error;
    planned = error;
  }
  const scope = deps.runtime.memoryScope(target, planned.rows);
  const root = planned.rows.find((row) => row.pluginId === request.pluginId)!;
  const healthCheck = await deps.runtime.healthCheck(scope, root);
  const steps = await deps.runtime.runExamples(scope, root, 'invoke');
  return {
    pluginId: request.pluginId, version: root.version, target, ok: healthCheck.ok && steps.every((step) => step.pass),
    plan: planned.plan, healthCheck, steps, durationMs: Math.round(performance.now() - started),
  };
}
