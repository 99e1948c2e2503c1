import type { Role } from '../../protocol/roles';

/**
 * Who may call each route: the one table the registry enforces (in app.ts, for every route) and the
 * docs are generated from. `public` needs no credentials; `signed-in` needs any valid principal;
 * a role list names the roles allowed. Routes are keyed by `METHOD url-pattern` exactly as
 * registered; a route missing here fails the app's start-up, so nothing is left unguarded.
 */
export type Access = 'public' | 'signed-in' | readonly Role[];

const ADMIN = ['super-admin'] as const;
const PUBLISHERS = ['super-admin', 'developer'] as const;

export const ACCESS_TABLE: Record<string, Access> = {
  'GET /': 'public',
  'GET /console/*': 'public',
  'GET /api/health': 'public',
  'GET /api/health/ready': 'public',
  'GET /api/openapi.json': 'public',
  'GET /api/me': 'signed-in',
  'POST /api/tokens': 'signed-in',
  'GET /api/tokens': 'signed-in',
  'DELETE /api/tokens/:id': 'signed-in',
  'GET /api/admin/alerts': ADMIN,
  'POST /api/admin/alerts/:id': ADMIN,
  'GET /api/admin/drift': ADMIN,
  'GET /api/events': 'signed-in',
  'GET /api/events/stream': 'signed-in',
  'POST /api/webhooks': ADMIN,
  'GET /api/webhooks': ADMIN,
  'GET /api/webhooks/:id': ADMIN,
  'DELETE /api/webhooks/:id': ADMIN,
  'GET /api/webhooks/:id/deliveries': ADMIN,
  'POST /api/webhooks/:id/deliveries/:delivery/redeliver': ADMIN,
  // Federation uses the registry's own credentials (tokens named by environment variable) and
  // writes into the catalogue on others' behalf: super-admins only.
  'POST /api/upstreams': ADMIN,
  'GET /api/upstreams': ADMIN,
  'DELETE /api/upstreams/:id': ADMIN,
  'POST /api/upstreams/:id/sync': ADMIN,
  'POST /api/upstreams/:id/clone': ADMIN,
  'POST /api/plugins/:scope/:name/versions/:version/share': ADMIN,
  'POST /api/targets/:id/clone': PUBLISHERS,
  'GET /api/keys': 'public',
  'POST /api/plugins/publish': PUBLISHERS,
  'GET /api/plugins/list': 'public',
  'GET /api/plugins/:id': 'public',
  'GET /api/plugins/:scope/:name': 'public',
  'GET /api/plugins/:scope/:name/versions/:version/files/*': 'public',
  'GET /api/plugins/:scope/:name/versions/:version/artifact': 'public',
  'GET /api/plugins/:scope/:name/diff': 'public',
  'POST /api/plugins/:scope/:name/reviews': 'signed-in',
  'POST /api/plugin-requests': 'signed-in',
  'GET /api/plugin-requests': 'signed-in',
  'GET /api/admin/approvals': ADMIN,
  'POST /api/admin/approvals/:id': ADMIN,
  // Lifecycle: developers and super-admins change installations. `user` may not install yet: there
  // are no per-target grants to say which targets a user may change, so a user files a plugin
  // request instead (POST /api/plugin-requests). Reading what is installed needs a sign-in.
  'POST /api/plugins/install': PUBLISHERS,
  'POST /api/plugins/upgrade': PUBLISHERS,
  'POST /api/plugins/rollback': PUBLISHERS,
  'POST /api/plugins/remove': PUBLISHERS,
  'GET /api/plugins/installed': 'signed-in',
  'GET /api/operations/:id': PUBLISHERS,
  'GET /api/targets': 'signed-in',
  'POST /api/targets': PUBLISHERS,
  // Runtime: any signed-in user may call the tools installed in a target (there are no per-target
  // grants yet; installing stays with developers and super-admins). "Install and test" runs plugin
  // code with the permissions an install would grant, so it needs the roles that may install.
  // UI assets are public like the code preview (quarantined versions: super-admins only).
  'POST /api/plugins/:scope/:name/tools/:tool/invoke': 'signed-in',
  'POST /api/plugins/:scope/:name/try': PUBLISHERS,
  'GET /api/plugins/:scope/:name/health': 'signed-in',
  'POST /api/plugins/:scope/:name/resume': ADMIN,
  'GET /api/plugins/:scope/:name/versions/:version/ui/*': 'public',
  'GET /api/plugins/:scope/:name/versions/:version/ui-shell': 'public',
  // The MCP gateway: the same Bearer token, the same rule as invoking a tool.
  'POST /mcp/:target': 'signed-in',
  'GET /mcp/:target': 'signed-in',
  'DELETE /mcp/:target': 'signed-in',
  // Debug sessions run plugin code in the sandbox and read plugin source: publishers and super-admins.
  'POST /api/debug/start': PUBLISHERS,
  'GET /api/debug/sessions/:id': PUBLISHERS,
  'GET /api/debug/sessions/:id/events': PUBLISHERS,
  'POST /api/debug/sessions/:id/suggest': PUBLISHERS,
  'POST /api/debug/sessions/:id/fixes/:fixId': PUBLISHERS,
  'POST /api/debug/suggestions/:id/publish': PUBLISHERS,
  'POST /api/debug/suggestions/:id/revert': PUBLISHERS,
  'GET /api/debug/snapshots': PUBLISHERS,
  'GET /api/debug/snapshots/diff': PUBLISHERS,
  'GET /api/debug/stats': PUBLISHERS,
};

/** Roles that may publish plugins (used by several route tables). */
export const PUBLISHER_ROLES = PUBLISHERS;

/** Whether `role` passes `access` (undefined role: not signed in). */
export function isAllowed(access: Access, role: Role | undefined): boolean {
  if (access === 'public') return true;
  if (role === undefined) return false;
  if (access === 'signed-in') return true;
  return access.includes(role);
}

/** HTTP methods that change state: refused while the database schema is newer than the code. */
export const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
