/**
 * The HTTP bodies of the registry's debug engine (`/api/debug/*`): debug sessions (a codex scan of a
 * plugin's source, its health check and examples traced in the sandbox, and a drift check of its
 * schema migrations), run snapshots and their diff, verified AI fix suggestions and the learning
 * statistics. One TypeBox source for validation, types and OpenAPI; the web console's debug
 * dashboard reads the same shapes.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** What started a session. */
export const DEBUG_TRIGGERS = ['manual', 'publish', 'runtime-error', 'install', 'upgrade'] as const;
export type DebugTrigger = (typeof DEBUG_TRIGGERS)[number];

/** `running` until the session ends; `passed`, `failed` (the plugin has problems) or `error` (the session itself could not run). */
export const DEBUG_SESSION_STATUSES = ['running', 'passed', 'failed', 'error'] as const;
export type DebugSessionStatus = (typeof DEBUG_SESSION_STATUSES)[number];

const literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

/** `POST /api/debug/start?pluginId=` (version and target may be given in the query or the body). */
export const DebugStartQuerySchema = Type.Object({
  pluginId: Type.String({ minLength: 3, maxLength: 214, description: 'the plugin id, like "@codex/text-stats"' }),
  version: Type.Optional(Type.String({ minLength: 5, maxLength: 64 })),
  target: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
export const DebugStartBodySchema = Type.Object({
  version: Type.Optional(Type.String({ minLength: 5, maxLength: 64, description: 'default: the version installed on `target`, else the latest active version, else the newest' })),
  target: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'an install target whose installed version and configuration to debug' })),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'ctx.config for the runs (default: the installation\'s, else {})' })),
}, { additionalProperties: false });
export type DebugStartBody = Static<typeof DebugStartBodySchema>;

/** A source location an error's stack points to, with the line's text. */
export const SourceLocationSchema = Type.Object({
  file: Type.String(),
  line: Type.Integer({ description: '1-based' }),
  column: Type.Optional(Type.Integer()),
  text: Type.String(),
});
export type SourceLocation = Static<typeof SourceLocationSchema>;

export const LogLineSchema = Type.Object({
  level: Type.String(),
  message: Type.String(),
  at: Type.String(),
});
export type LogLine = Static<typeof LogLineSchema>;

/** One traced sandbox run: the health check or one example. */
export const RunTraceSchema = Type.Object({
  kind: literals(['health-check', 'example'] as const),
  /** `examples[index]` for examples. */
  index: Type.Optional(Type.Integer()),
  tool: Type.String(),
  input: Type.Unknown(),
  expected: Type.Optional(Type.Unknown()),
  ok: Type.Boolean(),
  output: Type.Optional(Type.Unknown()),
  /** Why the run failed: the sandbox's coded error (TIMEOUT, CPU_LIMIT, MEMORY_LIMIT, PLUGIN_ERROR, …) or EXAMPLE_MISMATCH. */
  error: Type.Optional(Type.Object({
    code: Type.String(),
    message: Type.String(),
    stack: Type.Optional(Type.String()),
    source: Type.Optional(SourceLocationSchema),
  })),
  logs: Type.Array(LogLineSchema),
  durationMs: Type.Number(),
  /** Bridge calls the plugin made, as the session's in-memory host saw them (fetches are counted only). */
  bridgeCalls: Type.Array(Type.Object({ op: Type.String(), detail: Type.String(), ok: Type.Boolean() })),
  bridgeCallCount: Type.Integer(),
});
export type RunTrace = Static<typeof RunTraceSchema>;

/** A codex finding as a session stores it: `file` is relative to the package root. */
export const DebugFindingSchema = Type.Object({
  ruleId: Type.String(),
  category: Type.String(),
  severity: Type.String(),
  message: Type.String(),
  file: Type.String(),
  line: Type.Integer({ description: '1-based' }),
  code: Type.Optional(Type.String()),
  suggestion: Type.Optional(Type.String()),
  /** How many deterministic fixes codex-core offers, and the rule's acceptance rate that ranks them. */
  fixes: Type.Integer(),
  acceptanceRate: Type.Number(),
});
export type DebugFinding = Static<typeof DebugFindingSchema>;

