import { html, LitElement } from 'lit';
import { highlight, languageOf } from '../../lib/highlight';
import { themeStyles } from '../../lib/theme-styles';
import { codeViewStyles } from './code-view.styles';

/** Read-only source with line numbers and simple token highlighting. */
export class CodexCodeView extends LitElement {
  static override styles = [themeStyles, codeViewStyles];
  static override properties = {
    code: { type: String },
    path: { type: String },
  };

  declare code: string;
  declare path: string;

  constructor() {
    super();
    this.code = '';
    this.path = '';
  }

  override render() {
    const language = languageOf(this.path);
    const lines = this.code.replace(/\n$/, '').split('\n');
    return html`<pre role="region" aria-label=${`source of ${this.path || 'file'}`} tabindex="0"><code>${lines.map((line) => html`<span class="line">${highlight(line, language)}\n</span>`)}</code></pre>`;
  }
}

customElements.define('codex-code-view', CodexCodeView);

declare global {
  interface HTMLElementTagNameMap {
    'codex-code-view': CodexCodeView;
  }
}
