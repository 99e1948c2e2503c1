import { Type } from '@sinclair/typebox';
import { CloneBodySchema, FederatedVersionSchema, ShareBodySchema, ShareResultSchema, SyncResultSchema, UpstreamCreateSchema, UpstreamListSchema, UpstreamSchema } from '../../../protocol/federation-api';
import type { RegistryApp, RegistryServices } from '../app';

const UpstreamParams = Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }) });
const VersionParams = Type.Object({
  scope: Type.String({ pattern: '^@', maxLength: 80 }),
  name: Type.String({ maxLength: 140 }),
  version: Type.String({ maxLength: 64 }),
});

/** The actor of the periodic mirror job in the journal. */
const SYNC_ACTOR = 'system';

/**
 * Federation: upstream registries (`link` read through, `mirror` copied by a sync job), cloning a
 * plugin from an upstream, and sharing a local version with a peer. The periodic mirror sync runs
 * every CODEX_FEDERATION_SYNC_SECONDS (default 300; 0 turns it off) once the app is ready.
 */
export function registerUpstreamRoutes(app: RegistryApp, services: RegistryServices): void {
  const federation = services.federation;

  app.post('/api/upstreams', {
    schema: { tags: ['federation'], summary: 'Add an upstream registry (its release key is read from its GET /api/keys and pinned)', body: UpstreamCreateSchema, response: { 201: UpstreamSchema } },
  }, async (request, reply) => reply.status(201).send(await federation.add(request.body, request.principal!.userId)));

  app.get('/api/upstreams', {
    schema: { tags: ['federation'], summary: 'Upstream registries with the health of their circuit breakers', response: { 200: UpstreamListSchema } },
  }, async () => ({ items: await federation.list() }));

  app.delete('/api/upstreams/:id', {
    schema: { tags: ['federation'], summary: 'Remove an upstream (versions copied from it stay, with their provenance)', params: UpstreamParams },
  }, async (request, reply) => {
    await federation.remove(request.params.id, request.principal!.userId);
    return reply.status(204).send();
  });

  app.post('/api/upstreams/:id/sync', {
    schema: { tags: ['federation'], summary: 'Run the mirror sync of an upstream now', params: UpstreamParams, response: { 200: SyncResultSchema } },
  }, async (request) => federation.sync(request.params.id, request.principal!.userId));

  app.post('/api/upstreams/:id/clone', {
    schema: { tags: ['federation'], summary: 'Copy one version of an upstream plugin into a local id, keeping forked_from', params: UpstreamParams, body: CloneBodySchema, response: { 201: FederatedVersionSchema } },
  }, async (request, reply) => reply.status(201).send(await federation.clone(request.params.id, request.body, request.principal!)));

  app.post('/api/plugins/:scope/:name/versions/:version/share', {
    schema: { tags: ['federation'], summary: 'Publish a local version to a peer registry with the token it granted', params: VersionParams, body: ShareBodySchema, response: { 200: ShareResultSchema } },
  }, async (request) => federation.share(`${request.params.scope}/${request.params.name}`, request.params.version, request.body, request.principal!.userId));

  const seconds = Number(process.env.CODEX_FEDERATION_SYNC_SECONDS ?? '300');
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    if (!(seconds > 0)) return;
    timer = setInterval(() => void federation.syncAll(SYNC_ACTOR), seconds * 1000);
    timer.unref();
  });
  app.addHook('preClose', async () => {
    if (timer) clearInterval(timer);
    await federation.idle();
  });
}
