import { join } from 'node:path';
import { packageRoot } from '../server/registry/package-root.js';

/**
 * The sample plugin folders, relative to samples/, in dependency order (a plugin after the plugins
 * it depends on, and a plugin's versions in ascending order): the order the registry publishes
 * them in when it seeds the official samples at bootstrap.
 */
export const SAMPLE_FOLDERS = [
  'text-stats',
  'text-summary',
  'weather-lookup',
  'notes-store',
  'sparkline-block',
  'todo-app',
  'flaky-greeter/1.0.0',
  'flaky-greeter/1.1.0',
] as const;

/**
 * The local port @codex/weather-lookup is granted besides api.open-meteo.com, so tests can run it
 * against a mock API at `http://127.0.0.1:8799` (config `{ baseUrl }`).
 */
export const WEATHER_SAMPLE_MOCK_PORT = 8799;

/** Absolute paths of every sample version folder (each holds a plugin.json), in dependency order. */
export function sampleDirectories(): string[] {
  return SAMPLE_FOLDERS.map((folder) => join(packageRoot(), 'samples', ...folder.split('/')));
}
