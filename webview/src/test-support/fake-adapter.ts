import type { DebugSession, DebugStats, FixSuggestion, SnapshotListItem } from '../../../protocol/debug-api';
import type { LifecyclePlan, Operation } from '../../../protocol/lifecycle-api';
import { AdapterError, type MarketplaceAdapter, type PluginDetails, type PluginListItem } from '../adapters/marketplace-adapter';

/** A catalogue entry with defaults. */
export function listItem(overrides: Partial<PluginListItem> = {}): PluginListItem {
  return {
    id: '@codex/text-stats', version: '1.0.0', kind: 'tool', tier: 'official', title: 'Text statistics', description: 'Counts words.',
    tags: ['text'], installs: 12, rating: 4.5, ratingCount: 2, recommended: true, trending: 1, ...overrides,
  };
}

/** Plugin details with defaults. */
export function details(overrides: Partial<PluginDetails> = {}): PluginDetails {
  const version = { version: '1.1.0', status: 'active' as const, statusReason: null, integrity: 'sha512-x', signature: 's', signingKeyId: 'k', publishedBy: 'system', publishedAt: '2026-01-02T00:00:00Z' };
  return {
    id: '@codex/text-stats', namespace: '@codex', name: 'text-stats', kind: 'tool', tier: 'official', title: 'Text statistics', description: 'Counts words.',
    tags: ['text'], latestVersion: '1.1.0', recommended: true, deprecated: false, replacement: null, installs: 3, rating: 5, ratingCount: 1, trending: 0,
    createdBy: 'system', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-02T00:00:00Z',
    versions: [version, { ...version, version: '1.0.0', publishedAt: '2026-01-01T00:00:00Z' }], version,
    manifest: { id: '@codex/text-stats', version: '1.1.0' },
    permissions: { network: ['api.example.com'], storage: true },
    tools: [{ name: 'analyze', description: 'Counts things.', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }],
    dependencies: { '@codex/text-summary': '^1.0.0' },
    configSchema: null,
    files: [{ path: 'index.js', size: 20 }, { path: 'plugin.json', size: 40 }],
    readme: '# Text stats\n\nCounts **words**. <script>alert(1)</script>',
    reviews: [{ userId: 'alice', rating: 5, text: 'Great', createdAt: '2026-01-03T00:00:00Z', updatedAt: '2026-01-03T00:00:00Z' }],
    ...overrides,
  };
}

/** A lifecycle plan with defaults. */
export function plan(overrides: Partial<LifecyclePlan> = {}): LifecyclePlan {
  return {
    kind: 'install', targetId: 'default', pluginId: '@codex/text-stats', fromVersion: null, toVersion: '1.0.0',
    install: [
      { pluginId: '@codex/text-stats', version: '1.0.0', asDependency: false, dataSchema: 'p_a' },
      { pluginId: '@codex/text-summary', version: '1.0.0', asDependency: true, dataSchema: 'p_b' },
    ],
    change: [], remove: [],
    migrations: [{ pluginId: '@codex/text-stats', dataSchema: 'p_a', direction: 'up', sourceVersion: '1.0.0', steps: [{ version: 1, name: 'create-notes' }] }],
    permissions: [{ pluginId: '@codex/text-stats', added: ['network:api.example.com'], removed: [] }],
    dependentsAffected: [],
    targetState: { before: 'a', after: 'b' },
    ...overrides,
  };
}

/** An operation with defaults. */
export function operation(overrides: Partial<Operation> = {}): Operation {
  return {
    id: 'op-1', kind: 'install', targetId: 'default', pluginId: '@codex/text-stats', fromVersion: null, toVersion: '1.0.0', status: 'succeeded',
    plan: plan(), diffLog: [{ pluginId: '@codex/text-stats', field: 'version', from: null, to: '1.0.0' }], snapshot: {}, idempotencyKey: null,
    actor: 'admin', createdAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z', ...overrides,
  };
}

/** A run snapshot with defaults. */
export function snapshot(id: string, overrides: Partial<SnapshotListItem> = {}): SnapshotListItem {
  return {
    id, sessionId: `s-${id}`, pluginId: '@codex/flaky-greeter', version: '1.1.0', startedAt: `2026-01-01T00:00:0${id}Z`, status: 'ok', sessionStatus: 'passed', whole: true,
    summary: {}, input: { name: 'Ada' }, output: { greeting: 'Hello Ada' }, logs: [{ level: 'info', message: `run ${id} started`, at: `2026-01-01T00:00:0${id}Z` }], ...overrides,
  };
}

/** A verified fix suggestion with defaults. */
export function fixSuggestion(overrides: Partial<FixSuggestion> = {}): FixSuggestion {
  return {
    id: 'f1', sessionId: 's1', pluginId: '@codex/flaky-greeter', version: '1.1.0', rule: 'health-check', file: 'index.js', status: 'verified',
    reason: 'the health check throws; return a healthy probe', diff: '--- a/index.js\n+++ b/index.js\n@@ -1 +1 @@\n-throw new Error("down")\n+return { ok: true }',
    rejected: [], publishedVersion: null, createdAt: '', retry: { method: 'POST', path: '/api/debug/sessions/s1/suggest', body: {} }, ...overrides,
  };
}

