/**
 * HTTP bodies of federation: upstream registries (link and mirror), cloning a plugin from an
 * upstream, sharing a version with a peer, and cloning an install target. One TypeBox schema per
 * body is the route's validation, its OpenAPI entry and (via `Static`) the clients' type.
 */
import { Type, type Static } from '@sinclair/typebox';

export const UPSTREAM_MODES = ['link', 'mirror'] as const;
export type UpstreamMode = (typeof UPSTREAM_MODES)[number];

/**
 * Names of environment variables that may hold a federation token. The prefix keeps a super-admin
 * from pointing a request at any other variable of the registry process (JWT_SECRET, ...) and
 * sending its value to a URL of their choice.
 */
export const TOKEN_ENV_PATTERN = '^CODEX_(UPSTREAM|PEER)_TOKEN_[A-Z0-9_]{1,64}$';

const literalUnion = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
const PluginIdPattern = '^@[a-z0-9][a-z0-9-]{0,63}/[a-z0-9][a-z0-9._-]{0,127}$';

/** `POST /api/upstreams` body. */
export const UpstreamCreateSchema = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: 'a short local name, like "acme"' }),
  url: Type.String({ pattern: '^https?://', maxLength: 500, description: 'the base URL of the other registry' }),
  mode: literalUnion(UPSTREAM_MODES),
  include: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 220 }), { maxItems: 100, description: 'glob patterns on plugin ids (`@codex/*`); empty or absent: every plugin' })),
  exclude: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 220 }), { maxItems: 100 })),
  tokenEnv: Type.Optional(Type.String({ pattern: TOKEN_ENV_PATTERN, description: 'the NAME of the environment variable holding the bearer token for the upstream (mirror mode reads its /api/events, which needs one)' })),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000, default: 5000 })),
  failureThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 3, description: 'consecutive failures after which the upstream is skipped until the cool-down has passed' })),
  cooldownMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000, default: 30_000 })),
  signingKeyId: Type.Optional(Type.String({ maxLength: 64, description: 'the key id expected at the upstream\'s GET /api/keys; without it the first key is pinned (trust on first use)' })),
}, { additionalProperties: false });
export type UpstreamCreate = Static<typeof UpstreamCreateSchema>;

/** The circuit breaker's view of an upstream, per registry process. */
export const UpstreamHealthSchema = Type.Object({
  state: literalUnion(['closed', 'open', 'half-open'] as const),
  consecutiveFailures: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  openUntil: Type.Union([Type.String(), Type.Null()]),
});
export type UpstreamHealth = Static<typeof UpstreamHealthSchema>;

/** An upstream as the API shows it (the token itself is never stored or shown). */
export const UpstreamSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  mode: literalUnion(UPSTREAM_MODES),
  include: Type.Array(Type.String()),
  exclude: Type.Array(Type.String()),
  tokenEnv: Type.Union([Type.String(), Type.Null()]),
  timeoutMs: Type.Integer(),
  failureThreshold: Type.Integer(),
  cooldownMs: Type.Integer(),
  signingKeyId: Type.String(),
  mirrorCursor: Type.Integer(),
  lastSyncedAt: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Type.String(),
  health: UpstreamHealthSchema,
});
export type Upstream = Static<typeof UpstreamSchema>;

export const UpstreamListSchema = Type.Object({ items: Type.Array(UpstreamSchema) });
export type UpstreamList = Static<typeof UpstreamListSchema>;

/** What one sync run did. */
export const SyncResultSchema = Type.Object({
  upstreamId: Type.String(),
  mode: literalUnion(UPSTREAM_MODES),
  /** Versions copied in this run (`id@version`). */
  imported: Type.Array(Type.String()),
  /** Versions left out, with why (already here, excluded by a pattern, not visible upstream, ...). */
  skipped: Type.Array(Type.Object({ ref: Type.String(), reason: Type.String() })),
  /** Versions refused because their integrity or signature did not check. */
  refused: Type.Array(Type.Object({ ref: Type.String(), code: Type.String(), message: Type.String() })),
  cursor: Type.Integer({ description: 'mirror: the upstream journal seq processed so far' }),
});
export type SyncResult = Static<typeof SyncResultSchema>;

/** `POST /api/upstreams/:id/clone` body. */
export const CloneBodySchema = Type.Object({
  pluginId: Type.String({ pattern: PluginIdPattern, description: 'the plugin at the upstream' }),
  version: Type.String({ minLength: 1, maxLength: 64 }),
  into: Type.String({ pattern: PluginIdPattern, description: 'the new local id, like "@local-ns/name"' }),
}, { additionalProperties: false });
export type CloneBody = Static<typeof CloneBodySchema>;

/** A version copied from elsewhere, with where it came from. */
export const FederatedVersionSchema = Type.Object({
  pluginId: Type.String(),
  version: Type.String(),
  integrity: Type.String(),
  status: Type.String(),
  upstreamId: Type.String(),
  how: literalUnion(['link', 'mirror', 'clone'] as const),
  sourcePluginId: Type.String(),
  sourceVersion: Type.String(),
  sourceIntegrity: Type.String(),
  /** `sourcePluginId@sourceVersion` for clones, else null. */
  forkedFrom: Type.Union([Type.String(), Type.Null()]),
});
export type FederatedVersion = Static<typeof FederatedVersionSchema>;

/** `POST /api/plugins/:scope/:name/versions/:version/share` body. */
export const ShareBodySchema = Type.Object({
  peerUrl: Type.String({ pattern: '^https?://', maxLength: 500 }),
  tokenEnv: Type.String({ pattern: TOKEN_ENV_PATTERN, description: 'the NAME of the environment variable holding the token the peer granted' }),
}, { additionalProperties: false });
export type ShareBody = Static<typeof ShareBodySchema>;

/** What the peer answered, checked against the local version. */
export const ShareResultSchema = Type.Object({
  pluginId: Type.String(),
  version: Type.String(),
  peerUrl: Type.String(),
  integrity: Type.String(),
  peerStatus: Type.String(),
  peerSigningKeyId: Type.String(),
  /** The peer's release signature, verified with the key from its GET /api/keys. */
  peerSignatureVerified: Type.Boolean(),
});
export type ShareResult = Static<typeof ShareResultSchema>;

/** `POST /api/targets/:id/clone` body. */
export const TargetCloneBodySchema = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
}, { additionalProperties: false });
export type TargetCloneBody = Static<typeof TargetCloneBodySchema>;

export const TargetCloneResultSchema = Type.Object({
  id: Type.String(),
  clonedFrom: Type.String(),
  installed: Type.Array(Type.Object({ pluginId: Type.String(), version: Type.String(), operationId: Type.Union([Type.String(), Type.Null()]) })),
});
export type TargetCloneResult = Static<typeof TargetCloneResultSchema>;
