import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { PublishQuerySchema, PublishResponseSchema } from '../../../protocol/marketplace-api';
import type { RegistryApp, RegistryServices } from '../app';
import { CodexError } from '../errors';
import { createPublishService } from '../services/publish-service';

/** Uploads may be this large; the package reader applies its own, smaller limit with a clearer message. */
export const PUBLISH_BODY_LIMIT = 20 * 1024 * 1024;

const headerText = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

/** `POST /api/plugins/publish`: the raw .tgz in the body. */
export function registerPublishRoutes(app: RegistryApp, services: RegistryServices): void {
  const publishing = createPublishService({ db: services.database.db, signingKey: services.signingKey });

  // Encapsulated, so the binary body parsers apply to this route only.
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(['application/gzip', 'application/x-gzip', 'application/octet-stream', 'application/x-tar'], { parseAs: 'buffer', bodyLimit: PUBLISH_BODY_LIMIT }, (_request, body, done) => {
      done(null, body);
    });

    scope.post('/api/plugins/publish', {
      bodyLimit: PUBLISH_BODY_LIMIT,
      schema: {
        tags: ['publish'],
        summary: 'Publish a plugin version (body: the .tgz made by `plugin-codex plugin pack`)',
        description: 'Send `Content-Type: application/gzip`. Optional `X-Publisher-Signature` (base64 Ed25519 over `id@version:integrity`) with `X-Publisher-Key`. '
          + 'Official plugins (namespace @codex) and versions asking for core:* permissions wait for super-admin approval.',
        querystring: PublishQuerySchema,
        response: { 201: PublishResponseSchema },
      },
    }, async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        throw new CodexError('CODEX_ERR_BAD_REQUEST', 'the body must be the plugin .tgz sent with Content-Type: application/gzip (or application/octet-stream)');
      }
      const { override, reason } = request.query;
      if (override && !reason) throw new CodexError('CODEX_ERR_VALIDATION', 'querystring.reason is required with override=true: say why the duplicate is justified');
      const principal = request.principal!;
      const result = await publishing.publish({
        bytes: body,
        publisher: { userId: principal.userId, role: principal.role },
        publisherSignature: headerText(request.headers['x-publisher-signature']),
        publisherKey: headerText(request.headers['x-publisher-key']),
        override: override ? { reason: reason! } : undefined,
        gate: services.debug.publishGate,
      });
      services.debug.afterPublish(result, principal.userId);
      return reply.status(201).send(result);
    });
  });
}
