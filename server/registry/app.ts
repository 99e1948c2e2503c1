import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import { createAuthenticator, type Authenticator, type Principal } from './auth';
import type { RegistryConfig } from './config';
import { createAlertsRepository } from './db/alerts-repository';
import { createEventsRepository } from './db/events-repository';
import { createManagedDatabase, DatabaseUnavailableError, type ManagedDatabase } from './db/managed-database';
import { createSettingsRepository } from './db/settings-repository';
import { createUsersRepository } from './db/users-repository';
import { createWebhooksRepository } from './db/webhooks-repository';
import { CodexError, type ErrorBody } from './errors';
import { ACCESS_TABLE, isAllowed, MUTATING_METHODS } from './rbac';
import { registerAdminRoutes } from './routes/admin-routes';
import { registerApprovalRoutes } from './routes/approval-routes';
import { registerCatalogueRoutes } from './routes/catalogue-routes';
import { registerPublishRoutes } from './routes/publish-routes';
import { loadSigningKey, type LoadedSigningKey } from './packages/signing';
import { seedSampleCatalogue } from './services/sample-seeding';
import { registerAuthRoutes } from './routes/auth-routes';
import { registerConsoleRoutes } from './routes/console-routes';
import { registerEventRoutes } from './routes/event-routes';
import { registerHealthRoutes } from './routes/health-routes';
import { registerLifecycleRoutes } from './routes/lifecycle-routes';
import { registerWebhookRoutes } from './routes/webhook-routes';
import { registerTargetCloneRoutes } from './routes/target-clone-routes';
import { registerUpstreamRoutes } from './routes/upstream-routes';
import { createFederationService, type FederationService } from './services/federation/federation-service';
import { registerDebugRoutes } from './routes/debug-routes';
import { createDebugService, type DebugService } from './services/debug/debug-service';
import { createEventStream, type EventStream, type EventStreamOptions } from './services/event-stream';
import { createWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from './services/webhook-delivery';
import { createJournalService, type JournalService } from './services/journal-service';
import { createLazySandbox } from './services/lazy-sandbox';
import type { Sandbox, SandboxOptions } from './sandbox/sandbox';
import { registerMcpRoutes } from './routes/mcp-routes';
import { registerRuntimeRoutes } from './routes/runtime-routes';
import { createRuntimeService, type RuntimeService } from './services/runtime/runtime-service';
import { analysisOptionsFromEnv, createRolloutService, DEFAULT_ANALYSIS, type AnalysisOptions, type RolloutService } from './services/runtime/rollout-service';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, when credentials were presented. */
    principal?: Principal;
  }
  interface FastifyInstance {
    /** The services the routes were built with (the CLI and tests reach them here). */
    registryServices: RegistryServices;
  }
}

/** Everything route modules need, created once per app. */
export interface RegistryServices {
  config: RegistryConfig;
  database: ManagedDatabase;
  auth: Authenticator;
  /** The Ed25519 key that signs every released version (REGISTRY_SIGNING_KEY, else generated in the data dir). */
  signingKey: LoadedSigningKey;
  journal: JournalService;
  repos: {
    alerts: ReturnType<typeof createAlertsRepository>;
    events: ReturnType<typeof createEventsRepository>;
    settings: ReturnType<typeof createSettingsRepository>;
    users: ReturnType<typeof createUsersRepository>;
    webhooks: ReturnType<typeof createWebhooksRepository>;
  };
  /** The journal as a live stream (SSE), fed by NOTIFY and a periodic poll. */
  eventStream: EventStream;
  /** Sends the webhook outbox, sharing the work with other instances. */
  webhookWorker: WebhookWorker;
  /** Upstream registries (link read-through, mirror sync), clones from them and shares with peers. */
  federation: FederationService;
  /** Debug sessions, snapshots, the publish gate and verified fix suggestions. */
  debug: DebugService;
  /** Runs plugin code (QuickJS in worker threads); the pool starts on the first invocation. */
  sandbox: Sandbox;
  /** Runs installed plugins' tools and health checks through the sandbox (scoped host callbacks, invocation records). */
  runtime: RuntimeService;
  /** Health-gated rollouts: analysis after installs and upgrades, auto-revert, error-rate gate. */
  rollouts: RolloutService;
}

