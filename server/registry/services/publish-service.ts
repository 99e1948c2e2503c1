import { createPublicKey, randomUUID } from 'node:crypto';
import { OFFICIAL_NAMESPACES, type PluginTier, type PublishResponse, type VersionStatus } from '../../../protocol/marketplace-api';
import type { ResolvedPluginManifest } from '../../../protocol/plugin-manifest';
import type { Role } from '../../../protocol/roles';
import type { Database, Queryable } from '../db/database';
import { createPluginsRepository } from '../db/plugins-repository';
import { CodexError } from '../errors';
import type { PluginPublishedPayload } from '../journal/catalogue-appliers';
import { recordEvent } from '../journal/event-appliers';
import { findConfusable, normalisePluginName } from '../packages/confusable-names';
import { PackageError, readPluginPackage, type PluginPackage } from '../packages/plugin-package';
import { publicKeyInfo, signRelease, verifyPublisherSignature, type SigningKey } from '../packages/signing';
import '../journal/catalogue-appliers';

/** The actor `system` publishes the official samples at bootstrap; it needs no approval. */
export const SYSTEM_ACTOR = 'system';

/** Who publishes. */
export interface Publisher {
  userId: string;
  role: Role | 'system';
}

/** A publish request as the route hands it over. */
export interface PublishRequest {
  bytes: Buffer;
  publisher: Publisher;
  /** Base64 Ed25519 signature of `id@version:integrity` by the publisher (X-Publisher-Signature). */
  publisherSignature?: string;
  /** The publisher's public key (X-Publisher-Key): a PEM (newlines may be `\n`), its base64, or base64 SPKI DER. */
  publisherKey?: string;
  /** Super-admins: publish despite a look-alike name or duplicate content, for this recorded reason. */
  override?: { reason: string };
  /** Inspects the read package before it is recorded (the debug engine's security gate). */
  gate?: (pkg: PluginPackage) => Promise<PublishGateVerdict>;
}

/** What a publish gate decided: with `quarantine`, the version is recorded `quarantined` until a super-admin decides. */
export interface PublishGateVerdict {
  quarantine?: { reason: string; findings: unknown[] };
}

/** A version ready to be recorded (the package already read and signed). */
export interface Publication {
  manifest: ResolvedPluginManifest | Record<string, unknown> & { id: string; version: string; kind: string; title: string; description: string; tags?: string[] };
  bytes: Buffer;
  integrity: string;
  contentHash: string;
  publisher: Publisher;
  publisherSignature?: string | null;
  publisherKeyPem?: string | null;
  override?: { reason: string };
  /**
   * Bulk imports (benchmarks, fixtures) whose ids are unique by construction skip the look-alike
   * and duplicate-content checks, which compare with the whole catalogue; same id+version still fails.
   */
  skipDuplicateChecks?: boolean;
  /** The publish gate's verdict: a pending `quarantine` approval and status `quarantined`. */
  quarantine?: PublishGateVerdict['quarantine'];
}

// The database's own checks on ids are narrower than the manifest's (no "." or "_" in namespaces).
const NAMESPACE_PATTERN = /^@[a-z0-9][a-z0-9-]{0,63}$/;
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/** The tier a plugin gets: official in a reserved namespace, third-party everywhere else. */
export function tierOf(id: string): PluginTier {
  return (OFFICIAL_NAMESPACES as readonly string[]).includes(namespaceOf(id)) ? 'official' : 'third-party';
}

function namespaceOf(id: string): string {
  return id.slice(0, id.indexOf('/'));
}

function isAdmin(publisher: Publisher): boolean {
  return publisher.role === 'super-admin' || publisher.role === 'system';
}

/** Reads the publisher key header in any of its accepted spellings; undefined when it is none of them. */
function parsePublisherKey(text: string): string | undefined {
  const candidates = [text.replace(/\\n/g, '\n')];
  const decoded = Buffer.from(text, 'base64');
  if (decoded.toString('utf8').includes('-----BEGIN')) candidates.push(decoded.toString('utf8'));
  try {
    for (const candidate of candidates) {
      if (candidate.includes('-----BEGIN')) return createPublicKey(candidate).export({ format: 'pem', type: 'spki' }).toString();
    }
    return createPublicKey({ key: decoded, format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }).toString();
  } catch {
    return undefined;
  }
}

