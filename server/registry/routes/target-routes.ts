import { CreateTargetSchema, TargetListSchema, TargetSchema } from '../../../protocol/lifecycle-api';
import type { RegistryApp, RegistryServices } from '../app';
import { createTargetsRepository } from '../db/targets-repository';
import type { LifecycleService } from '../services/lifecycle/lifecycle-service';

/** Install targets: list them, create one (journaled as `target.created`). */
export function registerTargetRoutes(app: RegistryApp, services: RegistryServices, lifecycle: LifecycleService): void {
  const db = services.database.db;
  const targets = createTargetsRepository(db);

  app.get('/api/targets', {
    schema: { tags: ['lifecycle'], summary: 'Install targets', response: { 200: TargetListSchema } },
  }, async () => ({ items: await targets.list() }));

  app.post('/api/targets', {
    schema: { tags: ['lifecycle'], summary: 'Create an install target', body: CreateTargetSchema, response: { 201: TargetSchema } },
  }, async (request, reply) => reply.status(201).send(await lifecycle.createTarget(request.body, request.principal!.userId)));
}
