import { html, LitElement, nothing } from 'lit';
import { errorMessage, type Installation, type MarketplaceAdapter, type PluginListItem, type PluginListQuery, type Target } from '../../adapters/marketplace-adapter';
import { debounce } from '../../lib/debounce';
import { themeStyles } from '../../lib/theme-styles';
import '../operation-dialog/operation-dialog';
import type { OperationDialogRequest, OperationFinishedDetail } from '../operation-dialog/operation-dialog';
import '../plugin-card/plugin-card';
import type { PluginActionDetail } from '../plugin-card/plugin-card';
import '../request-form/request-form';
import { marketplaceViewStyles } from './marketplace-view.styles';

/** Detail of `codex-installations-changed`. */
export interface InstallationsChangedDetail { target: string }

/** The filters the marketplace offers (the search text is separate so it can be debounced). */
export interface MarketplaceFilters {
  kind: NonNullable<PluginListQuery['kind']> | '';
  tier: NonNullable<PluginListQuery['tier']> | '';
  recommended: boolean;
  /** Trending first (the registry's decayed install count). */
  trending: boolean;
  tag: string;
  sort: NonNullable<PluginListQuery['sort']>;
}

/** How many plugins one page loads. */
export const PAGE_SIZE = 30;

/**
 * The marketplace: search as you type, filters and sort, cursor-paged results (a "Load more"
 * button, and infinite scroll where IntersectionObserver exists), cards showing install state
 * and available updates for the chosen target, and the lifecycle operations with their plan.
 *
 * @fires codex-open-plugin - (from a card) the user opened a plugin
 * @fires codex-installations-changed - an operation finished on `target`
 */
export class CodexMarketplaceView extends LitElement {
  static override styles = [themeStyles, marketplaceViewStyles];
  static override properties = {
    adapter: { attribute: false },
    debounceMs: { type: Number },
    query: { state: true },
    filters: { state: true },
    items: { state: true },
    nextCursor: { state: true },
    loading: { state: true },
    loadingMore: { state: true },
    error: { state: true },
    targets: { state: true },
    target: { state: true },
    installed: { state: true },
    dialog: { state: true },
    requesting: { state: true },
  };

  declare adapter: MarketplaceAdapter | undefined;
  declare debounceMs: number;
  declare query: string;
  declare filters: MarketplaceFilters;
  declare items: PluginListItem[];
  declare nextCursor: string | null;
  declare loading: boolean;
  declare loadingMore: boolean;
  declare error: string | undefined;
  declare targets: Target[];
  declare target: string;
  declare installed: Map<string, Installation>;
  declare dialog: OperationDialogRequest | undefined;
  declare requesting: boolean;
  /** Increments with every new search so that late answers to older searches are dropped. */
  private generation = 0;
  private loadedFor: MarketplaceAdapter | undefined;
  private observer: IntersectionObserver | undefined;
  private readonly searchLater = debounce(() => void this.search(), () => this.debounceMs);

  constructor() {
    super();
    this.adapter = undefined;
    this.debounceMs = 250;
    this.query = '';
    this.filters = { kind: '', tier: '', recommended: false, trending: false, tag: '', sort: 'relevance' };
    this.items = [];
    this.nextCursor = null;
    this.loading = false;
    this.loadingMore = false;
    this.error = undefined;
    this.targets = [];
    this.target = '';
    this.installed = new Map();
    this.dialog = undefined;
    this.requesting = false;
  }

  override willUpdate() {
    if (this.adapter && this.loadedFor !== this.adapter) {
      this.loadedFor = this.adapter;
      void this.reload();
    }
  }

  override updated() {
    this.observeSentinel();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.searchLater.cancel();
  }

  /** Loads targets, installations and the first page. */
  async reload(): Promise<void> {
    await Promise.all([this.loadTargets(), this.search()]);
  }

