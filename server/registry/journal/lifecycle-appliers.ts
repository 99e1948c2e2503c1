import { AsyncLocalStorage } from 'node:async_hooks';
import type { LifecycleKind, LifecyclePlan } from '../../../protocol/lifecycle-api';
import type { Queryable } from '../db/database';
import { createInstallationsRepository, type InstallationWrite } from '../db/installations-repository';
import { createOperationsRepository, type OperationWrite } from '../db/operations-repository';
import { createPluginSchema, dropPluginSchema, runPluginMigration } from '../db/plugin-schemas';
import { createTargetsRepository } from '../db/targets-repository';
import { CodexError } from '../errors';
import { defineApplier } from './event-appliers';

/** The journal event type of each lifecycle operation. */
export const LIFECYCLE_EVENT_TYPES: Record<LifecycleKind, string> = {
  install: 'plugin.installed',
  upgrade: 'plugin.upgraded',
  rollback: 'plugin.rolled-back',
  remove: 'plugin.removed',
};

/** The journal event type of a new install target. */
export const TARGET_CREATED_EVENT = 'target.created';

/** Payload of `target.created`. */
export interface TargetCreatedPayload {
  id: string;
  name: string;
  description: string;
}

/**
 * Payload of `plugin.installed`, `plugin.upgraded`, `plugin.rolled-back` and `plugin.removed`: the
 * fully resolved result, so the applier needs nothing but the event and the immutable
 * plugin_versions rows (which hold the migration SQL named by `plan.migrations`).
 */
export interface LifecycleEventPayload {
  operation: OperationWrite;
  /** Installations to delete with their data schemas, dependents first. */
  remove: { pluginId: string; dataSchema: string }[];
  /** Installations to insert or update, dependencies first; their migrations run just before the write. */
  write: { mode: 'insert' | 'update'; installation: InstallationWrite }[];
}

/**
 * Tests observe (and fail) the applier's steps through this: the lifecycle service runs
 * `recordEvent` inside `lifecycleSteps.run(observer, ...)`. Replay runs without an observer.
 */
export const lifecycleSteps = new AsyncLocalStorage<(step: string) => Promise<void> | void>();

async function step(name: string): Promise<void> {
  await lifecycleSteps.getStore()?.(name);
}

async function runMigrations(tx: Queryable, plan: LifecyclePlan, pluginId: string): Promise<void> {
  const installations = createInstallationsRepository(tx);
  for (const batch of plan.migrations.filter((migration) => migration.pluginId === pluginId)) {
    const source = await installations.version(batch.pluginId, batch.sourceVersion, tx);
    if (!source) throw new Error(`${batch.pluginId}@${batch.sourceVersion} is missing: its migrations cannot run`);
    for (const planned of batch.steps) {
      const migration = source.migrations.find((candidate) => candidate.version === planned.version);
      if (!migration) throw new Error(`${batch.pluginId}@${batch.sourceVersion} has no migration ${planned.version}`);
      await step(`migrate-${batch.direction}:${pluginId}:${planned.version}`);
      try {
        await runPluginMigration(tx, batch.dataSchema, batch.direction === 'up' ? migration.up : migration.down);
      } catch (error) {
        // Reported as the plugin's fault, without the SQLSTATE: a missing table in a plugin's schema
        // must not look like damage to the registry's own schema (which would trigger self-healing).
        const reason = error instanceof Error ? error.message : String(error);
        throw new CodexError('CODEX_ERR_PLUGIN_MIGRATION_FAILED',
          `the ${batch.direction} migration ${planned.version} (${planned.name}) of ${batch.pluginId}@${batch.sourceVersion} failed: ${reason}; nothing was changed`,
          { pluginId: batch.pluginId, version: batch.sourceVersion, migration: planned.version, direction: batch.direction }, 422);
      }
    }
  }
}

/** Applies one lifecycle operation: removals, then installs and changes with their migrations, then the operation row. */
async function applyLifecycle(tx: Queryable, payload: LifecycleEventPayload, ts: string): Promise<void> {
  const installations = createInstallationsRepository(tx);
  const plan = payload.operation.plan;
  for (const removal of payload.remove) {
    await step(`drop-schema:${removal.pluginId}`);
    await dropPluginSchema(tx, removal.dataSchema);
    await step(`delete-installation:${removal.pluginId}`);
    await installations.delete(tx, payload.operation.targetId, removal.pluginId);
  }
  for (const { mode, installation } of payload.write) {
    if (mode === 'insert') {
      await step(`create-schema:${installation.pluginId}`);
      await createPluginSchema(tx, installation.dataSchema);
    }
    await runMigrations(tx, plan, installation.pluginId);
    await step(`${mode}-installation:${installation.pluginId}`);
    if (mode === 'insert') {
      await installations.insert(tx, installation, ts);
      await step(`count-install:${installation.pluginId}`);
      await installations.countInstall(tx, installation.pluginId, ts.slice(0, 10));
    } else {
      await installations.update(tx, installation, ts);
    }
  }
  await step('write-operation');
  await createOperationsRepository(tx).insert(tx, payload.operation, ts);
}

for (const type of Object.values(LIFECYCLE_EVENT_TYPES)) {
  defineApplier(type, (tx, event) => applyLifecycle(tx, event.payload as unknown as LifecycleEventPayload, event.ts));
}

defineApplier(TARGET_CREATED_EVENT, async (tx, event) => {
  const payload = event.payload as unknown as TargetCreatedPayload;
  await createTargetsRepository(tx).insert(tx, { ...payload, createdBy: event.actor, createdAt: event.ts });
});
