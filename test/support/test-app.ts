import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../protocol/roles';
import { buildApp, type RegistryApp } from '../../server/registry/app';
import { readConfig, type RegistryConfig } from '../../server/registry/config';
import type { ManagedDatabase } from '../../server/registry/db/managed-database';
import { openTestDatabase, type TestDatabaseKind } from './test-databases';

/** A registry app on a fresh schema, plus helpers to call it as a given role. */
export interface TestRegistry {
  app: RegistryApp;
  database: ManagedDatabase;
  config: RegistryConfig;
  /** Authorization headers for a user of `role` (a JWT minted with the test secret). */
  as(role: Role, userId?: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** The configuration tests run with: a throwaway data directory and a fixed test secret. */
export function testConfig(overrides: Partial<RegistryConfig> = {}): RegistryConfig {
  return readConfig({
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    PLUGIN_CODEX_DATA_DIR: mkdtempSync(join(tmpdir(), 'plugin-codex-data-')),
    LOG_LEVEL: 'silent',
  }, overrides);
}

/** Builds an app over a fresh schema of `kind`. */
export async function startTestRegistry(kind: TestDatabaseKind, overrides: Partial<RegistryConfig> = {}): Promise<TestRegistry> {
  const database = await openTestDatabase(kind);
  const config = testConfig(overrides);
  const app = await buildApp({ config, database });
  return {
    app,
    database,
    config,
    async as(role, userId = `${role}-1`) {
      const token = await app.registryServices.auth.mintToken({ sub: userId, role });
      return { authorization: `Bearer ${token}` };
    },
    close: () => app.close(),
  };
}
