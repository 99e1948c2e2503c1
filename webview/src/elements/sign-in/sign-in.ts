import { html, LitElement, nothing } from 'lit';
import { themeStyles } from '../../lib/theme-styles';
import { signInStyles } from './sign-in.styles';

/** Detail of `codex-sign-in`. */
export interface SignInDetail { token: string }

/**
 * The web console's sign-in: paste a registry token (a JWT, or an API token from
 * `plugin-codex token create`; `npm start` prints one). The token stays in this tab's
 * sessionStorage and is sent as a bearer credential.
 *
 * @fires codex-sign-in - the user submitted a token
 */
export class CodexSignIn extends LitElement {
  static override styles = [themeStyles, signInStyles];
  static override properties = {
    error: { type: String },
    busy: { type: Boolean },
  };

  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.error = '';
    this.busy = false;
  }

  private onSubmit(event: SubmitEvent) {
    event.preventDefault();
    const token = (this.renderRoot.querySelector('input') as HTMLInputElement).value.trim();
    if (!token) {
      this.error = 'Paste a token first.';
      return;
    }
    this.dispatchEvent(new CustomEvent<SignInDetail>('codex-sign-in', { detail: { token }, bubbles: true, composed: true }));
  }

  override render() {
    return html`
      <form aria-labelledby="sign-in-title" @submit=${this.onSubmit}>
        <h1 id="sign-in-title">Sign in to Plugin Codex</h1>
        <p class="muted">Paste a registry token: the one <code>npm start</code> printed, or one from <code>plugin-codex token create</code>.</p>
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" placeholder="eyJ… or pcx_…" />
        ${this.error ? html`<p class="state error" role="alert">${this.error}</p>` : nothing}
        <div><button type="submit" ?disabled=${this.busy}>${this.busy ? 'Signing in…' : 'Sign in'}</button></div>
      </form>`;
  }
}

customElements.define('codex-sign-in', CodexSignIn);

declare global {
  interface HTMLElementTagNameMap {
    'codex-sign-in': CodexSignIn;
  }
  interface HTMLElementEventMap {
    'codex-sign-in': CustomEvent<SignInDetail>;
  }
}
