/** What the webview HTML needs from VS Code. */
export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webview/main.js)` as a string. */
  scriptUri: string;
  /** A fresh random nonce per render. */
  nonce: string;
  title: string;
  /** Origins the webview may frame: the registry's, for the sandboxed plugin preview. */
  frameOrigins?: string[];
}

/**
 * The webview's HTML: a strict CSP (no network access at all — the host makes every request —,
 * the one bundle allowed by nonce, styles from the extension or by nonce, frames only of the
 * registry's sandboxed preview page) and the app element.
 */
export function panelHtml(options: PanelHtmlOptions): string {
  const { cspSource, scriptUri, nonce } = options;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `frame-src ${[cspSource, ...(options.frameOrigins ?? [])].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta http-equiv="Content-Security-Policy" content="${csp}" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>${escapeHtml(options.title)}</title>
<style nonce="${nonce}">body { margin: 0; padding: 0; background: var(--vscode-editor-background); }</style>
</head>
<body>
<codex-app mode="vscode"></codex-app>
<script nonce="${nonce}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
