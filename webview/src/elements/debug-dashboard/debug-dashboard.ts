import { createTwoFilesPatch } from 'diff';
import { html, LitElement, nothing } from 'lit';
import { errorMessage, isNotAvailable, type DebugSession, type DebugStats, type FixSuggestion, type MarketplaceAdapter, type RunSnapshot } from '../../adapters/marketplace-adapter';
import { renderPatch } from '../../lib/patch-view';
import { themeStyles } from '../../lib/theme-styles';
import { debugDashboardStyles } from './debug-dashboard.styles';

/** How many recent runs the dashboard keeps. */
export const SNAPSHOT_LIMIT = 10;

/** A log line with the run it came from. */
export interface DebugLogLine { snapshotId: string; level: string; message: string; at: string }

/** The log lines of `snapshots` that pass the level and text filters, newest first. */
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

/** A unified diff of two run snapshots (input, output, status, error and logs as pretty JSON). */
export function diffSnapshots(a: RunSnapshot, b: RunSnapshot): string {
  const text = (snapshot: RunSnapshot) => JSON.stringify({ version: snapshot.version, status: snapshot.status, input: snapshot.input, output: snapshot.output, error: snapshot.error ?? null, logs: snapshot.logs.map((line) => `${line.level}: ${line.message}`) }, null, 2);
  return createTwoFilesPatch(`run ${a.id}`, `run ${b.id}`, text(a), text(b), a.startedAt, b.startedAt);
}

/** The share of accepted fixes, 0–1 (0 when none were decided). */
export function acceptanceRate(rule: { accepted: number; rejected: number }): number {
  const total = rule.accepted + rule.rejected;
  return total === 0 ? 0 : rule.accepted / total;
}

/**
 * The debug dashboard of one plugin: error logs with filters, debug output, the last ten run
 * snapshots with a diff between any two, "Suggest fix" (the code diff, the reason, apply /
 * rollback / retry) and the acceptance rate of each rule. When the registry has no debug API the
 * dashboard says so instead of showing empty tables.
 */
export class CodexDebugDashboard extends LitElement {
  static override styles = [themeStyles, debugDashboardStyles];
  static override properties = {
    adapter: { attribute: false },
    pluginId: { type: String, attribute: 'plugin-id' },
    state: { state: true },
    error: { state: true },
    snapshots: { state: true },
    stats: { state: true },
    level: { state: true },
    filter: { state: true },
    compareA: { state: true },
    compareB: { state: true },
    session: { state: true },
    sessionState: { state: true },
    sessionError: { state: true },
  };

  declare adapter: MarketplaceAdapter | undefined;
  declare pluginId: string;
  declare state: 'idle' | 'loading' | 'ready' | 'unavailable' | 'error';
  declare error: string | undefined;
  declare snapshots: RunSnapshot[];
  declare stats: DebugStats | undefined;
  declare level: string;
  declare filter: string;
  declare compareA: string;
  declare compareB: string;
  declare session: DebugSession | undefined;
  declare sessionState: 'idle' | 'running' | 'error';
  declare sessionError: string | undefined;
  private loadedKey: string | undefined;

