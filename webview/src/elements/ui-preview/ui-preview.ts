import { html, LitElement, nothing } from 'lit';
import { themeStyles } from '../../lib/theme-styles';
import { uiPreviewStyles } from './ui-preview.styles';

/** The message the preview frame (webview/preview/preview.ts) waits for. */
export interface PreviewFrameMessage {
  type: 'codex-preview';
  /** The plugin's UI module source. */
  code: string;
  /** The custom element the module defines, created once the module ran. */
  element?: string;
  /** Sample data set as the element's `data` property (a tool output from the plugin's examples). */
  data?: unknown;
}

/**
 * Shows a visual block or micro-app in a sandboxed iframe: `sandbox="allow-scripts"` without
 * `allow-same-origin`, so the plugin's code runs in an opaque origin with no access to this page,
 * its storage or the host. The frame page is static (served with its own CSP); the plugin's module
 * is posted to it once it has loaded.
 */
export class CodexUiPreview extends LitElement {
  static override styles = [themeStyles, uiPreviewStyles];
  static override properties = {
    frameUrl: { type: String, attribute: 'frame-url' },
    code: { type: String },
    element: { type: String },
    height: { type: Number },
    data: { attribute: false },
  };

  declare frameUrl: string;
  declare code: string;
  declare element: string | undefined;
  declare height: number;
  declare data: unknown;

  constructor() {
    super();
    this.frameUrl = '';
    this.code = '';
    this.element = undefined;
    this.height = 240;
    this.data = undefined;
  }

  /** The message posted to the frame. */
  get message(): PreviewFrameMessage {
    return { type: 'codex-preview', code: this.code, ...(this.element ? { element: this.element } : {}), ...(this.data === undefined ? {} : { data: this.data }) };
  }

  private onLoad(event: Event) {
    // The frame's origin is opaque, so "*" is the only target origin that reaches it; the message
    // carries only the plugin's public code.
    (event.target as HTMLIFrameElement).contentWindow?.postMessage(this.message, '*');
  }

  override render() {
    if (!this.frameUrl) return html`<p class="state muted">The preview is not available here.</p>`;
    if (!this.code) return nothing;
    return html`<iframe title="plugin preview" sandbox="allow-scripts" src=${this.frameUrl} height=${this.height} @load=${this.onLoad}></iframe>`;
  }
}

customElements.define('codex-ui-preview', CodexUiPreview);

declare global {
  interface HTMLElementTagNameMap {
    'codex-ui-preview': CodexUiPreview;
  }
}
