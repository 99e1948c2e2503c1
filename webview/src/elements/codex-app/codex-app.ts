import { html, LitElement, nothing } from 'lit';
import type { WebviewView } from '../../../../protocol/webview-messages';
import { AdapterError, errorMessage, type MarketplaceAdapter, type Me } from '../../adapters/marketplace-adapter';
import { themeStyles } from '../../lib/theme-styles';
import '../admin-console/admin-console';
import '../debug-dashboard/debug-dashboard';
import '../marketplace-view/marketplace-view';
import '../plugin-details/plugin-details';
import '../sign-in/sign-in';
import type { SignInDetail } from '../sign-in/sign-in';
import { codexAppStyles } from './codex-app.styles';

/** Where the app is: a view and, for details and debug, a plugin. */
export interface Route { view: WebviewView; pluginId?: string }

/** The route of a console URL hash: `#/plugins/@scope/name`, `#/debug/@scope/name`, `#/admin`, anything else the marketplace. */
export function parseRoute(hash: string): Route {
  const path = decodeURIComponent(hash.replace(/^#\/?/, ''));
  const [head, ...rest] = path.split('/');
  const pluginId = rest.join('/') || undefined;
  if (head === 'plugins' && pluginId) return { view: 'details', pluginId };
  if (head === 'debug') return pluginId ? { view: 'debug', pluginId } : { view: 'debug' };
  if (head === 'admin') return { view: 'admin' };
  return { view: 'marketplace' };
}

/** The hash of a route (the inverse of {@link parseRoute}). */
export function routeHash(route: Route): string {
  switch (route.view) {
    case 'details': return `#/plugins/${route.pluginId ?? ''}`;
    case 'debug': return route.pluginId ? `#/debug/${route.pluginId}` : '#/debug';
    case 'admin': return '#/admin';
    case 'marketplace': return '#/marketplace';
    default: {
      const unreachable: never = route.view;
      return unreachable;
    }
  }
}

/**
 * The shell both hosts show. In the browser (`mode="browser"`) it asks for a token, routes by the
 * URL hash and shows a navigation bar; in VS Code (`mode="vscode"`) the host picks the view and
 * signs the requests, so there is neither sign-in nor navigation.
 *
 * @fires codex-signed-in - the browser console accepted a token (detail: the token)
 * @fires codex-signed-out - the user signed out
 */
export class CodexApp extends LitElement {
  static override styles = [themeStyles, codexAppStyles];
  static override properties = {
    adapter: { attribute: false },
    mode: { type: String },
    previewUrl: { type: String, attribute: 'preview-url' },
    needsSignIn: { type: Boolean, attribute: 'needs-sign-in' },
    route: { state: true },
    me: { state: true },
    authState: { state: true },
    authError: { state: true },
  };

  declare adapter: MarketplaceAdapter | undefined;
  declare mode: 'browser' | 'vscode';
  declare previewUrl: string;
  /** Set by the page when it holds no token: the sign-in form shows without asking the registry. */
  declare needsSignIn: boolean;
  declare route: Route;
  declare me: Me | undefined;
  declare authState: 'checking' | 'signed-out' | 'signed-in';
  declare authError: string;
  private checkedFor: MarketplaceAdapter | undefined;

  constructor() {
    super();
    this.adapter = undefined;
    this.mode = 'browser';
    this.previewUrl = '';
    this.needsSignIn = false;
    this.route = { view: 'marketplace' };
    this.me = undefined;
    this.authState = 'checking';
    this.authError = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    if (this.mode === 'browser') {
      this.route = parseRoute(location.hash);
      window.addEventListener('hashchange', this.onHashChange);
    }
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
  }

  private readonly onHashChange = () => { this.route = parseRoute(location.hash); };

  override willUpdate() {
    if (this.adapter && this.checkedFor !== this.adapter) {
      this.checkedFor = this.adapter;
      void this.checkSession();
    }
  }

  /**
   * Asks the registry who the user is; in the browser, no valid token means the sign-in form. The
   * registry's reason is shown only after the user submitted a token (a first visit is not an error).
   */
  async checkSession(reportRefusal = false): Promise<void> {
    if (!this.adapter) return;
    if (this.mode === 'browser' && this.needsSignIn) {
      this.authState = 'signed-out';
      return;
    }
    this.authState = 'checking';
    try {
      this.me = await this.adapter.me();
      this.authState = this.me || this.mode === 'vscode' ? 'signed-in' : 'signed-out';
    } catch (error) {
      this.me = undefined;
      const refused = error instanceof AdapterError && error.status === 401;
      if (!refused || reportRefusal) this.authError = errorMessage(error);
      this.authState = this.mode === 'vscode' ? 'signed-in' : 'signed-out';
    }
  }

  /** Shows `route` (the host's choice in VS Code; the URL hash in the browser). */
  navigate(route: Route) {
    if (this.mode === 'browser') {
      const hash = routeHash(route);
      if (location.hash !== hash) location.hash = hash;
    }
    this.route = route;
  }

  private onSignIn(event: CustomEvent<SignInDetail>) {
    this.authError = '';
    this.dispatchEvent(new CustomEvent<SignInDetail>('codex-signed-in', { detail: event.detail, bubbles: true, composed: true }));
  }

  /** Called by the page once the token is stored: checks it and reports a bad one. */
  async tokenStored(): Promise<void> {
    this.needsSignIn = false;
    await this.checkSession(true);
    if (this.authState === 'signed-out') this.authError ||= 'The registry did not accept this token.';
  }

  private signOut(event: Event) {
    event.preventDefault();
    this.me = undefined;
    this.needsSignIn = true;
    this.authState = 'signed-out';
    this.dispatchEvent(new CustomEvent('codex-signed-out', { bubbles: true, composed: true }));
  }

  override render() {
    if (!this.adapter || this.authState === 'checking') return html`<p class="state" role="status">Connecting to the registry…</p>`;
    if (this.authState === 'signed-out') return html`<codex-sign-in .error=${this.authError} @codex-sign-in=${this.onSignIn}></codex-sign-in>`;
    const route = this.route;
    return html`
      ${this.mode === 'browser' ? this.renderNav(route) : nothing}
      <main @codex-open-plugin=${(event: CustomEvent<{ pluginId: string }>) => { if (this.mode === 'browser') this.navigate({ view: 'details', pluginId: event.detail.pluginId }); }}>
        ${this.renderView(route)}
      </main>`;
  }

  private renderNav(route: Route) {
    const link = (view: WebviewView, label: string) => html`<a href=${routeHash({ view })} aria-current=${route.view === view ? 'page' : 'false'}>${label}</a>`;
    return html`<nav aria-label="Plugin Codex">
      <span class="brand">Plugin Codex</span>
      ${link('marketplace', 'Marketplace')}
      ${route.view === 'details' ? html`<a href=${routeHash(route)} aria-current="page">${route.pluginId}</a>` : nothing}
      ${link('debug', 'Debug')}
      ${this.me?.role === 'super-admin' ? link('admin', 'Admin') : nothing}
      <span class="spacer"></span>
      <span class="muted user">${this.me ? `${this.me.userId} (${this.me.role})` : ''}</span>
      <a href="#" class="sign-out" @click=${this.signOut}>Sign out</a>
    </nav>`;
  }

  private renderView(route: Route) {
    switch (route.view) {
      case 'marketplace': return html`<codex-marketplace-view .adapter=${this.adapter}></codex-marketplace-view>`;
      case 'details': return html`<codex-plugin-details .adapter=${this.adapter} plugin-id=${route.pluginId ?? ''} preview-url=${this.previewUrl}></codex-plugin-details>`;
      case 'debug': return html`<codex-debug-dashboard .adapter=${this.adapter} plugin-id=${route.pluginId ?? ''}></codex-debug-dashboard>`;
      case 'admin': return html`<codex-admin-console .adapter=${this.adapter}></codex-admin-console>`;
      default: {
        const unreachable: never = route.view;
        return unreachable;
      }
    }
  }
}

customElements.define('codex-app', CodexApp);

declare global {
  interface HTMLElementTagNameMap {
    'codex-app': CodexApp;
  }
  interface HTMLElementEventMap {
    'codex-signed-in': CustomEvent<SignInDetail>;
    'codex-signed-out': CustomEvent<undefined>;
  }
}