  constructor() {
    super();
    this.adapter = undefined;
    this.pluginId = '';
    this.state = 'idle';
    this.error = undefined;
    this.snapshots = [];
    this.stats = undefined;
    this.level = '';
    this.filter = '';
    this.compareA = '';
    this.compareB = '';
    this.session = undefined;
    this.sessionState = 'idle';
    this.sessionError = undefined;
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
      this.snapshots = snapshots.slice(0, SNAPSHOT_LIMIT);
      this.compareA = this.snapshots[1]?.id ?? this.snapshots[0]?.id ?? '';
      this.compareB = this.snapshots[0]?.id ?? '';
      this.state = 'ready';
    } catch (error) {
      if (isNotAvailable(error)) this.state = 'unavailable';
      else {
        this.state = 'error';
        this.error = errorMessage(error);
      }
    }
  }

  /** Starts a debug session for the plugin and shows its suggested fixes. */
  async suggestFix(): Promise<void> {
    if (!this.adapter || !this.pluginId) return;
    this.sessionState = 'running';
    this.sessionError = undefined;
    try {
      this.session = await this.adapter.startDebug(this.pluginId);
      this.sessionState = 'idle';
    } catch (error) {
      this.sessionState = 'error';
      this.sessionError = isNotAvailable(error) ? 'The debug engine is not available on this registry.' : errorMessage(error);
    }
  }

  /** Applies, rolls back or retries one suggested fix. */
  async decide(fix: FixSuggestion, action: 'apply' | 'rollback' | 'retry'): Promise<void> {
    if (!this.adapter || !this.session) return;
    try {
      const updated = await this.adapter.decideFix(this.session.id, fix.id, action);
      this.session = { ...this.session, suggestions: this.session.suggestions.map((item) => (item.id === fix.id ? updated : item)) };
      if (action !== 'retry') this.stats = await this.adapter.debugStats();
    } catch (error) {
      this.sessionError = errorMessage(error);
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
    const logs = filterLogs(this.snapshots, this.level, this.filter);
    const a = this.snapshots.find((snapshot) => snapshot.id === this.compareA);
    const b = this.snapshots.find((snapshot) => snapshot.id === this.compareB);
    const options = (selected: string) => this.snapshots.map((snapshot) => html`<option value=${snapshot.id} ?selected=${snapshot.id === selected}>${snapshot.startedAt} ${snapshot.status}</option>`);
    return html`
      <section aria-label="Plugin">
        <form class="row" @submit=${(event: SubmitEvent) => { event.preventDefault(); this.pluginId = ((event.target as HTMLFormElement).querySelector('input') as HTMLInputElement).value.trim(); }}>
          <label>Plugin <input aria-label="Plugin id" placeholder="@scope/name" .value=${this.pluginId} /></label><button type="submit" class="secondary">Show</button>
          <button type="button" class="suggest" ?disabled=${!this.pluginId || this.sessionState === 'running'} @click=${() => void this.suggestFix()}>${this.sessionState === 'running' ? 'Analysing…' : 'Suggest fix'}</button>
        </form>
      </section>
      ${this.session || this.sessionError ? this.renderSession() : nothing}
      <section aria-label="Error logs">
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
      </section>
      <section aria-label="Run snapshots">
        <h2>Last ${SNAPSHOT_LIMIT} runs</h2>
        ${this.snapshots.length === 0 ? html`<p class="empty muted">No runs recorded${this.pluginId ? ` for ${this.pluginId}` : ''}.</p>` : html`
          <table class="snapshots"><thead><tr><th>Started</th><th>Version</th><th>Status</th><th>Error</th></tr></thead><tbody>
            ${this.snapshots.map((s) => html`<tr><td>${s.startedAt}</td><td>${s.version}</td><td>${s.status}</td><td>${s.error ?? ''}</td></tr>`)}</tbody></table>
          ${this.snapshots.length > 1 ? html`<div class="row">
            <label>Compare <select aria-label="First run" @change=${(event: Event) => { this.compareA = (event.target as HTMLSelectElement).value; }}>${options(this.compareA)}</select></label>
            <label>with <select aria-label="Second run" @change=${(event: Event) => { this.compareB = (event.target as HTMLSelectElement).value; }}>${options(this.compareB)}</select></label></div>
            ${a && b ? renderPatch(diffSnapshots(a, b)) : nothing}` : nothing}`}
      </section>
      <section aria-label="Acceptance rates">
        <h2>Fix acceptance per rule</h2>
        ${!this.stats || this.stats.rules.length === 0 ? html`<p class="empty muted">No fixes were decided yet.</p>` : html`
          <table class="rules"><thead><tr><th>Rule</th><th>Accepted</th><th>Rejected</th><th>Rate</th></tr></thead><tbody>
            ${this.stats.rules.map((rule) => html`<tr><td>${rule.rule}</td><td>${rule.accepted}</td><td>${rule.rejected}</td>
              <td><meter min="0" max="1" .value=${acceptanceRate(rule)}></meter> ${Math.round(acceptanceRate(rule) * 100)}%</td></tr>`)}
          </tbody></table>`}
      </section>`;
  }

  private renderSession() {
    return html`<section aria-label="Suggested fixes">
      <h2>Suggested fixes</h2>
      ${this.sessionError ? html`<p class="state error" role="alert">${this.sessionError}</p>` : nothing}
      ${this.session && this.session.suggestions.length === 0 ? html`<p class="empty">No fix to suggest: the analysis found nothing it can fix safely.</p>` : nothing}
      ${(this.session?.suggestions ?? []).map((fix) => html`
        <div class="fix" data-status=${fix.status}>
          <p><strong>${fix.rule}</strong> — ${fix.reason} <span class="badge">${fix.status}</span></p>
          ${renderPatch(fix.diff)}
          <div class="row">
            <button ?disabled=${fix.status === 'applied'} @click=${() => void this.decide(fix, 'apply')}>Apply</button>
            <button class="secondary" ?disabled=${fix.status !== 'applied'} @click=${() => void this.decide(fix, 'rollback')}>Roll back</button>
            <button class="secondary" @click=${() => void this.decide(fix, 'retry')}>Retry</button>
          </div>
        </div>`)}
    </section>`;
  }
}

customElements.define('codex-debug-dashboard', CodexDebugDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'codex-debug-dashboard': CodexDebugDashboard;
  }
}
