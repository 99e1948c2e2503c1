import { css } from 'lit';

export const adminConsoleStyles = css`
  :host { display: block; padding: 12px; }
  section { margin-bottom: 20px; }
  h2 { font-size: 15px; margin: 8px 0; display: flex; gap: 8px; align-items: center; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, #e5e7eb); vertical-align: top; }
  td.actions { white-space: nowrap; }
  .severity-critical, .severity-error { color: var(--vscode-errorForeground, #cf222e); }
  .severity-warning { color: var(--vscode-editorWarning-foreground, #9a6700); }
  input.reason { width: 16ch; }
`;
