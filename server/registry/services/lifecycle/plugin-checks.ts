import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import type { Role } from '../../../../protocol/roles';
import { CodexError } from '../../errors';
import { packageRoot } from '../../package-root';

let cachedVersion: string | undefined;

/** The registry's own version (package.json), which `engines["plugin-codex"]` ranges are checked against. */
export function registryVersion(): string {
  cachedVersion ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cachedVersion;
}

/** Refuses a version whose `engines["plugin-codex"]` range excludes this registry. */
export function checkEngine(pluginId: string, version: string, manifest: Record<string, unknown>, registry = registryVersion()): void {
  const range = (manifest.engines as Record<string, unknown> | undefined)?.['plugin-codex'];
  if (typeof range !== 'string') return;
  if (!semver.satisfies(registry, range, { includePrerelease: true })) {
    throw new CodexError('CODEX_ERR_ENGINE_MISMATCH', `${pluginId}@${version} needs plugin-codex ${range}; this registry is ${registry}`, { pluginId, version, range, registry }, 422);
  }
}

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

function describe(error: ErrorObject): string {
  const path = error.instancePath ? `config${error.instancePath.replace(/\//g, '.')}` : 'config';
  if (error.keyword === 'required') return `${path}.${String(error.params.missingProperty)} is required`;
  if (error.keyword === 'additionalProperties') return `${path}.${String(error.params.additionalProperty)} is not allowed`;
  return `${path} ${error.message ?? 'is invalid'}`;
}

/**
 * Validates a configuration against a version's `configSchema` and returns it with the schema's
 * defaults filled in; the error names every offending field.
 */
export function validateConfig(pluginId: string, version: string, schema: Record<string, unknown> | null, config: Record<string, unknown>): Record<string, unknown> {
  if (!schema) return config;
  const key = `${pluginId}@${version}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  const copy = structuredClone(config);
  if (!validate(copy)) {
    const problems = (validate.errors ?? []).map(describe);
    throw new CodexError('CODEX_ERR_INVALID_CONFIG', `the configuration of ${key} is invalid: ${problems.join('; ')}`, { pluginId, version, errors: problems }, 422);
  }
  return copy;
}

/** Flattens a permissions object into comparable strings: `network:host`, `core:events`, `storage`, `secret:NAME`. */
export function permissionList(permissions: Record<string, unknown>): string[] {
  const list: string[] = [];
  for (const host of (permissions.network as string[] | undefined) ?? []) list.push(`network:${host}`);
  for (const hook of (permissions.core as string[] | undefined) ?? []) list.push(hook);
  for (const secret of (permissions.secrets as string[] | undefined) ?? []) list.push(`secret:${secret}`);
  if (permissions.storage === true) list.push('storage');
  return list.sort();
}

/** Whether granting this permission needs a super-admin (until approval flows exist): core hooks and network hosts. */
export function needsSuperAdmin(permission: string): boolean {
  return permission.startsWith('core:') || permission.startsWith('network:');
}

/** Refuses newly granted core:* permissions and network hosts unless the installer is a super-admin. */
export function checkGrant(pluginId: string, version: string, added: readonly string[], role: Role): void {
  if (role === 'super-admin') return;
  const privileged = added.filter(needsSuperAdmin);
  if (privileged.length > 0) {
    throw new CodexError('CODEX_ERR_PERMISSION_NEEDS_ADMIN',
      `${pluginId}@${version} asks for ${privileged.join(', ')}; only a super-admin may grant core:* permissions and network hosts (you are ${role})`,
      { pluginId, version, permissions: privileged }, 403);
  }
}
