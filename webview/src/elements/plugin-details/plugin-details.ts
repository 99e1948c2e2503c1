import { html, LitElement, nothing, type TemplateResult } from 'lit';
import {
  errorMessage, isNotAvailable, type Installation, type LifecycleKind, type MarketplaceAdapter, type PluginDetails, type PluginDiffResponse,
  type PluginFileResponse, type Target, type TryTranscript,
} from '../../adapters/marketplace-adapter';
import { renderMarkdown } from '../../lib/markdown';
import { themeStyles } from '../../lib/theme-styles';
import '../code-view/code-view';
import '../operation-dialog/operation-dialog';
import type { OperationDialogRequest } from '../operation-dialog/operation-dialog';
import { isNewer } from '../plugin-card/plugin-card';
import '../ui-preview/ui-preview';
import { pluginDetailsStyles } from './plugin-details.styles';

/** The tabs of the details view, in order. */
export const DETAIL_TABS = ['overview', 'permissions', 'features', 'dependencies', 'versions', 'reviews', 'code', 'try'] as const;
export type DetailTab = (typeof DETAIL_TABS)[number];

const TAB_LABELS: Record<DetailTab, string> = {
  overview: 'Overview', permissions: 'Permissions', features: 'Features', dependencies: 'Dependencies',
  versions: 'Versions', reviews: 'Reviews', code: 'Code', try: 'Install and test',
};

/** Permission lines a person reads ("Network: api.example.com"). */
export function permissionLines(permissions: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  for (const host of list(permissions.network)) lines.push(`Network access to ${host}`);
  if (permissions.storage === true) lines.push('Stores data (key/value storage)');
  for (const secret of list(permissions.secrets)) lines.push(`Reads the secret ${secret}`);
  for (const hook of list(permissions.core)) lines.push(`Core hook ${hook}`);
  return lines;
}

/**
 * Everything about one plugin: README (rendered safely), permissions, tools with their input
 * schemas, dependencies, versions with the manifest diff between any two, reviews (read and
 * write), the package's files with highlighting, a sandboxed preview of visual blocks and
 * micro-apps, "install and test", and the lifecycle operations for a target.
 *
 * @fires codex-installations-changed - an operation finished
 */
export class CodexPluginDetails extends LitElement {
  static override styles = [themeStyles, pluginDetailsStyles];
  static override properties = {
    adapter: { attribute: false },
    pluginId: { type: String, attribute: 'plugin-id' },
    previewUrl: { type: String, attribute: 'preview-url' },
    tab: { state: true },
    details: { state: true },
    loading: { state: true },
    error: { state: true },
    files: { state: true },
    fileError: { state: true },
    diff: { state: true },
    diffError: { state: true },
    diffFrom: { state: true },
    diffTo: { state: true },
    reviewError: { state: true },
    reviewSent: { state: true },
    tryResult: { state: true },
    tryState: { state: true },
    tryError: { state: true },
    previewCode: { state: true },
    targets: { state: true },
    target: { state: true },
    installation: { state: true },
    dialog: { state: true },
    installVersion: { state: true },
  };

  declare adapter: MarketplaceAdapter | undefined;
  declare pluginId: string;
  declare previewUrl: string;
  declare tab: DetailTab;
  declare details: PluginDetails | undefined;
  declare loading: boolean;
  declare error: string | undefined;
  declare files: Map<string, PluginFileResponse>;
  declare fileError: string | undefined;
  /** The file shown in the code tab. */
  declare selectedFile: string | undefined;
  declare diff: PluginDiffResponse | undefined;
  declare diffError: string | undefined;
  declare diffFrom: string;
  declare diffTo: string;
  declare reviewError: string | undefined;
  declare reviewSent: boolean;
  declare tryResult: TryTranscript | undefined;
  declare tryState: 'idle' | 'running' | 'done' | 'unavailable' | 'error';
  declare tryError: string | undefined;
  declare previewCode: string;
  declare targets: Target[];
  declare target: string;
  declare installation: Installation | undefined;
  declare dialog: OperationDialogRequest | undefined;
  /** The version the Install button installs (the latest unless the user picks another). */
  declare installVersion: string;
  private loadedKey = '';

