import { createHash } from 'node:crypto';
import semver from 'semver';
import { canonicalJson } from '../../../../protocol/canonical-json';
import type { DiffEntry, Installation, LifecycleKind, LifecyclePlan, LifecycleRequest } from '../../../../protocol/lifecycle-api';
import type { Role } from '../../../../protocol/roles';
import type { InstallationWrite, PluginVersionRecord } from '../../db/installations-repository';
import { dataSchemaName } from '../../db/plugin-schemas';
import { CodexError } from '../../errors';
import { resolveDependencies, ResolutionError, type InstalledPlugin } from './dependency-resolver';
import { checkEngine, checkGrant, permissionList, validateConfig } from './plugin-checks';

/** Reads published versions; undefined when the plugin does not exist. */
export type VersionSource = (pluginId: string) => Promise<PluginVersionRecord[] | undefined>;

/** Everything the planner needs to know. */
export interface PlanInput {
  kind: LifecycleKind;
  request: LifecycleRequest & { target: string };
  installed: Installation[];
  versions: VersionSource;
  registrySchema: string;
  actor: string;
  role: Role;
  registryVersion?: string;
}

/** A plan with the writes that carry it out. */
export interface PlannedOperation {
  plan: LifecyclePlan;
  diffLog: DiffEntry[];
  snapshot: Record<string, unknown>;
  remove: { pluginId: string; dataSchema: string }[];
  write: { mode: 'insert' | 'update'; installation: InstallationWrite }[];
}

