import type { LifecycleKind, LifecycleResult } from '../../../../protocol/lifecycle-api';
import type { AlertsRepository } from '../../db/alerts-repository';
import type { Database } from '../../db/database';
import { createInstallationsRepository } from '../../db/installations-repository';
import { createInvocationsRepository, type NewInvocation } from '../../db/invocations-repository';
import { recordEvent } from '../../journal/event-appliers';
import { RUNTIME_EVENT_TYPES, type HealthCheckedPayload, type InstallationStatusPayload } from '../../journal/runtime-appliers';
import { createLifecycleService } from '../lifecycle/lifecycle-service';
import { SYSTEM_ACTOR } from '../publish-service';
import type { ExampleStep, HealthProbe, RuntimeService } from './runtime-service';

/**
 * How an analysis run measures a new version, in the manner of Argo Rollouts' AnalysisRuns:
 * `count` measurements `intervalMs` apart, each a health check plus the manifest's examples
 * (examples run with in-memory storage, so they never touch the installation's data).
 */
export interface AnalysisOptions {
  /** Run analyses after installs and upgrades at all (default true). */
  enabled: boolean;
  count: number;
  intervalMs: number;
  /** Failed measurements tolerated; one more fails the run. */
  failureLimit: number;
  /** Inconclusive measurements tolerated; one more makes the run inconclusive. */
  inconclusiveLimit: number;
  /** Run the manifest's examples in each measurement (default true). */
  examples: boolean;
  /** The runtime error-rate gate over an installation's latest tool invocations. */
  errorRate: { window: number; minSamples: number; threshold: number };
}

/** Defaults, overridable by PLUGIN_ANALYSIS_* variables (see .env.example) and by buildApp options. */
export const DEFAULT_ANALYSIS: AnalysisOptions = {
  enabled: true, count: 1, intervalMs: 0, failureLimit: 0, inconclusiveLimit: 0, examples: true,
  errorRate: { window: 20, minSamples: 10, threshold: 0.5 },
};

/** Reads PLUGIN_ANALYSIS_* from the environment over the defaults. */
export function analysisOptionsFromEnv(env: Record<string, string | undefined>, base: AnalysisOptions = DEFAULT_ANALYSIS): AnalysisOptions {
  const number = (name: string, fallback: number) => {
    const value = env[name];
    return value !== undefined && value !== '' && Number.isFinite(Number(value)) ? Number(value) : fallback;
  };
  return {
    enabled: env.PLUGIN_ANALYSIS_ENABLED === undefined || env.PLUGIN_ANALYSIS_ENABLED === '' ? base.enabled : env.PLUGIN_ANALYSIS_ENABLED !== 'false',
    count: Math.max(1, number('PLUGIN_ANALYSIS_COUNT', base.count)),
    intervalMs: Math.max(0, number('PLUGIN_ANALYSIS_INTERVAL_MS', base.intervalMs)),
    failureLimit: Math.max(0, number('PLUGIN_ANALYSIS_FAILURE_LIMIT', base.failureLimit)),
    inconclusiveLimit: Math.max(0, number('PLUGIN_ANALYSIS_INCONCLUSIVE_LIMIT', base.inconclusiveLimit)),
    examples: base.examples,
    errorRate: {
      window: Math.max(1, number('PLUGIN_ERROR_RATE_WINDOW', base.errorRate.window)),
      minSamples: Math.max(1, number('PLUGIN_ERROR_RATE_MIN_SAMPLES', base.errorRate.minSamples)),
      threshold: Math.min(1, Math.max(0, number('PLUGIN_ERROR_RATE_THRESHOLD', base.errorRate.threshold))),
    },
  };
}

/** The phase of an analysis run. */
export type AnalysisPhase = 'successful' | 'failed' | 'inconclusive';

/** One measurement: a health probe and the examples. */
export interface Measurement {
  phase: AnalysisPhase;
  healthCheck: HealthProbe;
  steps: ExampleStep[];
}

