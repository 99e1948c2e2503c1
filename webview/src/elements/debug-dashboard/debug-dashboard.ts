import { html, LitElement, nothing } from 'lit';
import {
  errorMessage, isNotAvailable, type DebugSession, type DebugStats, type FixSuggestion, type MarketplaceAdapter, type RunSnapshot, type SnapshotDiff,
} from '../../adapters/marketplace-adapter';
import { renderPatch } from '../../lib/patch-view';
import { themeStyles } from '../../lib/theme-styles';
import { debugDashboardStyles } from './debug-dashboard.styles';

/** How many recent runs the dashboard shows (the registry keeps the last ten whole). */
export const SNAPSHOT_LIMIT = 10;

/** A log line with the run it came from. */
export interface DebugLogLine { snapshotId: string; level: string; message: string; at: string }

/** The log lines of `snapshots` that pass the level and text filters, newest first (run errors count as error lines). */
export function filterLogs(snapshots: RunSnapshot[], level: string, text: string): DebugLogLine[] {
  const needle = text.trim().toLowerCase();
  const lines = snapshots.flatMap((snapshot) => [
    ...snapshot.logs.map((line) => ({ snapshotId: snapshot.id, ...line })),
    ...(snapshot.error ? [{ snapshotId: snapshot.id, level: 'error', message: snapshot.error, at: snapshot.startedAt }] : []),
  ]);
  return lines
    .filter((line) => !level || line.level === level)
    .filter((line) => !needle || line.message.toLowerCase().includes(needle))
    .sort((a, b) => b.at.localeCompare(a.at));
}

/** The acceptance rate as a whole percentage. */
export function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

