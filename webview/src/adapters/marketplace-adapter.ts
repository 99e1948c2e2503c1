/**
 * The one interface the UI elements depend on. Elements never know whether they run in a browser
 * (the registry's web console, see http-adapter.ts) or in a VS Code webview (vscode-adapter.ts, where
 * the extension host makes the HTTP calls with the user's token). Bodies are the protocol's
 * TypeBox-derived types; the one the protocol does not define (alerts) is declared here.
 */
import type { Installation, LifecycleKind, LifecycleRequest, LifecycleResult, Operation, Target } from '../../../protocol/lifecycle-api';
import type {
  Approval, ApprovalDecisionResponse, PluginDetails, PluginDiffResponse, PluginFileResponse, PluginListQuery, PluginListResponse,
  PluginRequest, PluginRequestBody, ReviewBody, ReviewResponse,
} from '../../../protocol/marketplace-api';
import type { DebugSession, DebugStats, FixSuggestion, SnapshotDiff, SnapshotListItem, SuggestBody } from '../../../protocol/debug-api';
import type { EventsPage } from '../../../protocol/events-api';
import type { Static } from '@sinclair/typebox';
import type { TryTranscriptSchema } from '../../../protocol/runtime-api';

export type {
  Approval, EventsPage, Installation, LifecycleKind, LifecycleRequest, LifecycleResult, Operation, PluginDetails, PluginDiffResponse,
  PluginFileResponse, PluginListQuery, PluginListResponse, PluginRequest, Target,
};
export type { DiffChange, PluginListItem, Review } from '../../../protocol/marketplace-api';
export type { LifecyclePlan } from '../../../protocol/lifecycle-api';
export type { DebugFinding, RunTrace } from '../../../protocol/debug-api';
export type { DebugSession, DebugStats, FixSuggestion, SnapshotDiff, SuggestBody };
/** The transcript of "install and test" (`POST /api/plugins/:scope/:name/try`). */
export type TryTranscript = Static<typeof TryTranscriptSchema>;
/** One run snapshot of the debug engine. */
export type RunSnapshot = SnapshotListItem;

/** The signed-in user. */
export interface Me {
  userId: string;
  role: string;
}

/** An operational alert (the shape of server/registry/routes/admin-routes.ts). */
export interface Alert {
  id: string;
  kind: string;
  severity: string;
  message: string;
  status: 'open' | 'acknowledged' | 'resolved' | string;
  createdAt: string;
}

/**
 * The operations the elements need. Each method maps to one registry endpoint (registry-client.ts);
 * bodies are the protocol's TypeBox types. Failures reject with an {@link AdapterError}.
 */
export interface MarketplaceAdapter {
  /** The signed-in user; rejects with status 401 when the credentials are missing or refused. */
  me(): Promise<Me | undefined>;
  listPlugins(query: PluginListQuery): Promise<PluginListResponse>;
  getPlugin(id: string, version?: string): Promise<PluginDetails>;
  readFile(id: string, version: string, path: string): Promise<PluginFileResponse>;
  diffVersions(id: string, from: string, to: string): Promise<PluginDiffResponse>;
  writeReview(id: string, review: ReviewBody): Promise<ReviewResponse>;
  listTargets(): Promise<Target[]>;
  listInstalled(target: string): Promise<Installation[]>;
  runOperation(kind: LifecycleKind, request: LifecycleRequest): Promise<LifecycleResult>;
  getOperation(id: string): Promise<Operation>;
  tryPlugin(id: string, version: string): Promise<TryTranscript>;
  listApprovals(): Promise<Approval[]>;
  decideApproval(id: string, decision: 'approve' | 'reject', reason: string): Promise<ApprovalDecisionResponse>;
  listPluginRequests(): Promise<PluginRequest[]>;
  createPluginRequest(request: PluginRequestBody): Promise<PluginRequest>;
  listAlerts(): Promise<Alert[]>;
  updateAlert(id: string, action: 'acknowledge' | 'resolve'): Promise<void>;
  listEvents(after?: number, limit?: number): Promise<EventsPage>;
  listSnapshots(pluginId: string): Promise<RunSnapshot[]>;
  diffSnapshots(from: string, to: string): Promise<SnapshotDiff>;
  debugStats(): Promise<DebugStats>;
  startDebug(pluginId: string): Promise<DebugSession>;
  getDebugSession(id: string): Promise<DebugSession>;
  suggestFix(sessionId: string, body: SuggestBody): Promise<FixSuggestion>;
  decideFix(sessionId: string, fixId: string, action: 'apply' | 'rollback' | 'retry' | 'reject'): Promise<FixSuggestion>;
}

/** A failed adapter call: the HTTP status and the registry's error code and message. */
export class AdapterError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'AdapterError';
  }

  /**
   * True when the registry has no such endpoint (a 404 from the router, not a coded "no such
   * plugin" 404): the feature is not available on this registry.
   */
  get notAvailable(): boolean {
    return this.status === 404 && !this.code.startsWith('CODEX_ERR_');
  }
}

/** True when `error` says the endpoint does not exist on this registry. */
export function isNotAvailable(error: unknown): boolean {
  return error instanceof AdapterError && error.notAvailable;
}

/** A message for the user from any rejection. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
