import { Type } from '@sinclair/typebox';
import type { RegistryApp, RegistryServices } from '../app';

const DriftItemSchema = Type.Object({
  kind: Type.String(),
  table: Type.String(),
  name: Type.Optional(Type.String()),
  expected: Type.Optional(Type.String()),
  actual: Type.Optional(Type.String()),
  message: Type.String(),
});

const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]),
  database: Type.Object({
    driver: Type.String(),
    phase: Type.String(),
    reachable: Type.Boolean(),
    writable: Type.Boolean(),
    schemaVersion: Type.Union([Type.Integer(), Type.Null()]),
    latestVersion: Type.Integer(),
    error: Type.Optional(Type.String()),
  }),
  drift: Type.Array(DriftItemSchema),
  alerts: Type.Object({ open: Type.Integer() }),
  checkedAt: Type.String(),
});

/** The health report (also used by the CLI's `db status`). */
export async function healthReport(services: RegistryServices) {
  const state = services.database.state();
  let drift: { kind: string; table: string; message: string }[] = [];
  let openAlerts = 0;
  if (state.phase === 'ready' || state.phase === 'ahead') {
    [drift, openAlerts] = await Promise.all([
      services.database.checkDrift().catch(() => []),
      services.repos.alerts.countUnresolved().catch(() => 0),
    ]);
  }
  // down: unreachable after the start-up budget; degraded: serving, but not everything is right.
  const status = state.phase === 'ready' && drift.length === 0
    ? 'ok'
    : state.phase === 'unreachable' && state.startBudgetSpent ? 'down' : 'degraded';
  return {
    status,
    database: {
      driver: state.driver,
      phase: state.phase,
      reachable: state.reachable,
      writable: state.writable,
      schemaVersion: state.schemaVersion,
      latestVersion: state.latestVersion,
      ...(state.lastError && state.phase !== 'ready' ? { error: state.lastError } : {}),
    },
    drift,
    alerts: { open: openAlerts },
    checkedAt: new Date().toISOString(),
  } as const;
}

/** `GET /api/health` (full report) and `GET /api/health/ready` (for load balancers). */
export function registerHealthRoutes(app: RegistryApp, services: RegistryServices): void {
  app.get('/api/health', {
    schema: { tags: ['health'], summary: 'Registry and database health, schema version, drift and open alerts', response: { 200: HealthSchema, 503: HealthSchema } },
  }, async (_request, reply) => {
    const report = await healthReport(services);
    return reply.status(report.status === 'down' ? 503 : 200).send(report);
  });

  app.get('/api/health/ready', {
    schema: {
      tags: ['health'],
      summary: 'Ready to serve requests (database reachable and schema usable)',
      response: { 200: Type.Object({ ready: Type.Boolean(), phase: Type.String() }), 503: Type.Object({ ready: Type.Boolean(), phase: Type.String() }) },
    },
  }, async (_request, reply) => {
    const state = services.database.state();
    const ready = state.phase === 'ready' || state.phase === 'ahead';
    return reply.status(ready ? 200 : 503).send({ ready, phase: state.phase });
  });
}
