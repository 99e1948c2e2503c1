import { createPublicKey } from 'node:crypto';
import semver from 'semver';
import type { CloneBody, FederatedVersion, ShareBody, ShareResult, SyncResult, Upstream, UpstreamCreate } from '../../../../protocol/federation-api';
import type { KeysResponse, PluginDetails, PluginListItem, PluginListQuery, PluginListResponse, PublishResponse } from '../../../../protocol/marketplace-api';
import type { RegistryEvent } from '../../../../protocol/events-api';
import type { Role } from '../../../../protocol/roles';
import type { AlertsRepository } from '../../db/alerts-repository';
import type { Database } from '../../db/database';
import { createPluginsRepository } from '../../db/plugins-repository';
import { createUpstreamsRepository, type UpstreamRecord } from '../../db/upstreams-repository';
import { CodexError } from '../../errors';
import type { PluginFederatedPayload, UpstreamAddedPayload, UpstreamSyncedPayload } from '../../journal/federation-appliers';
import { recordEvent } from '../../journal/event-appliers';
import { integrityOf, PackageError, readPluginPackage, type PluginPackage } from '../../packages/plugin-package';
import { publicKeyInfo, verifyRelease, type SigningKey } from '../../packages/signing';
import { createPublishService } from '../publish-service';
import { createCircuitBreakers } from './circuit-breaker';
import { isSelected } from './plugin-patterns';
import { renamePackage } from './package-rename';
import { callRemote, remoteErrorOf, RemoteUnavailableError, type RemoteCall, type RemoteResponse } from './upstream-http';
import '../../journal/federation-appliers';

/** Defaults of a new upstream. */
export const UPSTREAM_DEFAULTS = { timeoutMs: 5000, failureThreshold: 3, cooldownMs: 30_000 } as const;
/** How long a share may take (the peer reads and checks the package before answering). */
const SHARE_TIMEOUT_MS = 15_000;
/** Pages of the upstream's journal one mirror sync reads at most (it continues on the next run). */
const MAX_SYNC_PAGES = 20;
/** How deep read-through follows dependencies of a linked plugin. */
const MAX_DEPENDENCY_DEPTH = 8;

/** Logging the service needs. */
interface FederationLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/** A verified artifact fetched from an upstream. */
interface VerifiedArtifact {
  bytes: Buffer;
  pkg: PluginPackage;
  integrity: string;
  signature: string;
}

/** The list page with federation's additions, and the status of linked upstreams that did not answer. */
export interface MergedList {
  response: PluginListResponse & { items: (PluginListItem & { origin?: string; forkedFrom?: string })[] };
  /** `acme=open; other=timeout` — the linked upstreams left out of this page; null when all answered. */
  upstreamStatus: string | null;
}

const splitId = (id: string) => ({ scope: id.slice(0, id.indexOf('/')), name: id.slice(id.indexOf('/') + 1) });
const artifactPath = (id: string, version: string) => {
  const { scope, name } = splitId(id);
  return `/api/plugins/${encodeURIComponent(scope)}/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}/artifact`;
};
const detailsPath = (id: string) => {
  const { scope, name } = splitId(id);
  return `/api/plugins/${encodeURIComponent(scope)}/${encodeURIComponent(name)}`;
};
const labelOf = (upstream: Pick<UpstreamRecord, 'id' | 'url'>) => `upstream "${upstream.id}" (${upstream.url})`;

/**
 * Federation with other registries. Upstreams in `link` mode are read through: their plugins are
 * merged into the first page of GET /api/plugins/list (marked with `origin`), and a version is
 * copied here — artifact checked against its integrity and the upstream's pinned key — the first
 * time it is installed. Upstreams in `mirror` mode are followed through their journal
 * (`plugin.published` and `plugin.approved` events) and every selected version is copied. Clones
 * copy one version under a local id, keeping `forked_from`; shares push a local version to a peer.
 * Every copy is an ordinary `plugin.published` (re-signed by this registry, which vouches for it
 * after checking the upstream's signature) plus `plugin.federated` with the provenance.
 */
