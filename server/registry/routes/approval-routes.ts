import { Type } from '@sinclair/typebox';
import {
  ApprovalDecisionBodySchema, ApprovalDecisionResponseSchema, ApprovalListQuerySchema, ApprovalSchema, PluginRequestBodySchema,
  PluginRequestListQuerySchema, PluginRequestSchema,
} from '../../../protocol/marketplace-api';
import type { RegistryApp, RegistryServices } from '../app';
import { createCatalogueService } from '../services/catalogue-service';

/** Plugin requests (any signed-in user) and the super-admins' approval queue. */
export function registerApprovalRoutes(app: RegistryApp, services: RegistryServices): void {
  const catalogue = createCatalogueService({ db: services.database.db });

  app.post('/api/plugin-requests', {
    schema: {
      tags: ['requests'],
      summary: 'Propose a new plugin, or ask for a plugin to be installed',
      body: PluginRequestBodySchema,
      response: { 201: PluginRequestSchema },
    },
  }, async (request, reply) => reply.status(201).send(await catalogue.createRequest(request.principal!, request.body)));

  app.get('/api/plugin-requests', {
    schema: {
      tags: ['requests'],
      summary: 'Plugin requests, newest first',
      querystring: PluginRequestListQuerySchema,
      response: { 200: Type.Object({ items: Type.Array(PluginRequestSchema) }) },
    },
  }, async (request) => ({ items: await catalogue.listRequests(request.query) }));

  app.get('/api/admin/approvals', {
    schema: {
      tags: ['admin'],
      summary: 'Approvals, newest first (pending unless status says otherwise)',
      querystring: ApprovalListQuerySchema,
      response: { 200: Type.Object({ items: Type.Array(ApprovalSchema) }) },
    },
  }, async (request) => ({ items: await catalogue.listApprovals(request.query) }));

  app.post('/api/admin/approvals/:id', {
    schema: {
      tags: ['admin'],
      summary: 'Approve or reject (an official version goes live once approved; a core permission grant is recorded)',
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      body: ApprovalDecisionBodySchema,
      response: { 200: ApprovalDecisionResponseSchema },
    },
  }, async (request) => catalogue.decideApproval(request.params.id, request.principal!, request.body.decision, request.body.reason ?? null));
}