/** The outcome when the request asks for the state the target is already in. */
export interface AlreadyDone {
  alreadyDone: true;
  reason: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** sha256 of what a target holds: a repeated request on an unchanged target is recognised by it. */
export function targetStateHash(installations: readonly Pick<InstallationWrite, 'pluginId' | 'version' | 'config' | 'grantedPermissions' | 'asDependency'>[]): string {
  const rows = [...installations]
    .sort((a, b) => (a.pluginId < b.pluginId ? -1 : 1))
    .map((row) => [row.pluginId, row.version, row.config, row.grantedPermissions, row.asDependency]);
  return sha256(canonicalJson(rows));
}

/** sha256 of the canonical request of `actor` (dryRun excluded): the key of identical-repeat detection and of Idempotency-Key reuse. */
export function requestHash(kind: LifecycleKind, request: LifecycleRequest & { target: string }, actor: string): string {
  return sha256(canonicalJson({
    actor, kind, target: request.target, pluginId: request.pluginId, version: request.version ?? null, config: request.config ?? null, cascade: request.cascade === true,
  }));
}

function notInstalled(pluginId: string, target: string): CodexError {
  return new CodexError('CODEX_ERR_NOT_INSTALLED', `${pluginId} is not installed in target ${target}`, { pluginId, target }, 404);
}

/**
 * Plans one lifecycle operation against the target's current installations: resolves
 * dependencies, checks engines, configuration and permissions, and lists the installs, changes,
 * removals (requested, dependents with `cascade`, orphaned dependencies) and plugin migrations,
 * with the diff log and the snapshot of the rows it touches. It reads but never writes.
 */
export async function planOperation(input: PlanInput): Promise<PlannedOperation | AlreadyDone> {
  const { kind, request, installed } = input;
  const target = request.target;
  const rootId = request.pluginId;
  const byId = new Map(installed.map((installation) => [installation.pluginId, installation]));
  const current = byId.get(rootId);
  const cache = new Map<string, PluginVersionRecord[] | undefined>();
  const versionsOf = async (id: string) => {
    if (!cache.has(id)) cache.set(id, await input.versions(id));
    return cache.get(id);
  };
  const record = async (id: string, version: string): Promise<PluginVersionRecord> => {
    const found = (await versionsOf(id))?.find((candidate) => candidate.version === version);
    if (!found) throw new CodexError('CODEX_ERR_VERSION_NOT_FOUND', `${id}@${version} does not exist in the registry`, { pluginId: id, version });
    return found;
  };

  const rootVersions = await versionsOf(rootId);
  if (rootVersions === undefined) throw new CodexError('CODEX_ERR_PLUGIN_NOT_FOUND', `there is no plugin ${rootId} in the registry`, { pluginId: rootId });

  // The final state of the target: installed rows as they are, then the plan's changes.
  const after = new Map<string, InstallationWrite>(installed.map((row) => [row.pluginId, toWrite(row)]));
  const dependenciesOf = async (row: { pluginId: string; version: string }) => (await record(row.pluginId, row.version)).dependencies;
  const installedForResolver = new Map<string, InstalledPlugin>();
  for (const row of installed) installedForResolver.set(row.pluginId, { version: row.version, dependencies: await dependenciesOf(row) });

  const removals: { pluginId: string; version: string; dataSchema: string; reason: 'requested' | 'dependent' | 'orphaned-dependency' }[] = [];
  let order: string[] = [];
  let toVersion: string | null = null;

  if (kind === 'remove') {
    if (!current) throw notInstalled(rootId, target);
    const dependents = new Map<string, string[]>();
    for (const row of installed) {
      for (const dependency of Object.keys(installedForResolver.get(row.pluginId)!.dependencies)) {
        dependents.set(dependency, [...(dependents.get(dependency) ?? []), row.pluginId]);
      }
    }
    const direct = dependents.get(rootId) ?? [];
    if (direct.length > 0 && request.cascade !== true) {
      const named = direct.map((id) => `${id}@${byId.get(id)!.version}`);
      throw new CodexError('CODEX_ERR_HAS_DEPENDENTS', `${rootId} cannot be removed from ${target}: ${named.join(', ')} ${named.length === 1 ? 'depends' : 'depend'} on it; remove ${named.length === 1 ? 'it' : 'them'} first or send "cascade": true`, { dependents: direct }, 409);
    }
    // With cascade every transitive dependent goes, dependents before what they depend on.
    const doomed = new Set<string>([rootId]);
    for (let grew = true; grew;) {
      grew = false;
      for (const id of [...doomed]) for (const dependent of dependents.get(id) ?? []) if (!doomed.has(dependent)) { doomed.add(dependent); grew = true; }
    }
    for (const id of removalOrder(doomed, installedForResolver)) {
      const row = byId.get(id)!;
      removals.push({ pluginId: id, version: row.version, dataSchema: row.dataSchema, reason: id === rootId ? 'requested' : 'dependent' });
      after.delete(id);
    }
  } else {
    let rootRange: string;
    let rootStatuses = ['active'];
    if (kind === 'install') {
      rootRange = request.version ?? '*';
      if (current) {
        // Installing what is installed keeps its version (a repeat, a config change, or making a dependency explicit).
        if (request.version !== undefined && !(semver.validRange(request.version) && semver.satisfies(current.version, request.version))) {
          throw new CodexError('CODEX_ERR_ALREADY_INSTALLED', `${rootId} is already installed in ${target} at ${current.version}; use upgrade or rollback to change its version`, { version: current.version }, 409);
        }
        rootRange = current.version;
        rootStatuses = ['active', 'deprecated', 'quarantined', 'pending-approval', 'yanked'];
      }
    } else if (kind === 'upgrade') {
      if (!current) throw notInstalled(rootId, target);
      rootRange = request.version ?? '*';
      if (semver.valid(request.version ?? '') && semver.lt(request.version!, current.version)) {
        throw new CodexError('CODEX_ERR_CONFLICT', `${rootId} is installed at ${current.version}; ${request.version} is older: use rollback to go back`, undefined);
      }
    } else {
      if (!current) throw notInstalled(rootId, target);
      const back = request.version ?? current.lastKnownGoodVersion;
      if (!back) throw new CodexError('CODEX_ERR_NO_ROLLBACK_VERSION', `${rootId} in ${target} has no last known good version; name the version to roll back to`, undefined, 409);
      if (!semver.valid(back)) throw new CodexError('CODEX_ERR_VALIDATION', `body.version "${back}" is not a version; rollback needs an exact version like "1.0.0"`);
      if (semver.gt(back, current.version)) throw new CodexError('CODEX_ERR_CONFLICT', `${rootId} is installed at ${current.version}; ${back} is newer: use upgrade`);
      rootRange = back;
      rootStatuses = ['active', 'deprecated'];
    }
    if (semver.validRange(rootRange) === null) throw new CodexError('CODEX_ERR_VALIDATION', `body.version "${rootRange}" is neither a version nor a semver range`);
    // An exact version that exists but may not be installed gets its own, clearer error.
    if (semver.valid(rootRange)) {
      const exact = await record(rootId, rootRange);
      if (!rootStatuses.includes(exact.status)) {
        throw new CodexError('CODEX_ERR_VERSION_NOT_ACTIVE', `${rootId}@${rootRange} is ${exact.status}${exact.statusReason ? ` (${exact.statusReason})` : ''}; only ${rootStatuses.join(' or ')} versions can be ${kind === 'rollback' ? 'rolled back to' : 'installed'}`, { pluginId: rootId, version: rootRange, status: exact.status }, 409);
      }
    }
    let resolution;
    try {
      resolution = await resolveDependencies({ rootId, rootRange, rootStatuses, installed: installedForResolver }, versionsOf);
    } catch (error) {
      if (error instanceof ResolutionError) {
        throw new CodexError(error.reason === 'cycle' ? 'CODEX_ERR_DEPENDENCY_CYCLE' : 'CODEX_ERR_DEPENDENCY_UNSATISFIABLE', error.message, { reason: error.reason, chains: error.chains }, 422);
      }
      throw error;
    }
    toVersion = resolution.versions.get(rootId)!;
    if (current) {
      if (kind === 'upgrade' && semver.lt(toVersion, current.version)) {
        throw new CodexError('CODEX_ERR_CONFLICT', `${rootId} is installed at ${current.version}, newer than the best version ${toVersion} allowed; use rollback to go back`);
      }
    }
    order = resolution.order;
    for (const id of order) {
      const version = id === rootId ? toVersion : resolution.versions.get(id)!;
      const existing = after.get(id);
      const isRoot = id === rootId;
      const config = isRoot && request.config !== undefined ? request.config : (existing?.config ?? {});
      if (existing) {
        const upgraded = existing.version !== version;
        after.set(id, {
          ...existing,
          version,
          config,
          asDependency: kind === 'install' && isRoot ? false : existing.asDependency,
          lastKnownGoodVersion: !upgraded ? existing.lastKnownGoodVersion
            : semver.gt(version, existing.version) ? existing.version
              : (existing.lastKnownGoodVersion && existing.lastKnownGoodVersion !== version ? existing.lastKnownGoodVersion : null),
        });
      } else {
        after.set(id, {
          targetId: target, pluginId: id, version, lastKnownGoodVersion: null, config, grantedPermissions: {},
          dataSchema: dataSchemaName(input.registrySchema, target, id), asDependency: !isRoot, installedBy: input.actor,
        });
      }
    }
  }

  // Dependencies installed for others that nothing explicit needs any more go too.
  for (const id of await orphans(after, dependenciesOf)) {
    const row = byId.get(id);
    if (!row) continue;
    removals.push({ pluginId: id, version: row.version, dataSchema: row.dataSchema, reason: 'orphaned-dependency' });
    after.delete(id);
  }

  const plan: LifecyclePlan = {
    kind, targetId: target, pluginId: rootId, fromVersion: current?.version ?? null, toVersion: kind === 'remove' ? null : toVersion,
    install: [], change: [], remove: removals, migrations: [], permissions: [], dependentsAffected: [],
    targetState: { before: targetStateHash(installed), after: '' },
  };
  const diffLog: DiffEntry[] = [];
  const write: PlannedOperation['write'] = [];

  for (const id of order) {
    const next = after.get(id);
    if (!next) continue;
    const before = byId.get(id);
    const nextRecord = await record(id, next.version);
    const beforeRecord = before ? await record(id, before.version) : undefined;
    checkEngine(id, next.version, nextRecord.manifest, input.registryVersion);
    next.config = validateConfig(id, next.version, nextRecord.configSchema, next.config);
    next.grantedPermissions = nextRecord.permissions;
    const granted = permissionList(before?.grantedPermissions ?? {});
    const wanted = permissionList(nextRecord.permissions);
    const added = wanted.filter((permission) => !granted.includes(permission));
    const removed = granted.filter((permission) => !wanted.includes(permission));
    checkGrant(id, next.version, added, input.role);
    if (added.length > 0 || removed.length > 0) plan.permissions.push({ pluginId: id, added, removed });

    if (!before) {
      plan.install.push({ pluginId: id, version: next.version, asDependency: next.asDependency, dataSchema: next.dataSchema });
      const up = [...nextRecord.migrations].sort((a, b) => a.version - b.version);
      if (up.length > 0) plan.migrations.push({ pluginId: id, dataSchema: next.dataSchema, direction: 'up', sourceVersion: next.version, steps: up.map(({ version, name }) => ({ version, name })) });
      diffLog.push({ pluginId: id, field: 'installation', from: null, to: next.version });
      write.push({ mode: 'insert', installation: next });
      continue;
    }
    const changed = canonicalJson([before.version, before.config, before.asDependency, before.grantedPermissions]) !== canonicalJson([next.version, next.config, next.asDependency, next.grantedPermissions]);
    if (!changed) continue;
    plan.change.push({ pluginId: id, fromVersion: before.version, toVersion: next.version, dataSchema: next.dataSchema });
    write.push({ mode: 'update', installation: next });
    const applied = Math.max(0, ...beforeRecord!.migrations.map((migration) => migration.version));
    const latest = Math.max(0, ...nextRecord.migrations.map((migration) => migration.version));
    if (latest > applied) {
      const up = nextRecord.migrations.filter((migration) => migration.version > applied).sort((a, b) => a.version - b.version);
      if (up.length > 0) plan.migrations.push({ pluginId: id, dataSchema: next.dataSchema, direction: 'up', sourceVersion: next.version, steps: up.map(({ version, name }) => ({ version, name })) });
    } else if (latest < applied) {
      const down = beforeRecord!.migrations.filter((migration) => migration.version > latest).sort((a, b) => b.version - a.version);
      plan.migrations.push({ pluginId: id, dataSchema: next.dataSchema, direction: 'down', sourceVersion: before.version, steps: down.map(({ version, name }) => ({ version, name })) });
    }
    diffLog.push(...versionDiff(id, before, next, beforeRecord!, nextRecord));
  }
  for (const removal of removals) diffLog.push({ pluginId: removal.pluginId, field: 'installation', from: removal.version, to: null });

  // Installed plugins (outside the removals) that depend on anything this plan touches.
  const touched = new Set([...plan.change.map((c) => c.pluginId), ...removals.map((r) => r.pluginId)]);
  for (const row of installed) {
    if (removals.some((removal) => removal.pluginId === row.pluginId)) continue;
    const dependencies = Object.keys(installedForResolver.get(row.pluginId)!.dependencies);
    if (dependencies.some((dependency) => touched.has(dependency))) plan.dependentsAffected.push(row.pluginId);
  }
  plan.dependentsAffected.sort();
  plan.targetState.after = targetStateHash([...after.values()]);

  if (write.length === 0 && removals.length === 0) {
    return { alreadyDone: true, reason: kind === 'install' ? `${rootId} is already installed in ${target} at ${current?.version}` : `${rootId} in ${target} is already at ${current?.version}` };
  }
  const affected = new Set([...write.map((w) => w.installation.pluginId), ...removals.map((r) => r.pluginId)]);
  const snapshot = { installations: installed.filter((row) => affected.has(row.pluginId)) };
  return { plan, diffLog, snapshot, remove: removals.map(({ pluginId, dataSchema }) => ({ pluginId, dataSchema })), write };
}

function toWrite(row: Installation): InstallationWrite {
  return {
    targetId: row.targetId, pluginId: row.pluginId, version: row.version, lastKnownGoodVersion: row.lastKnownGoodVersion, config: row.config,
    grantedPermissions: row.grantedPermissions, dataSchema: row.dataSchema, asDependency: row.asDependency, installedBy: row.installedBy,
  };
}

/** Installed dependencies that no explicitly installed plugin needs, directly or transitively. */
async function orphans(after: Map<string, InstallationWrite>, dependenciesOf: (row: { pluginId: string; version: string }) => Promise<Record<string, string>>): Promise<string[]> {
  const needed = new Set<string>();
  const queue = [...after.values()].filter((row) => !row.asDependency).map((row) => row.pluginId);
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (needed.has(id)) continue;
    needed.add(id);
    const row = after.get(id);
    if (row) queue.push(...Object.keys(await dependenciesOf(row)));
  }
  const unneeded = [...after.values()].filter((row) => !needed.has(row.pluginId)).map((row) => row.pluginId);
  const deps = new Map<string, InstalledPlugin>();
  for (const id of unneeded) deps.set(id, { version: after.get(id)!.version, dependencies: await dependenciesOf(after.get(id)!) });
  return removalOrder(new Set(unneeded), deps);
}

