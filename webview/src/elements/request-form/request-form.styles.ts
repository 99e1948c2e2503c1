import { css } from 'lit';

export const requestFormStyles = css`
  :host { display: block; }
  form {
    display: grid;
    gap: 6px;
    max-width: 560px;
    padding: 10px;
    border: 1px solid var(--vscode-widget-border, #d0d7de);
    border-radius: 4px;
    background: var(--vscode-editorWidget-background, #ffffff);
  }
  label { display: grid; gap: 2px; }
  .ok { color: var(--vscode-charts-green, #1a7f37); }
  .error { color: var(--vscode-errorForeground, #cf222e); }
`;
