import { Type } from '@sinclair/typebox';
import { InstalledListSchema, InstalledQuerySchema, LIFECYCLE_KINDS, LifecycleRequestSchema, LifecycleResultSchema, OperationSchema } from '../../../protocol/lifecycle-api';
import type { RegistryApp, RegistryServices } from '../app';
import { createInstallationsRepository } from '../db/installations-repository';
import { createOperationsRepository } from '../db/operations-repository';
import { createTargetsRepository } from '../db/targets-repository';
import { CodexError } from '../errors';
import { createLifecycleService } from '../services/lifecycle/lifecycle-service';
import { registerTargetRoutes } from './target-routes';

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'repeat a request with the same key to get the first result instead of a second operation' })),
});

const SUMMARIES = {
  install: 'Install a plugin (and its missing dependencies) into a target',
  upgrade: 'Upgrade an installed plugin to a version or the highest allowed one',
  rollback: 'Roll an installed plugin back to its last known good version or a named one',
  remove: 'Remove a plugin from a target (with cascade: its dependents too)',
} as const;

/**
 * The plugin lifecycle: `POST /api/plugins/{install,upgrade,rollback,remove}` (one atomic operation
 * each, `dryRun` for the plan only, `Idempotency-Key` for safe retries), the installed plugins of
 * a target and the operations they produced; and the install targets themselves.
 */
export function registerLifecycleRoutes(app: RegistryApp, services: RegistryServices): void {
  const db = services.database.db;
  const lifecycle = createLifecycleService({ db });
  const installations = createInstallationsRepository(db);
  const operations = createOperationsRepository(db);
  const targets = createTargetsRepository(db);
  registerTargetRoutes(app, services, lifecycle);

  for (const kind of LIFECYCLE_KINDS) {
    app.post(`/api/plugins/${kind}`, {
      schema: { tags: ['lifecycle'], summary: SUMMARIES[kind], body: LifecycleRequestSchema, headers: IdempotencyHeaders, response: { 200: LifecycleResultSchema } },
    }, async (request) => {
      const principal = request.principal!;
      // Linked upstreams are read through: the version is copied here (checked) before it is planned.
      if (kind === 'install' || kind === 'upgrade') await services.federation.ensureLocal(request.body.pluginId, request.body.version);
      const result = await lifecycle.run(kind, request.body, { actor: principal.userId, role: principal.role, idempotencyKey: request.headers['idempotency-key'] });
      // After the commit: installs and upgrades get a health analysis (in the background).
      services.rollouts.afterLifecycle(kind, result);
      return result;
    });
  }

  app.get('/api/plugins/installed', {
    schema: { tags: ['lifecycle'], summary: 'The plugins installed in a target (default "default")', querystring: InstalledQuerySchema, response: { 200: InstalledListSchema } },
  }, async (request) => {
    const targetId = request.query.target ?? 'default';
    if (!await targets.get(targetId)) throw new CodexError('CODEX_ERR_TARGET_NOT_FOUND', `there is no install target "${targetId}"`, { target: targetId }, 404);
    return { targetId, items: await installations.listByTarget(targetId) };
  });

  app.get('/api/operations/:id', {
    schema: { tags: ['lifecycle'], summary: 'One lifecycle operation with its plan and diff log', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 200: OperationSchema } },
  }, async (request) => {
    const operation = await operations.get(request.params.id);
    if (!operation) throw new CodexError('CODEX_ERR_NOT_FOUND', `there is no operation ${request.params.id}`);
    const { requestHash: _hash, ...visible } = operation;
    return visible;
  });
}