/** The Fastify instance with TypeBox typing, as route modules receive it. */
export type RegistryApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Options for buildApp(). */
export interface BuildAppOptions {
  config: RegistryConfig;
  /** A database the caller already opened (tests); otherwise one is created from the config. */
  database?: ManagedDatabase;
  /** Fastify logger options; false in tests. */
  logger?: FastifyServerOptions['logger'];
  /** Tuning of the event stream and the webhook worker (tests make them fast). */
  background?: { events?: EventStreamOptions; webhooks?: Partial<WebhookWorkerOptions> };
  /** Sandbox ceilings and pool size. */
  sandbox?: SandboxOptions;
  /** Analysis runs after installs and upgrades (default: PLUGIN_ANALYSIS_* from the environment). */
  analysis?: Partial<AnalysisOptions>;
}

/** Runtime error codes that are the caller's or the registry's doing, not the plugin code's: they start no debug session. */
const CALLER_ERRORS = new Set(['NOT_INSTALLED', 'NOT_ACTIVE', 'TOOL_NOT_DECLARED', 'TOOL_NOT_FOUND', 'INVALID_INPUT', 'PACKAGE_UNAVAILABLE', 'DEPENDENCY_CYCLE']);

/** Paths whose values never reach the logs. */
export const REDACTED_LOG_PATHS = ['req.headers.authorization', 'req.headers["x-publisher-signature"]', '*.password', '*.secret', '*.token', '*.databaseUrl'];

/**
 * Builds the registry app without listening: tests call `app.inject`, main.ts calls `listen`. The
 * database is started (connected and bootstrapped, or retrying in the background) before routes
 * serve, and closed with the app.
 */
