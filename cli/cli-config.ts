import { ConfigError, loadDotenvFile, readConfig, type RegistryConfig } from '../server/registry/config';

/**
 * Reads the registry configuration for a CLI command (environment, `.env`, then flags). A bad
 * variable prints every problem and exits with status 2, before anything starts.
 */
export function configFromCli(overrides: Partial<RegistryConfig> = {}): RegistryConfig {
  loadDotenvFile();
  try {
    return readConfig(process.env, overrides);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`plugin-codex: ${error.message}`);
      console.error('See .env.example for every variable and its format.');
      process.exit(2);
    }
    throw error;
  }
}

/** Parses a --port flag. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port "${value}" must be an integer between 0 and 65535`);
  return port;
}
