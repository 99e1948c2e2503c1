import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { isRole, type Role } from '../../protocol/roles';
import type { RegistryConfig } from './config';
import { API_TOKEN_PREFIX, type UsersRepository } from './db/users-repository';
import { CodexError } from './errors';

/** Who is making a request. */
export interface Principal {
  userId: string;
  role: Role;
  /** How the caller proved it: a JWT or a registry API token. */
  via: 'jwt' | 'api-token';
}

/** Verifies bearer credentials and mints the registry's own tokens. */
export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Principal | undefined>;
  /** Mints an HS256 JWT; only available when the registry verifies with a shared secret. */
  mintToken(claims: { sub: string; role: Role }, ttlSeconds?: number): Promise<string>;
  /** True when the secret was generated into the data directory (no JWT_SECRET given). */
  readonly generatedSecret: boolean;
  /** False when tokens come from an external identity provider (JWT_JWKS_URL). */
  readonly canMintTokens: boolean;
}

/**
 * The HS256 secret: JWT_SECRET when set; otherwise one generated once into the data directory, so
 * a zero-setup start works without any credential in the code.
 */
export function resolveJwtSecret(config: RegistryConfig): { secret: string; generated: boolean } {
  if (config.jwtSecret) return { secret: config.jwtSecret, generated: false };
  const file = join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), generated: true };
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { secret, generated: true };
}

function principalFromClaims(payload: JWTPayload): Principal {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
    throw new CodexError('CODEX_ERR_UNAUTHENTICATED', 'the token has no `sub` claim naming the user');
  }
  const role = payload.role;
  // Issuers such as Supabase put their own roles ("authenticated") in `role`: those are plain users.
  return { userId: payload.sub, role: isRole(role) ? role : 'user', via: 'jwt' };
}

/** Creates the authenticator for the configured scheme (shared secret or JWKS). */
export function createAuthenticator(config: RegistryConfig, users: UsersRepository): Authenticator {
  const jwks = config.jwtJwksUrl ? createRemoteJWKSet(new URL(config.jwtJwksUrl)) : undefined;
  const { secret, generated } = jwks ? { secret: undefined, generated: false } : resolveJwtSecret(config);
  const key = secret ? new TextEncoder().encode(secret) : undefined;
  const verifyOptions = {
    ...(config.jwtIssuer ? { issuer: config.jwtIssuer } : {}),
    ...(config.jwtAudience ? { audience: config.jwtAudience } : {}),
  };

  return {
    generatedSecret: generated,
    canMintTokens: key !== undefined,
    async authenticate(authorization) {
      if (!authorization) return undefined;
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match) throw new CodexError('CODEX_ERR_UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
      const token = match[1]!;
      if (token.startsWith(API_TOKEN_PREFIX)) {
        const found = await users.authenticateToken(token);
        if (!found) throw new CodexError('CODEX_ERR_UNAUTHENTICATED', 'the API token is unknown, revoked or expired; create a new one with `plugin-codex token create`');
        return { userId: found.userId, role: found.role, via: 'api-token' };
      }
      try {
        const { payload } = jwks
          ? await jwtVerify(token, jwks, verifyOptions)
          : await jwtVerify(token, key!, { ...verifyOptions, algorithms: ['HS256'] });
        return principalFromClaims(payload);
      } catch (error) {
        if (error instanceof CodexError) throw error;
        const reason = (error as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : 'the token signature or claims are invalid';
        throw new CodexError('CODEX_ERR_UNAUTHENTICATED', `${reason}; sign in again`);
      }
    },
    async mintToken(claims, ttlSeconds = 12 * 3600) {
      if (!key) throw new CodexError('CODEX_ERR_BAD_REQUEST', 'this registry verifies tokens with JWT_JWKS_URL; tokens are issued by that identity provider');
      return new SignJWT({ role: claims.role })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(key);
    },
  };
}
