import { html, LitElement, nothing } from 'lit';
import { errorMessage, type MarketplaceAdapter, type PluginRequest } from '../../adapters/marketplace-adapter';
import { themeStyles } from '../../lib/theme-styles';
import { requestFormStyles } from './request-form.styles';

/** Detail of `codex-plugin-requested`. */
export interface PluginRequestedDetail { request: PluginRequest }

/**
 * "Request a plugin": any signed-in user proposes a plugin the marketplace lacks.
 *
 * @fires codex-plugin-requested - the registry recorded the request
 * @fires codex-dialog-closed - the user dismissed the form
 */
export class CodexRequestForm extends LitElement {
  static override styles = [themeStyles, requestFormStyles];
  static override properties = {
    adapter: { attribute: false },
    sending: { state: true },
    error: { state: true },
    sent: { state: true },
  };

  declare adapter: MarketplaceAdapter | undefined;
  declare sending: boolean;
  declare error: string | undefined;
  declare sent: PluginRequest | undefined;

  constructor() {
    super();
    this.adapter = undefined;
    this.sending = false;
    this.error = undefined;
    this.sent = undefined;
  }

  /** Sends the request with the form's title and description. */
  async submit(title: string, description: string): Promise<void> {
    if (!this.adapter) return;
    if (!title.trim()) {
      this.error = 'Give the plugin a title.';
      return;
    }
    this.sending = true;
    this.error = undefined;
    try {
      this.sent = await this.adapter.createPluginRequest({ kind: 'new-plugin', title: title.trim(), description: description.trim() });
      this.dispatchEvent(new CustomEvent<PluginRequestedDetail>('codex-plugin-requested', { detail: { request: this.sent }, bubbles: true, composed: true }));
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.sending = false;
    }
  }

  private onSubmit(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const title = (form.querySelector('[name=title]') as HTMLInputElement).value;
    const description = (form.querySelector('[name=description]') as HTMLTextAreaElement).value;
    void this.submit(title, description);
  }

  override render() {
    if (this.sent) {
      return html`<form aria-label="Request a plugin"><p class="ok" role="status">Thanks — your request “${this.sent.title}” was recorded (status: ${this.sent.status}).</p>
        <div class="row"><button type="button" class="secondary" @click=${this.close}>Close</button></div></form>`;
    }
    return html`
      <form aria-label="Request a plugin" @submit=${this.onSubmit}>
        <label>What plugin do you need?<input name="title" required maxlength="200" placeholder="e.g. A CSV to chart block" /></label>
        <label>Why, and what should it do?<textarea name="description" rows="3" maxlength="5000"></textarea></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <div class="row">
          <button type="submit" ?disabled=${this.sending}>${this.sending ? 'Sending…' : 'Send request'}</button>
          <button type="button" class="secondary" @click=${this.close}>Cancel</button>
        </div>
      </form>`;
  }

  private close() {
    this.dispatchEvent(new CustomEvent('codex-dialog-closed', { bubbles: true, composed: true }));
  }
}

customElements.define('codex-request-form', CodexRequestForm);

declare global {
  interface HTMLElementTagNameMap {
    'codex-request-form': CodexRequestForm;
  }
  interface HTMLElementEventMap {
    'codex-plugin-requested': CustomEvent<PluginRequestedDetail>;
  }
}
