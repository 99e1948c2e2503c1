import { html, LitElement, nothing } from 'lit';
import type { Installation, LifecycleKind, PluginListItem } from '../../adapters/marketplace-adapter';
import { themeStyles } from '../../lib/theme-styles';
import { pluginCardStyles } from './plugin-card.styles';

/** Detail of `codex-open-plugin`: the plugin the user wants to see. */
export interface OpenPluginDetail { pluginId: string }
/** Detail of `codex-plugin-action`: a lifecycle operation the user asked for. */
export interface PluginActionDetail { kind: LifecycleKind; pluginId: string; version?: string }

/** True when `installed` is older than `latest` (numeric semver comparison, pre-releases ignored). */
export function isNewer(latest: string | null, installed: string | undefined): boolean {
  if (!latest || !installed) return false;
  const parse = (version: string) => version.split('-')[0]!.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [a, b] = [parse(latest), parse(installed)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return false;
}

/**
 * One plugin in the marketplace list: what it is, whether it is installed on the current target,
 * whether an update is available, and the operations that apply.
 *
 * @fires codex-open-plugin - the user opened the plugin (click, Enter)
 * @fires codex-plugin-action - the user asked for install, upgrade, rollback or remove
 */
export class CodexPluginCard extends LitElement {
  static override styles = [themeStyles, pluginCardStyles];
  static override properties = {
    plugin: { attribute: false },
    installation: { attribute: false },
    busy: { type: Boolean },
  };

  declare plugin: PluginListItem | undefined;
  declare installation: Installation | undefined;
  declare busy: boolean;

  constructor() {
    super();
    this.plugin = undefined;
    this.installation = undefined;
    this.busy = false;
  }

  /** True when a newer version than the installed one is published. */
  get updateAvailable(): boolean {
    return isNewer(this.plugin?.version ?? null, this.installation?.version);
  }

  override render() {
    const plugin = this.plugin;
    if (!plugin) return nothing;
    const installed = this.installation;
    return html`
      <article role="listitem" tabindex="0" aria-label=${`${plugin.title} (${plugin.id})`} @click=${this.open} @keydown=${this.onKeydown}>
        <h3>
          <span class="title">${plugin.title}</span>
          <span class="id muted">${plugin.id}</span>
          ${plugin.tier === 'official' ? html`<span class="badge official">official</span>` : nothing}
          ${plugin.recommended ? html`<span class="badge">recommended</span>` : nothing}
          ${installed ? html`<span class="badge installed" data-state="installed">installed ${installed.version}</span>` : nothing}
          ${this.updateAvailable ? html`<span class="badge update" data-state="update">update ${plugin.version}</span>` : nothing}
        </h3>
        <p>${plugin.description}</p>
        <div class="meta muted">
          <span>${plugin.kind}</span>
          <span>v${plugin.version}</span>
          <span>${plugin.installs} installs</span>
          <span>${plugin.rating !== null && plugin.ratingCount > 0 ? `★ ${plugin.rating.toFixed(1)} (${plugin.ratingCount})` : 'no reviews'}</span>
          ${plugin.tags.length ? html`<span>${plugin.tags.map((tag) => `#${tag}`).join(' ')}</span>` : nothing}
        </div>
        <div class="actions">
          ${installed
            ? html`
              ${this.updateAvailable ? html`<button ?disabled=${this.busy} @click=${(event: Event) => this.act(event, 'upgrade')}>Upgrade</button>` : nothing}
              ${installed.lastKnownGoodVersion && installed.lastKnownGoodVersion !== installed.version
                ? html`<button class="secondary" ?disabled=${this.busy} @click=${(event: Event) => this.act(event, 'rollback')}>Roll back</button>` : nothing}
              <button class="secondary" ?disabled=${this.busy} @click=${(event: Event) => this.act(event, 'remove')}>Remove</button>`
            : html`<button ?disabled=${this.busy} @click=${(event: Event) => this.act(event, 'install')}>Install</button>`}
        </div>
      </article>`;
  }

  private open() {
    if (!this.plugin) return;
    this.dispatchEvent(new CustomEvent<OpenPluginDetail>('codex-open-plugin', { detail: { pluginId: this.plugin.id }, bubbles: true, composed: true }));
  }

  private onKeydown(event: KeyboardEvent) {
    if (event.target === event.currentTarget && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      this.open();
    }
  }

  private act(event: Event, kind: LifecycleKind) {
    event.stopPropagation();
    if (!this.plugin) return;
    this.dispatchEvent(new CustomEvent<PluginActionDetail>('codex-plugin-action', { detail: { kind, pluginId: this.plugin.id }, bubbles: true, composed: true }));
  }
}

customElements.define('codex-plugin-card', CodexPluginCard);

declare global {
  interface HTMLElementTagNameMap {
    'codex-plugin-card': CodexPluginCard;
  }
  interface HTMLElementEventMap {
    'codex-open-plugin': CustomEvent<OpenPluginDetail>;
    'codex-plugin-action': CustomEvent<PluginActionDetail>;
  }
}