/** What is stored in `installations.health` and journaled in `plugin.health-checked`. */
export interface AnalysisRun {
  phase: AnalysisPhase;
  trigger: 'install' | 'upgrade' | 'error-rate' | 'after-revert';
  version: string;
  startedAt: string;
  finishedAt: string;
  options: { count: number; intervalMs: number; failureLimit: number; inconclusiveLimit: number };
  measurements: Measurement[];
  /** For the error-rate gate: failed and total among the latest invocations. */
  errorRate?: { failed: number; total: number; threshold: number };
  /** What the registry did about the result. */
  action: 'none' | 'rolled-back' | 'paused';
  message: string;
}

/** Sandbox answers that say nothing about the plugin (the registry could not run it). */
const INCONCLUSIVE_CODES = new Set(['QUEUE_FULL', 'WORKER_CRASHED', 'SANDBOX_CLOSED', 'PACKAGE_UNAVAILABLE']);

/**
 * Health-gated rollouts: after every install and upgrade an analysis run measures the new version
 * in its target; a failed run reverts the installation to its last known good version through the
 * lifecycle service (down migrations included) and raises an alert; an inconclusive one pauses
 * the installation and raises an alert asking an admin to decide. A runtime error rate above the
 * threshold on an active installation is treated as a failed run. Everything is journaled:
 * `plugin.health-checked`, then `plugin.rolled-back` or `plugin.paused`.
 */
