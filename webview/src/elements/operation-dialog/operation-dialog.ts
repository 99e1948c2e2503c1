import { html, LitElement, nothing } from 'lit';
import { errorMessage, type LifecycleKind, type LifecyclePlan, type LifecycleResult, type MarketplaceAdapter, type Operation } from '../../adapters/marketplace-adapter';
import { themeStyles } from '../../lib/theme-styles';
import { operationDialogStyles } from './operation-dialog.styles';

/** What the dialog is asked to do. */
export interface OperationDialogRequest {
  kind: LifecycleKind;
  pluginId: string;
  target: string;
  version?: string;
}

/** Detail of `codex-operation-finished`. */
export interface OperationFinishedDetail { result: LifecycleResult; request: OperationDialogRequest }

/** Where the dialog is: computing the plan, waiting for confirmation, running, or finished. */
export type OperationPhase = 'planning' | 'confirm' | 'running' | 'done' | 'error';

const FINAL = new Set(['succeeded', 'failed', 'pending-approval', 'rolled-back', 'cancelled']);
const VERBS: Record<LifecycleKind, string> = { install: 'Install', upgrade: 'Upgrade', rollback: 'Roll back', remove: 'Remove' };

/**
 * Confirms a lifecycle operation with its dry-run plan (dependencies to add, permission changes,
 * migrations, dependents), then runs it and follows its progress by polling the operation until
 * it reaches a final status.
 *
 * @fires codex-operation-finished - the operation reached a final status (succeeded, failed, pending approval)
 * @fires codex-dialog-closed - the user closed the dialog
 */
export class CodexOperationDialog extends LitElement {
  static override styles = [themeStyles, operationDialogStyles];
  static override properties = {
    adapter: { attribute: false },
    request: { attribute: false },
    pollIntervalMs: { type: Number },
    phase: { state: true },
    plan: { state: true },
    operation: { state: true },
    error: { state: true },
    noop: { state: true },
  };

  declare adapter: MarketplaceAdapter | undefined;
  declare request: OperationDialogRequest | undefined;
  declare pollIntervalMs: number;
  declare phase: OperationPhase;
  declare plan: LifecyclePlan | undefined;
  declare operation: Operation | undefined;
  declare error: string | undefined;
  declare noop: boolean;
  private planned: OperationDialogRequest | undefined;

  constructor() {
    super();
    this.adapter = undefined;
    this.request = undefined;
    this.pollIntervalMs = 500;
    this.phase = 'planning';
    this.plan = undefined;
    this.operation = undefined;
    this.error = undefined;
    this.noop = false;
  }

  override willUpdate() {
    if (this.request && this.adapter && this.planned !== this.request) {
      this.planned = this.request;
      void this.dryRun();
    }
  }