  /** The catalogue query for the current search and filters. */
  currentQuery(cursor?: string): PluginListQuery {
    const f = this.filters;
    const tag = f.tag.trim().replace(/^#/, '').toLowerCase();
    const q = this.query.trim();
    return {
      ...(q ? { q } : {}),
      ...(f.kind ? { kind: f.kind } : {}),
      ...(f.tier ? { tier: f.tier } : {}),
      ...(f.recommended ? { recommended: true } : {}),
      ...(tag ? { tag } : {}),
      // Relevance needs search text; without it the most installed come first.
      sort: f.trending ? 'trending' : f.sort === 'relevance' && !q ? 'installs' : f.sort,
      limit: PAGE_SIZE,
      ...(cursor ? { cursor } : {}),
    };
  }

  /** Runs the search from the first page. */
  async search(): Promise<void> {
    if (!this.adapter) return;
    const generation = ++this.generation;
    this.loading = true;
    this.error = undefined;
    try {
      const page = await this.adapter.listPlugins(this.currentQuery());
      if (generation !== this.generation) return;
      this.items = page.items;
      this.nextCursor = page.nextCursor;
    } catch (error) {
      if (generation !== this.generation) return;
      this.items = [];
      this.nextCursor = null;
      this.error = errorMessage(error);
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  /** Appends the next page. */
  async loadMore(): Promise<void> {
    if (!this.adapter || !this.nextCursor || this.loadingMore || this.loading) return;
    const generation = this.generation;
    this.loadingMore = true;
    try {
      const page = await this.adapter.listPlugins(this.currentQuery(this.nextCursor));
      if (generation !== this.generation) return;
      const seen = new Set(this.items.map((item) => item.id));
      this.items = [...this.items, ...page.items.filter((item) => !seen.has(item.id))];
      this.nextCursor = page.nextCursor;
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loadingMore = false;
    }
  }

  private async loadTargets(): Promise<void> {
    if (!this.adapter) return;
    try {
      const targets = await this.adapter.listTargets();
      // A registry always has the "default" target, even before anyone listed it.
      this.targets = targets.length ? targets : [{ id: 'default', name: 'default', description: '', clonedFrom: null, createdBy: 'system', createdAt: '' }];
      if (!this.targets.some((target) => target.id === this.target)) this.target = this.targets[0]?.id ?? '';
      await this.loadInstalled();
    } catch {
      // Without targets the cards simply show no install state; the search still works.
      this.targets = [];
    }
  }

  /** Refreshes which plugins are installed on the current target. */
  async loadInstalled(): Promise<void> {
    if (!this.adapter || !this.target) {
      this.installed = new Map();
      return;
    }
    const list = await this.adapter.listInstalled(this.target);
    this.installed = new Map(list.map((installation) => [installation.pluginId, installation]));
  }

  private observeSentinel() {
    if (typeof IntersectionObserver === 'undefined') return;
    const sentinel = this.renderRoot.querySelector('.sentinel');
    if (!sentinel) return;
    this.observer ??= new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void this.loadMore();
    });
    this.observer.disconnect();
    this.observer.observe(sentinel);
  }

  private onInput(event: Event) {
    this.query = (event.target as HTMLInputElement).value;
    this.searchLater();
  }

  private setFilter<K extends keyof MarketplaceFilters>(key: K, value: MarketplaceFilters[K]) {
    this.filters = { ...this.filters, [key]: value };
    void this.search();
  }

  private onAction(event: CustomEvent<PluginActionDetail>) {
    if (!this.target) {
      this.error = 'There is no install target on this registry; create one first.';
      return;
    }
    const { kind, pluginId } = event.detail;
    const installation = this.installed.get(pluginId);
    const plugin = this.items.find((item) => item.id === pluginId);
    const version = kind === 'install' || kind === 'upgrade' ? plugin?.version
      : kind === 'rollback' ? installation?.lastKnownGoodVersion ?? undefined : undefined;
    this.dialog = { kind, pluginId, target: this.target, ...(version ? { version } : {}) };
  }

  private async onFinished(event: CustomEvent<OperationFinishedDetail>) {
    event.stopPropagation();
    await this.loadInstalled().catch(() => undefined);
    this.dispatchEvent(new CustomEvent<InstallationsChangedDetail>('codex-installations-changed', { detail: { target: event.detail.request.target }, bubbles: true, composed: true }));
  }

  override render() {
    const f = this.filters;
    return html`
      <header>
        <div class="row">
          <input class="search" type="search" role="searchbox" aria-label="Search plugins" placeholder="Search plugins (name, tag, description)…"
            .value=${this.query} @input=${this.onInput} @keydown=${(event: KeyboardEvent) => { if (event.key === 'Enter') { this.searchLater.cancel(); void this.search(); } }} />
        </div>
        <fieldset>
          <legend>Filters</legend>
          <label>Kind
            <select aria-label="Kind" .value=${f.kind} @change=${(event: Event) => this.setFilter('kind', (event.target as HTMLSelectElement).value as MarketplaceFilters['kind'])}>
              <option value="">any</option><option value="tool">tool</option><option value="micro-app">micro-app</option>
              <option value="data-source">data source</option><option value="visual-block">visual block</option>
            </select></label>
          <label>Publisher
            <select aria-label="Publisher" .value=${f.tier} @change=${(event: Event) => this.setFilter('tier', (event.target as HTMLSelectElement).value as MarketplaceFilters['tier'])}>
              <option value="">official and third-party</option><option value="official">official</option><option value="third-party">third-party</option>
            </select></label>
          <label><input type="checkbox" .checked=${f.recommended} @change=${(event: Event) => this.setFilter('recommended', (event.target as HTMLInputElement).checked)} /> recommended</label>
          <label><input type="checkbox" .checked=${f.trending} @change=${(event: Event) => this.setFilter('trending', (event.target as HTMLInputElement).checked)} /> trending</label>
          <label>Tag <input class="tag" aria-label="Tag" placeholder="e.g. text" .value=${f.tag} @change=${(event: Event) => this.setFilter('tag', (event.target as HTMLInputElement).value)} /></label>
          <label>Sort
            <select aria-label="Sort" .value=${f.sort} @change=${(event: Event) => this.setFilter('sort', (event.target as HTMLSelectElement).value as MarketplaceFilters['sort'])}>
              <option value="relevance">relevance</option><option value="installs">most installed</option><option value="rating">best rated</option>
              <option value="trending">trending</option><option value="updated">recently updated</option>
            </select></label>
          <label>Target
            <select aria-label="Install target" .value=${this.target} ?disabled=${this.targets.length === 0}
              @change=${(event: Event) => { this.target = (event.target as HTMLSelectElement).value; void this.loadInstalled(); }}>
              ${this.targets.length === 0 ? html`<option value="">no targets</option>` : this.targets.map((target) => html`<option value=${target.id} ?selected=${target.id === this.target}>${target.name}</option>`)}
            </select></label>
          <button class="secondary request" @click=${() => { this.requesting = !this.requesting; }} aria-expanded=${this.requesting ? 'true' : 'false'}>Request a plugin</button>
        </fieldset>
        ${this.requesting ? html`<codex-request-form .adapter=${this.adapter} @codex-dialog-closed=${() => { this.requesting = false; }}></codex-request-form>` : nothing}
      </header>
      ${this.renderResults()}
      ${this.dialog ? html`<codex-operation-dialog .adapter=${this.adapter} .request=${this.dialog}
        @codex-operation-finished=${this.onFinished} @codex-dialog-closed=${() => { this.dialog = undefined; }}></codex-operation-dialog>` : nothing}`;
  }

  private renderResults() {
    if (this.loading && this.items.length === 0) return html`<p class="state" role="status">Loading plugins…</p>`;
    if (this.error && this.items.length === 0) {
      return html`<div class="state error" role="alert"><p>Could not load plugins: ${this.error}</p><button class="secondary" @click=${() => void this.search()}>Retry</button></div>`;
    }
    if (this.items.length === 0) return html`<p class="state empty" role="status">No plugins match${this.query ? html` “${this.query}”` : nothing}.</p>`;
    return html`
      <p class="summary muted" role="status">${this.items.length}${this.nextCursor ? '+' : ''} plugins${this.loading ? ' — updating…' : ''}</p>
      ${this.error ? html`<p class="state error" role="alert">${this.error}</p>` : nothing}
      <div role="list" aria-label="Plugins" @codex-plugin-action=${this.onAction} @keydown=${this.onListKeydown}>
        ${this.items.map((plugin) => html`<codex-plugin-card .plugin=${plugin} .installation=${this.installed.get(plugin.id)} ?busy=${this.dialog?.pluginId === plugin.id}></codex-plugin-card>`)}
      </div>
      ${this.nextCursor ? html`<div class="more sentinel"><button class="secondary load-more" ?disabled=${this.loadingMore} @click=${() => void this.loadMore()}>${this.loadingMore ? 'Loading…' : 'Load more'}</button></div>` : nothing}`;
  }

  /** Arrow keys move between cards (the list is one tab stop per card otherwise). */
  private onListKeydown(event: KeyboardEvent) {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const cards = [...this.renderRoot.querySelectorAll('codex-plugin-card')];
    const current = cards.findIndex((card) => card === event.target || card.contains(event.target as Node));
    const next = cards[current + (event.key === 'ArrowDown' ? 1 : -1)];
    const article = next?.shadowRoot?.querySelector('article');
    if (article) {
      event.preventDefault();
      article.focus();
    }
  }
}

customElements.define('codex-marketplace-view', CodexMarketplaceView);

declare global {
  interface HTMLElementTagNameMap {
    'codex-marketplace-view': CodexMarketplaceView;
  }
  interface HTMLElementEventMap {
    'codex-installations-changed': CustomEvent<InstallationsChangedDetail>;
  }
}
