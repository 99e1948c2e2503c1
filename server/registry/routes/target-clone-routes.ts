import { Type } from '@sinclair/typebox';
import { TargetCloneBodySchema, TargetCloneResultSchema } from '../../../protocol/federation-api';
import type { RegistryApp, RegistryServices } from '../app';
import { cloneTarget } from '../services/federation/target-clone';
import { createLifecycleService } from '../services/lifecycle/lifecycle-service';

/** `POST /api/targets/:id/clone`: a new target with the same plugins, versions and configurations. */
export function registerTargetCloneRoutes(app: RegistryApp, services: RegistryServices): void {
  const lifecycle = createLifecycleService({ db: services.database.db });
  app.post('/api/targets/:id/clone', {
    schema: {
      tags: ['lifecycle'],
      summary: 'Clone an install target with its installations (same versions and configurations, installed through the lifecycle)',
      params: Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }) }),
      body: TargetCloneBodySchema,
      response: { 201: TargetCloneResultSchema },
    },
  }, async (request, reply) => reply.status(201).send(await cloneTarget({ db: services.database.db, lifecycle }, request.params.id, request.body, request.principal!)));
}
