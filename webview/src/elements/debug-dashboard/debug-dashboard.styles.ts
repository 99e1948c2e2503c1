import { css } from 'lit';

export const debugDashboardStyles = css`
  :host { display: block; padding: 12px; }
  section { margin-bottom: 16px; }
  h2 { font-size: 15px; margin: 12px 0 6px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--vscode-panel-border, #e5e7eb); vertical-align: top; }
  .level-error { color: var(--vscode-errorForeground, #cf222e); }
  .level-warn { color: var(--vscode-editorWarning-foreground, #9a6700); }
  .fix { border: 1px solid var(--vscode-widget-border, #d0d7de); border-radius: 4px; padding: 8px; margin-bottom: 8px; }
  meter { width: 120px; }
`;
