import { config as loadDotenv } from 'dotenv';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The registry's configuration, read only from the environment (and `.env`). */
export interface RegistryConfig {
  databaseUrl?: string;
  databaseSchema: string;
  dataDir: string;
  host: string;
  port: number;
  jwtSecret?: string;
  jwtJwksUrl?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where the local journal backup lives (default: `<dataDir>/backup`). */
  backupDir: string;
  /** Seconds between health cycles (journal reconcile, health probes). */
  healthIntervalSeconds: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Thrown when one or more variables are wrong; the message lists each one and what to change. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Loads `.env` from the working directory into process.env without overriding what is set. */
export function loadDotenvFile(cwd = process.cwd()): void {
  const file = resolve(cwd, '.env');
  if (existsSync(file)) loadDotenv({ path: file, quiet: true });
}

const blank = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** Validates the environment; every bad variable is reported at once. */
export function readConfig(env: NodeJS.ProcessEnv, overrides: Partial<RegistryConfig> = {}): RegistryConfig {
  const problems: string[] = [];

  const databaseUrl = blank(env.DATABASE_URL);
  if (databaseUrl !== undefined) {
    try {
      const url = new URL(databaseUrl);
      if (!['postgres:', 'postgresql:'].includes(url.protocol)) problems.push(`DATABASE_URL must start with postgres:// or postgresql:// (got ${url.protocol}//)`);
    } catch {
      problems.push('DATABASE_URL is not a valid URL (expected postgres://user:password@host:5432/database)');
    }
  }

  const databaseSchema = blank(env.DATABASE_SCHEMA) ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) problems.push(`DATABASE_SCHEMA "${databaseSchema}" must be a lower-case identifier (letters, digits, underscore)`);

  const portText = blank(env.PORT);
  const port = portText === undefined ? 8787 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT "${portText}" must be an integer between 0 and 65535`);

  const jwtSecret = blank(env.JWT_SECRET);
  if (jwtSecret !== undefined && jwtSecret.length < 32) problems.push(`JWT_SECRET is ${jwtSecret.length} characters long; use at least 32 (e.g. \`openssl rand -hex 32\`)`);

  const jwtJwksUrl = blank(env.JWT_JWKS_URL);
  if (jwtJwksUrl !== undefined) {
    try {
      const url = new URL(jwtJwksUrl);
      if (!['https:', 'http:'].includes(url.protocol)) problems.push('JWT_JWKS_URL must be an http(s) URL');
    } catch {
      problems.push('JWT_JWKS_URL is not a valid URL');
    }
  }

  const logLevel = (blank(env.LOG_LEVEL) ?? 'info') as RegistryConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL "${logLevel}" must be one of ${LOG_LEVELS.join(', ')}`);

  const intervalText = blank(env.HEALTH_INTERVAL_SECONDS);
  const healthIntervalSeconds = intervalText === undefined ? 10 : Number(intervalText);
  if (!Number.isFinite(healthIntervalSeconds) || healthIntervalSeconds <= 0 || healthIntervalSeconds > 3600) {
    problems.push(`HEALTH_INTERVAL_SECONDS "${intervalText}" must be a number of seconds between 0 and 3600`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  const dataDir = resolve(blank(env.PLUGIN_CODEX_DATA_DIR) ?? '.plugin-codex/data');
  return {
    databaseUrl,
    databaseSchema,
    dataDir,
    backupDir: resolve(blank(env.BACKUP_DIR) ?? `${dataDir}/backup`),
    healthIntervalSeconds,
    host: blank(env.HOST) ?? '127.0.0.1',
    port,
    jwtSecret,
    jwtJwksUrl,
    jwtIssuer: blank(env.JWT_ISSUER),
    jwtAudience: blank(env.JWT_AUDIENCE),
    logLevel,
    ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)),
    // A --data-dir flag moves the default backup folder with it.
    ...(overrides.dataDir && !overrides.backupDir && !blank(env.BACKUP_DIR) ? { backupDir: resolve(`${overrides.dataDir}/backup`) } : {}),
  };
}

/** A database URL with its password masked, for logs and status output. */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}