/** A finished debug session with defaults: one finding and a failing health check. */
export function debugSession(overrides: Partial<DebugSession> = {}): DebugSession {
  return {
    id: 's1', pluginId: '@codex/flaky-greeter', version: '1.1.0', target: null, trigger: 'manual', status: 'failed', fingerprint: null, startedBy: 'admin',
    createdAt: '', finishedAt: '', suggestions: [],
    result: {
      verdict: 'failed: the health check threw PLUGIN_ERROR', errors: [],
      findings: [{ ruleId: 'codex/no-floating-promise', category: 'correctness', severity: 'warning', message: 'a promise is neither awaited nor returned', file: 'index.js', line: 7, fixes: 1, acceptanceRate: 0.5 }],
      scan: { files: 2, errors: [], durationMs: 10 },
      runs: [{ kind: 'health-check', tool: 'healthCheck', input: {}, ok: false, error: { code: 'PLUGIN_ERROR', message: 'template store unreachable', source: { file: 'index.js', line: 12, text: 'throw new Error(...)' } }, logs: [], durationMs: 3, bridgeCalls: [], bridgeCallCount: 0 }],
      migrations: null, durations: { totalMs: 20, scanMs: 10, runsMs: 5, migrationsMs: 0 }, versions: { plugin: '1.1.0', codexRules: 40, node: 'v20' },
    },
    ...overrides,
  };
}

/** Debug statistics with defaults. */
export function debugStats(overrides: Partial<DebugStats> = {}): DebugStats {
  return {
    rules: [{ rule: 'codex/no-floating-promise', offered: 4, accepted: 3, rejected: 1, reverted: 0, failedVerification: 1, acceptanceRate: 0.75, verificationRate: 0.8 }],
    days: [], sessions: { total: 5, passed: 3, failed: 2, error: 0, running: 0 }, ...overrides,
  };
}

/** The 404 the router gives for an endpoint the registry does not have. */
export const routeNotFound = () => new AdapterError(404, 'FST_ERR_NOT_FOUND', 'Route not found');

/** Every call made to a fake adapter, in order. */
export type CallLog = { method: string; args: unknown[] }[];

/**
 * A {@link MarketplaceAdapter} for element tests: sensible answers by default, any method
 * replaced through `overrides`, and every call recorded in `calls`.
 */
export function createFakeAdapter(overrides: Partial<MarketplaceAdapter> = {}): MarketplaceAdapter & { calls: CallLog } {
  const calls: CallLog = [];
  const defaults: MarketplaceAdapter = {
    me: async () => ({ userId: 'admin', role: 'super-admin' }),
    listPlugins: async () => ({ items: [listItem()], nextCursor: null }),
    getPlugin: async () => details(),
    readFile: async (_id, _version, path) => ({ path, size: 10, content: `// ${path}\nexport const x = 1;` }),
    diffVersions: async (_id, from, to) => ({ id: '@codex/text-stats', from, to, changes: [{ section: 'tools', path: '/tools/analyze/description', change: 'changed', before: 'old', after: 'new' }] }),
    writeReview: async (_id, review) => ({ review: { userId: 'admin', rating: review.rating, text: review.text ?? '', createdAt: '', updatedAt: '' }, rating: review.rating, ratingCount: 1 }),
    listTargets: async () => [{ id: 'default', name: 'Default', description: '', clonedFrom: null, createdBy: 'system', createdAt: '' }],
    listInstalled: async () => [],
    runOperation: async (kind, request) => ({ dryRun: request.dryRun === true, noop: false, plan: plan({ kind }), operation: request.dryRun ? null : operation({ kind }), installation: null }),
    getOperation: async (id) => operation({ id }),
    tryPlugin: async () => { throw routeNotFound(); },
    listApprovals: async () => [],
    decideApproval: async () => { throw new Error('not set'); },
    listPluginRequests: async () => [],
    createPluginRequest: async (request) => ({ id: 'r1', kind: request.kind, title: request.title, description: request.description ?? '', pluginId: null, targetId: null, status: 'open', requestedBy: 'admin', decidedBy: null, reason: null, createdAt: '', updatedAt: '' }),
    listAlerts: async () => [],
    updateAlert: async () => undefined,
    listEvents: async () => ({ items: [], nextAfter: 0, hasMore: false, head: 0 }),
    listSnapshots: async () => { throw routeNotFound(); },
    diffSnapshots: async () => { throw routeNotFound(); },
    debugStats: async () => { throw routeNotFound(); },
    startDebug: async () => { throw routeNotFound(); },
    getDebugSession: async () => { throw routeNotFound(); },
    suggestFix: async () => { throw routeNotFound(); },
    decideFix: async () => { throw routeNotFound(); },
  };
  const merged = { ...defaults, ...overrides };
  const adapter = Object.fromEntries(Object.entries(merged).map(([name, fn]) => [name, (...args: unknown[]) => {
    calls.push({ method: name, args });
    return (fn as (...a: unknown[]) => unknown)(...args);
  }])) as unknown as MarketplaceAdapter;
  return Object.assign(adapter, { calls });
}
