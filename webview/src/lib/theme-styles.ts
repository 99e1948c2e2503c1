import { css } from 'lit';

/**
 * Styles every element shares. Colours come from VS Code's theme variables so panels follow the
 * user's theme; each has a fallback so the web console looks right in a browser too.
 */
export const themeStyles = css`
  :host {
    color: var(--vscode-foreground, #1f2328);
    font-family: var(--vscode-font-family, system-ui, -apple-system, 'Segoe UI', sans-serif);
    font-size: var(--vscode-font-size, 13px);
    line-height: 1.45;
  }
  [hidden] { display: none !important; }
  button {
    font: inherit;
    color: var(--vscode-button-foreground, #ffffff);
    background: var(--vscode-button-background, #0969da);
    border: 1px solid var(--vscode-button-border, transparent);
    border-radius: 3px;
    padding: 4px 10px;
    cursor: pointer;
  }
  button:hover { background: var(--vscode-button-hoverBackground, #0860c4); }
  button.secondary {
    color: var(--vscode-button-secondaryForeground, #1f2328);
    background: var(--vscode-button-secondaryBackground, #e7ebef);
  }
  button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground, #d5dbe1); }
  button.danger { background: var(--vscode-errorForeground, #cf222e); color: #fff; }
  button:disabled { opacity: 0.55; cursor: default; }
  button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, [tabindex]:focus-visible, a:focus-visible {
    outline: 1px solid var(--vscode-focusBorder, #0969da);
    outline-offset: 1px;
  }
  input, select, textarea {
    font: inherit;
    color: var(--vscode-input-foreground, #1f2328);
    background: var(--vscode-input-background, #ffffff);
    border: 1px solid var(--vscode-input-border, #c7ced6);
    border-radius: 2px;
    padding: 3px 6px;
  }
  a { color: var(--vscode-textLink-foreground, #0969da); }
  code, pre { font-family: var(--vscode-editor-font-family, ui-monospace, 'SFMono-Regular', Menlo, monospace); font-size: 12px; }
  pre { background: var(--vscode-textCodeBlock-background, #f6f8fa); padding: 8px; overflow: auto; border-radius: 3px; }
  .muted { color: var(--vscode-descriptionForeground, #59636e); }
  .badge {
    display: inline-block;
    padding: 0 6px;
    border-radius: 9px;
    font-size: 11px;
    background: var(--vscode-badge-background, #dde3ea);
    color: var(--vscode-badge-foreground, #1f2328);
  }
  .badge.official { background: var(--vscode-charts-blue, #0969da); color: #fff; }
  .badge.update { background: var(--vscode-charts-orange, #bc4c00); color: #fff; }
  .badge.installed { background: var(--vscode-charts-green, #1a7f37); color: #fff; }
  .state { padding: 16px; text-align: center; }
  .state.error { color: var(--vscode-errorForeground, #cf222e); }
  .row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  .tok-comment { color: var(--vscode-editorLineNumber-foreground, #6e7781); font-style: italic; }
  .tok-string { color: var(--vscode-debugTokenExpression-string, #0a3069); }
  .tok-number, .tok-literal { color: var(--vscode-debugTokenExpression-number, #0550ae); }
  .tok-keyword { color: var(--vscode-debugTokenExpression-name, #cf222e); }
  .tok-punctuation { color: var(--vscode-descriptionForeground, #59636e); }
  .diff-add { background: var(--vscode-diffEditor-insertedLineBackground, rgba(46, 160, 67, 0.18)); display: block; }
  .diff-del { background: var(--vscode-diffEditor-removedLineBackground, rgba(248, 81, 73, 0.18)); display: block; }
  .diff-ctx { display: block; }
  .diff-hunk { color: var(--vscode-descriptionForeground, #59636e); display: block; }
`;