  constructor() {
    super();
    this.adapter = undefined;
    this.pluginId = '';
    this.previewUrl = '';
    this.tab = 'overview';
    this.details = undefined;
    this.loading = false;
    this.error = undefined;
    this.files = new Map();
    this.fileError = undefined;
    this.selectedFile = undefined;
    this.diff = undefined;
    this.diffError = undefined;
    this.diffFrom = '';
    this.diffTo = '';
    this.reviewError = undefined;
    this.reviewSent = false;
    this.tryResult = undefined;
    this.tryState = 'idle';
    this.tryError = undefined;
    this.previewCode = '';
    this.targets = [];
    this.target = '';
    this.installation = undefined;
    this.dialog = undefined;
    this.installVersion = '';
  }

  override willUpdate() {
    const key = this.adapter && this.pluginId ? this.pluginId : '';
    if (key && key !== this.loadedKey) {
      this.loadedKey = key;
      void this.load();
    }
  }

  /** Loads the plugin (optionally a given version), then its install state on the first target. */
  async load(version?: string): Promise<void> {
    if (!this.adapter || !this.pluginId) return;
    this.loading = true;
    this.error = undefined;
    try {
      const details = await this.adapter.getPlugin(this.pluginId, version);
      this.details = details;
      this.files = new Map();
      this.selectedFile = undefined;
      this.previewCode = '';
      const versions = details.versions.map((v) => v.version);
      this.diffTo = versions[0] ?? '';
      this.diffFrom = versions[1] ?? versions[0] ?? '';
      this.diff = undefined;
      this.installVersion = details.latestVersion ?? details.version.version;
      void this.loadInstallState();
      const ui = (details.manifest as { ui?: { entry?: string } }).ui;
      if (ui?.entry) void this.loadPreview(ui.entry);
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loading = false;
    }
  }

  private async loadInstallState() {
    if (!this.adapter) return;
    try {
      if (this.targets.length === 0) {
        const targets = await this.adapter.listTargets();
        // A registry always has the "default" target, even before anyone listed it.
        this.targets = targets.length ? targets : [{ id: 'default', name: 'default', description: '', clonedFrom: null, createdBy: 'system', createdAt: '' }];
        this.target ||= this.targets[0]?.id ?? '';
      }
      if (!this.target) return;
      const installed = await this.adapter.listInstalled(this.target);
      this.installation = installed.find((entry) => entry.pluginId === this.pluginId);
    } catch {
      this.installation = undefined;
    }
  }

  private async loadPreview(entry: string) {
    if (!this.adapter || !this.details) return;
    try {
      this.previewCode = (await this.adapter.readFile(this.pluginId, this.details.version.version, entry)).content;
    } catch {
      this.previewCode = '';
    }
  }

  /** Shows `path` in the code tab, fetching it once. */
  async openFile(path: string): Promise<void> {
    if (!this.adapter || !this.details) return;
    this.selectedFile = path;
    this.fileError = undefined;
    this.requestUpdate();
    if (this.files.has(path)) return;
    try {
      const file = await this.adapter.readFile(this.pluginId, this.details.version.version, path);
      this.files = new Map(this.files).set(path, file);
    } catch (error) {
      this.fileError = errorMessage(error);
    }
  }

  /** Compares the two chosen versions. */
  async compare(): Promise<void> {
    if (!this.adapter || !this.diffFrom || !this.diffTo) return;
    this.diffError = undefined;
    try {
      this.diff = await this.adapter.diffVersions(this.pluginId, this.diffFrom, this.diffTo);
    } catch (error) {
      this.diff = undefined;
      this.diffError = errorMessage(error);
    }
  }

