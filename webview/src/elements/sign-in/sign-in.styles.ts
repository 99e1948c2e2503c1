import { css } from 'lit';

export const signInStyles = css`
  :host { display: grid; place-items: center; min-height: 60vh; }
  form {
    display: grid;
    gap: 8px;
    width: min(460px, 92vw);
    padding: 20px;
    border: 1px solid var(--vscode-widget-border, #d0d7de);
    border-radius: 6px;
    background: var(--vscode-editorWidget-background, #ffffff);
  }
  h1 { font-size: 18px; margin: 0; }
  input { width: 100%; box-sizing: border-box; }
`;
