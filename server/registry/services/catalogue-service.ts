import { randomUUID } from 'node:crypto';
import { LIST_SORTS, type ApprovalDecisionResponse, type DiffChange, type ListSort, type PluginDetails, type PluginDiffResponse, type PluginFileResponse, type PluginListQuery, type PluginListResponse, type PluginRequest, type PluginRequestBody, type ReviewResponse } from '../../../protocol/marketplace-api';
import type { Role } from '../../../protocol/roles';
import { createApprovalsRepository } from '../db/approvals-repository';
import type { Database } from '../db/database';
import { createPluginRequestsRepository } from '../db/plugin-requests-repository';
import { createPluginsRepository, type PluginRecord, type VersionRecord } from '../db/plugins-repository';
import { CodexError } from '../errors';
import type { ApprovalDecidedPayload, PluginRequestCreatedPayload, ReviewPostedPayload } from '../journal/catalogue-appliers';
import { recordEvent } from '../journal/event-appliers';
import { readPluginPackage } from '../packages/plugin-package';
import '../journal/catalogue-appliers';

/** The caller, when signed in (details show non-active versions to the publisher and super-admins). */
export interface Viewer {
  userId: string;
  role: Role;
}

/** The largest file the code preview returns. */
export const MAX_PREVIEW_BYTES = 256 * 1024;

interface Cursor {
  s: ListSort;
  q: string;
  k: string;
  i: string;
}

/**
 * Turns what a user typed into a to_tsquery expression: words of letters and digits, each matched
 * as a prefix (search as you type), all required. Undefined when nothing searchable is left.
 */