  /** Posts the user's review and reloads the list. */
  async sendReview(rating: number, text: string): Promise<void> {
    if (!this.adapter) return;
    this.reviewError = undefined;
    try {
      await this.adapter.writeReview(this.pluginId, { rating, text });
      this.reviewSent = true;
      await this.load(this.details?.version.version);
    } catch (error) {
      this.reviewError = errorMessage(error);
    }
  }

  /** Runs "install and test" and shows its transcript. */
  async tryIt(): Promise<void> {
    if (!this.adapter) return;
    this.tryState = 'running';
    this.tryError = undefined;
    try {
      this.tryResult = await this.adapter.tryPlugin(this.pluginId, this.details?.version.version ?? this.details?.latestVersion ?? '');
      this.tryState = 'done';
    } catch (error) {
      if (isNotAvailable(error)) {
        this.tryState = 'unavailable';
      } else {
        this.tryState = 'error';
        this.tryError = errorMessage(error);
      }
    }
  }

  private act(kind: LifecycleKind) {
    if (!this.details || !this.target) return;
    const version = kind === 'install' ? this.installVersion || undefined
      : kind === 'upgrade' ? this.details.latestVersion ?? undefined
      : kind === 'rollback' ? this.installation?.lastKnownGoodVersion ?? undefined : undefined;
    this.dialog = { kind, pluginId: this.pluginId, target: this.target, ...(version ? { version } : {}) };
  }

