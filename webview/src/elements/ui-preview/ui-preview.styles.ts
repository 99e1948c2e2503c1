import { css } from 'lit';

export const uiPreviewStyles = css`
  :host { display: block; }
  iframe {
    width: 100%;
    border: 1px dashed var(--vscode-widget-border, #d0d7de);
    background: #ffffff;
    border-radius: 4px;
  }
`;
