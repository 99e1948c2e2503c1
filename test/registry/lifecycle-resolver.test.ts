import { describe, expect, it } from 'vitest';
import { resolveDependencies, ResolutionError, type CandidateVersion, type InstalledPlugin } from '../../server/registry/services/lifecycle/dependency-resolver';

type Catalogue = Record<string, Record<string, Record<string, string> | { status: string; dependencies?: Record<string, string> }>>;

function loader(catalogue: Catalogue) {
  return async (id: string): Promise<CandidateVersion[] | undefined> => {
    const versions = catalogue[id];
    if (!versions) return undefined;
    return Object.entries(versions).map(([version, value]) => ('status' in value && typeof value.status === 'string'
      ? { version, status: value.status, dependencies: (value as { dependencies?: Record<string, string> }).dependencies ?? {} }
      : { version, status: 'active', dependencies: value as Record<string, string> }));
  };
}

interface Case {
  name: string;
  catalogue: Catalogue;
  root: string;
  range?: string;
  installed?: Record<string, InstalledPlugin>;
  /** The chosen versions, or the error. */
  expected?: Record<string, string>;
  order?: string[];
  error?: { reason: ResolutionError['reason']; message: string | RegExp };
}

const cases: Case[] = [
  { name: 'no dependencies: the highest active version', catalogue: { '@a/x': { '1.0.0': {}, '1.2.0': {}, '2.0.0-beta.1': {} } }, root: '@a/x', expected: { '@a/x': '1.2.0' } },
  { name: 'an exact version', catalogue: { '@a/x': { '1.0.0': {}, '1.2.0': {} } }, root: '@a/x', range: '1.0.0', expected: { '@a/x': '1.0.0' } },
  {
    name: 'a chain, dependencies first',
    catalogue: { '@a/x': { '1.0.0': { '@b/y': '^1.0.0' } }, '@b/y': { '1.0.0': { '@c/z': '~2.1.0' }, '1.5.0': { '@c/z': '~2.1.0' }, '2.0.0': {} }, '@c/z': { '2.1.0': {}, '2.1.9': {}, '2.2.0': {} } },
    root: '@a/x', expected: { '@a/x': '1.0.0', '@b/y': '1.5.0', '@c/z': '2.1.9' }, order: ['@c/z', '@b/y', '@a/x'],
  },
  {
    name: 'a diamond narrows the shared dependency to a version both accept',
    catalogue: {
      '@a/x': { '1.0.0': { '@b/l': '^1.0.0', '@b/r': '^1.0.0' } },
      '@b/l': { '1.0.0': { '@c/d': '>=1.0.0' } },
      '@b/r': { '1.0.0': { '@c/d': '<1.3.0' } },
      '@c/d': { '1.0.0': {}, '1.2.0': {}, '1.4.0': {} },
    },
    root: '@a/x', expected: { '@a/x': '1.0.0', '@b/l': '1.0.0', '@b/r': '1.0.0', '@c/d': '1.2.0' },
  },
  {
    name: 'a diamond with incompatible ranges is a conflict naming both chains',
    catalogue: {
      '@a/x': { '1.0.0': { '@b/l': '^1.0.0', '@b/r': '^1.0.0' } },
      '@b/l': { '1.0.0': { '@c/d': '^1.0.0' } },
      '@b/r': { '1.0.0': { '@c/d': '^2.0.0' } },
      '@c/d': { '1.0.0': {}, '2.0.0': {} },
    },
    root: '@a/x',
    error: { reason: 'conflict', message: /no active version of @c\/d satisfies every range: .*@a\/x@1\.0\.0 -> @b\/l@\^1\.0\.0 -> @c\/d@\^1\.0\.0.*@a\/x@1\.0\.0 -> @b\/r@\^1\.0\.0 -> @c\/d@\^2\.0\.0/ },
  },
  {
    name: 'a cycle names the chain',
    catalogue: { '@a/x': { '1.0.0': { '@b/y': '^2' } }, '@b/y': { '2.0.0': { '@a/x': '^1' } } },
    root: '@a/x', error: { reason: 'cycle', message: '@a/x@1.0.0 -> @b/y@^2 -> @a/x@^1: cycle' },
  },
  {
    name: 'a longer cycle below the root',
    catalogue: { '@a/x': { '1.0.0': { '@b/y': '^1' } }, '@b/y': { '1.0.0': { '@c/z': '^1' } }, '@c/z': { '1.0.0': { '@b/y': '^1' } } },
    root: '@a/x', error: { reason: 'cycle', message: '@b/y@^1 -> @c/z@^1 -> @b/y@^1: cycle' },
  },
  {
    name: 'a missing dependency names who needs it',
    catalogue: { '@a/x': { '1.0.0': { '@b/y': '^1' } }, '@b/y': { '1.0.0': { '@c/gone': '^3' } } },
    root: '@a/x', error: { reason: 'missing', message: '@c/gone is not in the registry (required by @a/x@1.0.0 -> @b/y@^1 -> @c/gone@^3)' },
  },
  {
    name: 'a dependency without an active version names the statuses',
    catalogue: { '@a/x': { '1.0.0': { '@b/y': '^1' } }, '@b/y': { '1.0.0': { status: 'quarantined' }, '1.1.0': { status: 'yanked' } } },
    root: '@a/x', error: { reason: 'no-active-version', message: /@b\/y has no active version .*1\.0\.0 is quarantined, 1\.1\.0 is yanked|1\.1\.0 is yanked, 1\.0\.0 is quarantined/ },
  },
  {
    name: 'a range no version satisfies',
    catalogue: { '@a/x': { '1.0.0': { '@b/y': '^3' } }, '@b/y': { '1.0.0': {}, '2.0.0': {} } },
    root: '@a/x', error: { reason: 'conflict', message: /no active version of @b\/y satisfies every range: \^3 \(@a\/x@1\.0\.0 -> @b\/y@\^3\); available: 1\.0\.0, 2\.0\.0/ },
  },
  {
    name: 'an installed dependency that satisfies the range is kept',
    catalogue: { '@a/x': { '1.0.0': { '@b/y': '^1' } }, '@b/y': { '1.0.0': {}, '1.9.0': {} } },
    root: '@a/x', installed: { '@b/y': { version: '1.0.0', dependencies: {} } }, expected: { '@a/x': '1.0.0', '@b/y': '1.0.0' },
  },
  {
    name: 'an installed dependency is upgraded when the new range needs it',
    catalogue: { '@a/x': { '1.0.0': { '@b/y': '^1.5.0' } }, '@b/y': { '1.0.0': {}, '1.6.0': {}, '2.0.0': {} } },
    root: '@a/x', installed: { '@b/y': { version: '1.0.0', dependencies: {} } }, expected: { '@a/x': '1.0.0', '@b/y': '1.6.0' },
  },
  {
    name: 'an installed dependent constrains the root',
    catalogue: { '@a/x': { '1.0.0': {}, '1.4.0': {}, '2.0.0': {} }, '@d/app': { '1.0.0': { '@a/x': '^1.0.0' } } },
    root: '@a/x', installed: { '@a/x': { version: '1.0.0', dependencies: {} }, '@d/app': { version: '1.0.0', dependencies: { '@a/x': '^1.0.0' } } },
    expected: { '@a/x': '1.4.0' },
  },
  {
    name: 'an installed dependent refuses an incompatible root version',
    catalogue: { '@a/x': { '1.0.0': {}, '2.0.0': {} }, '@d/app': { '1.0.0': { '@a/x': '^1.0.0' } } },
    root: '@a/x', range: '2.0.0', installed: { '@a/x': { version: '1.0.0', dependencies: {} }, '@d/app': { version: '1.0.0', dependencies: { '@a/x': '^1.0.0' } } },
    error: { reason: 'conflict', message: /@d\/app@1\.0\.0 \(installed\) -> @a\/x@\^1\.0\.0/ },
  },
  {
    name: 'a late range re-chooses an earlier pick',
    catalogue: {
      '@a/x': { '1.0.0': { '@b/y': '*', '@c/z': '^1' } },
      '@b/y': { '1.0.0': {}, '2.0.0': {} },
      '@c/z': { '1.0.0': { '@b/y': '^1' } },
    },
    root: '@a/x', expected: { '@a/x': '1.0.0', '@b/y': '1.0.0', '@c/z': '1.0.0' },
  },
];

describe('dependency resolution', () => {
  it.each(cases)('$name', async (testCase) => {
    const request = { rootId: testCase.root, rootRange: testCase.range ?? '*', installed: new Map(Object.entries(testCase.installed ?? {})) };
    const run = resolveDependencies(request, loader(testCase.catalogue));
    if (testCase.error) {
      const error = await run.then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(ResolutionError);
      expect((error as ResolutionError).reason).toBe(testCase.error.reason);
      if (typeof testCase.error.message === 'string') expect((error as Error).message).toBe(testCase.error.message);
      else expect((error as Error).message).toMatch(testCase.error.message);
      return;
    }
    const resolution = await run;
    expect(Object.fromEntries(resolution.versions)).toEqual(testCase.expected);
    if (testCase.order) expect(resolution.order).toEqual(testCase.order);
    // Dependencies always come before their dependents.
    for (const [id, dependencies] of resolution.edges) {
      for (const dependency of dependencies) expect(resolution.order.indexOf(dependency)).toBeLessThan(resolution.order.indexOf(id));
    }
  });
});