  private selectTab(tab: DetailTab, focus = false) {
    this.tab = tab;
    if (tab === 'code' && !this.selectedFile && this.details?.files[0]) {
      const first = this.details.files.find((file) => file.path === 'plugin.json') ?? this.details.files[0];
      void this.openFile(first.path);
    }
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${tab}`)?.focus());
  }

  private onTabKeydown(event: KeyboardEvent) {
    const index = DETAIL_TABS.indexOf(this.tab);
    const next = event.key === 'ArrowRight' ? index + 1 : event.key === 'ArrowLeft' ? index - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? DETAIL_TABS.length - 1 : -2;
    if (next === -2) return;
    event.preventDefault();
    this.selectTab(DETAIL_TABS[(next + DETAIL_TABS.length) % DETAIL_TABS.length]!, true);
  }

  override render() {
    if (!this.pluginId) return html`<p class="state muted">Choose a plugin in the marketplace.</p>`;
    if (this.loading && !this.details) return html`<p class="state" role="status">Loading ${this.pluginId}…</p>`;
    if (this.error) return html`<div class="state error" role="alert"><p>Could not load ${this.pluginId}: ${this.error}</p><button class="secondary" @click=${() => void this.load()}>Retry</button></div>`;
    const d = this.details;
    if (!d) return nothing;
    const installed = this.installation;
    return html`
      <header>
        <h1><span class="title">${d.title}</span> <span class="muted">${d.id}</span>
          ${d.tier === 'official' ? html`<span class="badge official">official</span>` : nothing}
          ${d.deprecated ? html`<span class="badge">deprecated${d.replacement ? ` — use ${d.replacement}` : ''}</span>` : nothing}
        </h1>
        <p>${d.description}</p>
        <div class="row muted">
          <span>${d.kind}</span><span>version ${d.version.version} (${d.version.status})</span><span>${d.installs} installs</span>
          <span>${d.rating !== null ? `★ ${d.rating.toFixed(1)} (${d.ratingCount})` : 'no reviews yet'}</span>
        </div>
        <div class="row actions">
          ${this.targets.length ? html`<label>Target <select aria-label="Install target" @change=${(event: Event) => { this.target = (event.target as HTMLSelectElement).value; void this.loadInstallState(); }}>
            ${this.targets.map((target) => html`<option value=${target.id} ?selected=${target.id === this.target}>${target.name}</option>`)}</select></label>` : nothing}
          ${installed
            ? html`<span class="badge installed" data-state="installed">installed ${installed.version}</span>
              ${isNewer(d.latestVersion, installed.version) ? html`<button class="upgrade" @click=${() => this.act('upgrade')}>Upgrade to ${d.latestVersion}</button>` : nothing}
              ${installed.lastKnownGoodVersion && installed.lastKnownGoodVersion !== installed.version ? html`<button class="secondary rollback" @click=${() => this.act('rollback')}>Roll back to ${installed.lastKnownGoodVersion}</button>` : nothing}
              <button class="secondary remove" @click=${() => this.act('remove')}>Remove</button>`
            : html`<label>Version <select class="install-version" aria-label="Version to install" @change=${(event: Event) => { this.installVersion = (event.target as HTMLSelectElement).value; }}>
                ${d.versions.filter((v) => v.status === 'active').map((v) => html`<option value=${v.version} ?selected=${v.version === this.installVersion}>${v.version}</option>`)}</select></label>
              <button class="install" ?disabled=${!this.target} @click=${() => this.act('install')}>Install ${this.installVersion}</button>`}
        </div>
      </header>
      <div role="tablist" aria-label="Plugin details" @keydown=${this.onTabKeydown}>
        ${DETAIL_TABS.map((tab) => html`<button role="tab" id=${`tab-${tab}`} aria-selected=${tab === this.tab ? 'true' : 'false'} aria-controls="panel" tabindex=${tab === this.tab ? '0' : '-1'} @click=${() => this.selectTab(tab)}>${TAB_LABELS[tab]}</button>`)}
      </div>
      <section id="panel" role="tabpanel" aria-labelledby=${`tab-${this.tab}`} data-tab=${this.tab}>${this.renderTab(d)}</section>
      ${this.dialog ? html`<codex-operation-dialog .adapter=${this.adapter} .request=${this.dialog}
        @codex-operation-finished=${(event: Event) => { event.stopPropagation(); void this.loadInstallState(); this.dispatchEvent(new CustomEvent('codex-installations-changed', { detail: { target: this.target }, bubbles: true, composed: true })); }}
        @codex-dialog-closed=${() => { this.dialog = undefined; }}></codex-operation-dialog>` : nothing}`;
  }

  private renderTab(d: PluginDetails): TemplateResult {
    switch (this.tab) {
      case 'overview': return this.renderOverview(d);
      case 'permissions': return this.renderPermissions(d);
      case 'features': return this.renderFeatures(d);
      case 'dependencies': return this.renderDependencies(d);
      case 'versions': return this.renderVersions(d);
      case 'reviews': return this.renderReviews(d);
      case 'code': return this.renderCode(d);
      case 'try': return this.renderTry(d);
      default: {
        const unreachable: never = this.tab;
        return html`${unreachable}`;
      }
    }
  }

  private renderOverview(d: PluginDetails) {
    const manifest = d.manifest as { ui?: { element?: string; height?: number }; examples?: { expected?: unknown }[] };
    const ui = manifest.ui;
    // The block is shown with the expected output of the plugin's first example as its data.
    const sample = manifest.examples?.[0]?.expected;
    return html`
      ${ui && this.previewCode ? html`<h2>Preview</h2><codex-ui-preview frame-url=${this.previewUrl} .code=${this.previewCode} .element=${ui.element} .height=${ui.height ?? 160} .data=${sample}></codex-ui-preview>` : nothing}
      <article class="readme">${d.readme ? renderMarkdown(d.readme) : html`<p class="muted">This plugin has no README.</p>`}</article>
      <p class="muted">Tags: ${d.tags.length ? d.tags.map((tag) => `#${tag}`).join(' ') : 'none'}</p>`;
  }

  private renderPermissions(d: PluginDetails) {
    const lines = permissionLines(d.permissions);
    return lines.length
      ? html`<ul class="permissions">${lines.map((line) => html`<li>${line}</li>`)}</ul>`
      : html`<p class="empty">This plugin needs no permissions: no network, no storage, no secrets.</p>`;
  }

  private renderFeatures(d: PluginDetails) {
    if (d.tools.length === 0) return html`<p class="empty">This plugin offers no tools.</p>`;
    return html`${d.tools.map((tool) => html`
      <div class="tool">
        <h3><code>${String(tool.name)}</code></h3>
        <p>${String(tool.description ?? '')}</p>
        <details><summary>Input schema</summary><codex-code-view path="schema.json" .code=${JSON.stringify(tool.inputSchema ?? {}, null, 2)}></codex-code-view></details>
      </div>`)}`;
  }

  private renderDependencies(d: PluginDetails) {
    const entries = Object.entries(d.dependencies);
    if (entries.length === 0) return html`<p class="empty">No dependencies.</p>`;
    return html`<table><thead><tr><th>Plugin</th><th>Version range</th></tr></thead><tbody>
      ${entries.map(([id, range]) => html`<tr><td><a href="#" @click=${(event: Event) => { event.preventDefault(); this.dispatchEvent(new CustomEvent('codex-open-plugin', { detail: { pluginId: id }, bubbles: true, composed: true })); }}>${id}</a></td><td>${range}</td></tr>`)}
    </tbody></table>`;
  }

  private renderVersions(d: PluginDetails) {
    const options = (selected: string) => d.versions.map((v) => html`<option value=${v.version} ?selected=${v.version === selected}>${v.version}</option>`);
    return html`
      <table class="versions"><thead><tr><th>Version</th><th>Status</th><th>Published</th></tr></thead><tbody>
        ${d.versions.map((v) => html`<tr><td>${v.version}</td><td>${v.status}${v.statusReason ? ` — ${v.statusReason}` : ''}</td><td>${v.publishedAt.slice(0, 10)}</td></tr>`)}
      </tbody></table>
      ${d.versions.length > 1 ? html`
        <div class="row compare-row">
          <label>From <select aria-label="Compare from" @change=${(event: Event) => { this.diffFrom = (event.target as HTMLSelectElement).value; }}>${options(this.diffFrom)}</select></label>
          <label>To <select aria-label="Compare to" @change=${(event: Event) => { this.diffTo = (event.target as HTMLSelectElement).value; }}>${options(this.diffTo)}</select></label>
          <button class="compare" @click=${() => void this.compare()}>Compare</button>
        </div>` : html`<p class="muted">Only one version is published.</p>`}
      ${this.diffError ? html`<p class="state error" role="alert">${this.diffError}</p>` : nothing}
      ${this.diff ? html`
        <h3>${this.diff.from} → ${this.diff.to}</h3>
        ${this.diff.changes.length === 0 ? html`<p class="empty">No differences in the manifest.</p>` : html`
          <table class="diff"><thead><tr><th>Section</th><th>Path</th><th>Change</th><th>Before</th><th>After</th></tr></thead><tbody>
            ${this.diff.changes.map((c) => html`<tr class=${`change-${c.change}`}><td>${c.section}</td><td><code>${c.path}</code></td><td>${c.change}</td><td><code>${short(c.before)}</code></td><td><code>${short(c.after)}</code></td></tr>`)}
          </tbody></table>`}` : nothing}`;
  }

  private renderReviews(d: PluginDetails) {
    return html`
      ${d.reviews.length === 0 ? html`<p class="empty">No reviews yet. Be the first.</p>` : html`<div role="list" aria-label="Reviews">${d.reviews.map((review) => html`
        <div class="review" role="listitem"><span class="stars" aria-label=${`${review.rating} out of 5`}>${'★'.repeat(review.rating)}${'☆'.repeat(5 - review.rating)}</span>
          <strong>${review.userId}</strong> <span class="muted">${review.updatedAt.slice(0, 10)}</span><p>${review.text}</p></div>`)}</div>`}
      <form aria-label="Write a review" @submit=${(event: SubmitEvent) => {
        event.preventDefault();
        const form = event.target as HTMLFormElement;
        void this.sendReview(Number((form.querySelector('[name=rating]') as HTMLSelectElement).value), (form.querySelector('[name=text]') as HTMLTextAreaElement).value);
      }}>
        <label>Your rating <select name="rating">${[5, 4, 3, 2, 1].map((n) => html`<option value=${n}>${'★'.repeat(n)} (${n})</option>`)}</select></label>
        <label>Your review <textarea name="text" rows="3" maxlength="5000"></textarea></label>
        ${this.reviewError ? html`<p class="state error" role="alert">${this.reviewError}</p>` : nothing}
        ${this.reviewSent ? html`<p role="status">Thanks, your review is saved.</p>` : nothing}
        <div><button type="submit">Post review</button></div>
      </form>`;
  }

  private renderCode(d: PluginDetails) {
    if (d.files.length === 0) return html`<p class="empty">The package lists no files.</p>`;
    const file = this.selectedFile ? this.files.get(this.selectedFile) : undefined;
    return html`<div class="files">
      <ul aria-label="Files">${d.files.map((entry) => html`<li><button aria-current=${entry.path === this.selectedFile ? 'true' : 'false'} @click=${() => void this.openFile(entry.path)}>${entry.path} <span class="muted">${entry.size} B</span></button></li>`)}</ul>
      <div>${this.fileError ? html`<p class="state error" role="alert">${this.fileError}</p>`
        : file ? html`<codex-code-view .path=${file.path} .code=${file.content}></codex-code-view>`
        : this.selectedFile ? html`<p class="state" role="status">Loading ${this.selectedFile}…</p>` : html`<p class="muted">Choose a file.</p>`}</div>
    </div>`;
  }

  private renderTry(d: PluginDetails) {
    switch (this.tryState) {
      case 'unavailable': return html`<p class="state unavailable" role="status">Install and test is not available on this registry (it has no plugin runtime endpoint).</p>`;
      case 'running': return html`<p class="state" role="status">Installing ${d.id} in a scratch target and running its examples…</p>`;
      case 'error': return html`<div class="state error" role="alert"><p>${this.tryError}</p><button class="secondary" @click=${() => void this.tryIt()}>Retry</button></div>`;
      case 'done': {
        const result = this.tryResult!;
        const health = result.healthCheck;
        return html`
        <p class="try-status" role="status">${result.ok ? 'Passed' : 'Failed'}: ${result.pluginId} ${result.version} in an ephemeral target, ${Math.round(result.durationMs)} ms</p>
        <ol class="transcript">
          <li class=${health.ok ? 'ok' : 'fail'}>${health.ok ? '✓' : '✗'} health check (${health.probe})${health.error ? html` — <code>${health.error.code}: ${health.error.message}</code>` : nothing}</li>
          ${result.steps.map((step) => html`<li class=${step.pass ? 'ok' : 'fail'}>${step.pass ? '✓' : '✗'} ${step.tool}${step.description ? ` — ${step.description}` : ''}: ${step.error
            ? html`<code>${step.error.code}: ${step.error.message}</code>` : html`<code>${short(step.output)}</code>`}</li>`)}
        </ol>
        <button class="secondary" @click=${() => void this.tryIt()}>Run again</button>`;
      }
      default: return html`
        <p>Installs ${d.id} ${d.version.version} in a throw-away target, runs its examples in the sandbox and shows the transcript.${(d.manifest as { safeToTest?: boolean }).safeToTest ? '' : ' This plugin is not marked safe to test.'}</p>
        <button class="try" @click=${() => void this.tryIt()}>Install and test</button>`;
    }
  }
}

/** A JSON value in a table cell. */
function short(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

customElements.define('codex-plugin-details', CodexPluginDetails);

declare global {
  interface HTMLElementTagNameMap {
    'codex-plugin-details': CodexPluginDetails;
  }
}
