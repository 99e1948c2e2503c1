import type { Queryable } from '../db/database';
import { createInstallationHealthRepository } from '../db/installation-health-repository';
import { defineApplier } from './event-appliers';

/** Journal event types of plugin health and rollouts. */
export const RUNTIME_EVENT_TYPES = {
  /** An analysis run (health checks and examples) finished; its result is stored on the installation. */
  healthChecked: 'plugin.health-checked',
  /** An installation stopped serving invocations until an admin decides (inconclusive analysis, or failed without a version to revert to). */
  paused: 'plugin.paused',
  /** An admin let a paused installation serve again. */
  resumed: 'plugin.resumed',
} as const;

/** Payload of `plugin.health-checked`: the analysis result, computed before the event (the applier only copies it). */
export interface HealthCheckedPayload {
  targetId: string;
  pluginId: string;
  version: string;
  health: Record<string, unknown>;
}

/** Payload of `plugin.paused` and `plugin.resumed`. */
export interface InstallationStatusPayload {
  targetId: string;
  pluginId: string;
  version: string;
  reason: string;
}

// The appliers change the row only while it still holds the version the event is about, so replay
// gives the same result whatever happened to the installation afterwards.
defineApplier(RUNTIME_EVENT_TYPES.healthChecked, async (tx: Queryable, event) => {
  const payload = event.payload as unknown as HealthCheckedPayload;
  await createInstallationHealthRepository(tx).setHealth(tx, payload.targetId, payload.pluginId, payload.version, payload.health);
});
defineApplier(RUNTIME_EVENT_TYPES.paused, async (tx: Queryable, event) => {
  const payload = event.payload as unknown as InstallationStatusPayload;
  await createInstallationHealthRepository(tx).setStatus(tx, payload.targetId, payload.pluginId, payload.version, 'paused', event.ts);
});
defineApplier(RUNTIME_EVENT_TYPES.resumed, async (tx: Queryable, event) => {
  const payload = event.payload as unknown as InstallationStatusPayload;
  await createInstallationHealthRepository(tx).setStatus(tx, payload.targetId, payload.pluginId, payload.version, 'active', event.ts);
});