/** Publishing: reads an untrusted package, refuses duplicates and look-alikes, signs and records the version. */
export function createPublishService(deps: { db: Database; signingKey: SigningKey }) {
  const plugins = createPluginsRepository(deps.db);
  const keyId = publicKeyInfo(deps.signingKey).keyId;

  /**
   * Records a version whose package is already checked: the duplicate checks run under the publish
   * lock, the artifact is stored and the `plugin.published` event applied, all in `tx`.
   */
  async function recordPublication(tx: Queryable, publication: Publication): Promise<PublishResponse> {
    const { manifest, publisher } = publication;
    const id = manifest.id;
    const version = manifest.version;
    const namespace = namespaceOf(id);
    const name = id.slice(namespace.length + 1);
    const tier = tierOf(id);
    await plugins.lockPublishing(tx);

    const owner = await plugins.findNamespace(namespace, tx);
    if (owner && owner.createdBy !== publisher.userId && !isAdmin(publisher)) {
      throw new CodexError('CODEX_ERR_NAMESPACE_FORBIDDEN', `the namespace ${namespace} belongs to ${owner.createdBy}; publish under a namespace of your own (the first publish into a new namespace creates it for you)`, { namespace, owner: owner.createdBy }, 403);
    }
    if (await plugins.findVersion(id, version, tx)) {
      throw new CodexError('CODEX_ERR_VERSION_EXISTS', `${id}@${version} is already published and published versions are immutable; raise "version" in plugin.json and publish again`, { id, version }, 409);
    }
    const existing = await plugins.findPlugin(id, tx);
    const conflicts: { rule: string; existing: string }[] = [];
    const normalizedName = normalisePluginName(id);
    if (!existing && !publication.skipDuplicateChecks) {
      const confusable = await plugins.findByNormalizedName(normalizedName, tx) ?? findConfusable(id, await plugins.allPluginIds(tx));
      if (confusable) conflicts.push({ rule: 'confusable-name', existing: confusable });
    }
    const sameContent = publication.skipDuplicateChecks ? undefined : await plugins.findVersionByContentHash(publication.contentHash, tx);
    if (sameContent) conflicts.push({ rule: 'duplicate-content', existing: `${sameContent.pluginId}@${sameContent.version}` });
    if (conflicts.length > 0 && !publication.override) {
      const first = conflicts[0]!;
      const message = first.rule === 'confusable-name'
        ? `${id} reads like the existing plugin ${first.existing}; publish a new version of ${first.existing} or extend it instead of creating a look-alike (super-admins may override with ?override=true&reason=...)`
        : `this package has the same files as ${first.existing}; upgrade or extend that plugin instead of publishing a copy (super-admins may override with ?override=true&reason=...)`;
      throw new CodexError(first.rule === 'confusable-name' ? 'CODEX_ERR_CONFUSABLE_NAME' : 'CODEX_ERR_DUPLICATE_CONTENT', message, { conflicts }, 409);
    }

    const approvals: PluginPublishedPayload['approvals'] = [];
    if (publication.override && conflicts.length > 0) {
      approvals.push({ id: randomUUID(), kind: 'duplicate-override', payload: { conflicts }, status: 'approved', decidedBy: publisher.userId, reason: publication.override.reason });
    }
    const core = (manifest.permissions as { core?: string[] } | undefined)?.core ?? [];
    if (publisher.role !== 'system') {
      if (tier === 'official') approvals.push({ id: randomUUID(), kind: 'official-version', payload: { tier }, status: 'pending', decidedBy: null, reason: null });
      if (core.length > 0) approvals.push({ id: randomUUID(), kind: 'core-permission', payload: { permissions: core }, status: 'pending', decidedBy: null, reason: null });
    }
    if (publication.quarantine) {
      approvals.push({ id: randomUUID(), kind: 'quarantine', payload: { reason: publication.quarantine.reason, findings: publication.quarantine.findings }, status: 'pending', decidedBy: null, reason: null });
    }
    const pending = approvals.some((approval) => approval.status === 'pending');
    const status: VersionStatus = publication.quarantine ? 'quarantined' : pending ? 'pending-approval' : 'active';
    const signature = signRelease(deps.signingKey, id, version, publication.integrity);
    const payload: PluginPublishedPayload = {
      id, namespace, name, normalizedName, version, kind: manifest.kind, tier, title: manifest.title, description: manifest.description,
      tags: manifest.tags ?? [], manifest: manifest as Record<string, unknown>, integrity: publication.integrity, contentHash: publication.contentHash,
      size: publication.bytes.length, signature, signingKeyId: keyId, publisherSignature: publication.publisherSignature ?? null,
      publisherKeyPem: publication.publisherKeyPem ?? null, status,
      statusReason: status === 'quarantined' ? `quarantined by the publish gate (${publication.quarantine!.reason}); a super-admin decides the quarantine approval`
        : status === 'pending-approval' ? `waiting for super-admin approval (${approvals.filter((a) => a.status === 'pending').map((a) => a.kind).join(', ')})` : null,
      approvals,
    };
    await plugins.storeArtifact(tx, publication.integrity, publication.bytes, new Date().toISOString());
    await recordEvent(tx, { actor: publisher.userId, type: 'plugin.published', subject: `${id}@${version}`, payload });
    return {
      id, version, tier, status, integrity: publication.integrity, contentHash: publication.contentHash, size: publication.bytes.length,
      signature, signingKeyId: keyId, publisherSignatureVerified: Boolean(publication.publisherSignature),
      approvals: approvals.map((approval) => ({ id: approval.id, kind: approval.kind, status: approval.status })),
    };
  }

  /** Reads and checks an untrusted package, then records it; every refusal is a 4xx and stores nothing. */
  async function publish(request: PublishRequest): Promise<PublishResponse> {
    if (request.override && request.publisher.role !== 'super-admin') {
      throw new CodexError('CODEX_ERR_FORBIDDEN', 'only super-admins may publish with ?override=true');
    }
    let pkg: PluginPackage;
    try {
      pkg = await readPluginPackage(request.bytes);
    } catch (error) {
      if (error instanceof PackageError) throw new CodexError(error.code, error.message, error.details, error.statusCode);
      throw error;
    }
    const { manifest } = pkg;
    const namespace = namespaceOf(manifest.id);
    const name = manifest.id.slice(namespace.length + 1);
    if (!NAMESPACE_PATTERN.test(namespace) || !NAME_PATTERN.test(name)) {
      throw new CodexError('CODEX_ERR_PACKAGE_MANIFEST_INVALID', `plugin.json /id: "${manifest.id}" is not accepted by this registry: the namespace may hold lower-case letters, digits and "-" (at most 64) and the name lower-case letters, digits, ".", "_" and "-" (at most 128)`, { entry: 'plugin.json' }, 422);
    }
    if (tierOf(manifest.id) === 'official' && !isAdmin(request.publisher)) {
      throw new CodexError('CODEX_ERR_NAMESPACE_FORBIDDEN', `the namespace ${namespace} is reserved for official plugins, which super-admins publish; publish under a namespace of your own`, { namespace }, 403);
    }

    let publisherKeyPem: string | undefined;
    if ((request.publisherSignature === undefined) !== (request.publisherKey === undefined)) {
      throw new CodexError('CODEX_ERR_BAD_REQUEST', 'send X-Publisher-Signature and X-Publisher-Key together (the signature of "id@version:integrity" and the public key that checks it), or neither');
    }
    if (request.publisherSignature !== undefined && request.publisherKey !== undefined) {
      publisherKeyPem = parsePublisherKey(request.publisherKey);
      if (!publisherKeyPem) throw new CodexError('CODEX_ERR_BAD_REQUEST', 'X-Publisher-Key is not an Ed25519 public key: send the PEM (newlines as \\n), its base64, or the base64 of the SPKI DER');
      if (!verifyPublisherSignature(publisherKeyPem, manifest.id, manifest.version, pkg.integrity, request.publisherSignature)) {
        throw new CodexError('CODEX_ERR_PUBLISHER_SIGNATURE_INVALID', `X-Publisher-Signature does not verify with X-Publisher-Key over "${manifest.id}@${manifest.version}:${pkg.integrity}"; sign exactly that text with your Ed25519 key`, { message: `${manifest.id}@${manifest.version}:${pkg.integrity}` }, 422);
      }
    }

    const verdict = request.gate ? await request.gate(pkg) : {};
    try {
      return await deps.db.transaction((tx) => recordPublication(tx, {
        ...(verdict.quarantine ? { quarantine: verdict.quarantine } : {}),
        manifest, bytes: request.bytes, integrity: pkg.integrity, contentHash: pkg.contentHash, publisher: request.publisher,
        publisherSignature: request.publisherSignature ?? null, publisherKeyPem: publisherKeyPem ?? null,
        override: request.override,
      }));
    } catch (error) {
      if ((error as { code?: unknown }).code === '23505') {
        throw new CodexError('CODEX_ERR_VERSION_EXISTS', `${manifest.id}@${manifest.version} was published concurrently; published versions are immutable`, { id: manifest.id, version: manifest.version }, 409);
      }
      throw error;
    }
  }

  return { publish, recordPublication, keyId };
}

export type PublishService = ReturnType<typeof createPublishService>;
