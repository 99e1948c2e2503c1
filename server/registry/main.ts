import { buildApp, REDACTED_LOG_PATHS, type RegistryApp } from './app';
import type { RegistryConfig } from './config';
import { redactUrl } from './config';

/** What `serve` prints once the registry listens. */
export interface StartedRegistry {
  app: RegistryApp;
  url: string;
}

/**
 * Starts the registry: builds the app with logging, listens, prints where to go and how to sign in,
 * and closes gracefully on SIGINT/SIGTERM.
 */
export async function startRegistry(config: RegistryConfig): Promise<StartedRegistry> {
  const app = await buildApp({
    config,
    logger: {
      level: config.logLevel,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      transport: undefined,
    },
  });
  const address = await app.listen({ host: config.host, port: config.port });
  const url = address.replace('[::1]', 'localhost');
  app.log.info({ url, database: redactUrl(config.databaseUrl) ?? `PGlite in ${config.dataDir}/pglite` }, 'registry listening');

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return { app, url };
}
