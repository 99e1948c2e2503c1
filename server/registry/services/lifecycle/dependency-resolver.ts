import semver from 'semver';

/** One published version as the resolver sees it. */
export interface CandidateVersion {
  version: string;
  status: string;
  dependencies: Record<string, string>;
}

/** Every version of a plugin, or undefined when the registry does not have the plugin. */
export type VersionLoader = (pluginId: string) => Promise<readonly CandidateVersion[] | undefined>;

/** A plugin installed in the target before the operation. */
export interface InstalledPlugin {
  version: string;
  dependencies: Record<string, string>;
}

/** What to resolve. */
export interface ResolveRequest {
  /** The plugin the operation is about. */
  rootId: string;
  /** A version or a range the root must satisfy (`*` for the highest). */
  rootRange: string;
  /** Statuses the root may have (install and upgrade: active; rollback also accepts deprecated). */
  rootStatuses?: readonly string[];
  /** The target's installations before the operation; installed versions are kept when they still satisfy every range. */
  installed: ReadonlyMap<string, InstalledPlugin>;
  /** Installed plugins left out of the result and of the constraints (a remove plans without them). */
  ignore?: ReadonlySet<string>;
}

/** Why resolution failed; `chain` names the path that led to the problem. */
export class ResolutionError extends Error {
  constructor(readonly reason: 'missing' | 'no-active-version' | 'conflict' | 'cycle', message: string, readonly chains: string[][]) {
    super(message);
  }
}

/** The resolved graph. */
export interface Resolution {
  /** The chosen version of the root and of everything it needs, transitively. */
  versions: Map<string, string>;
  /** The same plugins, dependencies before their dependents. */
  order: string[];
  /** The dependencies (plugin ids) of every resolved plugin at its chosen version. */
  edges: Map<string, string[]>;
}

interface Constraint {
  range: string;
  /** The plugin@version that imposes it; undefined for the request itself or a fixed installation. */
  source?: { id: string; version: string };
  chain: string[];
}

const MAX_PASSES = 100;

function satisfies(version: string, range: string): boolean {
  return semver.satisfies(version, range, { includePrerelease: semver.prerelease(version) !== null && /-/.test(range) });
}

/**
 * Chooses a version for the root and each of its transitive dependencies: the root gets the
 * highest allowed version satisfying every range on it; a dependency keeps its installed (or
 * previously chosen) version while that satisfies every range, otherwise gets the highest active
 * version that does. Ranges come from the request, from the chosen versions' dependencies and from
 * every other installed plugin. Choices are revisited until they stop changing, so a range
 * discovered late (a diamond) re-chooses an earlier pick. A missing plugin, a range no active
 * version satisfies, or a cycle fails with the chain that led there, e.g.
 * `@a/x@1.0.0 -> @b/y@^2 -> @a/x@^1: cycle`.
 */