export function searchExpression(q: string | undefined): string | undefined {
  const words = (q ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu)?.slice(0, 8) ?? [];
  return words.length === 0 ? undefined : words.map((word) => `${word}:*`).join(' & ');
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(text: string, sort: ListSort, tsquery: string): Cursor {
  let cursor: Cursor | undefined;
  try {
    cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
  } catch {
    cursor = undefined;
  }
  if (!cursor || typeof cursor.k !== 'string' || typeof cursor.i !== 'string' || !(LIST_SORTS as readonly string[]).includes(cursor.s)) {
    throw new CodexError('CODEX_ERR_VALIDATION', 'querystring.cursor is not a cursor this registry issued; pass the nextCursor of the previous page unchanged');
  }
  if (cursor.s !== sort || cursor.q !== tsquery) {
    throw new CodexError('CODEX_ERR_VALIDATION', 'querystring.cursor belongs to a different sort or search; start again without a cursor when you change q or sort');
  }
  return cursor;
}

/** Whether `viewer` may see a plugin's versions that are not active (its publisher and super-admins). */
function seesEverything(plugin: PluginRecord, viewer: Viewer | undefined): boolean {
  return viewer !== undefined && (viewer.role === 'super-admin' || viewer.userId === plugin.createdBy);
}

/** A structured diff of two JSON values: tools keyed by name, lists of strings compared as sets. */
function diffValues(section: DiffChange['section'], path: string, before: unknown, after: unknown, out: DiffChange[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (before === undefined) {
    out.push({ section, path, change: 'added', after });
    return;
  }
  if (after === undefined) {
    out.push({ section, path, change: 'removed', before });
    return;
  }
  const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');
  if (isStringList(before) && isStringList(after)) {
    for (const item of after) if (!before.includes(item)) out.push({ section, path: `${path}/${item}`, change: 'added', after: item });
    for (const item of before) if (!after.includes(item)) out.push({ section, path: `${path}/${item}`, change: 'removed', before: item });
    return;
  }
  const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      diffValues(section, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, before[key], after[key], out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let index = 0; index < Math.max(before.length, after.length); index += 1) diffValues(section, `${path}/${index}`, before[index], after[index], out);
    return;
  }
  out.push({ section, path, change: 'changed', before, after });
}

/** The manifest areas a diff reports, each as a value that diffs well. */
function diffDocument(version: VersionRecord): Record<DiffChange['section'], unknown> {
  const { tools: _tools, permissions: _permissions, dependencies: _dependencies, configSchema: _configSchema, version: _version, ...rest } = version.manifest;
  return {
    manifest: rest,
    tools: Object.fromEntries(version.tools.map((tool) => [String(tool.name), tool])),
    permissions: version.permissions,
    dependencies: version.dependencies,
    configSchema: version.configSchema ?? undefined,
  };
}

/** Reading the catalogue, and its small writes: reviews, plugin requests and approval decisions. */
export function createCatalogueService(deps: { db: Database }) {
  const plugins = createPluginsRepository(deps.db);
  const approvals = createApprovalsRepository(deps.db);
  const requests = createPluginRequestsRepository(deps.db);

  async function visiblePlugin(id: string, viewer: Viewer | undefined): Promise<PluginRecord> {
    const plugin = await plugins.findPlugin(id);
    if (!plugin || (plugin.latestVersion === null && !seesEverything(plugin, viewer))) {
      throw new CodexError('CODEX_ERR_PLUGIN_NOT_FOUND', `there is no plugin ${id} in this registry; search for it with GET /api/plugins/list?q=...`);
    }
    return plugin;
  }

  async function visibleVersion(plugin: PluginRecord, version: string, viewer: Viewer | undefined): Promise<VersionRecord> {
    const found = await plugins.findVersion(plugin.id, version);
    if (!found || (found.status !== 'active' && found.status !== 'deprecated' && !seesEverything(plugin, viewer))) {
      throw new CodexError('CODEX_ERR_VERSION_NOT_FOUND', `${plugin.id} has no published version ${version}${plugin.latestVersion ? `; the latest is ${plugin.latestVersion}` : ''}`);
    }
    return found;
  }

  async function packageOf(version: VersionRecord) {
    const bytes = await plugins.readArtifact(version.integrity);
    if (!bytes) throw new CodexError('CODEX_ERR_ARTIFACT_MISSING', `the artifact of ${version.pluginId}@${version.version} (${version.integrity}) is not stored here`, undefined, 404);
    return { bytes, pkg: await readPluginPackage(bytes, { expectedIntegrity: version.integrity }) };
  }

  return {
    async list(query: PluginListQuery): Promise<PluginListResponse> {
      const sort = query.sort ?? 'relevance';
      const limit = query.limit ?? 20;
      const tsquery = searchExpression(query.q);
      const cursor = query.cursor ? decodeCursor(query.cursor, sort, tsquery ?? '') : undefined;
      const rows = await plugins.list({
        tsquery, kind: query.kind, tier: query.tier, tag: query.tag, recommended: query.recommended, sort, limit: limit + 1,
        after: cursor ? { key: cursor.k, id: cursor.i } : undefined,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(({ sortKey: _sortKey, ...item }) => item),
        nextCursor: rows.length > limit && last ? encodeCursor({ s: sort, q: tsquery ?? '', k: last.sortKey, i: last.id }) : null,
      };
    },

    async details(id: string, viewer: Viewer | undefined, requestedVersion?: string): Promise<PluginDetails> {
      const plugin = await visiblePlugin(id, viewer);
      const everything = seesEverything(plugin, viewer);
      const versions = (await plugins.listVersions(id)).filter((version) => everything || version.status === 'active' || version.status === 'deprecated');
      const shown = requestedVersion !== undefined
        ? await visibleVersion(plugin, requestedVersion, viewer)
        : versions.find((version) => version.version === plugin.latestVersion) ?? versions[0];
      if (!shown) throw new CodexError('CODEX_ERR_PLUGIN_NOT_FOUND', `there is no plugin ${id} in this registry`);
      const { pkg } = await packageOf(shown);
      const readmePath = String(shown.manifest.readme ?? 'README.md');
      const readme = pkg.files.get(readmePath);
      const summary = ({ version, status, statusReason, integrity, signature, signingKeyId, publishedBy, publishedAt }: VersionRecord) => ({ version, status, statusReason, integrity, signature, signingKeyId, publishedBy, publishedAt });
      const { normalizedName: _normalizedName, ...rest } = plugin;
      return {
        ...rest,
        versions: versions.map(summary),
        version: summary(shown),
        manifest: shown.manifest,
        permissions: shown.permissions,
        tools: shown.tools,
        dependencies: shown.dependencies,
        configSchema: shown.configSchema,
        files: [...pkg.files.entries()].map(([path, bytes]) => ({ path, size: bytes.length })),
        readme: readme ? readme.toString('utf8') : null,
        reviews: await plugins.listReviews(id),
      };
    },

    async file(id: string, version: string, path: string, viewer: Viewer | undefined): Promise<PluginFileResponse> {
      const plugin = await visiblePlugin(id, viewer);
      const found = await visibleVersion(plugin, version, viewer);
      const { pkg } = await packageOf(found);
      const bytes = pkg.files.get(path);
      if (!bytes) throw new CodexError('CODEX_ERR_FILE_NOT_FOUND', `${id}@${version} has no file "${path}"; its files are listed in GET /api/plugins/${id}`, { path }, 404);
      if (bytes.length > MAX_PREVIEW_BYTES) {
        throw new CodexError('CODEX_ERR_FILE_TOO_LARGE', `"${path}" is ${bytes.length} bytes; the preview shows files up to ${MAX_PREVIEW_BYTES} bytes (download the artifact for the rest)`, { path }, 413);
      }
      const content = bytes.toString('utf8');
      if (bytes.includes(0) || Buffer.from(content, 'utf8').compare(bytes) !== 0) {
        throw new CodexError('CODEX_ERR_FILE_NOT_TEXT', `"${path}" is not UTF-8 text, so it has no preview; download the artifact to inspect it`, { path }, 415);
      }
      return { path, size: bytes.length, content };
    },

    async artifact(id: string, version: string, viewer: Viewer | undefined): Promise<{ bytes: Buffer; version: VersionRecord }> {
      const plugin = await visiblePlugin(id, viewer);
      const found = await visibleVersion(plugin, version, viewer);
      const bytes = await plugins.readArtifact(found.integrity);
      if (!bytes) throw new CodexError('CODEX_ERR_ARTIFACT_MISSING', `the artifact of ${id}@${version} (${found.integrity}) is not stored here`, undefined, 404);
      return { bytes, version: found };
    },

    async diff(id: string, from: string, to: string, viewer: Viewer | undefined): Promise<PluginDiffResponse> {
      const plugin = await visiblePlugin(id, viewer);
      const [before, after] = [diffDocument(await visibleVersion(plugin, from, viewer)), diffDocument(await visibleVersion(plugin, to, viewer))];
      const changes: DiffChange[] = [];
      for (const section of Object.keys(before) as DiffChange['section'][]) diffValues(section, `/${section}`, before[section], after[section], changes);
      return { id, from, to, changes };
    },

    async postReview(id: string, author: Viewer, rating: number, text: string): Promise<ReviewResponse> {
      const plugin = await visiblePlugin(id, author);
      const payload: ReviewPostedPayload = { pluginId: plugin.id, rating, text };
      return deps.db.transaction(async (tx) => {
        await recordEvent(tx, { actor: author.userId, type: 'review.posted', subject: plugin.id, payload });
        const repo = createPluginsRepository(tx);
        const [review, updated] = [await repo.findReview(plugin.id, author.userId), await repo.findPlugin(plugin.id)];
        return { review: review!, rating: updated!.rating, ratingCount: updated!.ratingCount };
      });
    },

    async createRequest(requester: Viewer, body: PluginRequestBody): Promise<PluginRequest> {
      if (body.pluginId !== undefined && !(await plugins.findPlugin(body.pluginId))) {
        throw new CodexError('CODEX_ERR_PLUGIN_NOT_FOUND', `body.pluginId names ${body.pluginId}, which is not in this registry; leave it out to propose a new plugin`);
      }
      if (body.kind === 'install' && body.pluginId === undefined) {
        throw new CodexError('CODEX_ERR_VALIDATION', 'body.pluginId is required for an install request: name the plugin to install');
      }
      const payload: PluginRequestCreatedPayload = {
        id: randomUUID(), kind: body.kind, title: body.title, description: body.description ?? '', pluginId: body.pluginId ?? null, targetId: body.targetId ?? null,
      };
      await deps.db.transaction((tx) => recordEvent(tx, { actor: requester.userId, type: 'plugin-request.created', subject: payload.id, payload }));
      return (await requests.find(payload.id))!;
    },

    listRequests: (filter: { status?: string; limit?: number }) => requests.list(filter),

    listApprovals: (filter: { status?: 'pending' | 'approved' | 'rejected' | 'all'; limit?: number }) => approvals.list(filter),

    async decideApproval(id: string, decider: Viewer, decision: 'approve' | 'reject', reason: string | null): Promise<ApprovalDecisionResponse> {
      return deps.db.transaction(async (tx) => {
        const txApprovals = createApprovalsRepository(tx);
        const pending = await txApprovals.lockPending(tx, id);
        if (!pending) {
          const existing = await txApprovals.find(id, tx);
          if (!existing) throw new CodexError('CODEX_ERR_NOT_FOUND', `there is no approval ${id}`);
          throw new CodexError('CODEX_ERR_CONFLICT', `approval ${id} was already ${existing.status} by ${existing.decidedBy ?? 'someone'}`);
        }
        const payload: ApprovalDecidedPayload = { approvalId: id, kind: pending.kind, pluginId: pending.pluginId, version: pending.version, reason };
        await recordEvent(tx, { actor: decider.userId, type: decision === 'approve' ? 'plugin.approved' : 'plugin.rejected', subject: id, payload });
        const approval = (await txApprovals.find(id, tx))!;
        const version = pending.version === null ? undefined : await createPluginsRepository(tx).findVersion(pending.pluginId, pending.version, tx);
        return { approval, versionStatus: version?.status ?? null };
      });
    },
  };
}

export type CatalogueService = ReturnType<typeof createCatalogueService>;
