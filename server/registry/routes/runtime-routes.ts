import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import {
  InstallationHealthSchema, InvokeRequestSchema, InvokeResponseSchema, TargetBodySchema, TargetQuerySchema, TryRequestSchema, TryTranscriptSchema,
} from '../../../protocol/runtime-api';
import type { RegistryApp, RegistryServices } from '../app';
import { createInstallationHealthRepository } from '../db/installation-health-repository';
import { createInvocationsRepository } from '../db/invocations-repository';
import { createPluginsRepository } from '../db/plugins-repository';
import { CodexError } from '../errors';
import { recordEvent } from '../journal/event-appliers';
import { RUNTIME_EVENT_TYPES, type InstallationStatusPayload } from '../journal/runtime-appliers';
import { outcomeError } from '../services/runtime/runtime-service';
import { tryVersion } from '../services/runtime/try-service';

const PluginParams = Type.Object({
  scope: Type.String({ pattern: '^@', maxLength: 80, description: 'the namespace with its "@", like "@codex"' }),
  name: Type.String({ maxLength: 140 }),
});
const ToolParams = Type.Object({ ...PluginParams.properties, tool: Type.String({ maxLength: 64 }) });
const VersionParams = Type.Object({ ...PluginParams.properties, version: Type.String({ maxLength: 64 }) });
const idOf = (params: { scope: string; name: string }) => `${params.scope}/${params.name}`;

/**
 * The policy every UI document and asset is served with: only the version's own scripts and
 * styles (inline styles allowed for custom elements' styling), no network, no plugins, no forms,
 * framed only by the registry's own pages and VS Code webviews.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'self' vscode-webview:",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8', mjs: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8', svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif',
  webp: 'image/webp', woff2: 'font/woff2', woff: 'font/woff', txt: 'text/plain; charset=utf-8', map: 'application/json; charset=utf-8',
};

/** Versions anyone may see the UI of; the others only a super-admin (as in the catalogue). */
const PUBLIC_STATUSES = new Set(['active', 'deprecated', 'yanked']);

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * The plugin runtime over HTTP: tool invocation, "install and test", installation health and
 * resume, and the UI of visual blocks and micro-apps (assets and an HTML shell for a sandboxed
 * iframe).
 */
