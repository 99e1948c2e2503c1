import { Type } from '@sinclair/typebox';
import {
  KeysResponseSchema, PluginDetailsQuerySchema, PluginDetailsSchema, PluginDiffQuerySchema, PluginDiffResponseSchema, PluginFileResponseSchema,
  PluginListQuerySchema, PluginListResponseSchema, ReviewBodySchema, ReviewResponseSchema,
} from '../../../protocol/marketplace-api';
import type { RegistryApp, RegistryServices } from '../app';
import { CodexError } from '../errors';
import { publicKeyInfo } from '../packages/signing';
import { createCatalogueService } from '../services/catalogue-service';

const PluginParams = Type.Object({
  scope: Type.String({ pattern: '^@', maxLength: 80, description: 'the namespace with its "@", like "@codex"' }),
  name: Type.String({ maxLength: 140 }),
});
const VersionParams = Type.Object({ ...PluginParams.properties, version: Type.String({ maxLength: 64 }) });

const idOf = (params: { scope: string; name: string }) => `${params.scope}/${params.name}`;

/** The public catalogue: list and search, details, code preview, artifacts, diffs, keys and reviews. */
export function registerCatalogueRoutes(app: RegistryApp, services: RegistryServices): void {
  const catalogue = createCatalogueService({ db: services.database.db });
  const key = publicKeyInfo(services.signingKey);

  app.get('/api/keys', {
    schema: { tags: ['catalogue'], summary: 'The public keys that verify release signatures', response: { 200: KeysResponseSchema } },
  }, async () => ({ keys: [key], signedMessage: '${id}@${version}:${integrity}' }));

  app.get('/api/plugins/list', {
    schema: {
      tags: ['catalogue'],
      summary: 'Search and browse the catalogue (active versions only), one page at a time',
      querystring: PluginListQuerySchema,
      response: { 200: PluginListResponseSchema },
    },
  }, async (request, reply) => {
    // Linked upstreams' plugins join the first page; those that did not answer are named in a header.
    const merged = await services.federation.mergeList(request.query, await catalogue.list(request.query));
    if (merged.upstreamStatus) reply.header('x-codex-upstream-status', merged.upstreamStatus);
    return merged.response;
  });

  app.get('/api/plugins/:scope/:name', {
    schema: {
      tags: ['catalogue'],
      summary: 'A plugin with its versions, permissions, tools, dependencies, files, README and reviews',
      params: PluginParams,
      querystring: PluginDetailsQuerySchema,
      response: { 200: PluginDetailsSchema },
    },
  }, async (request) => catalogue.details(idOf(request.params), request.principal, request.query.version));

  // Clients that encode the whole id (`%40codex%2Ftext-stats`) reach the same details.
  app.get('/api/plugins/:id', {
    schema: {
      tags: ['catalogue'],
      summary: 'Plugin details by URL-encoded id',
      params: Type.Object({ id: Type.String({ maxLength: 220 }) }),
      querystring: PluginDetailsQuerySchema,
      response: { 200: PluginDetailsSchema },
    },
  }, async (request) => {
    if (!request.params.id.startsWith('@') || !request.params.id.includes('/')) {
      throw new CodexError('CODEX_ERR_PLUGIN_NOT_FOUND', `"${request.params.id}" is not a plugin id; ids look like @namespace/name`);
    }
    return catalogue.details(request.params.id, request.principal, request.query.version);
  });

  app.get('/api/plugins/:scope/:name/versions/:version/files/*', {
    schema: {
      tags: ['catalogue'],
      summary: 'One text file of a version (code preview)',
      params: Type.Object({ ...VersionParams.properties, '*': Type.String({ minLength: 1, maxLength: 300 }) }),
      response: { 200: PluginFileResponseSchema },
    },
  }, async (request) => catalogue.file(idOf(request.params), request.params.version, request.params['*'], request.principal));

  app.get('/api/plugins/:scope/:name/versions/:version/artifact', {
    schema: { tags: ['catalogue'], summary: 'The .tgz of a version, with its integrity and the registry signature in headers', params: VersionParams },
  }, async (request, reply) => {
    const { bytes, version } = await catalogue.artifact(idOf(request.params), request.params.version, request.principal);
    return reply
      .header('content-type', 'application/gzip')
      .header('content-disposition', `attachment; filename="${request.params.name}-${version.version}.tgz"`)
      .header('x-codex-integrity', version.integrity)
      .header('x-codex-signature', version.signature)
      .header('x-codex-signing-key-id', version.signingKeyId)
      .header('etag', `"${version.integrity}"`)
      .header('cache-control', version.status === 'active' ? 'public, max-age=31536000, immutable' : 'private, no-store')
      .send(bytes);
  });

  app.get('/api/plugins/:scope/:name/diff', {
    schema: {
      tags: ['catalogue'],
      summary: 'What changed between two versions: manifest, tools, permissions, dependencies, config schema',
      params: PluginParams,
      querystring: PluginDiffQuerySchema,
      response: { 200: PluginDiffResponseSchema },
    },
  }, async (request) => catalogue.diff(idOf(request.params), request.query.from, request.query.to, request.principal));

  app.post('/api/plugins/:scope/:name/reviews', {
    schema: {
      tags: ['catalogue'],
      summary: 'Rate and review a plugin (posting again replaces your review)',
      params: PluginParams,
      body: ReviewBodySchema,
      response: { 200: ReviewResponseSchema },
    },
  }, async (request) => catalogue.postReview(idOf(request.params), request.principal!, request.body.rating, request.body.text ?? ''));
}
