/**
 * HTTP bodies of the plugin lifecycle (install, upgrade, rollback, remove), installations,
 * operations and install targets: one TypeBox source for the registry's validation, the OpenAPI
 * document and the TypeScript types the UI imports.
 */
import { Type, type Static } from '@sinclair/typebox';

/** An install target id: lower-case letters, digits, ".", "_" and "-". */
export const TARGET_ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';

/** The four lifecycle operations. */
export const LIFECYCLE_KINDS = ['install', 'upgrade', 'rollback', 'remove'] as const;
export type LifecycleKind = (typeof LIFECYCLE_KINDS)[number];

/** `POST /api/plugins/{install,upgrade,rollback,remove}`; send `Idempotency-Key` to make retries safe. */
export const LifecycleRequestSchema = Type.Object({
  pluginId: Type.String({ minLength: 3, maxLength: 214, description: 'the plugin id, like "@acme/weather"' }),
  target: Type.Optional(Type.String({ pattern: TARGET_ID_PATTERN, description: 'the install target id (default "default")' })),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'install/upgrade: a version or semver range; rollback: the version to return to (default: the last known good version)' })),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the plugin configuration, validated against its configSchema' })),
  dryRun: Type.Optional(Type.Boolean({ description: 'return the plan without changing anything' })),
  cascade: Type.Optional(Type.Boolean({ description: 'remove: also remove the installed plugins that depend on this one' })),
}, { additionalProperties: false });
export type LifecycleRequest = Static<typeof LifecycleRequestSchema>;

/** One plugin the plan installs. */
export const PlannedInstallSchema = Type.Object({
  pluginId: Type.String(),
  version: Type.String(),
  asDependency: Type.Boolean(),
  dataSchema: Type.String(),
});

/** One installed plugin whose version (or explicit/dependency flag or config) the plan changes. */
export const PlannedChangeSchema = Type.Object({
  pluginId: Type.String(),
  fromVersion: Type.String(),
  toVersion: Type.String(),
  dataSchema: Type.String(),
});

/** One installed plugin the plan removes, and why. */
export const PlannedRemovalSchema = Type.Object({
  pluginId: Type.String(),
  version: Type.String(),
  dataSchema: Type.String(),
  reason: Type.Union([Type.Literal('requested'), Type.Literal('dependent'), Type.Literal('orphaned-dependency')]),
});

/** Plugin schema migrations one plugin runs: `up` in ascending, `down` in descending order. */
export const PlannedMigrationsSchema = Type.Object({
  pluginId: Type.String(),
  dataSchema: Type.String(),
  direction: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  /** The plugin version whose manifest holds the SQL (the new version for up, the old one for down). */
  sourceVersion: Type.String(),
  steps: Type.Array(Type.Object({ version: Type.Integer(), name: Type.String() })),
});

/** A permission change of one plugin, as strings like "network:api.example.com", "core:events", "storage", "secret:API_KEY". */
export const PermissionDiffSchema = Type.Object({
  pluginId: Type.String(),
  added: Type.Array(Type.String()),
  removed: Type.Array(Type.String()),
});

/** What an operation does; dry runs return it without doing it. */
export const LifecyclePlanSchema = Type.Object({
  kind: Type.Union(LIFECYCLE_KINDS.map((kind) => Type.Literal(kind))),
  targetId: Type.String(),
  pluginId: Type.String(),
  fromVersion: Type.Union([Type.String(), Type.Null()]),
  toVersion: Type.Union([Type.String(), Type.Null()]),
  install: Type.Array(PlannedInstallSchema),
  change: Type.Array(PlannedChangeSchema),
  remove: Type.Array(PlannedRemovalSchema),
  migrations: Type.Array(PlannedMigrationsSchema),
  permissions: Type.Array(PermissionDiffSchema),
  /** Installed plugins that depend on the plugins this plan changes or removes. */
  dependentsAffected: Type.Array(Type.String()),
  /** sha256 of the target's installations before and after (an identical repeat on an unchanged target is a no-op). */
  targetState: Type.Object({ before: Type.String(), after: Type.String() }),
});
export type LifecyclePlan = Static<typeof LifecyclePlanSchema>;

/** One line of an operation's diff log. */
export const DiffEntrySchema = Type.Object({
  pluginId: Type.String(),
  field: Type.Union([Type.Literal('version'), Type.Literal('permissions'), Type.Literal('tools'), Type.Literal('config'), Type.Literal('manifest'), Type.Literal('installation')]),
  from: Type.Unknown(),
  to: Type.Unknown(),
});
export type DiffEntry = Static<typeof DiffEntrySchema>;

/** An installed plugin in a target. */
export const InstallationSchema = Type.Object({
  targetId: Type.String(),
  pluginId: Type.String(),
  version: Type.String(),
  lastKnownGoodVersion: Type.Union([Type.String(), Type.Null()]),
  config: Type.Record(Type.String(), Type.Unknown()),
  grantedPermissions: Type.Record(Type.String(), Type.Unknown()),
  dataSchema: Type.String(),
  asDependency: Type.Boolean(),
  status: Type.String(),
  installedBy: Type.String(),
  installedAt: Type.String(),
  updatedAt: Type.String(),
});
export type Installation = Static<typeof InstallationSchema>;

/** A finished lifecycle operation (failed operations change nothing and are not stored). */
export const OperationSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  targetId: Type.String(),
  pluginId: Type.String(),
  fromVersion: Type.Union([Type.String(), Type.Null()]),
  toVersion: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  plan: LifecyclePlanSchema,
  diffLog: Type.Array(DiffEntrySchema),
  snapshot: Type.Record(Type.String(), Type.Unknown()),
  idempotencyKey: Type.Union([Type.String(), Type.Null()]),
  actor: Type.String(),
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});
export type Operation = Static<typeof OperationSchema>;

/**
 * The answer of every lifecycle call. `dryRun`: only `plan` is set. `noop`: the request repeated an
 * earlier one (same Idempotency-Key, or the same request on an unchanged target) and `operation` is
 * the first result. `installation` is the root plugin's installation afterwards (null once removed).
 */
export const LifecycleResultSchema = Type.Object({
  dryRun: Type.Boolean(),
  noop: Type.Boolean(),
  plan: LifecyclePlanSchema,
  operation: Type.Union([OperationSchema, Type.Null()]),
  installation: Type.Union([InstallationSchema, Type.Null()]),
});
export type LifecycleResult = Static<typeof LifecycleResultSchema>;

/** `GET /api/plugins/installed?target=`. */
export const InstalledQuerySchema = Type.Object({
  target: Type.Optional(Type.String({ pattern: TARGET_ID_PATTERN })),
}, { additionalProperties: false });
export const InstalledListSchema = Type.Object({ targetId: Type.String(), items: Type.Array(InstallationSchema) });
export type InstalledList = Static<typeof InstalledListSchema>;

/** An install target (a sub-app, workspace or "neuron"). */
export const TargetSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  clonedFrom: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Type.String(),
});
export type Target = Static<typeof TargetSchema>;

/** `POST /api/targets`. */
export const CreateTargetSchema = Type.Object({
  id: Type.String({ pattern: TARGET_ID_PATTERN, description: 'lower-case id like "support-bot"' }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
}, { additionalProperties: false });
export type CreateTarget = Static<typeof CreateTargetSchema>;

export const TargetListSchema = Type.Object({ items: Type.Array(TargetSchema) });
