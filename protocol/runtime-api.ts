/**
 * HTTP bodies of the plugin runtime: tool invocation, "install and test" (try), installation
 * health and resume. One TypeBox source for validation, types and the OpenAPI document.
 */
import { Type, type Static } from '@sinclair/typebox';

const TargetId = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$', description: 'the install target, like "default"' });

/** `POST /api/plugins/:scope/:name/tools/:tool/invoke`. */
export const InvokeRequestSchema = Type.Object({
  target: Type.Optional(TargetId),
  input: Type.Optional(Type.Unknown({ description: "the tool's input; validated against its inputSchema" })),
}, { additionalProperties: false });
export type InvokeRequest = Static<typeof InvokeRequestSchema>;

export const InvokeResponseSchema = Type.Object({
  pluginId: Type.String(),
  version: Type.String(),
  target: Type.String(),
  tool: Type.String(),
  output: Type.Unknown(),
  logs: Type.Array(Type.String()),
  durationMs: Type.Number(),
});
export type InvokeResponse = Static<typeof InvokeResponseSchema>;

/** `POST /api/plugins/:scope/:name/try`. */
export const TryRequestSchema = Type.Object({
  version: Type.String({ minLength: 1, maxLength: 64, description: 'the version (or range) to install and test' }),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "the installation's configuration, validated against the version's configSchema" })),
}, { additionalProperties: false });
export type TryRequest = Static<typeof TryRequestSchema>;

const ErrorInfo = Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) });

/** A health probe's result. */
export const HealthProbeSchema = Type.Object({
  ok: Type.Boolean(),
  probe: Type.String(),
  tool: Type.Optional(Type.String()),
  checkedAt: Type.String(),
  durationMs: Type.Number(),
  error: Type.Optional(ErrorInfo),
  logs: Type.Array(Type.String()),
});

/** One example of a try transcript. */
export const TryStepSchema = Type.Object({
  tool: Type.String(),
  description: Type.Optional(Type.String()),
  input: Type.Unknown(),
  expected: Type.Unknown(),
  output: Type.Unknown(),
  pass: Type.Boolean(),
  error: Type.Optional(ErrorInfo),
  logs: Type.Array(Type.String()),
  durationMs: Type.Number(),
});

export const TryTranscriptSchema = Type.Object({
  pluginId: Type.String(),
  version: Type.String(),
  target: Type.String(),
  ok: Type.Boolean(),
  plan: Type.Record(Type.String(), Type.Unknown()),
  healthCheck: HealthProbeSchema,
  steps: Type.Array(TryStepSchema),
  durationMs: Type.Number(),
});
export type TryTranscript = Static<typeof TryTranscriptSchema>;
export type TryStep = Static<typeof TryStepSchema>;
export type HealthProbe = Static<typeof HealthProbeSchema>;

/** `GET /api/plugins/:scope/:name/health?target=`. */
export const InstallationHealthSchema = Type.Object({
  targetId: Type.String(),
  pluginId: Type.String(),
  version: Type.String(),
  status: Type.String(),
  /** The latest analysis run (`{}` before the first). */
  health: Type.Record(Type.String(), Type.Unknown()),
  invocations: Type.Array(Type.Object({
    tool: Type.String(), source: Type.String(), version: Type.String(), ok: Type.Boolean(),
    errorCode: Type.Union([Type.String(), Type.Null()]), latencyMs: Type.Number(), createdAt: Type.String(),
  })),
});
export type InstallationHealth = Static<typeof InstallationHealthSchema>;

export const TargetQuerySchema = Type.Object({ target: Type.Optional(TargetId) }, { additionalProperties: false });
export const TargetBodySchema = Type.Object({ target: Type.Optional(TargetId) }, { additionalProperties: false });
