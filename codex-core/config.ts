import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Category, Severity } from '../protocol/findings';
import { CATEGORIES, SEVERITIES } from '../protocol/findings';

/** A rule's setting: off, or on with a severity (`"on"` keeps the default severity). */
export type RuleSetting = 'off' | 'on' | Severity;

/**
 * The codex configuration of a project, read from `.plugin-codex.json` or from the `"pluginCodex"`
 * key of package.json (the file wins when both exist).
 */
export interface CodexConfig {
  /** Per-rule settings, by rule id. */
  rules?: Record<string, RuleSetting>;
  /** Categories switched on or off; every category is on unless set to false. */
  categories?: Partial<Record<Category, boolean>>;
  /** Path prefixes (relative to the root, `/`-separated) never analysed, besides node_modules, dist and dot folders. */
  ignore?: string[];
  /** Folders (relative to the root) holding SQL migrations; default: every folder named `migrations`. */
  migrations?: string[];
  /** Files whose exports are public API (entry points) besides package.json's main/bin/exports. */
  entryPoints?: string[];
}

/** Raised when the configuration file cannot be used; the message names the file and the problem. */
export class CodexConfigError extends Error {}

function validate(value: unknown, source: string): CodexConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodexConfigError(`${source}: the codex configuration must be an object`);
  }
  const config = value as CodexConfig;
  for (const [id, setting] of Object.entries(config.rules ?? {})) {
    if (setting !== 'off' && setting !== 'on' && !SEVERITIES.includes(setting as Severity)) {
      throw new CodexConfigError(`${source}: rule ${id} must be "off", "on" or one of ${SEVERITIES.join(', ')}`);
    }
  }
  for (const category of Object.keys(config.categories ?? {})) {
    if (!CATEGORIES.includes(category as Category)) {
      throw new CodexConfigError(`${source}: unknown category ${category}; use one of ${CATEGORIES.join(', ')}`);
    }
  }
  return config;
}

/** Reads the project's configuration; a project without one gets `{}`. */
export function loadConfig(root: string): CodexConfig {
  const file = join(root, '.plugin-codex.json');
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new CodexConfigError(`${file}: ${(error as Error).message}`);
    }
    return validate(parsed, file);
  }
  const manifest = join(root, 'package.json');
  if (existsSync(manifest)) {
    try {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { pluginCodex?: unknown };
      if (parsed.pluginCodex !== undefined) return validate(parsed.pluginCodex, `${manifest} "pluginCodex"`);
    } catch (error) {
      if (error instanceof CodexConfigError) throw error;
      // A broken package.json is reported by the dependency rules, not here.
    }
  }
  return {};
}

/** Merges a host-supplied configuration over the project's one (host settings win). */
export function mergeConfig(base: CodexConfig, override: CodexConfig | undefined): CodexConfig {
  if (!override) return base;
  return {
    ...base,
    ...override,
    rules: { ...base.rules, ...override.rules },
    categories: { ...base.categories, ...override.categories },
  };
}