export async function buildApp(options: BuildAppOptions): Promise<RegistryApp> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 1024 * 1024,
    // Start-up is bounded by the database layer's own retries, not by a fixed plugin deadline: on a
    // busy machine with a large journal the default 10 s was seen to expire.
    pluginTimeout: 120_000,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as RegistryApp;

  const database = options.database ?? await createManagedDatabase({
    url: options.config.databaseUrl,
    dataDir: options.config.databaseUrl ? undefined : `${options.config.dataDir}/pglite`,
    schema: options.config.databaseSchema,
    log: app.log,
  });
  const db = database.db;
  const users = createUsersRepository(db);
  const alertsRepository = createAlertsRepository(db);
  const webhooksRepository = createWebhooksRepository(db);
  const eventStream = createEventStream({ db, events: createEventsRepository(db), log: app.log, options: options.background?.events });
  const webhookWorker = createWebhookWorker({ webhooks: webhooksRepository, log: app.log, options: options.background?.webhooks });
  // Every read of new journal rows may have queued deliveries: the worker looks right away.
  eventStream.onWake(() => webhookWorker.wake());
  const services = {
    sandbox: createLazySandbox(options.sandbox),
    debug: createDebugService({ db, services: () => services, log: app.log }),
    eventStream,
    webhookWorker,
    federation: createFederationService({ db, signingKey: () => services.signingKey, alerts: alertsRepository, log: app.log }),
    config: options.config,
    database,
    auth: createAuthenticator(options.config, users),
    signingKey: loadSigningKey(process.env, options.config.dataDir),
    journal: createJournalService({ database, backupDir: options.config.backupDir, log: app.log }),
    repos: {
      alerts: alertsRepository,
      events: createEventsRepository(db),
      settings: createSettingsRepository(db),
      users,
      webhooks: webhooksRepository,
    },
  } as RegistryServices;

  const runtime = createRuntimeService({
    db, sandbox: services.sandbox,
    onRecorded: (invocation) => {
      services.rollouts.afterInvocation(invocation);
      // A failed invocation of the plugin's own code starts a debug session, once per error fingerprint.
      if (!invocation.ok && !CALLER_ERRORS.has(invocation.errorCode ?? '')) {
        services.debug.onRuntimeError({
          pluginId: invocation.pluginId, version: invocation.version, target: invocation.targetId, tool: invocation.tool,
          error: { code: invocation.errorCode ?? 'FAILED', message: invocation.errorMessage ?? '' },
        }).catch((error: unknown) => app.log.warn({ err: error, plugin: `${invocation.pluginId}@${invocation.version}` }, 'the debug session for a runtime error could not start'));
      }
    },
  });
  services.runtime = runtime;
  services.rollouts = createRolloutService({
    db, runtime, alerts: alertsRepository, log: app.log,
    options: { ...analysisOptionsFromEnv(process.env, DEFAULT_ANALYSIS), ...options.analysis },
  });

  app.decorate('registryServices', services);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Plugin Codex registry', version: '0.1.0', description: 'AI plugin marketplace: catalogue, lifecycle, runtime and administration.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });

  // Every route must appear in the RBAC table; a route without an entry stops the app from starting.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      const key = `${method} ${route.url}`;
      if (!(key in ACCESS_TABLE)) throw new Error(`route ${key} has no entry in the RBAC table (server/registry/rbac.ts)`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const access = ACCESS_TABLE[`${method} ${request.routeOptions.url}`];
    if (access === undefined) return; // 404s: Fastify answers them.
    request.principal = await services.auth.authenticate(request.headers.authorization);
    if (!isAllowed(access, request.principal?.role)) {
      if (!request.principal) throw new CodexError('CODEX_ERR_UNAUTHENTICATED', `${method} ${request.routeOptions.url} needs a signed-in user: send "Authorization: Bearer <token>"`);
      throw new CodexError('CODEX_ERR_FORBIDDEN', `${method} ${request.routeOptions.url} is allowed for ${Array.isArray(access) ? access.join(', ') : access}; you are signed in as ${request.principal.role}`);
    }
    if (MUTATING_METHODS.has(method) && database.state().phase === 'ahead') {
      throw new CodexError('CODEX_ERR_READ_ONLY', 'the database schema is newer than this registry; writes are refused until the registry is upgraded');
    }
  });

  // A POST without a body (`curl -X POST …/api/debug/start?pluginId=…`) means "no options": give
  // routes whose body schema is all optional an empty object rather than a validation error.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && MUTATING_METHODS.has(request.method)) request.body = {};
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const body = (code: string, message: string, details?: unknown): ErrorBody => ({ error: { code, message, ...(details === undefined ? {} : { details }), requestId: request.id } });
    if (error instanceof CodexError) {
      return reply.status(error.statusCode).send(body(error.code, error.message, error.details));
    }
    if (error instanceof DatabaseUnavailableError) {
      return reply.status(503).send(body('CODEX_ERR_DATABASE_UNAVAILABLE', 'the database is unavailable right now; the registry is reconnecting, retry shortly'));
    }
    const fastifyError = error as { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string; statusCode?: number; message?: string; code?: string };
    if (fastifyError.validation) {
      const first = fastifyError.validation[0];
      const where = `${fastifyError.validationContext ?? 'body'}${first?.instancePath ? first.instancePath.replace(/\//g, '.') : ''}`;
      const extra = first?.params && 'additionalProperty' in first.params ? ` (${String(first.params.additionalProperty)})` : '';
      return reply.status(400).send(body('CODEX_ERR_VALIDATION', `${where} ${first?.message ?? 'is invalid'}${extra}`, fastifyError.validation));
    }
    if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return reply.status(fastifyError.statusCode).send(body(fastifyError.code ?? 'CODEX_ERR_BAD_REQUEST', fastifyError.message ?? 'bad request'));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send(body('CODEX_ERR_INTERNAL', `an internal error occurred; the registry log has the details under request id ${request.id}`));
  });

  // Before the server closes: end the event streams (clients resume by seq) and let deliveries in flight finish.
  app.addHook('preClose', async () => {
    await services.eventStream.stop();
    await services.rollouts.stop();
    await services.debug.close();
    await services.sandbox.close();
    await services.webhookWorker.stop();
  });

  app.addHook('onClose', async () => {
    await services.journal.stop();
    await database.close();
  });

  registerHealthRoutes(app, services);
  registerAuthRoutes(app, services);
  registerAdminRoutes(app, services);
  registerConsoleRoutes(app);
  registerCatalogueRoutes(app, services);
  registerPublishRoutes(app, services);
  registerApprovalRoutes(app, services);
  registerLifecycleRoutes(app, services);
  registerEventRoutes(app, services);
  registerWebhookRoutes(app, services);
  registerUpstreamRoutes(app, services);
  registerTargetCloneRoutes(app, services);
  registerDebugRoutes(app, services);
  registerRuntimeRoutes(app, services);
  registerMcpRoutes(app, services);

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (!options.database) await database.start();
  // Plugins finish loading first: the journal work below may take long on a big journal, and must
  // not count against Fastify's plugin start-up timeout (nothing is served before listen anyway).
  await app.ready();
  // Restore or replay what the database lost before serving (when it is reachable; otherwise the
  // periodic cycle does it once the database comes back).
  await services.journal.cycle();
  await seedSampleCatalogue(services, app.log);
  // Debug sessions a stopped registry left `running` end as errors (an unreachable database: at the next start).
  await services.debug.failAbandoned().catch((error: unknown) => app.log.warn({ err: error }, 'marking abandoned debug sessions as failed did not work'));
  services.journal.start(options.config.healthIntervalSeconds * 1000);
  await services.eventStream.start();
  services.webhookWorker.start();
  return app;
}
