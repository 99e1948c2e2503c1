/**
 * HTTP bodies of the marketplace catalogue: publish, list and search, plugin details, code preview,
 * version diffs, reviews, plugin requests and approvals. One TypeBox schema per body is the route's
 * validation, its OpenAPI entry and (via `Static`) the type the web console and the extension use.
 */
import { Type, type Static } from '@sinclair/typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const PLUGIN_TIERS = ['official', 'third-party'] as const;
export type PluginTier = (typeof PLUGIN_TIERS)[number];

/** Namespaces reserved for official plugins: only super-admins (and the seeding `system`) publish there. */
export const OFFICIAL_NAMESPACES = ['@codex'] as const;

export const LIST_SORTS = ['relevance', 'trending', 'installs', 'rating', 'updated'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

export const VERSION_STATUSES = ['quarantined', 'pending-approval', 'active', 'deprecated', 'yanked'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

const literalUnion = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

/** `GET /api/plugins/list` query. */
export const PluginListQuerySchema = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'full-text search; the last word matches as a prefix (search as you type)' })),
  kind: Type.Optional(literalUnion(['tool', 'micro-app', 'data-source', 'visual-block'] as const)),
  tier: Type.Optional(literalUnion(PLUGIN_TIERS)),
  tag: Type.Optional(Type.String({ maxLength: 32 })),
  recommended: Type.Optional(Type.Boolean()),
  sort: Type.Optional(literalUnion(LIST_SORTS)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 1000, description: 'the nextCursor of the previous page' })),
}, { additionalProperties: false });
export type PluginListQuery = Static<typeof PluginListQuerySchema>;

/** One catalogue entry: the plugin with its latest active version. */
export const PluginListItemSchema = Type.Object({
  id: Type.String(),
  version: Type.String(),
  kind: Type.String(),
  tier: literalUnion(PLUGIN_TIERS),
  title: Type.String(),
  description: Type.String(),
  tags: Type.Array(Type.String()),
  installs: Type.Number(),
  /** Average rating 1–5, null when nobody rated it yet. */
  rating: NullableNumber,
  ratingCount: Type.Number(),
  recommended: Type.Boolean(),
  /** Installs decayed with a 7-day half-life. */
  trending: Type.Number(),
  /** Federation: the registry the plugin comes from (a linked or mirrored upstream's URL); absent for local plugins. */
  origin: Type.Optional(Type.String()),
  /** Federation: `id@version` this plugin was cloned from. */
  forkedFrom: Type.Optional(Type.String()),
});
export type PluginListItem = Static<typeof PluginListItemSchema>;

export const PluginListResponseSchema = Type.Object({
  items: Type.Array(PluginListItemSchema),
  /** Opaque; pass it as `cursor` for the next page. Null on the last page. */
  nextCursor: Nullable(Type.String()),
});
export type PluginListResponse = Static<typeof PluginListResponseSchema>;

/** `POST /api/plugins/publish` query (the body is the raw .tgz). */
export const PublishQuerySchema = Type.Object({
  override: Type.Optional(Type.Boolean({ description: 'super-admins only: publish despite a look-alike name or duplicate content' })),
  reason: Type.Optional(Type.String({ minLength: 3, maxLength: 1000, description: 'why the override is justified (required with override)' })),
}, { additionalProperties: false });
export type PublishQuery = Static<typeof PublishQuerySchema>;

export const PublishResponseSchema = Type.Object({
  id: Type.String(),
  version: Type.String(),
  tier: literalUnion(PLUGIN_TIERS),
  status: literalUnion(VERSION_STATUSES),
  integrity: Type.String({ description: 'sha512 SRI of the tarball bytes' }),
  contentHash: Type.String(),
  size: Type.Integer(),
  /** The registry's Ed25519 signature (base64) over `id@version:integrity`. */
  signature: Type.String(),
  signingKeyId: Type.String(),
  publisherSignatureVerified: Type.Boolean(),
  /** Approvals the version waits for (empty when it is active). */
  approvals: Type.Array(Type.Object({ id: Type.String(), kind: Type.String(), status: Type.String() })),
});
export type PublishResponse = Static<typeof PublishResponseSchema>;

/** `GET /api/keys`: the public keys that verify release signatures. */
export const KeysResponseSchema = Type.Object({
  keys: Type.Array(Type.Object({ keyId: Type.String(), publicKeyPem: Type.String(), algorithm: Type.Literal('ed25519') })),
  /** What a signature covers, with placeholders. */
  signedMessage: Type.String(),
});
export type KeysResponse = Static<typeof KeysResponseSchema>;

export const PluginVersionSummarySchema = Type.Object({
  version: Type.String(),
  status: literalUnion(VERSION_STATUSES),
  statusReason: Nullable(Type.String()),
  integrity: Type.String(),
  signature: Type.String(),
  signingKeyId: Type.String(),
  publishedBy: Type.String(),
  publishedAt: Type.String(),
});
export type PluginVersionSummary = Static<typeof PluginVersionSummarySchema>;

