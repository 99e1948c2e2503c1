import { css } from 'lit';

export const pluginCardStyles = css`
  :host { display: block; }
  article {
    border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border, #d0d7de));
    background: var(--vscode-editorWidget-background, #ffffff);
    border-radius: 4px;
    padding: 10px 12px;
    display: grid;
    gap: 4px;
    cursor: pointer;
  }
  article:hover { border-color: var(--vscode-focusBorder, #0969da); }
  h3 { margin: 0; font-size: 14px; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
  .id { font-weight: normal; font-size: 12px; }
  p { margin: 0; }
  .actions { display: flex; gap: 6px; justify-content: flex-end; flex-wrap: wrap; }
  .meta { font-size: 12px; display: flex; gap: 12px; flex-wrap: wrap; }
`;
