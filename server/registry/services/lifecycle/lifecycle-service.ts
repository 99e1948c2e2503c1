import { randomUUID } from 'node:crypto';
import type { CreateTarget, LifecycleKind, LifecycleRequest, LifecycleResult, Target } from '../../../../protocol/lifecycle-api';
import type { Role } from '../../../../protocol/roles';
import type { Database, Queryable } from '../../db/database';
import { createInstallationsRepository } from '../../db/installations-repository';
import { createOperationsRepository, type StoredOperation } from '../../db/operations-repository';
import { createTargetsRepository } from '../../db/targets-repository';
import { CodexError } from '../../errors';
import { recordEvent } from '../../journal/event-appliers';
import { LIFECYCLE_EVENT_TYPES, lifecycleSteps, TARGET_CREATED_EVENT, type LifecycleEventPayload, type TargetCreatedPayload } from '../../journal/lifecycle-appliers';
import { planOperation, requestHash, targetStateHash } from './planner';

/** Who asks, and with which Idempotency-Key. */
export interface LifecycleCaller {
  actor: string;
  role: Role;
  idempotencyKey?: string;
}

/** Options of the lifecycle service. */
export interface LifecycleServiceOptions {
  db: Database;
  /** The version `engines["plugin-codex"]` is checked against (default: package.json). */
  registryVersion?: string;
  /**
   * Called with the name of every step before it runs, inside the operation's transaction
   * (`lock`, `idempotency`, `plan`, `record`, the applier's `create-schema:<plugin>`,
   * `migrate-up:<plugin>:<n>`, `insert-installation:<plugin>`, …, `commit`). Tests throw from it
   * to prove that a failure at any step leaves the database as it was.
   */
  onStep?: (step: string) => Promise<void> | void;
}

const noStep = () => undefined;

/**
 * Install, upgrade, rollback and remove, each one transaction per request: lock the target, detect
 * a repeat, plan, journal the resolved result as one event whose applier writes the installations,
 * plugin schemas and migrations, and the operation row — all commit together or not at all.
 */