export function registerRuntimeRoutes(app: RegistryApp, services: RegistryServices): void {
  const db = services.database.db;
  const runtime = services.runtime;
  const plugins = createPluginsRepository(db);
  const invocations = createInvocationsRepository(db);
  const health = createInstallationHealthRepository(db);

  app.post('/api/plugins/:scope/:name/tools/:tool/invoke', {
    schema: { tags: ['runtime'], summary: 'Invoke a tool of a plugin installed in a target (input and output checked against its schemas)', params: ToolParams, body: InvokeRequestSchema, response: { 200: InvokeResponseSchema } },
  }, async (request) => {
    const pluginId = idOf(request.params);
    const target = request.body.target ?? 'default';
    const scope = runtime.databaseScope(target);
    const installation = await scope.installation(pluginId);
    const outcome = await runtime.invokeTool(scope, { pluginId, tool: request.params.tool, input: request.body.input, source: 'invoke', actor: request.principal!.userId });
    if (!outcome.ok) throw outcomeError(outcome);
    return { pluginId, version: installation!.version, target, tool: request.params.tool, output: outcome.output, logs: outcome.logs, durationMs: outcome.durationMs };
  });

  app.post('/api/plugins/:scope/:name/try', {
    schema: { tags: ['runtime'], summary: 'Install a version into an ephemeral target (rolled back) and run its health check and examples', params: PluginParams, body: TryRequestSchema, response: { 200: TryTranscriptSchema } },
  }, async (request) => {
    const principal = request.principal!;
    return tryVersion({ db, runtime }, { pluginId: idOf(request.params), version: request.body.version, config: request.body.config, actor: principal.userId, role: principal.role });
  });

  app.get('/api/plugins/:scope/:name/health', {
    schema: { tags: ['runtime'], summary: "An installation's latest analysis run, status and recent invocations", params: PluginParams, querystring: TargetQuerySchema, response: { 200: InstallationHealthSchema } },
  }, async (request) => {
    const pluginId = idOf(request.params);
    const target = request.query.target ?? 'default';
    const row = await health.health(target, pluginId);
    if (!row) throw new CodexError('CODEX_ERR_NOT_INSTALLED', `${pluginId} is not installed in target ${target}`, { pluginId, target }, 404);
    const recent = await invocations.recent(target, pluginId, 20);
    return {
      targetId: target, pluginId, version: row.version, status: row.status, health: row.health,
      invocations: recent.map(({ tool, source, version, ok, errorCode, latencyMs, createdAt }) => ({ tool, source, version, ok, errorCode, latencyMs, createdAt })),
    };
  });

  app.post('/api/plugins/:scope/:name/resume', {
    schema: { tags: ['runtime'], summary: 'Let a paused installation serve invocations again (an admin decision after an inconclusive analysis)', params: PluginParams, body: TargetBodySchema, response: { 200: InstallationHealthSchema } },
  }, async (request) => {
    const pluginId = idOf(request.params);
    const target = request.body.target ?? 'default';
    const row = await db.transaction(async (tx) => {
      const current = await health.health(target, pluginId, tx);
      if (!current) throw new CodexError('CODEX_ERR_NOT_INSTALLED', `${pluginId} is not installed in target ${target}`, { pluginId, target }, 404);
      if (current.status !== 'paused') throw new CodexError('CODEX_ERR_NOT_PAUSED', `${pluginId} in target ${target} is ${current.status}; only a paused installation can be resumed`, { status: current.status }, 409);
      const payload: InstallationStatusPayload = { targetId: target, pluginId, version: current.version, reason: `resumed by ${request.principal!.userId}` };
      await recordEvent(tx, { actor: request.principal!.userId, type: RUNTIME_EVENT_TYPES.resumed, subject: `${target}/${pluginId}`, payload: payload as unknown as Record<string, unknown> });
      return (await health.health(target, pluginId, tx))!;
    });
    return { targetId: target, pluginId, version: row.version, status: row.status, health: row.health, invocations: [] };
  });

  /** The UI entry and its folder of a visible version, or a 404 naming what is missing. */
  async function uiOf(params: { scope: string; name: string; version: string }, role: string | undefined) {
    const pluginId = idOf(params);
    const record = await plugins.findVersion(pluginId, params.version);
    if (!record || (!PUBLIC_STATUSES.has(record.status) && role !== 'super-admin')) {
      throw new CodexError('CODEX_ERR_VERSION_NOT_FOUND', `${pluginId}@${params.version} does not exist in the registry`, { pluginId, version: params.version });
    }
    const loaded = await runtime.loadVersion(pluginId, params.version);
    const ui = loaded.manifest.ui;
    if (!ui) throw new CodexError('CODEX_ERR_NO_UI', `${pluginId}@${params.version} is a ${loaded.manifest.kind} plugin without a UI (no "ui" in its manifest)`, { pluginId }, 404);
    const folder = ui.entry.includes('/') ? ui.entry.slice(0, ui.entry.lastIndexOf('/') + 1) : '';
    return { pluginId, loaded, ui, folder };
  }

  app.get('/api/plugins/:scope/:name/versions/:version/ui/*', {
    schema: { tags: ['runtime'], summary: "A UI asset of a visual block or micro-app (from its UI entry's folder), for a sandboxed iframe", params: Type.Object({ ...VersionParams.properties, '*': Type.String({ minLength: 1, maxLength: 300 }) }) },
  }, async (request, reply) => {
    const { pluginId, loaded, folder } = await uiOf(request.params, request.principal?.role);
    const path = request.params['*'];
    const bytes = path.startsWith(folder) ? loaded.files.get(path) : undefined;
    if (!bytes) {
      throw new CodexError('CODEX_ERR_FILE_NOT_FOUND', `${pluginId}@${loaded.version} has no UI asset "${path}"; UI assets are the files under "${folder || '/'}" next to its UI entry`, { path }, 404);
    }
    const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
    return reply
      .header('content-type', CONTENT_TYPES[extension] ?? 'application/octet-stream')
      .header('content-security-policy', UI_CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('x-codex-integrity', loaded.integrity)
      .header('x-codex-file-integrity', `sha384-${createHash('sha384').update(bytes).digest('base64')}`)
      // A sandboxed iframe has an opaque origin: its module scripts are CORS requests.
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(bytes);
  });

  app.get('/api/plugins/:scope/:name/versions/:version/ui-shell', {
    schema: { tags: ['runtime'], summary: 'An HTML page that loads the UI element of a visual block or micro-app; show it in <iframe sandbox="allow-scripts">', params: VersionParams },
  }, async (request, reply) => {
    const { pluginId, loaded, ui } = await uiOf(request.params, request.principal?.role);
    const element = ui.element ? `<${ui.element} data-plugin="${escapeHtml(pluginId)}" data-version="${escapeHtml(loaded.version)}"></${ui.element}>` : '';
    const html = [
      '<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>${escapeHtml(`${loaded.manifest.title} ${loaded.version}`)}</title>`,
      '<style>html,body{margin:0;padding:0;background:transparent;color:inherit;font:13px system-ui,sans-serif}</style>',
      `<script type="module" src="ui/${ui.entry.split('/').map(encodeURIComponent).join('/')}"></script>`,
      '</head>', `<body data-height="${ui.height ?? ''}">`, element, '</body>', '</html>',
    ].join('\n');
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', UI_CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('x-codex-integrity', loaded.integrity)
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .send(html);
  });
}