/** A short JSON rendering for table cells. */
function brief(value: unknown): string {
  if (value === undefined || value === null) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}…` : text;
}

/**
 * The debug dashboard of one plugin, over the registry's debug engine: "Debug now" runs a session
 * (codex scan, traced health check and examples, migration drift) and shows its verdict, findings
 * and failing runs; "Suggest fix" asks for a verified fix (the code diff and the reason) with apply
 * (publish a patch version), roll back and retry; the error logs of the last runs with filters; the
 * last ten run snapshots with the diff between any two; and fix acceptance per rule. When the
 * registry has no debug API the dashboard says so instead of showing empty tables.
 */
export class CodexDebugDashboard extends LitElement {
  static override styles = [themeStyles, debugDashboardStyles];
  static override properties = {
    adapter: { attribute: false },
    pluginId: { type: String, attribute: 'plugin-id' },
    pollIntervalMs: { type: Number },
    state: { state: true },
    error: { state: true },
    snapshots: { state: true },
    stats: { state: true },
    level: { state: true },
    filter: { state: true },
    compareA: { state: true },
    compareB: { state: true },
    diff: { state: true },
    diffError: { state: true },
    session: { state: true },
    sessionState: { state: true },
    sessionError: { state: true },
    suggestions: { state: true },
    suggesting: { state: true },
  };

  declare adapter: MarketplaceAdapter | undefined;
  declare pluginId: string;
  declare pollIntervalMs: number;
  declare state: 'idle' | 'loading' | 'ready' | 'unavailable' | 'error';
  declare error: string | undefined;
  declare snapshots: RunSnapshot[];
  declare stats: DebugStats | undefined;
  declare level: string;
  declare filter: string;
  declare compareA: string;
  declare compareB: string;
  declare diff: SnapshotDiff | undefined;
  declare diffError: string | undefined;
  declare session: DebugSession | undefined;
  declare sessionState: 'idle' | 'running' | 'error';
  declare sessionError: string | undefined;
  /** Suggestions of the current session, newest last (the session's own plus those asked for here). */
  declare suggestions: FixSuggestion[];
  /** The finding index (or "error") a suggestion is being computed for. */
  declare suggesting: string | undefined;
  private loadedKey: string | undefined;

  constructor() {
    super();
    this.adapter = undefined;
    this.pluginId = '';
    this.pollIntervalMs = 1000;
    this.state = 'idle';
    this.error = undefined;
    this.snapshots = [];
    this.stats = undefined;
    this.level = '';
    this.filter = '';
    this.compareA = '';
    this.compareB = '';
    this.diff = undefined;
    this.diffError = undefined;
    this.session = undefined;
    this.sessionState = 'idle';
    this.sessionError = undefined;
    this.suggestions = [];
    this.suggesting = undefined;
  }

  override willUpdate() {
    if (this.adapter && this.pluginId !== this.loadedKey) {
      this.loadedKey = this.pluginId;
      void this.load();
    }
  }

  /** Loads the rule statistics and, for a plugin, its last runs. */
  async load(): Promise<void> {
    if (!this.adapter) return;
    this.state = 'loading';
    this.error = undefined;
    try {
      const [stats, snapshots] = await Promise.all([
        this.adapter.debugStats(),
        this.pluginId ? this.adapter.listSnapshots(this.pluginId) : Promise.resolve([]),
      ]);
      this.stats = stats;
      this.setSnapshots(snapshots);
      this.state = 'ready';
    } catch (error) {
      if (isNotAvailable(error)) this.state = 'unavailable';
      else {
        this.state = 'error';
        this.error = errorMessage(error);
      }
    }
  }

  private setSnapshots(snapshots: RunSnapshot[]) {
    this.snapshots = snapshots.slice(0, SNAPSHOT_LIMIT);
    this.compareA = this.snapshots[1]?.id ?? '';
    this.compareB = this.snapshots[0]?.id ?? '';
    this.diff = undefined;
  }

  /** Runs a debug session of the plugin and follows it until it finishes. */
  async debugNow(): Promise<void> {
    const adapter = this.adapter;
    if (!adapter || !this.pluginId) return;
    this.sessionState = 'running';
    this.sessionError = undefined;
    this.suggestions = [];
    try {
      let session = await adapter.startDebug(this.pluginId);
      this.session = session;
      while (session.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, this.pollIntervalMs));
        session = await adapter.getDebugSession(session.id);
        this.session = session;
      }
      this.suggestions = session.suggestions;
      this.sessionState = 'idle';
      const [snapshots, stats] = await Promise.all([adapter.listSnapshots(this.pluginId), adapter.debugStats()]);
      this.setSnapshots(snapshots);
      this.stats = stats;
    } catch (error) {
      this.sessionState = 'error';
      this.sessionError = isNotAvailable(error) ? 'The debug engine is not available on this registry.' : errorMessage(error);
    }
  }

  /** Asks for a verified fix of a finding (its index) or of the first failing run ("error"). */
  async suggestFix(target: number | 'error'): Promise<void> {
    if (!this.adapter || !this.session) return;
    this.suggesting = String(target);
    this.sessionError = undefined;
    try {
      const suggestion = await this.adapter.suggestFix(this.session.id, target === 'error' ? { error: true } : { findingIndex: target });
      this.suggestions = [...this.suggestions, suggestion];
    } catch (error) {
      this.sessionError = errorMessage(error);
    } finally {
      this.suggesting = undefined;
    }
  }

  /** Applies (publishes), rolls back or retries one suggested fix. */
  async decide(fix: FixSuggestion, action: 'apply' | 'rollback' | 'retry'): Promise<void> {
    if (!this.adapter) return;
    this.sessionError = undefined;
    try {
      const updated = await this.adapter.decideFix(fix.sessionId, fix.id, action);
      this.suggestions = action === 'retry' ? [...this.suggestions, updated] : this.suggestions.map((item) => (item.id === fix.id ? updated : item));
      if (action !== 'retry') this.stats = await this.adapter.debugStats();
    } catch (error) {
      this.sessionError = errorMessage(error);
    }
  }

  /** Compares the two chosen snapshots. */
  async compare(): Promise<void> {
    if (!this.adapter || !this.compareA || !this.compareB) return;
    this.diffError = undefined;
    try {
      this.diff = await this.adapter.diffSnapshots(this.compareA, this.compareB);
    } catch (error) {
      this.diff = undefined;
      this.diffError = errorMessage(error);
    }
  }

  override render() {
    switch (this.state) {
      case 'idle':
      case 'loading': return html`<p class="state" role="status">Loading the debug dashboard…</p>`;
      case 'unavailable': return html`<div class="state unavailable" role="status"><h2>Debug engine not available on this registry</h2>
        <p class="muted">This registry does not offer the debug API (run snapshots, suggested fixes, rule statistics). Upgrade the registry to use the dashboard.</p></div>`;
      case 'error': return html`<div class="state error" role="alert"><p>Could not load the debug dashboard: ${this.error}</p><button class="secondary" @click=${() => void this.load()}>Retry</button></div>`;
      default: return this.renderReady();
    }
  }

  private renderReady() {
    return html`
      <section aria-label="Plugin">
        <form class="row" @submit=${(event: SubmitEvent) => { event.preventDefault(); this.pluginId = ((event.target as HTMLFormElement).querySelector('input') as HTMLInputElement).value.trim(); }}>
          <label>Plugin <input aria-label="Plugin id" placeholder="@scope/name" .value=${this.pluginId} /></label><button type="submit" class="secondary">Show</button>
          <button type="button" class="debug-now" ?disabled=${!this.pluginId || this.sessionState === 'running'} @click=${() => void this.debugNow()}>${this.sessionState === 'running' ? 'Debugging…' : 'Debug now'}</button>
        </form>
      </section>
      ${this.session || this.sessionError ? this.renderSession() : nothing}
      ${this.renderLogs()}
      ${this.renderSnapshots()}
      ${this.renderStats()}`;
  }

  private renderSession() {
    const session = this.session;
    const result = session?.result;
    const failingRuns = (result?.runs ?? []).filter((run) => !run.ok);
    return html`<section aria-label="Debug session" class="session">
      <h2>Debug session ${session ? html`<span class="badge" data-status=${session.status}>${session.status}</span>` : nothing}</h2>
      ${this.sessionError ? html`<p class="state error" role="alert">${this.sessionError}</p>` : nothing}
      ${session?.status === 'running' ? html`<p role="status">Scanning ${session.pluginId} ${session.version} and running its health check and examples…</p>` : nothing}
      ${result ? html`
        <p class="verdict">${result.verdict}</p>
        ${result.findings.length ? html`<table class="findings"><thead><tr><th>Rule</th><th>Severity</th><th>Where</th><th>Finding</th><th></th></tr></thead><tbody>
          ${result.findings.map((finding, index) => html`<tr><td>${finding.ruleId}</td><td>${finding.severity}</td><td><code>${finding.file}:${finding.line}</code></td><td>${finding.message}</td>
            <td><button class="secondary suggest" ?disabled=${this.suggesting !== undefined} @click=${() => void this.suggestFix(index)}>${this.suggesting === String(index) ? 'Asking…' : 'Suggest fix'}</button></td></tr>`)}
        </tbody></table>` : html`<p class="empty muted">The scan found nothing.</p>`}
        ${failingRuns.length ? html`<h3>Failing runs</h3><ul class="failing-runs">${failingRuns.map((run) => html`<li><strong>${run.kind === 'health-check' ? 'health check' : `example ${(run.index ?? 0) + 1}`}</strong> (${run.tool}): ${run.error?.code} — ${run.error?.message}
            ${run.error?.source ? html`<br /><code>${run.error.source.file}:${run.error.source.line} ${run.error.source.text}</code>` : nothing}</li>`)}</ul>
          <button class="secondary suggest-error" ?disabled=${this.suggesting !== undefined} @click=${() => void this.suggestFix('error')}>${this.suggesting === 'error' ? 'Asking…' : 'Suggest fix for the failing run'}</button>` : nothing}` : nothing}
      ${this.suggestions.map((fix) => html`
        <div class="fix" data-status=${fix.status}>
          <p><strong>${fix.rule}</strong> in <code>${fix.file}</code> — ${fix.reason} <span class="badge">${fix.status}</span>${fix.publishedVersion ? html` <span class="badge">published ${fix.publishedVersion}</span>` : nothing}</p>
          ${renderPatch(fix.diff)}
          ${fix.rejected.length ? html`<details><summary>${fix.rejected.length} candidate(s) refused by verification</summary><ul>${fix.rejected.map((reason) => html`<li>${reason}</li>`)}</ul></details>` : nothing}
          <div class="row">
            <button class="apply" ?disabled=${fix.status !== 'verified'} @click=${() => void this.decide(fix, 'apply')}>Apply</button>
            <button class="secondary rollback" ?disabled=${fix.status !== 'published'} @click=${() => void this.decide(fix, 'rollback')}>Roll back</button>
            <button class="secondary retry" @click=${() => void this.decide(fix, 'retry')}>Retry</button>
          </div>
        </div>`)}
    </section>`;
  }

  private renderLogs() {
    const logs = filterLogs(this.snapshots, this.level, this.filter);
    return html`<section aria-label="Error logs">
      <h2>Logs</h2>
      <div class="row">
        <label>Level <select aria-label="Log level" @change=${(event: Event) => { this.level = (event.target as HTMLSelectElement).value; }}>
          <option value="">all</option><option value="error">error</option><option value="warn">warn</option><option value="info">info</option><option value="debug">debug</option></select></label>
        <label>Filter <input aria-label="Filter logs" .value=${this.filter} @input=${(event: Event) => { this.filter = (event.target as HTMLInputElement).value; }} /></label>
        <span class="muted log-count">${logs.length} lines</span>
      </div>
      ${logs.length === 0 ? html`<p class="empty muted">${this.pluginId ? 'No log lines match.' : 'Choose a plugin to see its logs.'}</p>` : html`
        <table class="logs"><thead><tr><th>Time</th><th>Level</th><th>Message</th></tr></thead><tbody>
          ${logs.map((line) => html`<tr class=${`level-${line.level}`}><td>${line.at}</td><td>${line.level}</td><td>${line.message}</td></tr>`)}
        </tbody></table>`}
    </section>`;
  }

  private renderSnapshots() {
    const options = (selected: string) => this.snapshots.map((snapshot) => html`<option value=${snapshot.id} ?selected=${snapshot.id === selected}>${snapshot.startedAt} ${snapshot.version} ${snapshot.status}</option>`);
    const d = this.diff;
    return html`<section aria-label="Run snapshots">
      <h2>Last ${SNAPSHOT_LIMIT} runs</h2>
      ${this.snapshots.length === 0 ? html`<p class="empty muted">No runs recorded${this.pluginId ? ` for ${this.pluginId}` : ''}.</p>` : html`
        <table class="snapshots"><thead><tr><th>Started</th><th>Version</th><th>Status</th><th>Error</th></tr></thead><tbody>
          ${this.snapshots.map((s) => html`<tr><td>${s.startedAt}</td><td>${s.version}</td><td>${s.status}</td><td>${s.error ?? ''}</td></tr>`)}</tbody></table>
        ${this.snapshots.length > 1 ? html`<div class="row">
          <label>Compare <select aria-label="First run" @change=${(event: Event) => { this.compareA = (event.target as HTMLSelectElement).value; }}>${options(this.compareA)}</select></label>
          <label>with <select aria-label="Second run" @change=${(event: Event) => { this.compareB = (event.target as HTMLSelectElement).value; }}>${options(this.compareB)}</select></label>
          <button class="secondary compare" @click=${() => void this.compare()}>Compare</button></div>` : nothing}
        ${this.diffError ? html`<p class="state error" role="alert">${this.diffError}</p>` : nothing}
        ${d ? html`<div class="snapshot-diff">
          <p>${d.from.version} (${d.from.status}) → ${d.to.version} (${d.to.status}); ${d.durations.fromMs} ms → ${d.durations.toMs} ms; migration drift ${d.drift.from} → ${d.drift.to}${d.partial ? ' (one side is summarised: outputs and logs are not compared)' : ''}</p>
          ${d.findings.added.length || d.findings.removed.length ? html`<ul class="finding-changes">
            ${d.findings.added.map((key) => html`<li class="diff-add">+ ${key}</li>`)}${d.findings.removed.map((key) => html`<li class="diff-del">− ${key}</li>`)}</ul>` : html`<p class="muted">Same findings.</p>`}
          ${d.runs.length ? html`<table class="run-changes"><thead><tr><th>Run</th><th>Before</th><th>After</th></tr></thead><tbody>${d.runs.map((run) => html`<tr><td>${run.run}</td><td>${run.from ?? '—'}</td><td>${run.to ?? '—'}</td></tr>`)}</tbody></table>` : nothing}
          ${d.outputs.length ? html`<table class="output-changes"><thead><tr><th>Run</th><th>Output before</th><th>Output after</th></tr></thead><tbody>${d.outputs.map((o) => html`<tr><td>${o.run}</td><td><code>${brief(o.from)}</code></td><td><code>${brief(o.to)}</code></td></tr>`)}</tbody></table>` : nothing}
        </div>` : nothing}`}
    </section>`;
  }

  private renderStats() {
    const stats = this.stats;
    return html`<section aria-label="Acceptance rates">
      <h2>Fix acceptance per rule</h2>
      ${stats ? html`<p class="muted sessions">${stats.sessions.total} sessions: ${stats.sessions.passed} passed, ${stats.sessions.failed} failed, ${stats.sessions.error} could not run.</p>` : nothing}
      ${!stats || stats.rules.length === 0 ? html`<p class="empty muted">No fixes were offered yet.</p>` : html`
        <table class="rules"><thead><tr><th>Rule</th><th>Offered</th><th>Accepted</th><th>Rejected</th><th>Reverted</th><th>Acceptance</th></tr></thead><tbody>
          ${stats.rules.map((rule) => html`<tr><td>${rule.rule}</td><td>${rule.offered}</td><td>${rule.accepted}</td><td>${rule.rejected}</td><td>${rule.reverted}</td>
            <td><meter min="0" max="1" .value=${rule.acceptanceRate}></meter> ${percent(rule.acceptanceRate)}</td></tr>`)}
        </tbody></table>`}
    </section>`;
  }
}

customElements.define('codex-debug-dashboard', CodexDebugDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'codex-debug-dashboard': CodexDebugDashboard;
  }
}