export function createRolloutService(deps: { db: Database; runtime: RuntimeService; alerts: AlertsRepository; options: AnalysisOptions; log: { warn(details: object, message: string): void } }) {
  const { db, runtime, options } = deps;
  const installations = createInstallationsRepository(db);
  const invocations = createInvocationsRepository(db);
  const lifecycle = createLifecycleService({ db });
  const pending = new Set<Promise<unknown>>();
  /** Installations (target/plugin@version) with a gate decision in progress: one at a time each. */
  const gating = new Set<string>();
  let stopping = false;

  function track<T>(work: Promise<T>): Promise<T> {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => undefined);
    return work;
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function measure(targetId: string, pluginId: string, version: string, examples: boolean): Promise<Measurement | undefined> {
    const installation = await installations.get(targetId, pluginId);
    if (!installation || installation.version !== version) return undefined;
    const healthCheck = await runtime.healthCheck(runtime.databaseScope(targetId), installation, SYSTEM_ACTOR);
    // Examples run against the live installation's config and dependencies but with storage in
    // memory, so an `add` example never writes into the user's data; they are recorded as `health`.
    let steps: ExampleStep[] = [];
    if (examples && healthCheck.ok) {
      const live = runtime.databaseScope(targetId);
      const memory = runtime.memoryScope(targetId, []);
      steps = await runtime.runExamples({ ...live, storage: memory.storage }, installation, 'health');
    }
    const codes = [healthCheck.error?.code, ...steps.map((step) => step.error?.code)].filter((code): code is string => code !== undefined);
    const phase: AnalysisPhase = codes.some((code) => INCONCLUSIVE_CODES.has(code)) ? 'inconclusive'
      : healthCheck.ok && steps.every((step) => step.pass) ? 'successful' : 'failed';
    return { phase, healthCheck, steps };
  }

  /** Runs one analysis of an installation at `version` and acts on its result. */
  async function analyse(targetId: string, pluginId: string, version: string, trigger: 'install' | 'upgrade'): Promise<AnalysisRun | undefined> {
    const startedAt = new Date().toISOString();
    try {
      await runtime.loadVersion(pluginId, version);
    } catch (error) {
      // Publishing guarantees a loadable package, so this is the registry's damage (a lost
      // artifact), not the plugin's health: no verdict, no action; journal restore brings it back.
      deps.log.warn({ pluginId, version, targetId, error: error instanceof Error ? error.message : String(error) }, 'no analysis run: the package of the installed version cannot be loaded');
      return undefined;
    }
    const measurements: Measurement[] = [];
    let failed = 0;
    let inconclusive = 0;
    for (let index = 0; index < options.count; index += 1) {
      if (stopping) return undefined;
      if (index > 0 && options.intervalMs > 0) await sleep(options.intervalMs);
      const measurement = await measure(targetId, pluginId, version, options.examples);
      if (!measurement) return undefined; // The installation changed meanwhile: its own analysis decides.
      measurements.push(measurement);
      if (measurement.phase === 'failed') failed += 1;
      if (measurement.phase === 'inconclusive') inconclusive += 1;
      if (failed > options.failureLimit || inconclusive > options.inconclusiveLimit) break;
    }
    if (stopping) return undefined;
    const phase: AnalysisPhase = failed > options.failureLimit ? 'failed' : inconclusive > options.inconclusiveLimit ? 'inconclusive' : 'successful';
    const run: AnalysisRun = {
      phase, trigger, version, startedAt, finishedAt: new Date().toISOString(),
      options: { count: options.count, intervalMs: options.intervalMs, failureLimit: options.failureLimit, inconclusiveLimit: options.inconclusiveLimit },
      measurements, action: 'none', message: '',
    };
    return decide(targetId, pluginId, run);
  }

  function firstProblem(run: AnalysisRun): string {
    for (const measurement of run.measurements) {
      if (!measurement.healthCheck.ok) return `health check failed: ${measurement.healthCheck.error?.message ?? 'unhealthy'}`;
      const step = measurement.steps.find((candidate) => !candidate.pass);
      if (step) return `example ${step.tool} ${step.error ? `failed: ${step.error.message}` : 'did not give the expected output'}`;
    }
    return run.errorRate ? `${run.errorRate.failed} of the last ${run.errorRate.total} invocations failed (threshold ${Math.round(run.errorRate.threshold * 100)} %)` : 'no measurement passed';
  }

  /** Journals the run, then reverts (failed) or pauses (inconclusive, or failed without a version to go back to). */
  async function decide(targetId: string, pluginId: string, run: AnalysisRun): Promise<AnalysisRun> {
    const installation = await installations.get(targetId, pluginId);
    const subject = `${targetId}/${pluginId}`;
    const where = `${pluginId}@${run.version} in target ${targetId}`;
    if (run.phase === 'successful') {
      run.message = `${where} passed its analysis`;
    } else if (run.phase === 'failed' && installation?.lastKnownGoodVersion) {
      run.action = 'rolled-back';
      run.message = `${where} failed its analysis (${firstProblem(run)}); reverted to the last known good version ${installation.lastKnownGoodVersion}`;
    } else {
      run.action = 'paused';
      run.message = run.phase === 'failed'
        ? `${where} failed its analysis (${firstProblem(run)}) and has no last known good version; it is paused until an admin resumes, rolls back or removes it`
        : `${where} had an inconclusive analysis (the sandbox could not measure it); it is paused until an admin resumes or rolls it back`;
    }
    // Tool outputs are not redacted by the sandbox (only logs and errors are): they stay out of the
    // journal, which is exported and mirrored; pass/fail, errors and timings are what decisions need.
    const journaled = { ...run, measurements: run.measurements.map((measurement) => ({ ...measurement, steps: measurement.steps.map(({ output: _output, ...step }) => step) })) };
    const health: HealthCheckedPayload = { targetId, pluginId, version: run.version, health: journaled as unknown as Record<string, unknown> };
    await db.transaction((tx) => recordEvent(tx, { actor: SYSTEM_ACTOR, type: RUNTIME_EVENT_TYPES.healthChecked, subject, payload: health as unknown as Record<string, unknown> }));
    if (run.action === 'rolled-back') {
      try {
        await lifecycle.rollback({ pluginId, target: targetId }, { actor: SYSTEM_ACTOR, role: 'super-admin' });
      } catch (error) {
        run.action = 'paused';
        run.message += `; the rollback failed (${error instanceof Error ? error.message : String(error)}), so it is paused instead`;
      }
    }
    if (run.action === 'paused') {
      const paused: InstallationStatusPayload = { targetId, pluginId, version: run.version, reason: run.message };
      await db.transaction((tx) => recordEvent(tx, { actor: SYSTEM_ACTOR, type: RUNTIME_EVENT_TYPES.paused, subject, payload: paused as unknown as Record<string, unknown> }));
    }
    if (run.action !== 'none') {
      await deps.alerts.raise({
        kind: run.action === 'rolled-back' ? 'plugin.auto-reverted' : 'plugin.paused',
        severity: run.action === 'rolled-back' ? 'critical' : 'warning',
        message: run.message,
        details: { targetId, pluginId, version: run.version, phase: run.phase, trigger: run.trigger, action: run.action, revertedTo: run.action === 'rolled-back' ? installation?.lastKnownGoodVersion : undefined },
      });
    }
    if (run.action === 'rolled-back' && installation?.lastKnownGoodVersion) {
      // Record the health of the version the installation went back to (one probe, no further action).
      const reverted = await installations.get(targetId, pluginId);
      if (reverted) {
        const probe = await runtime.healthCheck(runtime.databaseScope(targetId), reverted, SYSTEM_ACTOR);
        const after: AnalysisRun = {
          phase: probe.ok ? 'successful' : 'failed', trigger: 'after-revert', version: reverted.version, startedAt: probe.checkedAt, finishedAt: new Date().toISOString(),
          options: { count: 1, intervalMs: 0, failureLimit: 0, inconclusiveLimit: 0 }, measurements: [{ phase: probe.ok ? 'successful' : 'failed', healthCheck: probe, steps: [] }],
          action: 'none', message: `${pluginId}@${reverted.version} in target ${targetId} after the automatic revert: ${probe.ok ? 'healthy' : 'unhealthy'}`,
        };
        const payload: HealthCheckedPayload = { targetId, pluginId, version: reverted.version, health: after as unknown as Record<string, unknown> };
        await db.transaction((tx) => recordEvent(tx, { actor: SYSTEM_ACTOR, type: RUNTIME_EVENT_TYPES.healthChecked, subject, payload: payload as unknown as Record<string, unknown> }));
      }
    }
    return run;
  }

  async function errorRateGate(invocation: NewInvocation): Promise<void> {
    const { window, minSamples, threshold } = options.errorRate;
    const key = `${invocation.targetId}/${invocation.pluginId}@${invocation.version}`;
    if (gating.has(key)) return;
    gating.add(key);
    try {
      const rate = await invocations.errorRate(invocation.targetId, invocation.pluginId, invocation.version, window);
      if (rate.total < minSamples || rate.failed / rate.total < threshold) return;
      const installation = await installations.get(invocation.targetId, invocation.pluginId);
      if (!installation || installation.version !== invocation.version || installation.status !== 'active') return;
      const now = new Date().toISOString();
      await decide(invocation.targetId, invocation.pluginId, {
        phase: 'failed', trigger: 'error-rate', version: invocation.version, startedAt: now, finishedAt: now,
        options: { count: 0, intervalMs: 0, failureLimit: 0, inconclusiveLimit: 0 }, measurements: [],
        errorRate: { ...rate, threshold }, action: 'none', message: '',
      });
    } finally {
      gating.delete(key);
    }
  }

  const report = (what: string) => (error: unknown) => {
    if (!stopping) deps.log.warn({ error: error instanceof Error ? error.message : String(error) }, what);
  };

  return {
    analyse,
    /** Called by the lifecycle routes after an operation committed: installs and upgrades get an analysis run. */
    afterLifecycle(kind: LifecycleKind, result: LifecycleResult): void {
      if (!options.enabled || stopping || result.dryRun || result.noop || !result.installation) return;
      if (kind !== 'install' && kind !== 'upgrade') return;
      const { targetId, pluginId, version } = result.installation;
      void track(analyse(targetId, pluginId, version, kind).catch(report('a plugin analysis run failed')));
    },
    /** Called after every recorded invocation: the error-rate gate. */
    afterInvocation(invocation: NewInvocation): void {
      if (!options.enabled || stopping || invocation.ok || invocation.source === 'health') return;
      void track(errorRateGate(invocation).catch(report('the error-rate gate failed')));
    },
    /** Resolves when every analysis and gate started so far has finished (tests, shutdown). */
    async settled(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    /** Starts no new work and waits for the running work (before the sandbox and database close). */
    async stop(): Promise<void> {
      stopping = true;
      await this.settled();
    },
  };
}

export type RolloutService = ReturnType<typeof createRolloutService>;