export async function resolveDependencies(request: ResolveRequest, load: VersionLoader): Promise<Resolution> {
  const cache = new Map<string, readonly CandidateVersion[] | undefined>();
  const versionsOf = async (id: string) => {
    if (!cache.has(id)) cache.set(id, await load(id));
    return cache.get(id);
  };
  const ignore = request.ignore ?? new Set<string>();
  const rootStatuses = request.rootStatuses ?? ['active'];
  const picks = new Map<string, string>();
  // Constraints accumulate across passes; one whose source has since been re-chosen no longer counts.
  const constraints = new Map<string, Map<string, Constraint>>();
  const addConstraint = (target: string, constraint: Constraint) => {
    const key = constraint.source ? `${constraint.source.id}@${constraint.source.version}` : constraint.chain.join(' -> ');
    let forTarget = constraints.get(target);
    if (!forTarget) constraints.set(target, (forTarget = new Map()));
    forTarget.set(key, constraint);
  };
  const live = (target: string): Constraint[] => [...(constraints.get(target)?.values() ?? [])]
    .filter((constraint) => !constraint.source || picks.get(constraint.source.id) === constraint.source.version
      || (!picks.has(constraint.source.id) && request.installed.get(constraint.source.id)?.version === constraint.source.version && !ignore.has(constraint.source.id)));

  addConstraint(request.rootId, { range: request.rootRange, chain: [`${request.rootId}@${request.rootRange} (requested)`] });

  const choose = async (id: string, chain: string[]): Promise<string> => {
    const candidates = await versionsOf(id);
    const ranges = live(id);
    if (candidates === undefined) {
      throw new ResolutionError('missing', `${id} is not in the registry (required by ${chain.join(' -> ')})`, [chain]);
    }
    const isRoot = id === request.rootId;
    const allowed = candidates.filter((candidate) => (isRoot ? rootStatuses : ['active']).includes(candidate.status));
    const fits = (version: string) => ranges.every((constraint) => satisfies(version, constraint.range));
    if (!isRoot) {
      const previous = picks.get(id);
      if (previous !== undefined && fits(previous)) return previous;
      const installed = ignore.has(id) ? undefined : request.installed.get(id);
      if (installed && fits(installed.version) && candidates.some((c) => c.version === installed.version)) return installed.version;
    }
    const best = allowed.map((candidate) => candidate.version).filter(fits).sort(semver.rcompare)[0];
    if (best !== undefined) return best;
    if (allowed.length === 0) {
      const others = candidates.map((candidate) => `${candidate.version} is ${candidate.status}`).join(', ');
      throw new ResolutionError('no-active-version', `${id} has no ${isRoot ? rootStatuses.join(' or ') : 'active'} version (required by ${chain.join(' -> ')})${others ? `; ${others}` : ''}`, [chain]);
    }
    const described = ranges.map((constraint) => `${constraint.range} (${constraint.chain.join(' -> ')})`).join(', ');
    throw new ResolutionError('conflict',
      `no ${isRoot ? rootStatuses.join(' or ') : 'active'} version of ${id} satisfies every range: ${described}; available: ${allowed.map((c) => c.version).sort(semver.compare).join(', ')}`,
      ranges.map((constraint) => constraint.chain));
  };

  // Installed plugins outside the operation keep their versions, so their ranges always count.
  for (const [id, plugin] of request.installed) {
    if (ignore.has(id)) continue;
    for (const [dependency, range] of Object.entries(plugin.dependencies)) {
      addConstraint(dependency, { range, source: { id, version: plugin.version }, chain: [`${id}@${plugin.version} (installed)`, `${dependency}@${range}`] });
    }
  }

  let edges = new Map<string, [string, string][]>();
  for (let pass = 0; ; pass += 1) {
    if (pass >= MAX_PASSES) throw new ResolutionError('conflict', `the dependencies of ${request.rootId} did not settle on one set of versions`, []);
    let changed = false;
    const visited = new Set<string>();
    const chains = new Map<string, string[]>();
    const queue: string[] = [request.rootId];
    chains.set(request.rootId, [`${request.rootId}@${request.rootRange}`]);
    visited.add(request.rootId);
    edges = new Map();
    while (queue.length > 0) {
      const id = queue.shift()!;
      const chain = chains.get(id)!;
      const version = await choose(id, chain);
      if (picks.get(id) !== version) {
        changed = picks.has(id) || changed;
        picks.set(id, version);
      }
      if (id === request.rootId) chains.set(id, [`${id}@${version}`]);
      const candidate = (await versionsOf(id))!.find((c) => c.version === version)!;
      const dependencies = Object.entries(candidate.dependencies).sort(([a], [b]) => a.localeCompare(b));
      edges.set(id, dependencies);
      for (const [dependency, range] of dependencies) {
        const dependencyChain = [...chains.get(id)!, `${dependency}@${range}`];
        addConstraint(dependency, { range, source: { id, version }, chain: dependencyChain });
        if (!visited.has(dependency)) {
          visited.add(dependency);
          chains.set(dependency, dependencyChain);
          queue.push(dependency);
        }
      }
    }
    for (const id of [...picks.keys()]) if (!visited.has(id)) picks.delete(id);
    // A range found late in the pass may rule out an earlier choice: check them all again.
    for (const [id, version] of picks) {
      if (!live(id).every((constraint) => satisfies(version, constraint.range))) changed = true;
    }
    if (!changed) {
      return { versions: picks, order: topologicalOrder(request.rootId, picks, edges), edges: new Map([...edges].map(([id, list]) => [id, list.map(([dependency]) => dependency)])) };
    }
  }
}

/** Orders the resolved plugins dependencies-first, failing on a cycle with its chain. */
function topologicalOrder(rootId: string, picks: Map<string, string>, ranges: Map<string, [string, string][]>): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const labels: string[] = [];
  const visit = (id: string, label: string) => {
    const index = onPath.indexOf(id);
    if (index >= 0) {
      const chain = [...labels.slice(index), label];
      throw new ResolutionError('cycle', `${chain.join(' -> ')}: cycle`, [chain]);
    }
    if (done.has(id)) return;
    onPath.push(id);
    labels.push(label);
    for (const [dependency, range] of ranges.get(id) ?? []) visit(dependency, `${dependency}@${range}`);
    onPath.pop();
    labels.pop();
    done.add(id);
    order.push(id);
  };
  visit(rootId, `${rootId}@${picks.get(rootId)}`);
  return order;
}
