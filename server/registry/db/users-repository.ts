import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '../../../protocol/roles';
import type { Queryable } from './database';

/** A registry user. */
export interface User {
  id: string;
  displayName: string;
  role: Role;
  disabled: boolean;
}

/** An API token as listed (never with its secret). */
export interface ApiTokenInfo {
  id: string;
  userId: string;
  name: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Prefix that marks a registry API token (as opposed to a JWT) in an Authorization header. */
export const API_TOKEN_PREFIX = 'pcx_';

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  role: Role;
  created_at: Date | string;
  expires_at: Date | string | null;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

function toToken(row: TokenRow): ApiTokenInfo {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    role: row.role,
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

/** Queries of users and their API tokens (hashed at rest). */
export function createUsersRepository(db: Queryable) {
  return {
    /** Creates the user or updates its role and name. */
    async upsert(user: { id: string; role: Role; displayName?: string }, tx: Queryable = db): Promise<User> {
      const result = await tx.query<{ id: string; display_name: string; role: Role; disabled: boolean }>(
        `INSERT INTO users (id, role, display_name) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role, display_name = EXCLUDED.display_name
         RETURNING id, display_name, role, disabled`,
        [user.id, user.role, user.displayName ?? user.id],
      );
      const row = result.rows[0]!;
      return { id: row.id, displayName: row.display_name, role: row.role, disabled: row.disabled };
    },
    async find(id: string): Promise<User | undefined> {
      const result = await db.query<{ id: string; display_name: string; role: Role; disabled: boolean }>(
        'SELECT id, display_name, role, disabled FROM users WHERE id = $1', [id],
      );
      const row = result.rows[0];
      return row && { id: row.id, displayName: row.display_name, role: row.role, disabled: row.disabled };
    },
    /** Issues a new token; the returned secret is the only copy that will ever exist. */
    async createToken(input: { userId: string; name: string; role: Role; ttlHours?: number }, tx: Queryable = db): Promise<{ token: string; info: ApiTokenInfo }> {
      const token = API_TOKEN_PREFIX + randomBytes(24).toString('base64url');
      const expiresAt = input.ttlHours ? new Date(Date.now() + input.ttlHours * 3_600_000).toISOString() : null;
      const result = await tx.query<TokenRow>(
        `INSERT INTO api_tokens (id, user_id, name, token_hash, role, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [randomUUID(), input.userId, input.name, hashToken(token), input.role, expiresAt],
      );
      return { token, info: toToken(result.rows[0]!) };
    },
    /** Resolves a presented token to its user and role, or undefined when unknown, revoked or expired. */
    async authenticateToken(token: string): Promise<{ userId: string; role: Role; tokenId: string } | undefined> {
      const result = await db.query<{ id: string; user_id: string; role: Role }>(
        `UPDATE api_tokens t SET last_used_at = now()
           FROM users u
          WHERE t.token_hash = $1 AND u.id = t.user_id AND NOT u.disabled
            AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
          RETURNING t.id, t.user_id, t.role`,
        [hashToken(token)],
      );
      const row = result.rows[0];
      return row && { userId: row.user_id, role: row.role, tokenId: row.id };
    },
    async listTokens(userId?: string): Promise<ApiTokenInfo[]> {
      const result = userId
        ? await db.query<TokenRow>('SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC', [userId])
        : await db.query<TokenRow>('SELECT * FROM api_tokens ORDER BY created_at DESC');
      return result.rows.map(toToken);
    },
    async revokeToken(id: string, tx: Queryable = db): Promise<boolean> {
      const result = await tx.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
      return result.rowCount > 0;
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
