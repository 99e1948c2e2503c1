import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { errorMessage, isNotAvailable, type Alert, type Approval, type EventsPage, type MarketplaceAdapter, type PluginRequest } from '../../adapters/marketplace-adapter';
import { themeStyles } from '../../lib/theme-styles';
import { adminConsoleStyles } from './admin-console.styles';

/** The state of one section that loads on its own. */
export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'unavailable' } | { state: 'error'; message: string };

async function loadable<T>(load: () => Promise<T>): Promise<Loadable<T>> {
  try {
    return { state: 'ready', value: await load() };
  } catch (error) {
    return isNotAvailable(error) ? { state: 'unavailable' } : { state: 'error', message: errorMessage(error) };
  }
}

/**
 * The administration view: the approval queue (approve or reject with a reason), plugin requests,
 * unresolved alerts (acknowledge, resolve) and the newest events of the journal. Each section loads
 * and fails on its own, so one missing endpoint does not hide the rest.
 */
export class CodexAdminConsole extends LitElement {
  static override styles = [themeStyles, adminConsoleStyles];
  static override properties = {
    adapter: { attribute: false },
    approvals: { state: true },
    requests: { state: true },
    alerts: { state: true },
    events: { state: true },
    actionError: { state: true },
  };

  declare adapter: MarketplaceAdapter | undefined;
  declare approvals: Loadable<Approval[]>;
  declare requests: Loadable<PluginRequest[]>;
  declare alerts: Loadable<Alert[]>;
  declare events: Loadable<EventsPage>;
  declare actionError: string | undefined;
  private loadedFor: MarketplaceAdapter | undefined;

  constructor() {
    super();
    this.adapter = undefined;
    this.approvals = { state: 'loading' };
    this.requests = { state: 'loading' };
    this.alerts = { state: 'loading' };
    this.events = { state: 'loading' };
    this.actionError = undefined;
  }

  override willUpdate() {
    if (this.adapter && this.loadedFor !== this.adapter) {
      this.loadedFor = this.adapter;
      void this.reload();
    }
  }

  /** Loads every section. */
  async reload(): Promise<void> {
    const adapter = this.adapter;
    if (!adapter) return;
    await Promise.all([
      loadable(() => adapter.listApprovals()).then((value) => { this.approvals = value; }),
      loadable(() => adapter.listPluginRequests()).then((value) => { this.requests = value; }),
      loadable(() => adapter.listAlerts()).then((value) => { this.alerts = value; }),
      loadable(async () => {
        // The newest events: read the head first, then the page that ends there.
        const head = (await adapter.listEvents(undefined, 1)).head;
        return adapter.listEvents(Math.max(0, head - 20), 20);
      }).then((value) => { this.events = value; }),
    ]);
  }

  /** Approves or rejects an approval, then reloads the queue. */
  async decide(approval: Approval, decision: 'approve' | 'reject', reason: string): Promise<void> {
    if (!this.adapter) return;
    this.actionError = undefined;
    try {
      await this.adapter.decideApproval(approval.id, decision, reason);
    } catch (error) {
      this.actionError = errorMessage(error);
    }
    this.approvals = await loadable(() => this.adapter!.listApprovals());
  }

  /** Acknowledges or resolves an alert, then reloads the alerts. */
  async updateAlert(alert: Alert, action: 'acknowledge' | 'resolve'): Promise<void> {
    if (!this.adapter) return;
    this.actionError = undefined;
    try {
      await this.adapter.updateAlert(alert.id, action);
    } catch (error) {
      this.actionError = errorMessage(error);
    }
    this.alerts = await loadable(() => this.adapter!.listAlerts());
  }

