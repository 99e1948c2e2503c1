import type { ApiRequest, ApiResponse } from '../../../protocol/webview-messages';
import {
  AdapterError, type Alert, type Approval, type DebugSession, type DebugStats, type EventsPage, type FixSuggestion, type Installation,
  type LifecycleResult, type MarketplaceAdapter, type Operation, type PluginDetails, type PluginDiffResponse, type PluginFileResponse,
  type PluginListResponse, type PluginRequest, type RunSnapshot, type SnapshotDiff, type Target, type TryTranscript,
} from './marketplace-adapter';
import type { ApprovalDecisionResponse, ReviewResponse } from '../../../protocol/marketplace-api';

/** Sends one HTTP request to the registry: fetch in the browser, postMessage to the host in VS Code. */
export type ApiTransport = (request: ApiRequest) => Promise<ApiResponse>;

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Json : {});
const asString = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback);

/** "@scope/name" → "/api/plugins/@scope/name" (each segment encoded). */
export function pluginPath(id: string): string {
  const [scope, ...rest] = id.split('/');
  return `/api/plugins/${encodeURIComponent(scope ?? '')}/${rest.map(encodeURIComponent).join('/')}`;
}

/** A query string from defined values; empty when there are none. */
export function queryString(values: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The message of an error body: the registry's `{ error: { code, message } }` or Fastify's own `{ code, message }`. */
function adapterError(response: ApiResponse): AdapterError {
  const error = asObject(asObject(response.body).error);
  const fastify = asObject(response.body);
  const code = asString(error.code) || asString(fastify.code) || `HTTP_${response.status}`;
  const message = asString(error.message) || asString(fastify.message) || (typeof response.body === 'string' && response.body ? response.body : `the registry answered ${response.status}`);
  return new AdapterError(response.status, code, message);
}

/**
 * The {@link MarketplaceAdapter} over the registry's HTTP API. Both hosts use it: the browser with a
 * fetch transport, VS Code with a postMessage transport, so the endpoint mapping lives only here.
 * Bodies are the protocol's types, trusted as typed.
 */
export function createRegistryAdapter(transport: ApiTransport): MarketplaceAdapter {
  async function call<T>(method: ApiRequest['method'], path: string, body?: unknown): Promise<T> {
    const response = await transport(body === undefined ? { method, path } : { method, path, body });
    if (response.status === 0) throw new AdapterError(0, 'CODEX_ERR_UNREACHABLE', asString(response.body, 'the registry cannot be reached'));
    if (response.status >= 400) throw adapterError(response);
    return response.body as T;
  }

  return {
    me: () => call<{ userId: string; role: string }>('GET', '/api/me'),
    listPlugins: (query) => call<PluginListResponse>('GET', `/api/plugins/list${queryString({ ...query, q: query.q?.trim() })}`),
    getPlugin: (id, version) => call<PluginDetails>('GET', `${pluginPath(id)}${queryString({ version })}`),
    readFile: (id, version, path) => call<PluginFileResponse>('GET', `${pluginPath(id)}/versions/${encodeURIComponent(version)}/files/${path.split('/').map(encodeURIComponent).join('/')}`),
    diffVersions: (id, from, to) => call<PluginDiffResponse>('GET', `${pluginPath(id)}/diff${queryString({ from, to })}`),
    writeReview: (id, review) => call<ReviewResponse>('POST', `${pluginPath(id)}/reviews`, review),
    listTargets: async () => (await call<{ items: Target[] }>('GET', '/api/targets')).items,
    listInstalled: async (target) => (await call<{ items: Installation[] }>('GET', `/api/plugins/installed${queryString({ target })}`)).items,
    runOperation: (kind, request) => call<LifecycleResult>('POST', `/api/plugins/${kind}`, request),
    getOperation: async (id) => {
      const body = asObject(await call<unknown>('GET', `/api/operations/${encodeURIComponent(id)}`));
      return (body.operation ?? body) as Operation;
    },
    tryPlugin: (id, version) => call<TryTranscript>('POST', `${pluginPath(id)}/try`, { version }),
    listApprovals: async () => (await call<{ items: Approval[] }>('GET', '/api/admin/approvals')).items,
    decideApproval: (id, decision, reason) => call<ApprovalDecisionResponse>('POST', `/api/admin/approvals/${encodeURIComponent(id)}`, reason ? { decision, reason } : { decision }),
    listPluginRequests: async () => (await call<{ items: PluginRequest[] }>('GET', '/api/plugin-requests')).items,
    createPluginRequest: async (request) => {
      const body = asObject(await call<unknown>('POST', '/api/plugin-requests', request));
      return (body.request ?? body) as PluginRequest;
    },
    listAlerts: async () => (await call<{ items: Alert[] }>('GET', '/api/admin/alerts?status=unresolved')).items,
    updateAlert: async (id, action) => { await call('POST', `/api/admin/alerts/${encodeURIComponent(id)}`, { action }); },
    listEvents: (after, limit) => call<EventsPage>('GET', `/api/events${queryString({ after, limit })}`),
    listSnapshots: async (pluginId) => (await call<{ items: RunSnapshot[] }>('GET', `/api/debug/snapshots${queryString({ pluginId })}`)).items,
    diffSnapshots: (from, to) => call<SnapshotDiff>('GET', `/api/debug/snapshots/diff${queryString({ from, to })}`),
    debugStats: () => call<DebugStats>('GET', '/api/debug/stats'),
    startDebug: async (pluginId) => (await call<{ session: DebugSession }>('POST', `/api/debug/start${queryString({ pluginId })}`, {})).session,
    getDebugSession: (id) => call<DebugSession>('GET', `/api/debug/sessions/${encodeURIComponent(id)}`),
    suggestFix: (sessionId, body) => call<FixSuggestion>('POST', `/api/debug/sessions/${encodeURIComponent(sessionId)}/suggest`, body),
    decideFix: (sessionId, fixId, action) => call<FixSuggestion>('POST', `/api/debug/sessions/${encodeURIComponent(sessionId)}/fixes/${encodeURIComponent(fixId)}`, { action }),
  };
}

