/** The roles a registry user can hold, from most to least privileged. */
export const ROLES = ['super-admin', 'developer', 'user'] as const;

/** A registry role. */
export type Role = (typeof ROLES)[number];

/** True when `value` names a role. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
