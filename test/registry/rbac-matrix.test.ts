import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../protocol/roles';
import { ACCESS_TABLE, isAllowed } from '../../server/registry/rbac';
import { startTestRegistry, type TestRegistry } from '../support/test-app';
import { testDatabaseKinds } from '../support/test-databases';

/** A concrete URL for a route pattern: every `:param` and `*` gets a harmless value (uuid-shaped, so format checks pass). */
function concreteUrl(pattern: string): string {
  return pattern
    .replace(/:([A-Za-z_]+)/g, (_match, name: string) => (name === 'id' || name === 'delivery' ? '00000000-0000-4000-8000-000000000000' : `x${name.toLowerCase()}`))
    .replace(/\*/g, 'x');
}

type Caller = Role | 'none';
const CALLERS: Caller[] = ['none', ...ROLES];

/** One row per route and caller, derived from the access table, so routes added later are covered too. */
const matrix = Object.entries(ACCESS_TABLE).flatMap(([key, access]) => {
  const [method, pattern] = key.split(' ') as [string, string];
  return CALLERS.map((caller) => ({
    route: key, method, url: concreteUrl(pattern), caller,
    expected: isAllowed(access, caller === 'none' ? undefined : caller) ? 'allowed' : caller === 'none' ? 401 : 403,
  }));
});

describe.each(testDatabaseKinds())('RBAC matrix on $name', (kind) => {
  let registry: TestRegistry;
  const headers = new Map<Caller, Record<string, string>>();
  beforeAll(async () => {
    registry = await startTestRegistry(kind);
    headers.set('none', {});
    for (const role of ROLES) headers.set(role, await registry.as(role, `matrix-${role}`));
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('covers every registered route', () => {
    // The app refuses to start with a route missing from the table, so the table lists every route.
    expect(matrix.length).toBe(Object.keys(ACCESS_TABLE).length * CALLERS.length);
  });

  it.each(matrix)('$route as $caller: $expected', async ({ method, url, caller, expected }) => {
    const response = await registry.app.inject({
      method: method as 'GET', url, headers: { ...headers.get(caller), 'content-type': 'application/json' },
      ...(method === 'GET' || method === 'DELETE' ? {} : { payload: '{}' }),
      // Streaming routes (SSE) never end: the status line is all this test needs.
      payloadAsStream: true,
    });
    response.stream().destroy();
    if (expected === 'allowed') {
      expect([401, 403], `${method} ${url} as ${caller} answered ${response.statusCode}`).not.toContain(response.statusCode);
    } else {
      expect(response.statusCode).toBe(expected);
    }
  });
});