  override render() {
    return html`
      ${this.actionError ? html`<p class="state error" role="alert">${this.actionError}</p>` : nothing}
      <section aria-labelledby="approvals-title" class="approvals">
        <h2 id="approvals-title">Approval queue ${this.count(this.approvals, (items) => items.filter((a) => a.status === 'pending').length)}</h2>
        ${this.section(this.approvals, 'approvals', (items) => {
          const pending = items.filter((approval) => approval.status === 'pending');
          return pending.length === 0 ? html`<p class="empty muted">Nothing waits for approval.</p>` : html`
            <table><thead><tr><th>Plugin</th><th>Version</th><th>Kind</th><th>Requested by</th><th>Decision</th></tr></thead><tbody>
              ${pending.map((approval) => html`<tr data-approval=${approval.id}>
                <td>${approval.pluginId}</td><td>${approval.version ?? '—'}</td><td>${approval.kind}</td><td>${approval.requestedBy}</td>
                <td class="actions"><input class="reason" aria-label=${`Reason for ${approval.pluginId}`} placeholder="reason" />
                  <button class="approve" @click=${(event: Event) => void this.decide(approval, 'approve', reasonNear(event))}>Approve</button>
                  <button class="secondary reject" @click=${(event: Event) => void this.decide(approval, 'reject', reasonNear(event))}>Reject</button></td></tr>`)}
            </tbody></table>`;
        })}
      </section>
      <section aria-labelledby="requests-title" class="requests">
        <h2 id="requests-title">Plugin requests ${this.count(this.requests, (items) => items.length)}</h2>
        ${this.section(this.requests, 'plugin requests', (items) => items.length === 0 ? html`<p class="empty muted">No plugin requests.</p>` : html`
          <table><thead><tr><th>Title</th><th>Description</th><th>Status</th><th>By</th><th>When</th></tr></thead><tbody>
            ${items.map((request) => html`<tr><td>${request.title}</td><td>${request.description}</td><td>${request.status}</td><td>${request.requestedBy}</td><td>${request.createdAt.slice(0, 10)}</td></tr>`)}
          </tbody></table>`)}
      </section>
      <section aria-labelledby="alerts-title" class="alerts">
        <h2 id="alerts-title">Alerts ${this.count(this.alerts, (items) => items.length)}</h2>
        ${this.section(this.alerts, 'alerts', (items) => items.length === 0 ? html`<p class="empty muted">No unresolved alerts.</p>` : html`
          <table><thead><tr><th>Severity</th><th>Message</th><th>Status</th><th>Since</th><th></th></tr></thead><tbody>
            ${items.map((alert) => html`<tr class=${`severity-${alert.severity}`} data-alert=${alert.id}><td>${alert.severity}</td><td>${alert.message}</td><td class="status">${alert.status}</td><td>${alert.createdAt.slice(0, 19).replace('T', ' ')}</td>
              <td class="actions">${alert.status === 'open' ? html`<button class="secondary acknowledge" @click=${() => void this.updateAlert(alert, 'acknowledge')}>Acknowledge</button>` : nothing}
                <button class="resolve" @click=${() => void this.updateAlert(alert, 'resolve')}>Resolve</button></td></tr>`)}
          </tbody></table>`)}
      </section>
      <section aria-labelledby="journal-title" class="journal">
        <h2 id="journal-title">Event journal</h2>
        ${this.section(this.events, 'the event journal', (page) => page.items.length === 0 ? html`<p class="empty muted">The journal is empty.</p>` : html`
          <p class="muted">Newest ${page.items.length} of ${page.head} events. Each event's hash links it to the previous one; the registry verifies the chain when it restores from the journal (no verification endpoint is exposed yet).</p>
          <table><thead><tr><th>#</th><th>Time</th><th>Type</th><th>Subject</th><th>Actor</th><th>Hash</th></tr></thead><tbody>
            ${[...page.items].reverse().map((event) => html`<tr><td>${event.seq}</td><td>${event.ts.slice(0, 19).replace('T', ' ')}</td><td>${event.type}</td><td>${event.subject}</td><td>${event.actor}</td><td><code>${event.hash.slice(0, 12)}</code></td></tr>`)}
          </tbody></table>`)}
      </section>`;
  }

  private count<T>(value: Loadable<T>, count: (value: T) => number) {
    return value.state === 'ready' ? html`<span class="badge">${count(value.value)}</span>` : nothing;
  }

  private section<T>(value: Loadable<T>, what: string, ready: (value: T) => TemplateResult): TemplateResult {
    switch (value.state) {
      case 'loading': return html`<p class="state" role="status">Loading ${what}…</p>`;
      case 'unavailable': return html`<p class="state unavailable muted" role="status">This registry does not offer ${what}.</p>`;
      case 'error': return html`<div class="state error" role="alert"><p>Could not load ${what}: ${value.message}</p><button class="secondary" @click=${() => void this.reload()}>Retry</button></div>`;
      case 'ready': return ready(value.value);
      default: {
        const unreachable: never = value;
        return html`${unreachable}`;
      }
    }
  }
}

/** The reason typed in the row of the clicked button. */
function reasonNear(event: Event): string {
  return ((event.target as HTMLElement).closest('td')?.querySelector('input.reason') as HTMLInputElement | null)?.value.trim() ?? '';
}

customElements.define('codex-admin-console', CodexAdminConsole);

declare global {
  interface HTMLElementTagNameMap {
    'codex-admin-console': CodexAdminConsole;
  }
}
