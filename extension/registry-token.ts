import { createHmac } from 'node:crypto';

/**
 * An HS256 JWT as the registry verifies it (sub, role, iat, exp): the embedded registry gets its
 * secret from the extension, so the extension signs its own token instead of reading one from the
 * registry's output.
 */
export function mintHs256(secret: string, claims: { sub: string; role: string }, ttlSeconds = 12 * 3600): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ role: claims.role, sub: claims.sub, iat: now, exp: now + ttlSeconds })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
