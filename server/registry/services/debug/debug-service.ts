import { randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import semver from 'semver';
import { RULES, type Finding } from '../../../../codex-core/index';
import { createOpenAiFixModel, type FixModel, type LlmEndpoint } from '../../../../codex-core/llm/index';
import type {
  DebugFinding, DebugProgressEvent, DebugResult, DebugSession, DebugStats, DebugTrigger, FixSuggestion, RunTrace, SnapshotDiff, SnapshotListItem, SuggestBody,
} from '../../../../protocol/debug-api';
import type { PublishResponse } from '../../../../protocol/marketplace-api';
import type { Role } from '../../../../protocol/roles';
import type { Database } from '../../db/database';
import { createDebugRepository, type SuggestionRecord } from '../../db/debug-repository';
import { createInstallationsRepository } from '../../db/installations-repository';
import { checkPluginMigrations } from '../../db/plugin-migration-check';
import { createPluginsRepository, type VersionRecord } from '../../db/plugins-repository';
import { CodexError } from '../../errors';
import { recordEvent } from '../../journal/event-appliers';
import { packPluginDirectory, readPluginPackage, type PluginPackage } from '../../packages/plugin-package';
import type { SigningKey } from '../../packages/signing';
import type { Sandbox } from '../../sandbox/sandbox';
import { createLifecycleService } from '../lifecycle/lifecycle-service';
import { createPublishService, type PublishGateVerdict } from '../publish-service';
import { errorFingerprint, type RuntimeErrorReport } from './error-fingerprint';
import { RUNTIME_RULE, suggestFix } from './fix-suggester';
import { isCritical, openPluginWorkspace, scanProject, securityFindings, type PluginWorkspace } from './plugin-workspace';
import { createScanWorker, type ScanWorkerOptions } from './scan-worker-client';
import { diffSnapshots, summarise, toListItem } from './snapshots';
import { runKey, runTraced } from './traced-runs';

/** The actor of sessions the registry starts by itself (publish, runtime errors, installs). */
export const DEBUG_ACTOR = 'debug-engine';

/** Reads the LLM endpoint from the environment (`LLM_BASE_URL`, `LLM_MODEL`, `LLM_API_KEY`); undefined when unset. */
export function llmEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): LlmEndpoint | undefined {
  const baseUrl = env.LLM_BASE_URL?.trim();
  if (!baseUrl) return undefined;
  return { baseUrl, model: env.LLM_MODEL?.trim() || 'gpt-4o-mini', ...(env.LLM_API_KEY ? { apiKey: env.LLM_API_KEY } : {}) };
}

/** What the debug service is built from. */
export interface DebugServiceDeps {
  db: Database;
  /** The registry's sandbox and signing key, read when first needed (they are created beside this service). */
  services: () => { sandbox: Sandbox; signingKey: SigningKey };
  log: { warn(data: unknown, message: string): void; error(data: unknown, message: string): void };
  /** The model behind "suggest fix"; default: from the environment. Undefined: suggestions answer 503. */
  model?: FixModel;
  /** Start a full session after every publish through the route (default true). */
  sessionsOnPublish?: boolean;
  /** The codex-core scan worker's time limit, queue bound and heap limit. */
  scanWorker?: ScanWorkerOptions;
}

/** A caller of the debug routes. */
export interface DebugCaller {
  userId: string;
  role: Role;
}

interface LiveSession {
  events: DebugProgressEvent[];
  listeners: Set<(event: DebugProgressEvent) => void>;
  abort: AbortController;
  done: Promise<void>;
  /** Set once the result is stored; the entry stays a few seconds longer for late subscribers. */
  finished: boolean;
}

/** How many sessions this instance runs at most at once. */
const MAX_RUNNING_SESSIONS = 8;

/**
 * A session still `running` in the database after this long was left by a registry instance that
 * stopped mid-session (a crash, a kill): no live session gets near it, as its scan has a time limit
 * and every sandbox run has CPU, wall-clock and memory limits. Younger ones may belong to another
 * instance that is still running them.
 */
export const ABANDONED_AFTER_MS = 15 * 60_000;

/**
 * The debug engine: debug sessions, run snapshots, the publish gate, automatic sessions on runtime
 * errors and lifecycle changes, verified AI fix suggestions and their learning record. Sessions run
 * in the background of the request that starts them; their progress is kept in memory for the SSE
 * stream and their result in the database.
 */