  override connectedCallback() {
    super.connectedCallback();
    this.addEventListener('keydown', this.onKeydown);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKeydown);
  }

  private readonly onKeydown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && this.phase !== 'running') this.close();
  };

  /** Computes the plan with a dry run. */
  async dryRun(): Promise<void> {
    const { adapter, request } = this;
    if (!adapter || !request) return;
    this.phase = 'planning';
    this.error = undefined;
    try {
      const result = await adapter.runOperation(request.kind, { pluginId: request.pluginId, target: request.target, ...(request.version ? { version: request.version } : {}), dryRun: true });
      this.plan = result.plan;
      this.phase = 'confirm';
    } catch (error) {
      this.error = errorMessage(error);
      this.phase = 'error';
    }
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('button.confirm')?.focus();
  }

  /** Runs the operation and polls it until it is final. */
  async confirm(): Promise<void> {
    const { adapter, request } = this;
    if (!adapter || !request) return;
    this.phase = 'running';
    try {
      const result = await adapter.runOperation(request.kind, { pluginId: request.pluginId, target: request.target, ...(request.version ? { version: request.version } : {}) });
      this.noop = result.noop;
      let operation = result.operation;
      this.operation = operation ?? undefined;
      // The registry may answer before the operation is final: follow it until it is.
      while (operation && !FINAL.has(operation.status)) {
        await new Promise((resolve) => setTimeout(resolve, this.pollIntervalMs));
        operation = await adapter.getOperation(operation.id);
        this.operation = operation;
      }
      this.phase = 'done';
      this.dispatchEvent(new CustomEvent<OperationFinishedDetail>('codex-operation-finished', { detail: { result: { ...result, operation }, request }, bubbles: true, composed: true }));
    } catch (error) {
      this.error = errorMessage(error);
      this.phase = 'error';
    }
  }

  close() {
    this.dispatchEvent(new CustomEvent('codex-dialog-closed', { bubbles: true, composed: true }));
  }

  override render() {
    const request = this.request;
    if (!request) return nothing;
    const title = `${VERBS[request.kind]} ${request.pluginId}${request.version ? ` ${request.version}` : ''}`;
    return html`
      <div role="dialog" aria-modal="true" aria-labelledby="title">
        <h2 id="title">${title}</h2>
        <p class="muted">on target <strong>${request.target}</strong></p>
        ${this.phase === 'planning' ? html`<p role="status">Computing the plan…</p><progress aria-label="computing the plan"></progress>` : nothing}
        ${this.phase === 'confirm' && this.plan ? this.renderPlan(this.plan) : nothing}
        ${this.phase === 'running' ? html`<p role="status">Running ${request.kind}… ${this.operation ? html`<span class="muted">(${this.operation.status})</span>` : nothing}</p><progress aria-label="operation progress"></progress>` : nothing}
        ${this.phase === 'done' ? this.renderResult(this.operation) : nothing}
        ${this.phase === 'error' ? html`<p class="state error" role="alert">${this.error}</p>` : nothing}
        <div class="footer">
          ${this.phase === 'confirm' ? html`<button class="confirm" @click=${() => void this.confirm()}>Confirm ${VERBS[request.kind].toLowerCase()}</button>` : nothing}
          <button class="secondary" ?disabled=${this.phase === 'running'} @click=${() => this.close()}>${this.phase === 'done' ? 'Close' : 'Cancel'}</button>
        </div>
      </div>`;
  }

  private renderPlan(plan: LifecyclePlan) {
    const dependencies = plan.install.filter((entry) => entry.pluginId !== plan.pluginId);
    const permissions = plan.permissions.flatMap((diff) => [
      ...diff.added.map((permission) => ({ pluginId: diff.pluginId, text: `+ ${permission}`, added: true })),
      ...diff.removed.map((permission) => ({ pluginId: diff.pluginId, text: `− ${permission}`, added: false })),
    ]);
    const migrations = plan.migrations.flatMap((group) => group.steps.map((step) => `${group.pluginId}: ${group.direction} ${step.version} ${step.name}`));
    return html`
      <section class="plan" aria-label="plan">
        <p class="versions">Version: ${plan.fromVersion ?? 'not installed'} → ${plan.toVersion ?? 'removed'}</p>
        <h3>Dependencies to add</h3>
        ${dependencies.length ? html`<ul class="dependencies">${dependencies.map((dep) => html`<li>${dep.pluginId} ${dep.version}</li>`)}</ul>` : html`<p class="muted">None.</p>`}
        ${plan.change.length > (plan.kind === 'install' ? 0 : 1) ? html`<h3>Also changes</h3><ul class="changes">${plan.change.filter((c) => c.pluginId !== plan.pluginId).map((c) => html`<li>${c.pluginId} ${c.fromVersion} → ${c.toVersion}</li>`)}</ul>` : nothing}
        ${plan.remove.length ? html`<h3>Removes</h3><ul class="removals">${plan.remove.map((r) => html`<li>${r.pluginId} ${r.version} (${r.reason})</li>`)}</ul>` : nothing}
        <h3>Permission changes</h3>
        ${permissions.length ? html`<ul class="permissions">${permissions.map((line) => html`<li class=${line.added ? 'added' : 'removed'}>${line.pluginId}: ${line.text}</li>`)}</ul>` : html`<p class="muted">No permission changes.</p>`}
        <h3>Migrations</h3>
        ${migrations.length ? html`<ul class="migrations">${migrations.map((line) => html`<li>${line}</li>`)}</ul>` : html`<p class="muted">No migrations.</p>`}
        <h3>Dependents</h3>
        ${plan.dependentsAffected.length ? html`<ul class="dependents">${plan.dependentsAffected.map((id) => html`<li>${id}</li>`)}</ul>` : html`<p class="muted">No installed plugin depends on it.</p>`}
      </section>`;
  }

  private renderResult(operation: Operation | undefined) {
    const kind = this.request?.kind ?? 'install';
    if (!operation) return html`<p class="status succeeded" role="status">${VERBS[kind]} succeeded</p>`;
    return html`
      <p class="status ${operation.status}" role="status">${operation.status === 'succeeded' ? `${VERBS[kind]} succeeded${this.noop ? ' (nothing to change)' : ''}` : operation.status === 'pending-approval' ? 'Waiting for an admin to approve' : `${VERBS[kind]} ${operation.status}`}</p>
      ${operation.diffLog.length ? html`<h3>What changed</h3><ul class="diff-log">${operation.diffLog.map((entry) => html`<li>${entry.pluginId} ${entry.field}: ${describe(entry.from)} → ${describe(entry.to)}</li>`)}</ul>` : nothing}`;
  }
}

/** A diff-log value in a few words. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

customElements.define('codex-operation-dialog', CodexOperationDialog);

declare global {
  interface HTMLElementTagNameMap {
    'codex-operation-dialog': CodexOperationDialog;
  }
  interface HTMLElementEventMap {
    'codex-operation-finished': CustomEvent<OperationFinishedDetail>;
    'codex-dialog-closed': CustomEvent<undefined>;
  }
}
