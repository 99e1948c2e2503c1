import { css } from 'lit';

export const pluginDetailsStyles = css`
  :host { display: block; padding: 12px; }
  header { display: grid; gap: 4px; margin-bottom: 8px; }
  h1 { font-size: 20px; margin: 0; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  [role='tablist'] { display: flex; gap: 2px; border-bottom: 1px solid var(--vscode-panel-border, #d0d7de); margin: 8px 0; flex-wrap: wrap; }
  [role='tab'] {
    background: none;
    color: var(--vscode-foreground, #1f2328);
    border: none;
    border-bottom: 2px solid transparent;
    border-radius: 0;
    padding: 6px 10px;
  }
  [role='tab'][aria-selected='true'] { border-bottom-color: var(--vscode-panelTitle-activeBorder, #0969da); font-weight: 600; }
  [role='tab']:hover { background: var(--vscode-list-hoverBackground, #f3f4f6); }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, #e5e7eb); vertical-align: top; }
  .files { display: grid; grid-template-columns: minmax(160px, 240px) 1fr; gap: 12px; }
  .files ul { list-style: none; padding: 0; margin: 0; }
  .files li button { width: 100%; text-align: left; background: none; color: inherit; border: none; padding: 2px 6px; }
  .files li button[aria-current='true'] { background: var(--vscode-list-activeSelectionBackground, #ddf4ff); }
  .tool { border: 1px solid var(--vscode-widget-border, #d0d7de); border-radius: 4px; padding: 8px; margin-bottom: 8px; }
  .tool h3 { margin: 0 0 4px; font-size: 14px; }
  .review { border-bottom: 1px solid var(--vscode-panel-border, #e5e7eb); padding: 6px 0; }
  .stars { color: var(--vscode-charts-yellow, #bf8700); }
  form { display: grid; gap: 6px; max-width: 520px; margin-top: 8px; }
  .transcript li.fail { color: var(--vscode-errorForeground, #cf222e); }
  .readme { max-width: 860px; }
  .compare-row { margin-top: 8px; }
  .change-added { color: var(--vscode-charts-green, #1a7f37); }
  .change-removed { color: var(--vscode-errorForeground, #cf222e); }
`;
