import type { ManagedDatabase } from '../../server/registry/db/managed-database';
import { createManagedDatabase } from '../../server/registry/db/managed-database';
import { redactUrl, type RegistryConfig } from '../../server/registry/config';
import { configFromCli } from '../cli-config';

/** A logger for CLI commands: warnings and errors on stderr, nothing else. */
export const cliLog = {
  info: () => undefined,
  warn: (details: object, message: string) => console.error(`warning: ${message}`, 'error' in details ? `(${String((details as { error: unknown }).error)})` : ''),
  error: (_details: object, message: string) => console.error(`error: ${message}`),
};

/** Opens the configured database, bootstrapping it; exits 2 when it cannot be reached. */
export async function openDatabaseForCli(config: RegistryConfig, options: { bootstrap?: boolean } = {}): Promise<ManagedDatabase> {
  const managed = await createManagedDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : `${config.dataDir}/pglite`,
    schema: config.databaseSchema,
    log: cliLog,
    startAttempts: 4,
  });
  if (options.bootstrap === false) return managed;
  const state = await managed.start();
  if (state.phase === 'unreachable') {
    console.error(`error: cannot reach the database ${redactUrl(config.databaseUrl) ?? '(PGlite)'}: ${state.lastError}`);
    await managed.close();
    process.exit(2);
  }
  return managed;
}

/** Runs `work` against the configured database, bootstrapped, and always closes it afterwards. */
export async function withDatabase(work: (managed: ManagedDatabase, config: RegistryConfig) => Promise<void>): Promise<void> {
  const config = configFromCli();
  const managed = await openDatabaseForCli(config);
  try {
    await work(managed, config);
  } finally {
    await managed.close();
  }
}

