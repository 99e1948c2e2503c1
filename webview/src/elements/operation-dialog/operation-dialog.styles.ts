import { css } from 'lit';

export const operationDialogStyles = css`
  :host { position: fixed; inset: 0; display: grid; place-items: center; background: rgba(0, 0, 0, 0.35); z-index: 10; }
  [role='dialog'] {
    background: var(--vscode-editorWidget-background, #ffffff);
    border: 1px solid var(--vscode-widget-border, #d0d7de);
    box-shadow: 0 4px 16px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.25));
    border-radius: 6px;
    padding: 16px;
    width: min(560px, 92vw);
    max-height: 85vh;
    overflow: auto;
  }
  h2 { margin: 0 0 8px; font-size: 16px; }
  h3 { margin: 12px 0 4px; font-size: 13px; }
  ul { margin: 0; padding-left: 18px; }
  .footer { display: flex; justify-content: flex-end; gap: 8px; margin-top: 16px; }
  .status { font-weight: 600; }
  .status.failed { color: var(--vscode-errorForeground, #cf222e); }
  .status.succeeded { color: var(--vscode-charts-green, #1a7f37); }
  progress { width: 100%; }
`;