export function createDebugService(deps: DebugServiceDeps) {
  const { db } = deps;
  const sandbox: Sandbox = {
    invoke: (request) => deps.services().sandbox.invoke(request),
    get ceilings() {
      return deps.services().sandbox.ceilings;
    },
    stats: () => deps.services().sandbox.stats(),
    close: async () => undefined,
  };
  const repo = createDebugRepository(db);
  const scanner = createScanWorker(deps.scanWorker);
  const plugins = createPluginsRepository(db);
  const installations = createInstallationsRepository(db);
  let publisher: ReturnType<typeof createPublishService> | undefined;
  const publishing = () => (publisher ??= createPublishService({ db, signingKey: deps.services().signingKey }));
  const lifecycle = createLifecycleService({ db });
  const live = new Map<string, LiveSession>();
  let closed = false;
  const endpoint = llmEndpointFromEnv();
  const model = deps.model ?? (endpoint ? createOpenAiFixModel(endpoint) : undefined);

  async function resolveVersion(pluginId: string, version?: string, target?: string): Promise<{ record: VersionRecord; config: Record<string, unknown> }> {
    let config: Record<string, unknown> = {};
    if (target) {
      const installation = await installations.get(target, pluginId);
      if (!installation) throw new CodexError('CODEX_ERR_NOT_FOUND', `${pluginId} is not installed on target ${target}; debug a version instead (?version=) or pick a target it is installed on`);
      version ??= installation.version;
      config = installation.config;
    }
    if (!version) {
      const plugin = await plugins.findPlugin(pluginId);
      if (!plugin) throw new CodexError('CODEX_ERR_PLUGIN_NOT_FOUND', `there is no plugin ${pluginId}; check the id (like "@codex/text-stats")`);
      version = plugin.latestVersion ?? (await plugins.listVersions(pluginId))[0]?.version;
    }
    const record = version ? await plugins.findVersion(pluginId, version) : undefined;
    if (!record) throw new CodexError('CODEX_ERR_VERSION_NOT_FOUND', `${pluginId}@${version ?? '?'} is not published; pick one of its published versions`);
    return { record, config };
  }

  async function loadPackage(record: VersionRecord): Promise<PluginPackage> {
    const bytes = await plugins.readArtifact(record.integrity);
    if (!bytes) throw new Error(`the artifact of ${record.pluginId}@${record.version} (${record.integrity}) is missing`);
    return readPluginPackage(bytes, { expectedIntegrity: record.integrity });
  }

  function emit(sessionId: string, type: DebugProgressEvent['type'], message: string, data?: unknown): void {
    const session = live.get(sessionId);
    if (!session) return;
    const event: DebugProgressEvent = { type, sessionId, message, ...(data === undefined ? {} : { data }), at: new Date().toISOString() };
    session.events.push(event);
    for (const listener of session.listeners) listener(event);
  }

  const rates = new Map<string, number>();
  async function acceptanceRate(ruleId: string): Promise<number> {
    if (!rates.has(ruleId)) {
      const history = await repo.outcomesFor(ruleId, 200);
      const offered = history.filter((outcome) => outcome.outcome === 'offered').length;
      const accepted = history.filter((outcome) => outcome.outcome === 'accepted').length;
      rates.set(ruleId, (accepted + 1) / (offered + 2));
    }
    return rates.get(ruleId)!;
  }

  /** Runs one session to its end; never throws (a failure of the session itself ends it as `error`). */
  async function runSession(id: string, record: VersionRecord, config: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    const result: DebugResult = {
      verdict: '', findings: [], scan: { files: 0, errors: [], durationMs: 0 }, runs: [], migrations: null,
      durations: { totalMs: 0, scanMs: 0, runsMs: 0, migrationsMs: 0 },
      versions: { plugin: record.version, codexRules: RULES.length, node: process.version }, errors: [],
    };
    let workspace: PluginWorkspace | undefined;
    let status: 'passed' | 'failed' | 'error' = 'passed';
    try {
      const pkg = await loadPackage(record);
      workspace = openPluginWorkspace(pkg.files, pkg.manifest, scanner);
      emit(id, 'scan', `scanning ${pkg.files.size} files with codex-core`);
      const scanStart = Date.now();
      const analysis = await scanProject(workspace, (done, total, file) => emit(id, 'scan', `analysed ${file} (${done}/${total})`), signal);
      result.scan = { files: analysis.files, errors: analysis.errors.map((error) => ({ file: workspace!.relative(error.file), error: error.error })), durationMs: Date.now() - scanStart };
      result.durations.scanMs = result.scan.durationMs;
      for (const finding of analysis.findings) result.findings.push(await toDebugFinding(finding, workspace));
      result.findings.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || b.acceptanceRate - a.acceptanceRate);

      const code = pkg.files.get(pkg.manifest.entry)?.toString('utf8') ?? '';
      const runsStart = Date.now();
      result.runs = await runTraced({
        sandbox, pluginKey: `debug:${id}`, manifest: pkg.manifest, code, config, signal,
        onRun: (trace) => emit(id, 'run', `${runKey(trace)}: ${trace.ok ? 'ok' : `${trace.error?.code}: ${trace.error?.message ?? ''}`}`, trace),
      });
      result.durations.runsMs = Date.now() - runsStart;

      if (pkg.manifest.migrations.length > 0) {
        emit(id, 'migrations', `checking ${pkg.manifest.migrations.length} migrations for drift in a rolled-back scratch schema`);
        const migrationsStart = Date.now();
        result.migrations = await checkPluginMigrations(db, pkg.manifest.migrations);
        result.durations.migrationsMs = Date.now() - migrationsStart;
      }

      const failedRuns = result.runs.filter((run) => !run.ok);
      const critical = result.findings.filter(isCritical);
      const drift = result.migrations?.drift.length ?? 0;
      if (failedRuns.length > 0 || critical.length > 0 || drift > 0) status = 'failed';
      const reasons = [
        ...failedRuns.map((run) => `${runKey(run)} failed with ${run.error?.code}: ${run.error?.message ?? ''}`),
        ...(critical.length > 0 ? [`${critical.length} critical security finding(s), first: ${critical[0]!.ruleId} at ${critical[0]!.file}:${critical[0]!.line}`] : []),
        ...(drift > 0 ? [`${drift} migration drift item(s): ${result.migrations!.drift[0]!.message}`] : []),
      ];
      result.verdict = status === 'passed'
        ? `${record.pluginId}@${record.version} passed: ${result.runs.length} run(s) ok, no critical finding${result.migrations ? ', migrations reversible' : ''}`
        : `${record.pluginId}@${record.version} failed: ${reasons.join('; ')}`.slice(0, 2000);
    } catch (error) {
      status = 'error';
      const message = signal.aborted ? 'the session was stopped because the registry is shutting down' : (error as Error).message;
      result.errors.push(message);
      result.verdict = `the session could not finish: ${message}`;
    } finally {
      workspace?.dispose();
    }
    result.durations.totalMs = Date.now() - started;
    try {
      await db.transaction(async (tx) => {
        await repo.finishSession(tx, id, status, result);
        await repo.insertSnapshot(tx, { id: randomUUID(), sessionId: id, pluginId: record.pluginId, version: record.version, status, summary: summarise(result), data: result });
        await recordEvent(tx, {
          actor: DEBUG_ACTOR, type: 'debug.session-finished', subject: id,
          payload: { sessionId: id, pluginId: record.pluginId, version: record.version, status, verdict: result.verdict, durationMs: result.durations.totalMs },
        });
      });
    } catch (error) {
      if (!closed) deps.log.error({ err: error, sessionId: id }, 'storing a debug session result failed');
    }
    emit(id, 'finished', result.verdict, { status });
  }

  async function toDebugFinding(finding: Finding, workspace: PluginWorkspace): Promise<DebugFinding> {
    return {
      ruleId: finding.ruleId, category: finding.category, severity: finding.severity, message: finding.message,
      file: workspace.relative(finding.file), line: finding.range.start.line + 1,
      ...(finding.code ? { code: finding.code } : {}), ...(finding.suggestion ? { suggestion: finding.suggestion } : {}),
      fixes: finding.fixes.length, acceptanceRate: await acceptanceRate(finding.ruleId),
    };
  }

  /** Starts a session; it runs in the background and the row is returned at once (status running). */
  async function start(request: { pluginId: string; version?: string; target?: string; config?: Record<string, unknown>; trigger: DebugTrigger; actor: string }): Promise<DebugSession> {
    if (closed) throw new CodexError('CODEX_ERR_CONFLICT', 'the registry is shutting down; start the session again once it is back', undefined, 503);
    // Finished sessions kept for late subscribers do not count: only the ones still working do.
    const running = [...live.values()].filter((session) => !session.finished).length;
    if (running >= MAX_RUNNING_SESSIONS) throw new CodexError('CODEX_ERR_RATE_LIMITED', `${running} debug sessions are running; wait for one to finish and start again`);
    const { record, config } = await resolveVersion(request.pluginId, request.version, request.target);
    const id = randomUUID();
    await db.transaction(async (tx) => {
      await repo.insertSession(tx, { id, pluginId: record.pluginId, version: record.version, target: request.target ?? null, trigger: request.trigger, fingerprint: null, startedBy: request.actor });
      await recordEvent(tx, { actor: request.actor, type: 'debug.session-started', subject: id, payload: { sessionId: id, pluginId: record.pluginId, version: record.version, trigger: request.trigger, target: request.target ?? null } });
    });
    launch(id, record, request.config ?? config);
    return (await getSession(id))!;
  }

  function launch(id: string, record: VersionRecord, config: Record<string, unknown>): void {
    const abort = new AbortController();
    const session: LiveSession = { events: [], listeners: new Set(), abort, done: Promise.resolve(), finished: false };
    live.set(id, session);
    emit(id, 'started', `debugging ${record.pluginId}@${record.version}`);
    session.done = runSession(id, record, config, abort.signal).finally(() => {
      session.finished = true;
      // Late subscribers of a finished session read the result from the database.
      setTimeout(() => live.delete(id), 5_000).unref();
    });
  }

  async function getSession(id: string): Promise<DebugSession | undefined> {
    const session = await repo.findSession(id);
    if (!session) return undefined;
    const suggestions = await repo.listSuggestions(id);
    return { ...session, suggestions: suggestions.map(toSuggestionBody) };
  }

  function toSuggestionBody(record: SuggestionRecord): FixSuggestion {
    return {
      id: record.id, sessionId: record.sessionId, pluginId: record.pluginId, version: record.version, rule: record.subject, file: record.file,
      status: record.status, reason: record.reason, diff: record.diff, rejected: record.rejected, publishedVersion: record.publishedVersion, createdAt: record.createdAt,
      retry: { method: 'POST', path: `/api/debug/sessions/${record.sessionId}/suggest`, body: {} },
    };
  }

  /**
   * Subscribes to a session's progress: replays what happened so far, then streams; `finished` is
   * the last event. A session no longer in memory (finished earlier or run by another instance)
   * yields one `finished` event from the stored result, or none while it is still running elsewhere.
   */
  async function subscribe(id: string, listener: (event: DebugProgressEvent) => void): Promise<(() => void) | undefined> {
    const session = live.get(id);
    if (session) {
      for (const event of session.events) listener(event);
      session.listeners.add(listener);
      return () => session.listeners.delete(listener);
    }
    const stored = await repo.findSession(id);
    if (!stored) return undefined;
    if (stored.status !== 'running') listener({ type: 'finished', sessionId: id, message: stored.result?.verdict ?? stored.status, data: { status: stored.status }, at: stored.finishedAt ?? stored.createdAt });
    return () => undefined;
  }

  /** Waits for a session started by this instance to finish (tests, shutdown). */
  async function settled(id: string): Promise<void> {
    await live.get(id)?.done;
  }

  /**
   * The runtime's hook: a runtime error starts a debug session, once per fingerprint. Later
   * occurrences only count, and every call answers with the session the error is linked to.
   */
  async function onRuntimeError(report: RuntimeErrorReport): Promise<{ sessionId: string; fingerprint: string; duplicate: boolean; occurrences: number }> {
    const fingerprint = errorFingerprint(report);
    const known = await repo.fingerprint(fingerprint);
    if (known) {
      const counted = await db.transaction((tx) => repo.claimFingerprint(tx, { fingerprint, pluginId: report.pluginId, version: report.version, sessionId: known.sessionId, error: report.error }));
      return { sessionId: counted.sessionId, fingerprint, duplicate: true, occurrences: counted.occurrences };
    }
    const { record, config } = await resolveVersion(report.pluginId, report.version, undefined);
    const id = randomUUID();
    const claimed = await db.transaction(async (tx) => {
      await repo.insertSession(tx, { id, pluginId: record.pluginId, version: record.version, target: report.target ?? null, trigger: 'runtime-error', fingerprint, startedBy: DEBUG_ACTOR });
      const claim = await repo.claimFingerprint(tx, { fingerprint, pluginId: report.pluginId, version: report.version, sessionId: id, error: report.error });
      if (claim.sessionId !== id) {
        // Another caller recorded the same fingerprint first: this session is not needed.
        await repo.deleteSession(tx, id);
        return claim;
      }
      await recordEvent(tx, {
        actor: DEBUG_ACTOR, type: 'debug.runtime-error', subject: fingerprint,
        payload: { fingerprint, sessionId: id, pluginId: report.pluginId, version: report.version, target: report.target ?? null, tool: report.tool, code: report.error.code, message: report.error.message.slice(0, 500) },
      });
      return claim;
    });
    if (claimed.sessionId !== id) return { sessionId: claimed.sessionId, fingerprint, duplicate: true, occurrences: claimed.occurrences };
    if (!closed) launch(id, record, config);
    return { sessionId: id, fingerprint, duplicate: false, occurrences: 1 };
  }

  /** The rollout analysis's hook: a session for a version just installed or upgraded to on a target. */
  function onLifecycleChange(change: { kind: 'install' | 'upgrade'; pluginId: string; version: string; target: string; actor?: string }): Promise<DebugSession> {
    return start({ pluginId: change.pluginId, version: change.version, target: change.target, trigger: change.kind, actor: change.actor ?? DEBUG_ACTOR });
  }

  /**
   * The publish gate: codex-core's security rules over the package's source before the version is
   * recorded. Critical findings (security, severity error) make the version `quarantined` with a
   * pending `quarantine` approval, until a super-admin decides.
   */
  async function publishGate(pkg: PluginPackage): Promise<PublishGateVerdict> {
    const workspace = openPluginWorkspace(pkg.files, pkg.manifest, scanner);
    try {
      let critical;
      try {
        critical = (await securityFindings(workspace)).filter(isCritical);
      } catch (error) {
        // Fail closed: a version the gate could not scan (time limit, heap limit, a full queue) waits for a super-admin.
        const reason = `the publish gate's security scan could not finish: ${(error as Error).message}`.slice(0, 500);
        return { quarantine: { reason, findings: [] } };
      }
      if (critical.length === 0) return {};
      if (critical.length === 0) return {};
      const findings = critical.slice(0, 20).map((finding) => ({ ruleId: finding.ruleId, message: finding.message, file: workspace.relative(finding.file), line: finding.range.start.line + 1 }));
      return { quarantine: { reason: `critical security findings: ${findings.map((finding) => `${finding.ruleId} at ${finding.file}:${finding.line}`).join(', ')}`.slice(0, 500), findings } };
    } finally {
      workspace.dispose();
    }
  }

  /** Called by the publish route once a version is recorded: a full session of it, in the background. */
  function afterPublish(published: PublishResponse, actor: string): void {
    if (deps.sessionsOnPublish === false || closed) return;
    start({ pluginId: published.id, version: published.version, trigger: 'publish', actor }).catch((error: unknown) => {
      if (!closed) deps.log.warn({ err: error, plugin: `${published.id}@${published.version}` }, 'the debug session after publish could not start');
    });
  }

  async function listSnapshots(pluginId: string): Promise<SnapshotListItem[]> {
    return (await repo.listSnapshots(pluginId)).map(toListItem);
  }

  async function diff(fromId: string, toId: string): Promise<SnapshotDiff> {
    const [from, to] = await Promise.all([repo.findSnapshot(fromId), repo.findSnapshot(toId)]);
    if (!from) throw new CodexError('CODEX_ERR_NOT_FOUND', `there is no snapshot ${fromId} (query parameter from)`);
    if (!to) throw new CodexError('CODEX_ERR_NOT_FOUND', `there is no snapshot ${toId} (query parameter to)`);
    return diffSnapshots(from, to);
  }

  async function stats(): Promise<DebugStats> {
    const counts = await repo.outcomeCounts();
    const sessions = await repo.sessionCounts();
    const withRates = (row: (typeof counts.rules)[number]) => {
      const verified = row.offered + row.failedVerification;
      return {
        rule: row.rule, offered: row.offered, accepted: row.accepted, rejected: row.rejected, reverted: row.reverted, failedVerification: row.failedVerification,
        acceptanceRate: row.offered === 0 ? 0 : row.accepted / row.offered, verificationRate: verified === 0 ? 0 : row.offered / verified,
      };
    };
    return {
      rules: counts.rules.map(withRates),
      days: counts.days.map((row) => ({ day: row.day!, ...withRates(row) })),
      sessions: { total: Object.values(sessions).reduce((a, b) => a + b, 0), ...sessions },
    };
  }

  /**
   * "Suggest fix" for a finding or a failing run of a finished session: the verified-fix machinery
   * with the learning record from `fix_outcomes`; every candidate's outcome is recorded.
   */
  async function suggest(sessionId: string, body: SuggestBody, caller: DebugCaller): Promise<FixSuggestion> {
    if (!model) throw new CodexError('CODEX_ERR_LLM_UNAVAILABLE', 'no model is configured for fix suggestions: set LLM_BASE_URL (an OpenAI-compatible endpoint), LLM_MODEL and, if needed, LLM_API_KEY', undefined, 503);
    const session = await repo.findSession(sessionId);
    if (!session) throw new CodexError('CODEX_ERR_NOT_FOUND', `there is no debug session ${sessionId}`);
    if (!session.result) throw new CodexError('CODEX_ERR_CONFLICT', `debug session ${sessionId} is still running; ask for a fix once it has finished`);
    const result = session.result;
    let file: string;
    let subject: string;
    let pick: (baseline: Finding[]) => Finding | undefined;
    if (body.findingIndex !== undefined) {
      const finding = result.findings[body.findingIndex];
      if (!finding) throw new CodexError('CODEX_ERR_VALIDATION', `findingIndex ${body.findingIndex} is out of range: the session has ${result.findings.length} findings (0-${result.findings.length - 1})`);
      file = finding.file;
      subject = finding.ruleId;
      pick = (baseline) => baseline.find((candidate) => candidate.ruleId === finding.ruleId && candidate.message === finding.message && candidate.range.start.line + 1 === finding.line)
        ?? baseline.find((candidate) => candidate.ruleId === finding.ruleId && candidate.message === finding.message);
    } else if (body.error !== undefined && body.error !== false) {
      const failing = result.runs.map((run, index) => ({ run, index })).filter(({ run }) => !run.ok);
      const chosen = typeof body.error === 'object' ? failing.find(({ index }) => index === (body.error as { runIndex: number }).runIndex) : failing[0];
      if (!chosen) throw new CodexError('CODEX_ERR_VALIDATION', typeof body.error === 'object' ? `run ${body.error.runIndex} of the session did not fail; pick one of the failing runs (${failing.map(({ index }) => index).join(', ') || 'none'})` : 'the session has no failing run to fix');
      file = chosen.run.error?.source?.file ?? (await resolveVersion(session.pluginId, session.version)).record.manifest.entry as string;
      subject = session.fingerprint ?? RUNTIME_RULE;
      const key = runKey(chosen.run);
      pick = (baseline) => baseline.find((candidate) => candidate.ruleId === RUNTIME_RULE && candidate.code === key);
    } else {
      throw new CodexError('CODEX_ERR_VALIDATION', 'body needs findingIndex (a finding of the session) or error (true, or { runIndex })');
    }

    const { record, config } = await resolveVersion(session.pluginId, session.version, undefined);
    const pkg = await loadPackage(record);
    const workspace = openPluginWorkspace(pkg.files, pkg.manifest, scanner);
    try {
      const history = await repo.outcomesFor(subject);
      const output = await suggestFix({
        workspace, manifest: pkg.manifest, sandbox, pluginKey: `debug-fix:${sessionId}`, config: session.target ? config : {}, file, pick, model,
        history, ...(body.maxAttempts ? { maxAttempts: body.maxAttempts } : {}),
      });
      if (!output.target || !output.result) {
        throw new CodexError('CODEX_ERR_CONFLICT', `the problem is no longer reproduced in ${file} of ${record.pluginId}@${record.version}; start a new session`);
      }
      const id = randomUUID();
      const fix = output.result.ok ? output.result.fix : undefined;
      const diffText = fix ? fix.diff.split(workspace.absolute(file)).join(file) : '';
      await db.transaction(async (tx) => {
        await repo.insertSuggestion(tx, {
          id, sessionId, pluginId: record.pluginId, version: record.version, subject, file, status: fix ? 'verified' : 'failed-verification',
          reason: fix?.reason ?? `no candidate passed verification: ${output.result!.rejected.slice(-1)[0] ?? 'the model offered none'}`,
          diff: diffText, newText: fix?.newText ?? null, rejected: output.result!.rejected, createdBy: caller.userId,
        });
        for (const recorded of output.recorded) {
          await repo.insertOutcome(tx, {
            id: randomUUID(), suggestionId: fix && recorded.id === fix.id ? id : null, subject, pluginId: record.pluginId, outcome: recorded.outcome,
            verified: recorded.outcome !== 'failed-verification', message: recorded.message, before: recorded.before, after: recorded.after, reason: recorded.reason,
          });
        }
        if (fix) {
          await repo.insertOutcome(tx, { id: randomUUID(), suggestionId: id, subject, pluginId: record.pluginId, outcome: 'offered', verified: true, message: output.target!.message, before: fix.before, after: fix.after, reason: fix.reason });
        }
        await recordEvent(tx, {
          actor: caller.userId, type: fix ? 'fix.suggested' : 'fix.verification-failed', subject: id,
          payload: { suggestionId: id, sessionId, pluginId: record.pluginId, version: record.version, rule: subject, file, attempts: fix?.attempt ?? null, rejected: output.result!.rejected.length },
        });
      });
      rates.delete(subject);
      return toSuggestionBody((await repo.findSuggestion(id))!);
    } finally {
      workspace.dispose();
    }
  }

  /**
   * Publishes a verified suggestion as the next patch version in one step: the package's files with
   * the patched file and the bumped version in plugin.json, packed like `plugin pack` and sent
   * through the normal publish service (approvals, signing, the publish gate).
   */
  async function publishSuggestion(id: string, caller: DebugCaller): Promise<{ suggestion: FixSuggestion; version: string; status: string; integrity: string }> {
    const suggestion = await repo.findSuggestion(id);
    if (!suggestion) throw new CodexError('CODEX_ERR_NOT_FOUND', `there is no fix suggestion ${id}`);
    if (suggestion.status !== 'verified' || suggestion.newText === null) {
      throw new CodexError('CODEX_ERR_CONFLICT', `fix suggestion ${id} is ${suggestion.status}; only a verified suggestion can be published (ask for a new one with POST /api/debug/sessions/${suggestion.sessionId}/suggest)`);
    }
    const record = await plugins.findVersion(suggestion.pluginId, suggestion.version);
    if (!record) throw new CodexError('CODEX_ERR_VERSION_NOT_FOUND', `${suggestion.pluginId}@${suggestion.version} is gone`);
    const pkg = await loadPackage(record);
    const taken = new Set((await plugins.listVersions(suggestion.pluginId)).map((version) => version.version));
    let next = semver.inc(record.version, 'patch')!;
    while (taken.has(next)) next = semver.inc(next, 'patch')!;
    const manifestText = pkg.files.get('plugin.json')!.toString('utf8');
    const manifestJson = JSON.parse(manifestText) as Record<string, unknown>;
    manifestJson.version = next;
    const files = new Map(pkg.files);
    files.set('plugin.json', Buffer.from(`${JSON.stringify(manifestJson, null, 2)}\n`));
    files.set(suggestion.file, Buffer.from(suggestion.newText));
    const bytes = await packFiles(files);
    const published = await publishing().publish({ bytes, publisher: { userId: caller.userId, role: caller.role }, gate: publishGate });
    await db.transaction(async (tx) => {
      await repo.setSuggestionStatus(tx, id, 'published', next);
      await repo.insertOutcome(tx, { id: randomUUID(), suggestionId: id, subject: suggestion.subject, pluginId: suggestion.pluginId, outcome: 'accepted', verified: true, message: `published as ${next}`, before: '', after: '', reason: suggestion.reason });
      await recordEvent(tx, { actor: caller.userId, type: 'fix.published', subject: id, payload: { suggestionId: id, pluginId: suggestion.pluginId, from: suggestion.version, version: next, status: published.status } });
    });
    rates.delete(suggestion.subject);
    afterPublish(published, caller.userId);
    return { suggestion: toSuggestionBody((await repo.findSuggestion(id))!), version: next, status: published.status, integrity: published.integrity };
  }

  /**
   * Takes a fix back: the outcome is recorded as `reverted` (or `rejected` when it was never
   * published) for the learning record, and with `target` the installation is rolled back with the
   * lifecycle rollback (to its last known good version).
   */
  async function revertSuggestion(id: string, caller: DebugCaller, options: { target?: string; reason?: string }): Promise<{ suggestion: FixSuggestion; operation?: unknown }> {
    const suggestion = await repo.findSuggestion(id);
    if (!suggestion) throw new CodexError('CODEX_ERR_NOT_FOUND', `there is no fix suggestion ${id}`);
    if (suggestion.status === 'reverted' || suggestion.status === 'rejected') throw new CodexError('CODEX_ERR_CONFLICT', `fix suggestion ${id} was already ${suggestion.status}`);
    let operation: unknown;
    if (options.target) operation = await lifecycle.rollback({ pluginId: suggestion.pluginId, target: options.target }, { actor: caller.userId, role: caller.role });
    const outcome = suggestion.status === 'published' ? 'reverted' : 'rejected';
    await db.transaction(async (tx) => {
      await repo.setSuggestionStatus(tx, id, outcome);
      await repo.insertOutcome(tx, { id: randomUUID(), suggestionId: id, subject: suggestion.subject, pluginId: suggestion.pluginId, outcome, verified: suggestion.status !== 'failed-verification', message: options.reason ?? '', before: '', after: '', reason: suggestion.reason });
      await recordEvent(tx, { actor: caller.userId, type: outcome === 'reverted' ? 'fix.reverted' : 'fix.rejected', subject: id, payload: { suggestionId: id, pluginId: suggestion.pluginId, version: suggestion.publishedVersion ?? suggestion.version, target: options.target ?? null, reason: options.reason ?? null } });
    });
    rates.delete(suggestion.subject);
    return { suggestion: toSuggestionBody((await repo.findSuggestion(id))!), ...(operation === undefined ? {} : { operation }) };
  }

  /** The suggest body that asks again for the problem a suggestion was about (the dashboard's retry). */
  async function retryBody(sessionId: string, suggestionId: string): Promise<SuggestBody> {
    const [session, suggestion] = await Promise.all([repo.findSession(sessionId), repo.findSuggestion(suggestionId)]);
    if (!session || !suggestion || suggestion.sessionId !== sessionId) throw new CodexError('CODEX_ERR_NOT_FOUND', `there is no fix suggestion ${suggestionId} in debug session ${sessionId}`);
    const index = session.result?.findings.findIndex((finding) => finding.ruleId === suggestion.subject && finding.file === suggestion.file) ?? -1;
    return index >= 0 ? { findingIndex: index } : { error: true };
  }

  /**
   * Marks the sessions a stopped registry left `running` (older than {@link ABANDONED_AFTER_MS}) as
   * `error`, with a result that says so. buildApp calls it once the database is ready.
   */
  async function failAbandoned(now = Date.now()): Promise<string[]> {
    const ids = await repo.runningSessionsBefore(new Date(now - ABANDONED_AFTER_MS));
    const message = 'the registry stopped while this session was running (a crash or a kill); start the session again';
    await repo.failAbandoned(ids, {
      verdict: `the session could not finish: ${message}`, findings: [], scan: { files: 0, errors: [], durationMs: 0 }, runs: [], migrations: null,
      durations: { totalMs: 0, scanMs: 0, runsMs: 0, migrationsMs: 0 }, versions: { plugin: '', codexRules: RULES.length, node: process.version }, errors: [message],
    });
    return ids;
  }

  /** Stops every running session (they end as `error`), waits for them and stops the scan worker. */
  async function close(): Promise<void> {
    closed = true;
    const running = [...live.values()];
    for (const session of running) session.abort.abort();
    await Promise.allSettled(running.map((session) => session.done));
    await scanner.close();
  }

  return {
    start, getSession, subscribe, settled, onRuntimeError, onLifecycleChange, publishGate, afterPublish, listSnapshots, diff, stats, suggest, retryBody,
    publishSuggestion, revertSuggestion, failAbandoned, scanStats: scanner.stats, close,
  };
}

export type DebugService = ReturnType<typeof createDebugService>;

function severityRank(severity: string): number {
  return ['error', 'warning', 'info', 'hint'].indexOf(severity);
}

/** Packs files the way `plugin pack` does (deterministic tarball), from a private temporary folder. */
async function packFiles(files: Map<string, Buffer>): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'codex-fix-'));
  try {
    for (const [path, bytes] of files) {
      const target = join(dir, ...path.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, bytes);
    }
    return await packPluginDirectory(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type { RunTrace };