export function createLifecycleService(options: LifecycleServiceOptions) {
  const { db } = options;
  const onStep = options.onStep ?? noStep;
  const installations = createInstallationsRepository(db);
  const operations = createOperationsRepository(db);
  const targets = createTargetsRepository(db);

  async function result(tx: Queryable, operation: StoredOperation, noop: boolean): Promise<LifecycleResult> {
    const installation = await installations.get(operation.targetId, operation.pluginId, tx);
    const { requestHash: _hash, ...visible } = operation;
    return { dryRun: false, noop, plan: operation.plan, operation: visible, installation: installation ?? null };
  }

  async function run(kind: LifecycleKind, body: LifecycleRequest, caller: LifecycleCaller): Promise<LifecycleResult> {
    const request = { ...body, target: body.target ?? 'default' };
    const hash = requestHash(kind, request, caller.actor);
    try {
      return await db.transaction(async (tx) => {
        await onStep('begin');
        await installations.lockTarget(tx, request.target);
        await onStep('lock');
        if (!await targets.get(request.target, tx)) {
          throw new CodexError('CODEX_ERR_TARGET_NOT_FOUND', `there is no install target "${request.target}"; create it with POST /api/targets or pick one from GET /api/targets`, { target: request.target }, 404);
        }
        if (caller.idempotencyKey !== undefined && !request.dryRun) {
          const earlier = await operations.byIdempotencyKey(caller.actor, caller.idempotencyKey, tx);
          if (earlier) {
            if (earlier.requestHash !== hash) {
              throw new CodexError('CODEX_ERR_IDEMPOTENCY_KEY_REUSED', `Idempotency-Key "${caller.idempotencyKey}" was already used for a different request (operation ${earlier.id}); use a new key for a new request`, { operationId: earlier.id }, 409);
            }
            return result(tx, earlier, true);
          }
        }
        await onStep('idempotency');
        const installed = await installations.listByTarget(request.target, tx);
        if (!request.dryRun) {
          // The same request by the same actor on a target nobody changed since: answer with the first result.
          const repeat = await operations.latestByRequest(request.target, hash, tx);
          if (repeat && repeat.plan.targetState.after === targetStateHash(installed)) return result(tx, repeat, true);
        }
        const planned = await planOperation({
          kind, request, installed, actor: caller.actor, role: caller.role, registrySchema: db.schema,
          versions: (pluginId) => installations.versionsOf(pluginId, tx), registryVersion: options.registryVersion,
        });
        await onStep('plan');
        if ('alreadyDone' in planned) {
          // Nothing to change (e.g. the loser of two concurrent installs): the latest operation on the plugin stands.
          const latest = await latestOperationOn(tx, request.target, request.pluginId);
          const installation = await installations.get(request.target, request.pluginId, tx);
          if (!latest || !installation) throw new CodexError('CODEX_ERR_CONFLICT', planned.reason);
          const { requestHash: _hash, ...visible } = latest;
          return { dryRun: Boolean(request.dryRun), noop: true, plan: latest.plan, operation: visible, installation };
        }
        if (request.dryRun) return { dryRun: true, noop: false, plan: planned.plan, operation: null, installation: installed.find((row) => row.pluginId === request.pluginId) ?? null };

        const id = randomUUID();
        const payload: LifecycleEventPayload = {
          operation: {
            id, kind, targetId: request.target, pluginId: request.pluginId, fromVersion: planned.plan.fromVersion, toVersion: planned.plan.toVersion,
            status: 'succeeded', plan: planned.plan, diffLog: planned.diffLog, snapshot: planned.snapshot,
            idempotencyKey: caller.idempotencyKey ?? null, requestHash: hash, actor: caller.actor,
          },
          remove: planned.remove,
          write: planned.write,
        };
        await onStep('record');
        await lifecycleSteps.run(onStep, () => recordEvent(tx, {
          actor: caller.actor, type: LIFECYCLE_EVENT_TYPES[kind], subject: `${request.target}/${request.pluginId}`, payload: payload as unknown as Record<string, unknown>,
        }));
        const stored = await operations.get(id, tx);
        await onStep('commit');
        return result(tx, stored!, false);
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === '23505' && /idempotency/.test(String((error as { constraint?: unknown }).constraint ?? (error as Error).message))) {
        throw new CodexError('CODEX_ERR_IDEMPOTENCY_KEY_REUSED', `Idempotency-Key "${caller.idempotencyKey}" is being used by another request right now; use a new key for a new request`, undefined, 409);
      }
      throw error;
    }
  }

  async function latestOperationOn(tx: Queryable, targetId: string, pluginId: string): Promise<StoredOperation | undefined> {
    const installation = await installations.get(targetId, pluginId, tx);
    if (!installation) return undefined;
    return operations.latestOn(targetId, pluginId, tx);
  }

  return {
    /** Runs one lifecycle operation (or plans it, with `dryRun`). */
    run,
    install: (request: LifecycleRequest, caller: LifecycleCaller) => run('install', request, caller),
    upgrade: (request: LifecycleRequest, caller: LifecycleCaller) => run('upgrade', request, caller),
    rollback: (request: LifecycleRequest, caller: LifecycleCaller) => run('rollback', request, caller),
    remove: (request: LifecycleRequest, caller: LifecycleCaller) => run('remove', request, caller),
    /** Creates an install target through the journal; an existing id is a 409. */
    async createTarget(input: CreateTarget, actor: string): Promise<Target> {
      return db.transaction(async (tx) => {
        await installations.lockTarget(tx, input.id);
        if (await targets.get(input.id, tx)) throw new CodexError('CODEX_ERR_TARGET_EXISTS', `an install target "${input.id}" already exists`, { id: input.id }, 409);
        const payload: TargetCreatedPayload = { id: input.id, name: input.name, description: input.description ?? '' };
        await recordEvent(tx, { actor, type: TARGET_CREATED_EVENT, subject: input.id, payload: payload as unknown as Record<string, unknown> });
        return (await targets.get(input.id, tx))!;
      });
    },
  };
}

export type LifecycleService = ReturnType<typeof createLifecycleService>;
