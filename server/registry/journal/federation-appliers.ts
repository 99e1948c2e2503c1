import { createUpstreamsRepository, type ProvenanceRecord, type UpstreamRecord } from '../db/upstreams-repository';
import { defineApplier } from './event-appliers';

/**
 * Federation's events and how they change the tables. Everything comes from the event (the pinned
 * key, cursors, timestamps = `event.ts`), so replay rebuilds upstreams and provenance. The copied
 * versions themselves are ordinary `plugin.published` events recorded just before
 * `plugin.federated` in the same transaction.
 */

/** `upstream.added` (subject: the upstream id). The token is never in the event: only the name of its variable. */
export type UpstreamAddedPayload = { [key: string]: unknown } & Pick<UpstreamRecord,
  'id' | 'url' | 'mode' | 'include' | 'exclude' | 'tokenEnv' | 'timeoutMs' | 'failureThreshold' | 'cooldownMs' | 'signingKeyId' | 'signingKeyPem'>;

/** `upstream.removed` (subject: the upstream id). */
export interface UpstreamRemovedPayload {
  [key: string]: unknown;
  id: string;
}

/** `upstream.synced` (subject: the upstream id): a mirror sync processed the upstream's journal up to `cursor`. */
export interface UpstreamSyncedPayload {
  [key: string]: unknown;
  id: string;
  cursor: number;
  imported: string[];
}

/** `plugin.federated` (subject `id@version`): the version just published here was copied from an upstream. */
export interface PluginFederatedPayload extends Omit<ProvenanceRecord, 'importedBy' | 'importedAt'> {
  [key: string]: unknown;
  /** plugins.origin: the upstream's URL for linked and mirrored plugins, null for clones (they are local). */
  origin: string | null;
  /** plugins.forked_from: `id@version` of the source for clones. */
  forkedFrom: string | null;
}

/** `target.cloned` (subject: the new target id): the target was created as a copy of `from`. */
export interface TargetClonedPayload {
  [key: string]: unknown;
  id: string;
  from: string;
}

/** `plugin.shared` (subject `id@version`) is informational: a version was pushed to a peer registry. */
export const FEDERATION_EVENT_TYPES = ['upstream.added', 'upstream.removed', 'upstream.synced', 'plugin.federated', 'plugin.shared', 'target.cloned'] as const;

defineApplier('upstream.added', async (tx, event) => {
  const payload = event.payload as UpstreamAddedPayload;
  await createUpstreamsRepository(tx).insert(tx, { ...payload, createdBy: event.actor, createdAt: event.ts });
});

defineApplier('upstream.removed', async (tx, event) => {
  await createUpstreamsRepository(tx).delete(tx, (event.payload as UpstreamRemovedPayload).id);
});

defineApplier('upstream.synced', async (tx, event) => {
  const payload = event.payload as UpstreamSyncedPayload;
  await createUpstreamsRepository(tx).setCursor(tx, payload.id, payload.cursor, event.ts);
});

defineApplier('plugin.federated', async (tx, event) => {
  const { origin, forkedFrom, ...record } = event.payload as PluginFederatedPayload;
  const repo = createUpstreamsRepository(tx);
  await repo.insertProvenance(tx, { ...record, importedBy: event.actor, importedAt: event.ts });
  await repo.setPluginProvenance(tx, record.pluginId, origin, forkedFrom);
});

defineApplier('target.cloned', async (tx, event) => {
  const payload = event.payload as TargetClonedPayload;
  await createUpstreamsRepository(tx).setTargetClonedFrom(tx, payload.id, payload.from);
});
