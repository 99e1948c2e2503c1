import type { PluginTier, VersionStatus } from '../../../protocol/marketplace-api';
import { createApprovalsRepository, type ApprovalInsert } from '../db/approvals-repository';
import { createPluginRequestsRepository } from '../db/plugin-requests-repository';
import { createPluginsRepository } from '../db/plugins-repository';
import { defineApplier } from './event-appliers';

/**
 * The catalogue's events and how they change the tables. Everything an applier writes comes from
 * the event (ids, timestamps = `event.ts`, the publishing actor), so replaying the journal onto an
 * empty database reproduces the catalogue. Artifact bytes are not in the journal: they are stored,
 * addressed by integrity, in the same transaction before the `plugin.published` event.
 */

/** `plugin.published` (subject `id@version`): a new immutable version, and its plugin and namespace on first publish. */
export interface PluginPublishedPayload {
  [key: string]: unknown;
  id: string;
  namespace: string;
  name: string;
  normalizedName: string;
  version: string;
  kind: string;
  tier: PluginTier;
  title: string;
  description: string;
  tags: string[];
  /** The validated manifest (defaults filled in). */
  manifest: Record<string, unknown>;
  integrity: string;
  contentHash: string;
  size: number;
  signature: string;
  signingKeyId: string;
  publisherSignature: string | null;
  /** The publisher's public key (PEM) that verified `publisherSignature`. */
  publisherKeyPem: string | null;
  status: VersionStatus;
  statusReason: string | null;
  /** Approvals created with the version: pending ones it waits for, and decided overrides. */
  approvals: Omit<ApprovalInsert, 'pluginId' | 'version' | 'requestedBy' | 'createdAt'>[];
}

/** `plugin.approved` / `plugin.rejected` (subject: the approval id). */
export interface ApprovalDecidedPayload {
  [key: string]: unknown;
  approvalId: string;
  kind: string;
  pluginId: string;
  version: string | null;
  reason: string | null;
}

/** `review.posted` (subject: the plugin id): the author is the event's actor. */
export interface ReviewPostedPayload {
  [key: string]: unknown;
  pluginId: string;
  rating: number;
  text: string;
}

/** `plugin-request.created` (subject: the request id): the requester is the event's actor. */
export interface PluginRequestCreatedPayload {
  [key: string]: unknown;
  id: string;
  kind: 'new-plugin' | 'install';
  title: string;
  description: string;
  pluginId: string | null;
  targetId: string | null;
}

export const CATALOGUE_EVENT_TYPES = ['plugin.published', 'plugin.approved', 'plugin.rejected', 'review.posted', 'plugin-request.created'] as const;

defineApplier('plugin.published', async (tx, event) => {
  const payload = event.payload as PluginPublishedPayload;
  const plugins = createPluginsRepository(tx);
  const approvals = createApprovalsRepository(tx);
  await plugins.ensureNamespace(tx, payload.namespace, event.actor, event.ts);
  await plugins.ensurePlugin(tx, {
    id: payload.id, namespace: payload.namespace, name: payload.name, normalizedName: payload.normalizedName, kind: payload.kind,
    tier: payload.tier, title: payload.title, description: payload.description, tags: payload.tags, createdBy: event.actor, createdAt: event.ts,
  });
  await plugins.insertVersion(tx, {
    pluginId: payload.id, version: payload.version, manifest: payload.manifest, integrity: payload.integrity, contentHash: payload.contentHash,
    signature: payload.signature, signingKeyId: payload.signingKeyId, publisherSignature: payload.publisherSignature, status: payload.status,
    statusReason: payload.statusReason, publishedBy: event.actor, publishedAt: event.ts,
  });
  for (const approval of payload.approvals) {
    await approvals.insert(tx, { ...approval, pluginId: payload.id, version: payload.version, requestedBy: event.actor, createdAt: event.ts });
  }
  if (payload.status === 'active') await plugins.refreshLatest(tx, payload.id, event.ts);
});

defineApplier('plugin.approved', async (tx, event) => {
  const payload = event.payload as ApprovalDecidedPayload;
  const approvals = createApprovalsRepository(tx);
  await approvals.decide(tx, payload.approvalId, { status: 'approved', decidedBy: event.actor, reason: payload.reason, decidedAt: event.ts });
  if (payload.version === null) return;
  // A version waiting for approval goes live once nothing blocks it any more.
  const plugins = createPluginsRepository(tx);
  const version = await plugins.findVersion(payload.pluginId, payload.version, tx);
  // A quarantined version (the publish gate's critical findings) is released only by deciding its
  // quarantine approval; it then waits for any other approval like any pending version.
  const lifted = version?.status === 'quarantined' && payload.kind === 'quarantine';
  if (version?.status !== 'pending-approval' && !lifted) return;
  const open = await approvals.countForVersion(tx, payload.pluginId, payload.version);
  if (open.rejected > 0) return;
  if (open.pending > 0) {
    if (lifted) await plugins.setVersionStatus(tx, payload.pluginId, payload.version, 'pending-approval', `quarantine lifted by ${event.actor}; waiting for the other approvals`);
    return;
  }
  await plugins.setVersionStatus(tx, payload.pluginId, payload.version, 'active', `approved by ${event.actor}`);
  await plugins.refreshLatest(tx, payload.pluginId, event.ts);
});

defineApplier('plugin.rejected', async (tx, event) => {
  const payload = event.payload as ApprovalDecidedPayload;
  await createApprovalsRepository(tx).decide(tx, payload.approvalId, { status: 'rejected', decidedBy: event.actor, reason: payload.reason, decidedAt: event.ts });
  if (payload.version === null) return;
  const plugins = createPluginsRepository(tx);
  const version = await plugins.findVersion(payload.pluginId, payload.version, tx);
  if (version?.status !== 'pending-approval' && !(version?.status === 'quarantined' && payload.kind === 'quarantine')) return;
  await plugins.setVersionStatus(tx, payload.pluginId, payload.version, 'yanked', `${payload.kind} rejected by ${event.actor}${payload.reason ? `: ${payload.reason}` : ''}`);
  await plugins.refreshLatest(tx, payload.pluginId, event.ts);
});

defineApplier('review.posted', async (tx, event) => {
  const payload = event.payload as ReviewPostedPayload;
  await createPluginsRepository(tx).upsertReview(tx, { pluginId: payload.pluginId, userId: event.actor, rating: payload.rating, text: payload.text, at: event.ts });
});

defineApplier('plugin-request.created', async (tx, event) => {
  const payload = event.payload as PluginRequestCreatedPayload;
  await createPluginRequestsRepository(tx).insert(tx, {
    id: payload.id, kind: payload.kind, title: payload.title, description: payload.description, pluginId: payload.pluginId,
    targetId: payload.targetId, requestedBy: event.actor, createdAt: event.ts,
  });
});