/** One difference found by the migration drift check. */
export const MigrationDriftSchema = Type.Object({
  migration: Type.Integer(),
  kind: Type.String({ description: 'up-failed, down-failed, down-not-restoring, parser-disagrees' }),
  message: Type.String(),
});
export const MigrationCheckSchema = Type.Object({
  checked: Type.Integer({ description: 'migrations applied' }),
  /** Tables the up migrations define, with `column type` entries, as PostgreSQL created them. */
  tables: Type.Record(Type.String(), Type.Array(Type.String())),
  drift: Type.Array(MigrationDriftSchema),
});
export type MigrationCheck = Static<typeof MigrationCheckSchema>;

/** Everything a finished session found. */
export const DebugResultSchema = Type.Object({
  verdict: Type.String({ description: 'one sentence saying why the session passed, failed or could not run' }),
  findings: Type.Array(DebugFindingSchema),
  scan: Type.Object({ files: Type.Integer(), errors: Type.Array(Type.Object({ file: Type.String(), error: Type.String() })), durationMs: Type.Number() }),
  runs: Type.Array(RunTraceSchema),
  migrations: Nullable(MigrationCheckSchema),
  durations: Type.Object({ totalMs: Type.Number(), scanMs: Type.Number(), runsMs: Type.Number(), migrationsMs: Type.Number() }),
  versions: Type.Object({ plugin: Type.String(), codexRules: Type.Integer(), node: Type.String() }),
  errors: Type.Array(Type.String()),
});
export type DebugResult = Static<typeof DebugResultSchema>;

export const FIX_SUGGESTION_STATUSES = ['verified', 'failed-verification', 'published', 'rejected', 'reverted'] as const;

export const FixSuggestionSchema = Type.Object({
  id: Type.String(),
  sessionId: Type.String(),
  pluginId: Type.String(),
  version: Type.String(),
  /** The rule id, or the runtime error's fingerprint. */
  rule: Type.String(),
  file: Type.String(),
  status: literals(FIX_SUGGESTION_STATUSES),
  reason: Type.String(),
  diff: Type.String(),
  /** Why earlier candidates were refused by verification. */
  rejected: Type.Array(Type.String()),
  publishedVersion: Nullable(Type.String()),
  createdAt: Type.String(),
  /** How to ask again (a new suggestion, with the refusals fed back to the model). */
  retry: Type.Object({ method: Type.Literal('POST'), path: Type.String(), body: Type.Unknown() }),
}); 
export type FixSuggestion = Static<typeof FixSuggestionSchema>;

export const DebugSessionSchema = Type.Object({
  id: Type.String(),
  pluginId: Type.String(),
  version: Type.String(),
  target: Nullable(Type.String()),
  trigger: literals(DEBUG_TRIGGERS),
  status: literals(DEBUG_SESSION_STATUSES),
  fingerprint: Nullable(Type.String()),
  startedBy: Type.String(),
  createdAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  result: Nullable(DebugResultSchema),
  /** Verified fixes suggested in this session (the dashboard lists them). */
  suggestions: Type.Array(FixSuggestionSchema),
});
export type DebugSession = Static<typeof DebugSessionSchema>;

/** A progress event of a session (SSE `data:`); the last one has `type: 'finished'`. */
export interface DebugProgressEvent {
  type: 'started' | 'scan' | 'run' | 'migrations' | 'finished';
  sessionId: string;
  message: string;
  /** For `run`: the trace; for `finished`: the session status. */
  data?: unknown;
  at: string;
}

