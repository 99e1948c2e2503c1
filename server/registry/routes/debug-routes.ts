import { Type } from '@sinclair/typebox';
import {
  DebugSessionSchema, DebugStartBodySchema, DebugStartQuerySchema, DebugStatsSchema, FixDecisionBodySchema, FixSuggestionSchema, SnapshotDiffQuerySchema,
  SnapshotDiffSchema, SnapshotListItemSchema, SuggestBodySchema, SuggestionPublishResponseSchema, SuggestionRevertBodySchema, type DebugProgressEvent,
} from '../../../protocol/debug-api';
import type { RegistryApp, RegistryServices } from '../app';
import { CodexError } from '../errors';

const Id = Type.Object({ id: Type.String({ format: 'uuid' }) });
const HEARTBEAT_MS = 15_000;

/**
 * The debug engine's routes: start a session, follow it (SSE), read its result, snapshots and
 * their diff, fix suggestions (suggest, publish, revert) and the learning statistics.
 */
export function registerDebugRoutes(app: RegistryApp, services: RegistryServices): void {
  const debug = services.debug;
  const caller = (request: { principal?: { userId: string; role: import('../../../protocol/roles').Role } }) => request.principal!;

  app.post('/api/debug/start', {
    schema: {
      tags: ['debug'],
      summary: 'Start a debug session of a plugin version (codex scan, traced health check and examples, migration drift); follow it at /api/debug/sessions/:id/events',
      querystring: DebugStartQuerySchema,
      body: Type.Optional(DebugStartBodySchema),
      response: { 202: Type.Object({ session: DebugSessionSchema }) },
    },
  }, async (request, reply) => {
    const body = request.body ?? {};
    const session = await debug.start({
      pluginId: request.query.pluginId, version: body.version ?? request.query.version, target: body.target ?? request.query.target,
      ...(body.config ? { config: body.config } : {}), trigger: 'manual', actor: caller(request).userId,
    });
    return reply.status(202).send({ session });
  });

  app.get('/api/debug/sessions/:id', {
    schema: { tags: ['debug'], summary: 'A debug session and, once finished, its result', params: Id, response: { 200: DebugSessionSchema } },
  }, async (request) => {
    const session = await debug.getSession(request.params.id);
    if (!session) throw new CodexError('CODEX_ERR_NOT_FOUND', `there is no debug session ${request.params.id}`);
    return session;
  });

  app.get('/api/debug/sessions/:id/events', {
    schema: { tags: ['debug'], summary: 'Progress of a debug session as Server-Sent Events; the stream ends after the `finished` event', params: Id },
  }, async (request, reply) => {
    const frames: DebugProgressEvent[] = [];
    let write: ((event: DebugProgressEvent) => void) | undefined = undefined;
    const unsubscribe = await debug.subscribe(request.params.id, (event) => (write ? write(event) : frames.push(event)));
    if (!unsubscribe) throw new CodexError('CODEX_ERR_NOT_FOUND', `there is no debug session ${request.params.id}`);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    let sequence = 0;
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      if (!res.writableEnded) res.end();
    };
    write = (event) => {
      if (res.writableEnded) return;
      res.write(`id: ${++sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      if (event.type === 'finished') end();
    };
    for (const event of frames.splice(0)) write(event);
    request.raw.on('close', end);
  });

  app.post('/api/debug/sessions/:id/suggest', {
    schema: {
      tags: ['debug'],
      summary: 'Ask the model for a verified fix of a finding (findingIndex) or a failing run (error) of a finished session',
      params: Id, body: SuggestBodySchema, response: { 201: FixSuggestionSchema },
    },
  }, async (request, reply) => reply.status(201).send(await debug.suggest(request.params.id, request.body, caller(request))));

  app.post('/api/debug/sessions/:id/fixes/:fixId', {
    schema: {
      tags: ['debug'],
      summary: 'The dashboard\'s fix buttons: apply (publish as a patch version), rollback (revert), reject, retry (a new suggestion)',
      params: Type.Object({ id: Type.String({ format: 'uuid' }), fixId: Type.String({ format: 'uuid' }) }), body: FixDecisionBodySchema,
    },
  }, async (request) => {
    const { id, fixId } = request.params;
    switch (request.body.action) {
      case 'apply': return (await debug.publishSuggestion(fixId, caller(request))).suggestion;
      case 'rollback':
      case 'reject': return (await debug.revertSuggestion(fixId, caller(request), {})).suggestion;
      case 'retry': return debug.suggest(id, await debug.retryBody(id, fixId), caller(request));
    }
  });

  app.post('/api/debug/suggestions/:id/publish', {
    schema: { tags: ['debug'], summary: 'Publish a verified suggestion as the next patch version (through the normal publish flow)', params: Id, response: { 201: SuggestionPublishResponseSchema } },
  }, async (request, reply) => reply.status(201).send(await debug.publishSuggestion(request.params.id, caller(request))));

  app.post('/api/debug/suggestions/:id/revert', {
    schema: { tags: ['debug'], summary: 'Take a fix back (learning outcome reverted/rejected); with target, roll that installation back', params: Id, body: Type.Optional(SuggestionRevertBodySchema) },
  }, async (request) => debug.revertSuggestion(request.params.id, caller(request), request.body ?? {}));

  app.get('/api/debug/snapshots', {
    schema: {
      tags: ['debug'], summary: 'Run snapshots of a plugin, newest first (the last 10 whole, older ones summarised)',
      querystring: Type.Object({ pluginId: Type.String({ minLength: 3, maxLength: 214 }) }),
      response: { 200: Type.Object({ items: Type.Array(SnapshotListItemSchema) }) },
    },
  }, async (request) => ({ items: await debug.listSnapshots(request.query.pluginId) }));

  app.get('/api/debug/snapshots/diff', {
    schema: { tags: ['debug'], summary: 'What changed between two snapshots', querystring: SnapshotDiffQuerySchema, response: { 200: SnapshotDiffSchema } },
  }, async (request) => debug.diff(request.query.from, request.query.to));

  app.get('/api/debug/stats', {
    schema: { tags: ['debug'], summary: 'Fix acceptance and verification rates per rule and per day, and session counts', response: { 200: DebugStatsSchema } },
  }, async () => debug.stats());
}