export const ReviewSchema = Type.Object({
  userId: Type.String(),
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  text: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Review = Static<typeof ReviewSchema>;

/** `GET /api/plugins/:scope/:name` (query `version` picks the version shown; default the latest active). */
export const PluginDetailsSchema = Type.Object({
  id: Type.String(),
  namespace: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  tier: literalUnion(PLUGIN_TIERS),
  title: Type.String(),
  description: Type.String(),
  tags: Type.Array(Type.String()),
  latestVersion: Nullable(Type.String()),
  recommended: Type.Boolean(),
  deprecated: Type.Boolean(),
  replacement: Nullable(Type.String()),
  installs: Type.Number(),
  rating: NullableNumber,
  ratingCount: Type.Number(),
  trending: Type.Number(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  /** Newest first; pending and quarantined versions only for the publisher and super-admins. */
  versions: Type.Array(PluginVersionSummarySchema),
  /** The version shown below. */
  version: PluginVersionSummarySchema,
  manifest: Type.Record(Type.String(), Type.Unknown()),
  permissions: Type.Record(Type.String(), Type.Unknown()),
  tools: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  dependencies: Type.Record(Type.String(), Type.String()),
  configSchema: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  files: Type.Array(Type.Object({ path: Type.String(), size: Type.Integer() })),
  readme: Nullable(Type.String()),
  reviews: Type.Array(ReviewSchema),
});
export type PluginDetails = Static<typeof PluginDetailsSchema>;

export const PluginDetailsQuerySchema = Type.Object({
  version: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false });

/** `GET /api/plugins/:scope/:name/versions/:version/files/*`. */
export const PluginFileResponseSchema = Type.Object({
  path: Type.String(),
  size: Type.Integer(),
  content: Type.String(),
});
export type PluginFileResponse = Static<typeof PluginFileResponseSchema>;

/** `GET /api/plugins/:scope/:name/diff?from=&to=`. */
export const PluginDiffQuerySchema = Type.Object({
  from: Type.String({ minLength: 1, maxLength: 64 }),
  to: Type.String({ minLength: 1, maxLength: 64 }),
}, { additionalProperties: false });

export const DIFF_SECTIONS = ['manifest', 'tools', 'permissions', 'dependencies', 'configSchema'] as const;

export const DiffChangeSchema = Type.Object({
  /** The area of the manifest the change is in. */
  section: literalUnion(DIFF_SECTIONS),
  /** JSON-pointer-like path; tools are keyed by name (`/tools/analyze/description`), string lists by value. */
  path: Type.String(),
  change: literalUnion(['added', 'removed', 'changed'] as const),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
});
export type DiffChange = Static<typeof DiffChangeSchema>;

export const PluginDiffResponseSchema = Type.Object({
  id: Type.String(),
  from: Type.String(),
  to: Type.String(),
  changes: Type.Array(DiffChangeSchema),
});
export type PluginDiffResponse = Static<typeof PluginDiffResponseSchema>;

/** `POST /api/plugins/:scope/:name/reviews`: one review per user per plugin; posting again replaces it. */
export const ReviewBodySchema = Type.Object({
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  text: Type.Optional(Type.String({ maxLength: 5000 })),
}, { additionalProperties: false });
export type ReviewBody = Static<typeof ReviewBodySchema>;

export const ReviewResponseSchema = Type.Object({
  review: ReviewSchema,
  rating: NullableNumber,
  ratingCount: Type.Number(),
});
export type ReviewResponse = Static<typeof ReviewResponseSchema>;

/** `POST /api/plugin-requests`: propose a new plugin, or ask for one to be installed on a target. */
export const PluginRequestBodySchema = Type.Object({
  kind: literalUnion(['new-plugin', 'install'] as const),
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 5000 })),
  pluginId: Type.Optional(Type.String({ maxLength: 214 })),
  targetId: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false });
export type PluginRequestBody = Static<typeof PluginRequestBodySchema>;

export const PluginRequestSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  description: Type.String(),
  pluginId: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  status: Type.String(),
  requestedBy: Type.String(),
  decidedBy: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type PluginRequest = Static<typeof PluginRequestSchema>;

export const PluginRequestListQuerySchema = Type.Object({
  status: Type.Optional(literalUnion(['open', 'accepted', 'declined', 'done'] as const)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false });

export const ApprovalSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  pluginId: Type.String(),
  version: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  payload: Type.Record(Type.String(), Type.Unknown()),
  status: literalUnion(['pending', 'approved', 'rejected'] as const),
  requestedBy: Type.String(),
  decidedBy: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  createdAt: Type.String(),
  decidedAt: Nullable(Type.String()),
});
export type Approval = Static<typeof ApprovalSchema>;

export const ApprovalListQuerySchema = Type.Object({
  status: Type.Optional(literalUnion(['pending', 'approved', 'rejected', 'all'] as const)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false });

/** `POST /api/admin/approvals/:id`. */
export const ApprovalDecisionBodySchema = Type.Object({
  decision: literalUnion(['approve', 'reject'] as const),
  reason: Type.Optional(Type.String({ maxLength: 1000 })),
}, { additionalProperties: false });
export type ApprovalDecisionBody = Static<typeof ApprovalDecisionBodySchema>;

export const ApprovalDecisionResponseSchema = Type.Object({
  approval: ApprovalSchema,
  /** The version's status after the decision (active once every approval it waited for is given). */
  versionStatus: Nullable(Type.String()),
});
export type ApprovalDecisionResponse = Static<typeof ApprovalDecisionResponseSchema>;
