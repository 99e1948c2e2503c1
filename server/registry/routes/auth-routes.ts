import { Type } from '@sinclair/typebox';
import { ROLES, type Role } from '../../../protocol/roles';
import type { RegistryApp, RegistryServices } from '../app';
import { CodexError } from '../errors';

const RANK: Record<Role, number> = { 'super-admin': 3, developer: 2, user: 1 };

const TokenInfoSchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  role: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

/** `GET /api/me` and the revocable API tokens the CLI uses (hashed at rest, shown once). */
export function registerAuthRoutes(app: RegistryApp, services: RegistryServices): void {
  const { users } = services.repos;

  app.get('/api/me', {
    schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: Type.Object({ userId: Type.String(), role: Type.String(), via: Type.String() }) } },
  }, async (request) => request.principal!);

  app.post('/api/tokens', {
    schema: {
      tags: ['auth'],
      summary: 'Create an API token for yourself (at most your own role)',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 100 }),
        role: Type.Optional(Type.Union(ROLES.map((role) => Type.Literal(role)))),
        ttlHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 366 })),
      }, { additionalProperties: false }),
      response: { 201: Type.Object({ token: Type.String(), info: TokenInfoSchema }) },
    },
  }, async (request, reply) => {
    const principal = request.principal!;
    const role = request.body.role ?? principal.role;
    if (RANK[role] > RANK[principal.role]) {
      throw new CodexError('CODEX_ERR_FORBIDDEN', `you are ${principal.role} and cannot create a token with the more powerful role ${role}`);
    }
    const created = await services.database.db.transaction(async (tx) => {
      await users.upsert({ id: principal.userId, role: principal.role }, tx);
      const token = await users.createToken({ userId: principal.userId, name: request.body.name, role, ttlHours: request.body.ttlHours }, tx);
      await services.repos.events.append(tx, { actor: principal.userId, type: 'token.created', subject: token.info.id, payload: { name: token.info.name, role } });
      return token;
    });
    return reply.status(201).send(created);
  });

  app.get('/api/tokens', {
    schema: { tags: ['auth'], summary: 'Your API tokens (all tokens for a super-admin)', response: { 200: Type.Object({ items: Type.Array(TokenInfoSchema) }) } },
  }, async (request) => {
    const principal = request.principal!;
    return { items: await users.listTokens(principal.role === 'super-admin' ? undefined : principal.userId) };
  });

  app.delete('/api/tokens/:id', {
    schema: {
      tags: ['auth'],
      summary: 'Revoke an API token',
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      response: { 200: Type.Object({ revoked: Type.Boolean() }) },
    },
  }, async (request) => {
    const principal = request.principal!;
    const tokens = await users.listTokens(principal.role === 'super-admin' ? undefined : principal.userId);
    if (!tokens.some((token) => token.id === request.params.id)) {
      throw new CodexError('CODEX_ERR_NOT_FOUND', `no token ${request.params.id} that you may revoke`);
    }
    const revoked = await services.database.db.transaction(async (tx) => {
      const done = await users.revokeToken(request.params.id, tx);
      if (done) await services.repos.events.append(tx, { actor: principal.userId, type: 'token.revoked', subject: request.params.id });
      return done;
    });
    return { revoked };
  });
}
