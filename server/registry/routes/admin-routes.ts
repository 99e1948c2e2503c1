import { Type } from '@sinclair/typebox';
import type { RegistryApp, RegistryServices } from '../app';
import { CodexError } from '../errors';

const AlertSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  severity: Type.String(),
  message: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  status: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
  resolvedBy: Type.Union([Type.String(), Type.Null()]),
});

/** Alerts (list, acknowledge, resolve) and the schema drift report for super-admins. */
export function registerAdminRoutes(app: RegistryApp, services: RegistryServices): void {
  const { alerts, events } = services.repos;

  app.get('/api/admin/alerts', {
    schema: {
      tags: ['admin'],
      summary: 'Alerts, newest first',
      querystring: Type.Object({
        status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved'), Type.Literal('unresolved')])),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(AlertSchema) }) },
    },
  }, async (request) => ({ items: await alerts.list(request.query) }));

  app.post('/api/admin/alerts/:id', {
    schema: {
      tags: ['admin'],
      summary: 'Acknowledge or resolve an alert',
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      body: Type.Object({ action: Type.Union([Type.Literal('acknowledge'), Type.Literal('resolve')]) }, { additionalProperties: false }),
      response: { 200: AlertSchema },
    },
  }, async (request) => {
    const status = request.body.action === 'acknowledge' ? 'acknowledged' : 'resolved';
    const actor = request.principal!.userId;
    const alert = await services.database.db.transaction(async (tx) => {
      const updated = await alerts.setStatus(request.params.id, status, actor, tx);
      if (updated) await events.append(tx, { actor, type: `alert.${status}`, subject: String(updated.id), payload: { kind: updated.kind } });
      return updated;
    });
    if (!alert) throw new CodexError('CODEX_ERR_NOT_FOUND', `there is no alert ${request.params.id}`);
    return alert;
  });

  app.get('/api/admin/drift', {
    schema: {
      tags: ['admin'],
      summary: 'Differences between the live schema and what the migrations define',
      response: { 200: Type.Object({ schemaVersion: Type.Union([Type.Integer(), Type.Null()]), drift: Type.Array(Type.Object({ kind: Type.String(), table: Type.String(), name: Type.Optional(Type.String()), message: Type.String() })) }) },
    },
  }, async () => ({ schemaVersion: services.database.state().schemaVersion, drift: await services.database.checkDrift() }));
}