/** The plugins of `set`, each after every plugin of the set that depends on it. */
function removalOrder(set: Set<string>, installed: ReadonlyMap<string, InstalledPlugin>): string[] {
  const order: string[] = [];
  const left = new Set([...set].sort());
  while (left.size > 0) {
    const next = [...left].find((id) => ![...left].some((other) => other !== id && id in (installed.get(other)?.dependencies ?? {}))) ?? [...left][0]!;
    order.push(next);
    left.delete(next);
  }
  return order;
}

function toolNames(record: PluginVersionRecord): string[] {
  return record.tools.map((tool) => tool.name).sort();
}

/** What changed between two installed versions: version, permissions, tools, config and other manifest fields. */
function versionDiff(pluginId: string, before: Installation, next: InstallationWrite, from: PluginVersionRecord, to: PluginVersionRecord): DiffEntry[] {
  const diff: DiffEntry[] = [];
  if (before.version !== next.version) diff.push({ pluginId, field: 'version', from: before.version, to: next.version });
  if (canonicalJson(from.permissions) !== canonicalJson(to.permissions)) diff.push({ pluginId, field: 'permissions', from: from.permissions, to: to.permissions });
  const fromTools = toolNames(from);
  const toTools = toolNames(to);
  if (canonicalJson(fromTools) !== canonicalJson(toTools)) {
    diff.push({ pluginId, field: 'tools', from: fromTools, to: toTools });
  }
  if (canonicalJson(before.config) !== canonicalJson(next.config)) diff.push({ pluginId, field: 'config', from: before.config, to: next.config });
  if (before.asDependency !== next.asDependency) diff.push({ pluginId, field: 'installation', from: { asDependency: before.asDependency }, to: { asDependency: next.asDependency } });
  const ignored = new Set(['version', 'permissions', 'tools']);
  const keys = [...new Set([...Object.keys(from.manifest), ...Object.keys(to.manifest)])].filter((key) => !ignored.has(key)).sort();
  const changedKeys = keys.filter((key) => canonicalJson(from.manifest[key] ?? null) !== canonicalJson(to.manifest[key] ?? null));
  if (changedKeys.length > 0) diff.push({ pluginId, field: 'manifest', from: Object.fromEntries(changedKeys.map((key) => [key, from.manifest[key] ?? null])), to: Object.fromEntries(changedKeys.map((key) => [key, to.manifest[key] ?? null])) });
  return diff;
}