export function createFederationService(deps: { db: Database; signingKey: () => SigningKey; alerts: AlertsRepository; log: FederationLog }) {
  const { db } = deps;
  const upstreams = createUpstreamsRepository(db);
  const plugins = createPluginsRepository(db);
  // The key is read when first needed: buildApp loads it while it assembles the services.
  let publishingService: ReturnType<typeof createPublishService> | undefined;
  const publishing = () => (publishingService ??= createPublishService({ db, signingKey: deps.signingKey() }));
  const breakers = createCircuitBreakers();
  const running = new Map<string, Promise<SyncResult>>();

  function view(record: UpstreamRecord): Upstream {
    const { signingKeyPem: _pem, ...rest } = record;
    return { ...rest, health: breakers.health(record.id) };
  }

  async function getUpstream(id: string): Promise<UpstreamRecord> {
    const found = await upstreams.get(id);
    if (!found) throw new CodexError('CODEX_ERR_UPSTREAM_NOT_FOUND', `there is no upstream "${id}"; list them with GET /api/upstreams`, { id }, 404);
    return found;
  }

  /** A call through the upstream's breaker: an open circuit fails at once, failures count, an opening raises an alert. */
  async function call(upstream: UpstreamRecord, path: string, extra: Partial<RemoteCall> = {}): Promise<RemoteResponse> {
    const label = labelOf(upstream);
    if (!breakers.allows(upstream.id)) {
      const health = breakers.health(upstream.id);
      throw new CodexError('CODEX_ERR_UPSTREAM_UNAVAILABLE', `${label} is skipped after ${health.consecutiveFailures} consecutive failures (last: ${health.lastError ?? 'unknown'}) until ${health.openUntil}; the local catalogue keeps working`, { upstream: upstream.id, health }, 503);
    }
    try {
      const response = await callRemote({ label, baseUrl: upstream.url, path, timeoutMs: upstream.timeoutMs, tokenEnv: upstream.tokenEnv, ...extra });
      breakers.succeeded(upstream.id);
      return response;
    } catch (error) {
      if (error instanceof RemoteUnavailableError) {
        const opened = breakers.failed(upstream.id, upstream, error.message);
        if (opened) {
          deps.log.warn({ upstream: upstream.id, error: error.message }, 'upstream circuit opened');
          await deps.alerts.raise({
            kind: 'upstream-unavailable', severity: 'warning',
            message: `${label} failed ${upstream.failureThreshold} times in a row and is skipped for ${upstream.cooldownMs} ms: ${error.message}`,
            details: { upstream: upstream.id, url: upstream.url },
          }).catch(() => undefined);
        }
      }
      throw error;
    }
  }

  async function refuse(upstream: UpstreamRecord, code: `CODEX_ERR_${string}`, message: string, details: Record<string, unknown>): Promise<never> {
    await deps.alerts.raise({ kind: 'upstream-artifact-refused', severity: 'critical', message, details: { upstream: upstream.id, ...details } }).catch(() => undefined);
    throw new CodexError(code, message, { upstream: upstream.id, ...details }, 502);
  }

  /**
   * Fetches `id@version` from the upstream and checks it: the bytes' sha512 must equal the integrity
   * the upstream announces (and the one the caller expects), the signature must verify over
   * `id@version:integrity` with the key pinned when the upstream was added, and the package inside
   * must be that id and version.
   */
  async function fetchVerified(upstream: UpstreamRecord, id: string, version: string, expected: { integrity?: string; signature?: string } = {}): Promise<VerifiedArtifact> {
    const response = await call(upstream, artifactPath(id, version), { headers: { accept: 'application/gzip' } });
    if (response.status === 404) throw new CodexError('CODEX_ERR_VERSION_NOT_FOUND', `${labelOf(upstream)} has no visible version ${id}@${version}`, { upstream: upstream.id, id, version }, 404);
    if (response.status !== 200) {
      const remote = remoteErrorOf(response);
      throw new CodexError('CODEX_ERR_UPSTREAM_REFUSED', `${labelOf(upstream)} refused the artifact of ${id}@${version}: ${remote.message}`, { upstream: upstream.id, remote }, 502);
    }
    const integrity = integrityOf(response.body);
    const announced = response.headers.get('x-codex-integrity');
    const signature = response.headers.get('x-codex-signature') ?? expected.signature ?? '';
    const keyId = response.headers.get('x-codex-signing-key-id');
    const ref = `${id}@${version}`;
    if (integrity !== announced || (expected.integrity !== undefined && integrity !== expected.integrity)) {
      return refuse(upstream, 'CODEX_ERR_UPSTREAM_INTEGRITY', `the artifact of ${ref} from ${labelOf(upstream)} does not match its integrity (received bytes hash to ${integrity}, announced ${expected.integrity ?? announced}); it was changed in transit or at the upstream and was not stored`, { ref, received: integrity, announced: expected.integrity ?? announced });
    }
    if (keyId !== upstream.signingKeyId) {
      return refuse(upstream, 'CODEX_ERR_UPSTREAM_SIGNATURE', `the artifact of ${ref} from ${labelOf(upstream)} is signed with key ${keyId ?? '(none)'}, not the key ${upstream.signingKeyId} pinned when the upstream was added; remove and re-add the upstream if it rotated its key`, { ref, keyId });
    }
    if (!verifyRelease(upstream.signingKeyPem, id, version, integrity, signature) || (expected.signature !== undefined && expected.signature !== signature)) {
      return refuse(upstream, 'CODEX_ERR_UPSTREAM_SIGNATURE', `the signature of ${ref} from ${labelOf(upstream)} does not verify over "${ref}:${integrity}" with the pinned key ${upstream.signingKeyId}; the artifact was not stored`, { ref });
    }
    let pkg: PluginPackage;
    try {
      pkg = await readPluginPackage(response.body, { expectedIntegrity: integrity });
    } catch (error) {
      if (error instanceof PackageError) return refuse(upstream, 'CODEX_ERR_UPSTREAM_PACKAGE_INVALID', `the package of ${ref} from ${labelOf(upstream)} is not a valid plugin here: ${error.message}`, { ref, code: error.code });
      throw error;
    }
    if (pkg.manifest.id !== id || pkg.manifest.version !== version) {
      return refuse(upstream, 'CODEX_ERR_UPSTREAM_PACKAGE_MISMATCH', `${labelOf(upstream)} served ${pkg.manifest.id}@${pkg.manifest.version} for ${ref}`, { ref });
    }
    return { bytes: response.body, pkg, integrity, signature };
  }

  /** Records a fetched version here: the package re-signed by this registry, and its provenance. */
  async function importVersion(upstream: UpstreamRecord, artifact: VerifiedArtifact, how: 'link' | 'mirror' | 'clone', publisher: { userId: string; role: Role | 'system' }, into?: { id: string; bytes: Buffer; pkg: PluginPackage }): Promise<FederatedVersion> {
    const source = artifact.pkg.manifest;
    const local = into?.pkg ?? artifact.pkg;
    const bytes = into?.bytes ?? artifact.bytes;
    try {
      const published = await db.transaction(async (tx) => {
        const result = await publishing().recordPublication(tx, {
          manifest: local.manifest, bytes, integrity: local.integrity, contentHash: local.contentHash, publisher,
          // A copy keeps the upstream's id and content: comparing it with look-alikes here would refuse every mirror of a fork.
          skipDuplicateChecks: how !== 'clone',
        });
        const payload: PluginFederatedPayload = {
          pluginId: local.manifest.id, version: local.manifest.version, upstreamId: upstream.id, upstreamUrl: upstream.url, how,
          sourcePluginId: source.id, sourceVersion: source.version, sourceIntegrity: artifact.integrity, sourceSignature: artifact.signature,
          sourceKeyId: upstream.signingKeyId, origin: how === 'clone' ? null : upstream.url, forkedFrom: how === 'clone' ? `${source.id}@${source.version}` : null,
        };
        await recordEvent(tx, { actor: publisher.userId, type: 'plugin.federated', subject: `${local.manifest.id}@${local.manifest.version}`, payload });
        return result;
      });
      return {
        pluginId: published.id, version: published.version, integrity: published.integrity, status: published.status, upstreamId: upstream.id, how,
        sourcePluginId: source.id, sourceVersion: source.version, sourceIntegrity: artifact.integrity, forkedFrom: how === 'clone' ? `${source.id}@${source.version}` : null,
      };
    } catch (error) {
      if ((error as { code?: unknown }).code === '23505') {
        throw new CodexError('CODEX_ERR_VERSION_EXISTS', `${local.manifest.id}@${local.manifest.version} was stored concurrently`, { id: local.manifest.id }, 409);
      }
      throw error;
    }
  }

  const upstreamActor = (upstream: UpstreamRecord) => ({ userId: `upstream:${upstream.id}`, role: 'system' as const });

  /**
   * Read-through for link upstreams: makes sure the version an install or upgrade will ask for is
   * here, copying it (and, recursively, its missing dependencies) from the first link upstream that
   * has it. Plugins published here are never shadowed; a federated plugin that is already cached is
   * used as it is when its upstream is unreachable.
   */
  async function ensureLocal(pluginId: string, requested: string | undefined, depth = 0, seen = new Set<string>()): Promise<FederatedVersion[]> {
    if (depth > MAX_DEPENDENCY_DEPTH || seen.has(pluginId)) return [];
    seen.add(pluginId);
    const existing = await plugins.findPlugin(pluginId);
    const origin = existing ? (await upstreams.pluginProvenance([pluginId])).get(pluginId)?.origin ?? null : null;
    if (existing && origin === null) return [];
    if (existing && requested !== undefined && semver.valid(requested) && await plugins.findVersion(pluginId, requested)) return [];
    const candidates = (await upstreams.list()).filter((upstream) => upstream.mode === 'link' && isSelected(pluginId, upstream.include, upstream.exclude)
      && (origin === null || upstream.url === origin));
    let lastError: unknown;
    for (const upstream of candidates) {
      let details: PluginDetails;
      try {
        const response = await call(upstream, detailsPath(pluginId));
        if (response.status === 404) continue;
        if (response.status !== 200) throw new CodexError('CODEX_ERR_UPSTREAM_REFUSED', `${labelOf(upstream)} refused ${pluginId}: ${remoteErrorOf(response).message}`, undefined, 502);
        details = response.json<PluginDetails>();
      } catch (error) {
        if (existing) return []; // The cached copy serves while the upstream is away.
        lastError = error;
        continue;
      }
      const available = details.versions.filter((version) => version.status === 'active').map((version) => version.version);
      const pick = requested !== undefined && semver.valid(requested)
        ? (available.includes(requested) ? requested : null)
        : semver.maxSatisfying(available, requested ?? '*', { includePrerelease: false }) ?? (requested === undefined ? details.latestVersion : null);
      if (!pick) continue;
      if (await plugins.findVersion(pluginId, pick)) return [];
      const summary = details.versions.find((version) => version.version === pick);
      const artifact = await fetchVerified(upstream, pluginId, pick, { integrity: summary?.integrity, signature: summary?.signature });
      const imported: FederatedVersion[] = [];
      try {
        imported.push(await importVersion(upstream, artifact, 'link', upstreamActor(upstream)));
      } catch (error) {
        if (!(error instanceof CodexError && error.code === 'CODEX_ERR_VERSION_EXISTS')) throw error;
      }
      deps.log.info({ upstream: upstream.id, plugin: `${pluginId}@${pick}` }, 'linked plugin fetched on install');
      for (const [dependency, range] of Object.entries(artifact.pkg.manifest.dependencies ?? {})) {
        imported.push(...await ensureLocal(dependency, range, depth + 1, seen));
      }
      return imported;
    }
    if (lastError !== undefined) throw lastError;
    return [];
  }

  /** One mirror run: reads the upstream's journal after the cursor and copies every selected published version. */
  async function mirror(upstream: UpstreamRecord, actor: string): Promise<SyncResult> {
    const result: SyncResult = { upstreamId: upstream.id, mode: 'mirror', imported: [], skipped: [], refused: [], cursor: upstream.mirrorCursor };
    let cursor = upstream.mirrorCursor;
    for (let page = 0; page < MAX_SYNC_PAGES; page += 1) {
      const response = await call(upstream, `/api/events?after=${cursor}&limit=100&types=plugin.published,plugin.approved`);
      if (response.status !== 200) {
        const remote = remoteErrorOf(response);
        throw new CodexError('CODEX_ERR_UPSTREAM_REFUSED', `${labelOf(upstream)} refused to list its events (${remote.code}: ${remote.message})${response.status === 401 || response.status === 403 ? `; mirror mode needs a token the upstream accepts, named by tokenEnv${upstream.tokenEnv ? ` (${upstream.tokenEnv})` : ''}` : ''}`, { upstream: upstream.id, remote }, 502);
      }
      const events = response.json<{ items: RegistryEvent[]; nextAfter: number; hasMore: boolean }>();
      for (const event of events.items) {
        const payload = event.payload as { id?: string; pluginId?: string; version?: string | null; integrity?: string; signature?: string; status?: string };
        const id = event.type === 'plugin.published' ? payload.id : payload.pluginId;
        const version = payload.version;
        if (!id || !version) continue;
        const ref = `${id}@${version}`;
        if (!isSelected(id, upstream.include, upstream.exclude)) {
          result.skipped.push({ ref, reason: 'not selected by the include/exclude patterns' });
          continue;
        }
        if (event.type === 'plugin.published' && payload.status !== 'active') {
          result.skipped.push({ ref, reason: `${payload.status ?? 'not active'} at the upstream (copied once it is approved)` });
          continue;
        }
        if (await plugins.findVersion(id, version)) {
          const provenance = await upstreams.provenance(id, version);
          result.skipped.push({ ref, reason: provenance ? `already copied from upstream "${provenance.upstreamId}"` : 'a version with this id is published here; the local one wins' });
          continue;
        }
        try {
          const artifact = await fetchVerified(upstream, id, version, event.type === 'plugin.published' ? { integrity: payload.integrity, signature: payload.signature } : {});
          await importVersion(upstream, artifact, 'mirror', upstreamActor(upstream));
          result.imported.push(ref);
        } catch (error) {
          if (error instanceof RemoteUnavailableError || (error instanceof CodexError && error.code === 'CODEX_ERR_UPSTREAM_UNAVAILABLE')) throw error;
          if (!(error instanceof CodexError)) throw error;
          if (error.statusCode === 502) result.refused.push({ ref, code: error.code, message: error.message });
          else result.skipped.push({ ref, reason: error.message });
        }
      }
      cursor = events.nextAfter;
      if (!events.hasMore) break;
    }
    if (cursor !== upstream.mirrorCursor || result.imported.length > 0) {
      const payload: UpstreamSyncedPayload = { id: upstream.id, cursor, imported: result.imported };
      await db.transaction((tx) => recordEvent(tx, { actor, type: 'upstream.synced', subject: upstream.id, payload }));
    }
    result.cursor = cursor;
    return result;
  }

  return {
    breakers,

    /** Adds an upstream: reads its GET /api/keys (within the timeout) and pins its release key. */
    async add(input: UpstreamCreate, actor: string): Promise<Upstream> {
      if (await upstreams.get(input.id)) throw new CodexError('CODEX_ERR_UPSTREAM_EXISTS', `an upstream "${input.id}" already exists; remove it first to change it`, { id: input.id }, 409);
      const url = input.url.replace(/\/+$/, '');
      const timeoutMs = input.timeoutMs ?? UPSTREAM_DEFAULTS.timeoutMs;
      const label = labelOf({ id: input.id, url });
      const response = await callRemote({ label, baseUrl: url, path: '/api/keys', timeoutMs });
      if (response.status !== 200) throw new CodexError('CODEX_ERR_UPSTREAM_REFUSED', `${label} did not list its keys at GET /api/keys (HTTP ${response.status}); is it a Plugin Codex registry?`, { url }, 502);
      const keys = response.json<KeysResponse>().keys ?? [];
      const key = input.signingKeyId === undefined ? keys[0] : keys.find((candidate) => candidate.keyId === input.signingKeyId);
      if (!key) {
        throw new CodexError('CODEX_ERR_UPSTREAM_KEY_NOT_FOUND', input.signingKeyId === undefined ? `${label} lists no signing key at GET /api/keys` : `${label} does not list the key ${input.signingKeyId} at GET /api/keys (it lists ${keys.map((candidate) => candidate.keyId).join(', ') || 'none'})`, { url }, 422);
      }
      let pem: string;
      try {
        const publicKey = createPublicKey(key.publicKeyPem);
        if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(publicKey.asymmetricKeyType);
        pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
      } catch {
        throw new CodexError('CODEX_ERR_UPSTREAM_KEY_INVALID', `${label} lists key ${key.keyId}, which is not an Ed25519 public key`, { url }, 422);
      }
      const payload: UpstreamAddedPayload = {
        id: input.id, url, mode: input.mode, include: input.include ?? [], exclude: input.exclude ?? [], tokenEnv: input.tokenEnv ?? null, timeoutMs,
        failureThreshold: input.failureThreshold ?? UPSTREAM_DEFAULTS.failureThreshold, cooldownMs: input.cooldownMs ?? UPSTREAM_DEFAULTS.cooldownMs,
        signingKeyId: key.keyId, signingKeyPem: pem,
      };
      try {
        await db.transaction((tx) => recordEvent(tx, { actor, type: 'upstream.added', subject: input.id, payload }));
      } catch (error) {
        if ((error as { code?: unknown }).code === '23505') throw new CodexError('CODEX_ERR_UPSTREAM_EXISTS', `an upstream "${input.id}" already exists`, { id: input.id }, 409);
        throw error;
      }
      breakers.forget(input.id);
      return view(await getUpstream(input.id));
    },

    async list(): Promise<Upstream[]> {
      return (await upstreams.list()).map(view);
    },

    async get(id: string): Promise<Upstream> {
      return view(await getUpstream(id));
    },

    /** Removes an upstream; the versions copied from it stay, with their provenance. */
    async remove(id: string, actor: string): Promise<void> {
      await getUpstream(id);
      await db.transaction((tx) => recordEvent(tx, { actor, type: 'upstream.removed', subject: id, payload: { id } }));
      breakers.forget(id);
    },

    /** Runs a mirror sync now (one at a time per upstream in this process). Link upstreams are read through instead. */
    async sync(id: string, actor: string): Promise<SyncResult> {
      const upstream = await getUpstream(id);
      if (upstream.mode !== 'mirror') {
        throw new CodexError('CODEX_ERR_UPSTREAM_NOT_MIRROR', `upstream "${id}" is in link mode: its plugins are listed live and copied when installed; sync runs for mirror upstreams`, { id }, 409);
      }
      const pending = running.get(id);
      if (pending) return pending;
      const run = mirror(upstream, actor).finally(() => running.delete(id));
      running.set(id, run);
      return run;
    },

    /** Syncs every mirror upstream whose circuit is not open; failures are logged, not thrown (the periodic job). */
    async syncAll(actor: string): Promise<void> {
      for (const upstream of await upstreams.list()) {
        if (upstream.mode !== 'mirror' || breakers.health(upstream.id).state === 'open') continue;
        try {
          await this.sync(upstream.id, actor);
        } catch (error) {
          deps.log.warn({ upstream: upstream.id, error: (error as Error).message }, 'mirror sync failed');
        }
      }
    },

    /** Waits for syncs in flight (shutdown). */
    async idle(): Promise<void> {
      await Promise.allSettled([...running.values()]);
    },

    ensureLocal: (pluginId: string, version: string | undefined) => ensureLocal(pluginId, version),

    /**
     * Adds linked upstreams' plugins to the first page of a listing (each upstream queried with the
     * same filters, within its timeout, in parallel; ids published here win), and marks copied
     * plugins with their origin. An upstream that fails is left out and named in `upstreamStatus`.
     */
    async mergeList(query: PluginListQuery, local: PluginListResponse): Promise<MergedList> {
      const provenance = await upstreams.pluginProvenance(local.items.map((item) => item.id));
      const items: MergedList['response']['items'] = local.items.map((item) => {
        const found = provenance.get(item.id);
        return found ? { ...item, ...(found.origin ? { origin: found.origin } : {}), ...(found.forkedFrom ? { forkedFrom: found.forkedFrom } : {}) } : item;
      });
      const linked = query.cursor ? [] : (await upstreams.list()).filter((upstream) => upstream.mode === 'link');
      if (linked.length === 0) return { response: { ...local, items }, upstreamStatus: null };
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined && key !== 'cursor') params.set(key, String(value));
      const failures: string[] = [];
      const pages = await Promise.all(linked.map(async (upstream) => {
        try {
          const response = await call(upstream, `/api/plugins/list?${params.toString()}`);
          if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
          return { upstream, items: response.json<PluginListResponse>().items };
        } catch (error) {
          const code = error instanceof CodexError ? error.code.replace(/^CODEX_ERR_UPSTREAM_/, '').toLowerCase() : 'error';
          failures.push(`${upstream.id}=${code}`);
          return { upstream, items: [] as PluginListItem[] };
        }
      }));
      const candidates = pages.flatMap(({ upstream, items: remote }) => remote.filter((item) => isSelected(item.id, upstream.include, upstream.exclude)).map((item) => ({ ...item, origin: upstream.url })));
      const present = new Set([...items.map((item) => item.id), ...await upstreams.existingPlugins(candidates.map((item) => item.id))]);
      for (const item of candidates) {
        if (present.has(item.id)) continue;
        present.add(item.id);
        items.push(item);
      }
      return { response: { ...local, items }, upstreamStatus: failures.length > 0 ? failures.join('; ') : null };
    },

    /** Copies `pluginId@version` from the upstream into a local id, recording `forked_from`. */
    async clone(id: string, body: CloneBody, caller: { userId: string; role: Role }): Promise<FederatedVersion> {
      const upstream = await getUpstream(id);
      if (await plugins.findPlugin(body.into)) throw new CodexError('CODEX_ERR_PLUGIN_EXISTS', `${body.into} already exists here; clone into a new id`, { into: body.into }, 409);
      const artifact = await fetchVerified(upstream, body.pluginId, body.version);
      const bytes = await renamePackage(artifact.pkg, body.into);
      const pkg = await readPluginPackage(bytes);
      return importVersion(upstream, artifact, 'clone', caller, { id: body.into, bytes, pkg });
    },

    /**
     * Pushes a local active version to a peer's POST /api/plugins/publish with the token the peer
     * granted, signed by this registry as the publisher; checks that the peer stored the same
     * integrity and that its signature verifies with the key from its GET /api/keys.
     */
    async share(pluginId: string, version: string, body: ShareBody, actor: string): Promise<ShareResult> {
      const found = await plugins.findVersion(pluginId, version);
      if (!found || (found.status !== 'active' && found.status !== 'deprecated')) {
        throw new CodexError('CODEX_ERR_VERSION_NOT_FOUND', `${pluginId}@${version} is not an active version here; only released versions are shared`, { pluginId, version }, 404);
      }
      const bytes = await plugins.readArtifact(found.integrity);
      if (!bytes) throw new CodexError('CODEX_ERR_ARTIFACT_MISSING', `the artifact of ${pluginId}@${version} is not stored here`, undefined, 404);
      const peerUrl = body.peerUrl.replace(/\/+$/, '');
      const label = `peer ${peerUrl}`;
      const response = await callRemote({
        label, baseUrl: peerUrl, path: '/api/plugins/publish', method: 'POST', timeoutMs: SHARE_TIMEOUT_MS, tokenEnv: body.tokenEnv, body: bytes,
        headers: { 'content-type': 'application/gzip', 'x-publisher-signature': found.signature, 'x-publisher-key': Buffer.from(publicKeyInfo(deps.signingKey()).publicKeyPem).toString('base64') },
      });
      if (response.status !== 200 && response.status !== 201) {
        const remote = remoteErrorOf(response);
        throw new CodexError('CODEX_ERR_PEER_REFUSED', `${label} refused ${pluginId}@${version}: ${remote.code}: ${remote.message}`, { peerUrl, remote, status: response.status }, 502);
      }
      const published = response.json<PublishResponse>();
      if (published.integrity !== found.integrity || published.id !== pluginId || published.version !== version) {
        throw new CodexError('CODEX_ERR_PEER_MISMATCH', `${label} stored ${published.id}@${published.version} with integrity ${published.integrity}, not ${pluginId}@${version} with ${found.integrity}`, { peerUrl }, 502);
      }
      const keys = (await callRemote({ label, baseUrl: peerUrl, path: '/api/keys', timeoutMs: SHARE_TIMEOUT_MS })).json<KeysResponse>().keys ?? [];
      const key = keys.find((candidate) => candidate.keyId === published.signingKeyId);
      const verified = key !== undefined && verifyRelease(key.publicKeyPem, pluginId, version, found.integrity, published.signature);
      if (!verified) {
        throw new CodexError('CODEX_ERR_PEER_SIGNATURE', `${label} published ${pluginId}@${version} but its signature does not verify with key ${published.signingKeyId} from its GET /api/keys`, { peerUrl }, 502);
      }
      await db.transaction((tx) => recordEvent(tx, {
        actor, type: 'plugin.shared', subject: `${pluginId}@${version}`,
        payload: { pluginId, version, peerUrl, integrity: found.integrity, peerStatus: published.status, peerSigningKeyId: published.signingKeyId },
      }));
      return { pluginId, version, peerUrl, integrity: found.integrity, peerStatus: published.status, peerSigningKeyId: published.signingKeyId, peerSignatureVerified: true };
    },
  };
}

export type FederationService = ReturnType<typeof createFederationService>;