/** `POST /api/debug/sessions/:id/suggest`. */
export const SuggestBodySchema = Type.Object({
  findingIndex: Type.Optional(Type.Integer({ minimum: 0, description: 'index into result.findings' })),
  error: Type.Optional(Type.Union([
    Type.Boolean({ description: 'true: the first failing run of the session' }),
    Type.Object({ runIndex: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  ])),
  maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
}, { additionalProperties: false });
export type SuggestBody = Static<typeof SuggestBodySchema>;

/** `POST /api/debug/suggestions/:id/publish` answers with the new version's publish result. */
export const SuggestionPublishResponseSchema = Type.Object({
  suggestion: FixSuggestionSchema,
  version: Type.String(),
  status: Type.String(),
  integrity: Type.String(),
});

/** `POST /api/debug/suggestions/:id/revert`: the fix was taken back (optionally rolling a target back). */
export const SuggestionRevertBodySchema = Type.Object({
  target: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'roll this target\'s installation back with the lifecycle rollback' })),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });

/** `POST /api/debug/sessions/:id/fixes/:fixId` (the dashboard's buttons). */
export const FixDecisionBodySchema = Type.Object({
  action: literals(['apply', 'rollback', 'retry', 'reject'] as const),
}, { additionalProperties: false });

/** One snapshot as listed: the summary, and the whole run's logs while it is kept whole. */
export const SnapshotListItemSchema = Type.Object({
  id: Type.String(),
  sessionId: Type.String(),
  pluginId: Type.String(),
  version: Type.String(),
  startedAt: Type.String(),
  /** `ok` when the session passed, else `error` (the dashboard's vocabulary); `sessionStatus` is exact. */
  status: Type.String(),
  sessionStatus: Type.String(),
  /** False once the snapshot fell out of the last 10 of its plugin: only the summary remains. */
  whole: Type.Boolean(),
  summary: Type.Unknown(),
  input: Type.Unknown(),
  output: Type.Unknown(),
  logs: Type.Array(LogLineSchema),
  error: Type.Optional(Type.String()),
});
export type SnapshotListItem = Static<typeof SnapshotListItemSchema>;

/** The summary kept for every snapshot, whole or not. */
export interface SnapshotSummary {
  [key: string]: unknown;
  verdict: string;
  findings: { total: number; bySeverity: Record<string, number>; keys: string[] };
  runs: { total: number; failed: number; keys: Record<string, string> };
  drift: number;
  durations: DebugResult['durations'];
  firstError: string | null;
}

export const SnapshotDiffQuerySchema = Type.Object({ from: Type.String({ format: 'uuid' }), to: Type.String({ format: 'uuid' }) });

export const SnapshotDiffSchema = Type.Object({
  from: Type.Object({ id: Type.String(), version: Type.String(), status: Type.String(), whole: Type.Boolean() }),
  to: Type.Object({ id: Type.String(), version: Type.String(), status: Type.String(), whole: Type.Boolean() }),
  findings: Type.Object({ added: Type.Array(Type.String()), removed: Type.Array(Type.String()) }),
  runs: Type.Array(Type.Object({ run: Type.String(), from: Nullable(Type.String()), to: Nullable(Type.String()) })),
  outputs: Type.Array(Type.Object({ run: Type.String(), from: Type.Unknown(), to: Type.Unknown() })),
  durations: Type.Object({ fromMs: Type.Number(), toMs: Type.Number(), deltaMs: Type.Number() }),
  drift: Type.Object({ from: Type.Integer(), to: Type.Integer() }),
  /** True when one side was summarised: outputs and logs are not compared then. */
  partial: Type.Boolean(),
});
export type SnapshotDiff = Static<typeof SnapshotDiffSchema>;

export const RuleFixStatsSchema = Type.Object({
  rule: Type.String(),
  offered: Type.Integer(),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  reverted: Type.Integer(),
  failedVerification: Type.Integer(),
  /** Accepted over offered (0 when nothing was offered). */
  acceptanceRate: Type.Number(),
  /** Candidates that passed verification over all candidates verified. */
  verificationRate: Type.Number(),
});
export const DebugStatsSchema = Type.Object({
  rules: Type.Array(RuleFixStatsSchema),
  days: Type.Array(Type.Intersect([Type.Object({ day: Type.String() }), RuleFixStatsSchema])),
  sessions: Type.Object({ total: Type.Integer(), passed: Type.Integer(), failed: Type.Integer(), error: Type.Integer(), running: Type.Integer() }),
});
export type DebugStats = Static<typeof DebugStatsSchema>;
